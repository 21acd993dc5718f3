"""Charts drawn at build time as inline SVG (no JavaScript, no network): the PRISMA 2020 flow
diagram, the one drawing the evidence map and ``implmap prisma --format svg`` both use."""

from __future__ import annotations

from .escape import esc
from .flow import Diagram

__all__ = ["diagram_svg"]

_ARROW = ('<defs><marker id="implmap-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
          'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
          '<path d="M 0 0 L 10 5 L 0 10 z"></path></marker></defs>')
#: Stand-alone files carry their own look (the map's stylesheet styles the inline one).
_STYLE = ("<style>.implmap-flow{font:12px/1.2 sans-serif}"
          ".implmap-flow rect{fill:#fff;stroke:#222;stroke-width:1}"
          ".implmap-flow rect.implmap-flow-side{stroke-dasharray:4 2}"
          ".implmap-flow rect.implmap-flow-header,.implmap-flow rect.implmap-flow-phase"
          "{fill:#dbe9f6}.implmap-flow text{fill:#222}"
          ".implmap-flow polyline{fill:none;stroke:#222;stroke-width:1.4}"
          ".implmap-flow marker path{fill:#222}</style>")


def diagram_svg(d: Diagram, standalone: bool = False) -> str:
    """SVG text of a flow diagram (every text escaped); it scales to the width it is given.

    With ``standalone`` the SVG carries its own style and an XML declaration, for a file.
    """
    parts: list[str] = []
    for b in d.boxes:
        parts.append(f'<g class="implmap-flow-box implmap-flow-{b.kind}" '
                     f'data-label="{esc(b.label)}">')
        parts.append(f'<rect class="implmap-flow-{b.kind}" x="{b.x}" y="{b.y}" width="{b.w}" '
                     f'height="{b.h}" rx="4"></rect>')
        if b.kind == "phase":
            cx, cy = b.x + b.w // 2 + 4, b.y + b.h // 2
            parts.append(f'<text x="{cx}" y="{cy}" text-anchor="middle" font-weight="bold" '
                         f'transform="rotate(-90 {cx} {cy})">{esc(b.label)}</text>')
        else:
            for x, y, t, bold in b.text_rows():
                weight = ' font-weight="bold"' if bold else ""
                parts.append(f'<text x="{x}" y="{y}"{weight}>{esc(t)}</text>')
        parts.append("</g>")
    for a in d.arrows:
        pts = " ".join(f"{x},{y}" for x, y in a.points)
        parts.append(f'<polyline class="implmap-flow-arrow" points="{pts}" '
                     'marker-end="url(#implmap-arrow)"></polyline>')
    head = (
        f'<svg class="implmap-flow" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {d.width} {d.height}" width="{d.width}" height="{d.height}" '
        f'aria-labelledby="implmap-flow-title">'
        f'<title id="implmap-flow-title">{esc(d.title)}</title>' + _ARROW
        + (_STYLE if standalone else "")
    )
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    return xml + head + "".join(parts) + "</svg>" + ("\n" if standalone else "")
