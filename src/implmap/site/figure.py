"""The PRISMA 2020 flow diagram as a PNG or PDF file, drawn with matplotlib from the same
geometry as the SVG (:mod:`.flow`): the same boxes, lines of text and arrows."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Literal

from ..errors import UsageError
from .flow import Diagram, prisma_diagram

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = ["FIGURE_FORMATS", "diagram_figure", "prisma_figure"]

FIGURE_FORMATS = ("svg", "png", "pdf")
_FILL = {"header": "#dbe9f6", "phase": "#dbe9f6"}


def diagram_figure(d: Diagram, fmt: Literal["png", "pdf"] = "png", dpi: int = 200) -> bytes:
    """The diagram as PNG or PDF bytes (matplotlib's Agg and PDF backends; no display)."""
    if fmt not in ("png", "pdf"):
        raise UsageError(f"a figure is drawn as png or pdf, not {fmt!r}")
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    scale = 1 / 96  # SVG user units are CSS pixels: 96 to the inch
    fig = Figure(figsize=(d.width * scale, d.height * scale))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, d.width)
    ax.set_ylim(d.height, 0)  # y grows downwards, as in the SVG
    ax.set_axis_off()
    size = 12 * 72 / 96  # the SVG's 12 px in points
    for b in d.boxes:
        ax.add_patch(FancyBboxPatch(
            (b.x, b.y), b.w, b.h, boxstyle="round,pad=0,rounding_size=4",
            facecolor=_FILL.get(b.kind, "white"), edgecolor="#222", linewidth=0.8,
            linestyle="--" if b.kind == "side" else "-"))
        if b.kind == "phase":
            ax.text(b.x + b.w / 2, b.y + b.h / 2, b.label, rotation=90, ha="center",
                    va="center", fontsize=size, fontweight="bold")
            continue
        for x, y, t, bold in b.text_rows():
            ax.text(x, y, t, fontsize=size, fontweight="bold" if bold else "normal",
                    va="baseline")
    for a in d.arrows:
        for (x1, y1), (x2, y2) in zip(a.points, a.points[1:], strict=False):
            last = (x2, y2) == a.points[-1]
            ax.add_patch(FancyArrowPatch((x1, y1), (x2, y2), color="#222", linewidth=1,
                                         arrowstyle="-|>" if last else "-",
                                         mutation_scale=10, shrinkA=0, shrinkB=0))
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi)
    return buf.getvalue()


def prisma_figure(review: ReviewFolder, fmt: str = "svg") -> str | bytes:
    """The PRISMA 2020 flow diagram of ``review``: SVG text (the drawing the evidence map
    shows, with its own style), or PNG or PDF bytes. Raises
    :class:`~implmap.errors.PrismaError` when the counts do not add up."""
    from .svg import diagram_svg

    if fmt not in FIGURE_FORMATS:
        raise UsageError(f"the PRISMA diagram is written as svg, png or pdf, not {fmt!r}")
    d = prisma_diagram(review)
    if fmt == "svg":
        return diagram_svg(d, standalone=True)
    return diagram_figure(d, "png" if fmt == "png" else "pdf")
