"""Build or serve one review's evidence map as a site of its own (``implmap site build/serve``).

A minimal MkDocs configuration (Material theme, no web fonts, the implmap plugin pointing at the
review) is written into a temporary folder, so the review needs no ``mkdocs.yml`` of its own.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from ..errors import UsageError
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


def site_config(review: ReviewFolder, folder: Path, *, search: bool = True) -> Path:
    """Write a minimal ``mkdocs.yml`` for ``review``'s map into ``folder``; return its path."""
    docs = folder / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    plugins: list[Any] = ["search"] if search else []
    plugins.append({"implmap": {"review": str(review.root), "prefix": ""}})
    config = {
        "site_name": plain_title(review.manifest.title) or "Evidence map",
        "docs_dir": str(docs),
        "use_directory_urls": True,
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


@contextmanager
def _config(review: ReviewFolder | str | Path, **kw: Any) -> Iterator[Path]:
    if not isinstance(review, ReviewFolder):
        review = ReviewFolder(review)
    with tempfile.TemporaryDirectory(prefix="implmap-site-") as tmp:
        yield site_config(review, Path(tmp), **kw)


def build_site(review: ReviewFolder | str | Path, out: str | Path, *, strict: bool = True) -> Path:
    """Build ``review``'s evidence map into the static site folder ``out``; return it."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    out = Path(out).resolve()
    with _config(review) as cfg:
        config = load_config(str(cfg), site_dir=str(out), strict=strict)
        build(config)
    return out


def serve_site(
    review: ReviewFolder | str | Path, host: str = "127.0.0.1", port: int = 8000
) -> None:
    """Serve ``review``'s evidence map at http://host:port/, rebuilding when the review changes.

    Raises :class:`~implmap.errors.UsageError` when nothing can serve on ``host:port`` (another
    server there, or no such address).
    """
    from mkdocs.commands.serve import serve

    with _config(review) as cfg:
        try:
            serve(config_file=str(cfg), open_in_browser=False, livereload=True,
                  dev_addr=f"{host}:{port}")
        except OSError as exc:
            raise UsageError(
                f"cannot serve on {host}:{port} ({exc.strerror or exc}); is another server "
                "running there? Use another port"
            ) from None
