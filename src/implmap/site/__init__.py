"""The published evidence map: review folder to Markdown pages and assets, and the MkDocs plugin.

``build_pages(review, out_dir)`` writes the pages (:mod:`implmap.site.pages`, one module per
page family) from the data :func:`load_map` reads; :mod:`implmap.site.plugin` builds them into
a MkDocs site; :mod:`implmap.site.serve` builds or serves a review's map on its own.

Importing this package stays light: MkDocs loads only when a site is built or served, or when
``ImplmapPlugin`` / ``ImplmapConfig`` are looked up here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .data import (
    Coding,
    Domain,
    Finding,
    MapData,
    Pair,
    Stage,
    Study,
    Theme,
    load_map,
    slug,
)
from .downloads import find_data_js, findings_csv, findings_json, studies_ris
from .escape import esc, plain_title
from .figure import diagram_figure, prisma_figure
from .flow import Diagram, prisma_diagram
from .pages import Links, build_pages
from .serve import build_site, serve_site, site_config
from .svg import diagram_svg

if TYPE_CHECKING:
    from .plugin import ImplmapConfig, ImplmapPlugin

__all__ = [
    "Coding",
    "Diagram",
    "Domain",
    "Finding",
    "ImplmapConfig",
    "ImplmapPlugin",
    "Links",
    "MapData",
    "Pair",
    "Stage",
    "Study",
    "Theme",
    "build_pages",
    "build_site",
    "diagram_figure",
    "diagram_svg",
    "esc",
    "find_data_js",
    "findings_csv",
    "findings_json",
    "load_map",
    "plain_title",
    "prisma_diagram",
    "prisma_figure",
    "serve_site",
    "site_config",
    "slug",
    "studies_ris",
]

_PLUGIN = {"ImplmapConfig", "ImplmapPlugin"}  # import MkDocs: looked up on first use


def __getattr__(name: str) -> Any:
    if name in _PLUGIN:
        from . import plugin

        return getattr(plugin, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
