"""A review folder → Markdown pages and assets of the evidence map, one module per page family.

:func:`build_pages` is a plain step: it writes the pages into a folder, and any MkDocs-style
builder (``mkdocs`` through :mod:`implmap.site.plugin`, or ``zensical``) turns them into a site.
Pages are Markdown files whose untrusted parts are raw HTML blocks made with
:func:`~implmap.site.escape.esc`, so titles, findings and notes show as plain text whatever
they contain.

The families: :mod:`.overview`, :mod:`.matrix` (with "find barriers"), :mod:`.domains` (TDF
domains and themes), :mod:`.studies`, :mod:`.methods` (with downloads); each writes through the
:class:`~.builder.Builder` of the build.
"""

from __future__ import annotations

import contextlib
import json
from importlib import resources
from pathlib import Path

from ...folder import ReviewFolder
from ..downloads import find_data_js
from .builder import FIND_DATA, GROUP_CAP, Builder, Links
from .domains import write_domains, write_themes
from .matrix import write_find, write_matrix
from .methods import download_files, write_downloads, write_methods
from .overview import write_overview
from .studies import write_studies

__all__ = ["GROUP_CAP", "Links", "build_pages"]

ASSETS = ("implmap.css", "implmap-find.js")
LISTING = ".implmap-pages.json"  # the files of the last build, so a rebuild removes stale ones


def _write_map(b: Builder) -> list[Path]:
    files = download_files(b)
    for rel, text in files.items():
        b.write(rel, text)
    hrefs = {s.id: b.built_links.href("find.md", b.study_page[s.id]) for s in b.data.studies}
    b.write(FIND_DATA, find_data_js(b.data, hrefs, b.finding_anchor))
    src = resources.files("implmap.site") / "assets"
    for name in ASSETS:
        b.write(f"assets/{name}", (src / name).read_bytes())
    write_overview(b)
    write_matrix(b)
    write_find(b)
    write_domains(b)
    write_themes(b)
    write_studies(b)
    write_methods(b)
    write_downloads(b, files)
    return b.written


def build_pages(
    review: ReviewFolder | str | Path,
    out_dir: str | Path,
    *,
    directory_urls: bool = True,
    source_links: bool = False,
) -> list[Path]:
    """Write the evidence map of ``review`` as Markdown pages and assets into ``out_dir``.

    Files of an earlier map in ``out_dir`` that this build no longer writes are removed (the
    map lists its files in ``out_dir/.implmap-pages.json``); nothing else there is touched.
    Returns the written paths. Build the pages into a site with the MkDocs plugin
    (``plugins: [implmap: {review: ...}]``), or with ``zensical`` after writing them under the
    docs folder with ``source_links=True``. ``directory_urls`` must match the site's
    ``use_directory_urls``. ``source_links``: link pages and assets relative to the Markdown
    files (zensical rewrites such links in raw HTML; MkDocs does not, so the default links
    are relative to the built pages).
    """
    if not isinstance(review, ReviewFolder):
        review = ReviewFolder(review)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    listing = out / LISTING
    before: list[str] = []
    if listing.exists():
        try:
            before = list(json.loads(listing.read_text("utf-8")))
        except (ValueError, TypeError):
            before = []
    written = _write_map(Builder(review, out, directory_urls, source_links))
    now = sorted(p.relative_to(out).as_posix() for p in written)
    for rel in set(before) - set(now):
        stale = (out / rel).resolve()
        if out.resolve() in stale.parents and stale.is_file():
            stale.unlink()
            with contextlib.suppress(OSError):  # drop folders the map emptied
                stale.parent.rmdir()
    listing.write_text(json.dumps(now, indent=1) + "\n", encoding="utf-8")
    return written
