"""Build or serve one review's evidence map as a site of its own (``implmap site build/serve``).

A minimal MkDocs configuration (Material theme, no web fonts, the implmap plugin pointing at the
review, ``page.html`` URLs so the site opens from disk too) is written into a temporary folder, so
the review needs no ``mkdocs.yml`` of its own. Serving is :mod:`implmap.site.live`.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import yaml

from ..errors import ImplmapError, UsageError
from ..folder import ReviewFolder
from .escape import plain_title

__all__ = ["build_site", "serve_site", "site_config"]

NAV = [
    {"Overview": "index.md"},
    {"Evidence matrix": "matrix.md"},
    {"Find barriers": "find.md"},
    {"TDF domains": "domains/index.md"},
    {"Themes": "themes/index.md"},
    {"Studies": "studies/index.md"},
    {"Methods": "methods.md"},
    {"Downloads": "downloads.md"},
]


def site_config(
    review: ReviewFolder, folder: Path, *, search: bool = True, directory_urls: bool = False
) -> Path:
    """Write a minimal ``mkdocs.yml`` for ``review``'s map into ``folder``; return its path.

    Pages are ``page.html`` files linked as such unless ``directory_urls``, so the built site
    also works opened from disk (``file://…/index.html``), with no web server.
    """
    docs = folder / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    plugins: list[Any] = ["search"] if search else []
    plugins.append({"implmap": {"review": str(review.root), "prefix": ""}})
    config = {
        "site_name": plain_title(review.manifest.title) or "Evidence map",
        "docs_dir": str(docs),
        "use_directory_urls": directory_urls,
        "theme": {
            "name": "material",
            "font": False,
            "features": ["navigation.top"],
            "palette": [{"scheme": "default", "primary": "indigo"}],
        },
        "markdown_extensions": ["attr_list", "md_in_html", {"toc": {"permalink": True}}],
        "plugins": plugins,
        "nav": NAV,
    }
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), "utf-8")
    return path


class _Errors(logging.Handler):
    """The messages MkDocs logs while it builds (it logs a plugin's error, then aborts)."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _review(review: ReviewFolder | str | Path) -> ReviewFolder:
    return review if isinstance(review, ReviewFolder) else ReviewFolder(review)


def build_site(review: ReviewFolder | str | Path, out: str | Path, *, strict: bool = True) -> Path:
    """Build ``review``'s evidence map into the static site folder ``out``; return it.

    The site works from a web server and opened from disk. Raises
    :class:`~implmap.errors.ImplmapError` with MkDocs' messages when the build fails (a study
    file that does not validate, or in ``strict`` mode a warning).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    out = Path(out).resolve()
    review = _review(review)
    errors = _Errors(logging.WARNING if strict else logging.ERROR)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(errors)
    try:
        with tempfile.TemporaryDirectory(prefix="implmap-site-") as tmp:
            cfg = site_config(review, Path(tmp))
            build(load_config(str(cfg), site_dir=str(out), strict=strict))
    except Abort as exc:
        raise ImplmapError("; ".join(dict.fromkeys(errors.messages)) or str(exc)) from None
    finally:
        logger.removeHandler(errors)
    return out


def serve_site(
    review: ReviewFolder | str | Path, host: str = "127.0.0.1", port: int = 8000
) -> None:
    """Serve ``review``'s evidence map at http://host:port/, rebuilding when the review changes.

    A build that fails shows its error in the page until the review's files are fixed; Ctrl+C
    stops the server (see :class:`~implmap.site.live.LiveSite`). Raises
    :class:`~implmap.errors.UsageError` when nothing can serve on ``host:port`` (another server
    there, or no such address).
    """
    from .live import LiveSite

    review = _review(review)
    live = LiveSite(review.root, lambda out: build_site(review, out, strict=False))
    try:
        live.serve(host, port)
    except OSError as exc:
        live.stop()
        raise UsageError(
            f"cannot serve on {host}:{port} ({exc.strerror or exc}); is another server "
            "running there? Use another port"
        ) from None
