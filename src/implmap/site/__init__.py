"""The published evidence map: review folder to Markdown pages and assets, and the MkDocs plugin.

``build_pages(review, out_dir)`` writes the pages; :mod:`implmap.site.plugin` builds them into a
MkDocs site; :mod:`implmap.site.serve` builds or serves a review's map on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..review import Review

__all__ = ["build_pages"]


def build_pages(
    review: Review | str | Path,
    out_dir: str | Path,
    *,
    directory_urls: bool = True,
    source_links: bool = False,
) -> list[Path]:
    """Write the evidence map of ``review`` as Markdown pages and assets into ``out_dir``.

    Returns the written paths. ``source_links=True`` for zensical. See
    :func:`implmap.site.pages.build_pages`.
    """
    from .pages import build_pages as _build

    return _build(review, out_dir, directory_urls=directory_urls, source_links=source_links)
