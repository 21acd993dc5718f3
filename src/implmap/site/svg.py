"""Charts drawn at build time as inline SVG (no JavaScript, no network): the PRISMA-ScR flow."""

from __future__ import annotations

from dataclasses import dataclass

from .escape import esc

__all__ = ["FlowBox", "FlowRow", "flow_svg"]

LINE = 18
PAD = 10
WIDTH = 660
LEFT_X, LEFT_W = 10, 360
RIGHT_X, RIGHT_W = 400, 250
CHARS_LEFT = 44
CHARS_RIGHT = 33


@dataclass
class FlowBox:
    """A box of the flow diagram: a heading line and detail lines (all untrusted text)."""

    lines: list[str]


@dataclass
class FlowRow:
    """A row of the flow diagram: the main box, and the box of what left the flow there."""

    main: FlowBox
    side: FlowBox | None = None


def _wrap(text: str, width: int) -> list[str]:
    words, out, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            out.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        out.append(cur)
    return out or [""]


def _box(x: int, y: int, w: int, box: FlowBox, chars: int, cls: str) -> tuple[str, int]:
    lines: list[str] = []
    for t in box.lines:
        for part in _wrap(t, chars):
            lines.append(part)
    h = PAD * 2 + LINE * len(lines)
    parts = [f'<rect class="{cls}" x="{x}" y="{y}" width="{w}" height="{h}" rx="4"></rect>']
    for i, t in enumerate(lines):
        ty = y + PAD + LINE * (i + 1) - 4
        weight = ' font-weight="bold"' if i == 0 else ""
        parts.append(f'<text x="{x + PAD}" y="{ty}"{weight}>{esc(t)}</text>')
    return "".join(parts), h


def flow_svg(rows: list[FlowRow], title: str = "PRISMA-ScR flow diagram") -> str:
    """An SVG flow diagram: main boxes down the left, exclusions to the right, arrows between."""
    y = 10
    parts: list[str] = []
    prev_bottom: int | None = None
    for row in rows:
        main_svg, main_h = _box(LEFT_X, y, LEFT_W, row.main, CHARS_LEFT, "implmap-flow-main")
        side_h = 0
        side_svg = ""
        if row.side is not None:
            side_svg, side_h = _box(RIGHT_X, y, RIGHT_W, row.side, CHARS_RIGHT, "implmap-flow-side")
        if prev_bottom is not None:
            cx = LEFT_X + LEFT_W // 2
            parts.append(
                f'<line class="implmap-flow-arrow" x1="{cx}" y1="{prev_bottom}" x2="{cx}" '
                f'y2="{y - 2}" marker-end="url(#implmap-arrow)"></line>'
            )
        parts.append(main_svg)
        if side_svg:
            mid = y + min(main_h, side_h) // 2
            parts.append(
                f'<line class="implmap-flow-arrow" x1="{LEFT_X + LEFT_W}" y1="{mid}" '
                f'x2="{RIGHT_X - 2}" y2="{mid}" marker-end="url(#implmap-arrow)"></line>'
            )
            parts.append(side_svg)
        h = max(main_h, side_h)
        prev_bottom = y + main_h
        y += h + 30
    height = y - 20
    head = (
        f'<svg class="implmap-flow" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="implmap-flow-title">'
        f'<title id="implmap-flow-title">{esc(title)}</title>'
        '<defs><marker id="implmap-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z"></path></marker></defs>'
    )
    return head + "".join(parts) + "</svg>"
