"""The published evidence map: review folder to Markdown pages and assets, and the MkDocs plugin.

``build_pages(review, out_dir)`` writes the pages; :mod:`implmap.site.plugin` builds them into a
MkDocs site; :mod:`implmap.site.serve` builds or serves a review's map on its own.
"""

from __future__ import annotations

from .pages import build_pages

__all__ = ["build_pages"]
