"""The PRISMA 2020 flow diagram, box by box, as geometry that the SVG (:mod:`.svg`) and the
PNG/PDF figure (:mod:`.figure`) both draw.

The boxes follow the PRISMA 2020 template for new reviews (Page MJ et al. BMJ 2021;372:n71):
phase labels Identification, Screening and Included down the left; the branch "Identification
of studies via databases and registers" (records identified, records removed before
screening, records screened and excluded, reports sought and not retrieved, reports assessed
and excluded with their reasons); the branch "Identification of studies via other methods"
when the review holds supplied documents (:func:`implmap.screening.prisma.other_methods`);
and "Studies included in review" with "Reports of included studies".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..folder import ReviewFolder
    from ..screening.prisma import PrismaCounts

__all__ = ["PRISMA_TITLE", "Arrow", "Box", "Diagram", "layout", "prisma_diagram", "wrap"]

PRISMA_TITLE = "PRISMA 2020 flow diagram"
LINE, PAD, GAP, CHAR = 16, 8, 26, 6.6  # line height, padding, gap between rows, char width
PHASE_X, PHASE_W = 8, 26
MAIN_X, MAIN_W, SIDE_W, OTHER_W, OTHER_SIDE_W = 44, 250, 250, 240, 240
HEADER_H = 40


@dataclass
class Box:
    """One box: its place, its label (the template's wording) and its lines of text (the label
    first; the rest may be untrusted text, such as database names and exclusion reasons)."""

    x: int
    y: int
    w: int
    h: int
    label: str
    lines: list[str]
    kind: str = "main"  # main | side | phase | header

    def text_rows(self) -> list[tuple[int, int, str, bool]]:
        """``(x, baseline y, text, bold)`` of each line: the label bold, a header all bold (the
        phase boxes' rotated label is drawn apart)."""
        return [(self.x + PAD, self.y + PAD + LINE * (i + 1) - 4, t,
                 i == 0 or self.kind == "header") for i, t in enumerate(self.lines)]


@dataclass
class Arrow:
    """An arrow along ``points`` (x, y), its head at the last point."""

    points: list[tuple[int, int]]


@dataclass
class Diagram:
    """The whole diagram: its size, boxes and arrows."""

    width: int
    height: int
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    title: str = PRISMA_TITLE


def wrap(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` characters (words kept whole)."""
    out: list[str] = []
    cur = ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > width:
            out.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return [*out, cur] if cur else out or [""]


def _n(n: int) -> str:
    return f"(n = {n})"


def _cell(label: str, details: list[str]) -> tuple[str, list[str]]:
    return label, [label, *details]


def _rows(main: PrismaCounts, other: PrismaCounts | None, total: PrismaCounts,
          regs: set[str]) -> list[list[tuple[str, list[str]] | None]]:
    """Per row, the cells (main, side, other, other side): each (label, lines) or None."""
    dbs = {k: v for k, v in main.identified_by_database.items() if k not in regs}
    rg = {k: v for k, v in main.identified_by_database.items() if k in regs}
    ident = [f"Databases {_n(sum(dbs.values()))}", *(f"– {k} {_n(v)}" for k, v in
                                                     sorted(dbs.items()))]
    ident += [f"Registers {_n(sum(rg.values()))}", *(f"– {k} {_n(v)}" for k, v in
                                                     sorted(rg.items()))]
    removed = [f"Duplicate records removed {_n(main.duplicates_removed)}",
               f"Records marked as ineligible by automation tools {_n(0)}",
               f"Records removed for other reasons {_n(0)}"]

    def excluded(c: PrismaCounts) -> tuple[str, list[str]]:
        lines = [f"{r} {_n(k)}" for r, k in sorted(c.reports_excluded_by_reason.items())]
        if c.reports_awaiting:
            lines.append(f"Awaiting a final decision {_n(c.reports_awaiting)}")
        return _cell("Reports excluded:", lines or [_n(0)])

    def not_retrieved(c: PrismaCounts) -> tuple[str, list[str]]:
        lines = [_n(c.reports_not_retrieved)]
        if c.reports_awaiting_assessment:
            lines.append(f"Awaiting retrieval or assessment {_n(c.reports_awaiting_assessment)}")
        return _cell("Reports not retrieved", lines)

    screened_side = [_n(main.records_excluded)]
    if main.records_awaiting:
        screened_side.append(f"Awaiting a final decision {_n(main.records_awaiting)}")
    rows: list[list[tuple[str, list[str]] | None]] = [
        [_cell("Records identified from:", ident),
         _cell("Records removed before screening:", removed), None, None],
        [_cell("Records screened", [_n(main.records_screened)]),
         _cell("Records excluded", screened_side), None, None],
        [_cell("Reports sought for retrieval", [_n(main.reports_sought)]), not_retrieved(main),
         None, None],
        [_cell("Reports assessed for eligibility", [_n(main.reports_assessed)]), excluded(main),
         None, None],
        [_cell("Studies included in review", [
            _n(total.studies_included), "Reports of included studies",
            _n(total.reports_included)]), None, None, None],
    ]
    if other is not None:
        rows[0][2] = _cell("Records identified from:", [
            f"{k} {_n(v)}" for k, v in sorted(other.identified_by_database.items())])
        gone = other.identified - other.reports_sought
        if gone:
            rows[0][3] = _cell("Records not sought for retrieval:", [
                f"Duplicate records removed {_n(other.duplicates_removed)}",
                f"Records excluded at screening {_n(other.records_excluded)}",
                *([f"Awaiting a final decision {_n(other.records_awaiting)}"]
                  if other.records_awaiting else [])])
        rows[2][2] = _cell("Reports sought for retrieval", [_n(other.reports_sought)])
        rows[2][3] = not_retrieved(other)
        rows[3][2] = _cell("Reports assessed for eligibility", [_n(other.reports_assessed)])
        rows[3][3] = excluded(other)
    return rows


def layout(main: PrismaCounts, other: PrismaCounts | None, total: PrismaCounts,
           registers: set[str] | None = None) -> Diagram:
    """The diagram for the counts of the two branches (:func:`implmap.screening.prisma.
    prisma_branches`) and of the whole review (``total``: the studies and reports included).
    """
    regs = registers or set()
    side_x = MAIN_X + MAIN_W + 30
    other_x = side_x + SIDE_W + 40
    oside_x = other_x + OTHER_W + 30
    xs = [(MAIN_X, MAIN_W), (side_x, SIDE_W), (other_x, OTHER_W), (oside_x, OTHER_SIDE_W)]
    width = (oside_x + OTHER_SIDE_W if other is not None else side_x + SIDE_W) + 8
    d = Diagram(width=width, height=0)
    y0 = 8
    d.boxes.append(Box(MAIN_X, y0, side_x + SIDE_W - MAIN_X, HEADER_H - 8,
                       "Identification of studies via databases and registers",
                       ["Identification of studies via databases and registers"], "header"))
    if other is not None:
        d.boxes.append(Box(other_x, y0, oside_x + OTHER_SIDE_W - other_x, HEADER_H - 8,
                           "Identification of studies via other methods",
                           ["Identification of studies via other methods"], "header"))
    y = y0 + HEADER_H
    grid: list[list[Box | None]] = []
    for row in _rows(main, other, total, regs):
        cells: list[Box | None] = []
        for i, ((x, w), cell) in enumerate(zip(xs, row, strict=True)):
            if cell is None:
                cells.append(None)
                continue
            label, lines = cell
            if cell is row[0] and label == "Studies included in review":
                w = side_x + SIDE_W - MAIN_X  # the included box spans the branch
            text = [part for t in lines for part in wrap(t, int((w - 2 * PAD) / CHAR))]
            kind = "side" if i % 2 else "main"
            cells.append(Box(x, y, w, PAD * 2 + LINE * len(text), label, text, kind))
        h = max(b.h for b in cells if b is not None)
        for b in cells:
            if b is not None and b.kind == "main":
                b.h = h  # main boxes of a row line up
        grid.append(cells)
        d.boxes += [b for b in cells if b is not None]
        y += h + GAP
    d.height = y - GAP + 8
    for col in (0, 2):
        chain = [c for r in grid if (c := r[col]) is not None]
        for a, b in pairwise(chain):
            cx = a.x + a.w // 2
            d.arrows.append(Arrow([(cx, a.y + a.h), (cx, b.y - 2)]))
        for r in grid:
            m, s = r[col], r[col + 1]
            if m is not None and s is not None:
                mid = m.y + min(m.h, s.h) // 2
                d.arrows.append(Arrow([(m.x + m.w, mid), (s.x - 2, mid)]))
    last = grid[-1][0]
    assessed = grid[3][2]
    if assessed is not None and last is not None:
        cx = assessed.x + assessed.w // 2
        my = last.y + last.h // 2
        d.arrows.append(Arrow([(cx, assessed.y + assessed.h), (cx, my),
                               (last.x + last.w + 2, my)]))
    spans = {"Identification": (grid[0], grid[0]), "Screening": (grid[1], grid[3]),
             "Included": (grid[4], grid[4])}
    for name, (top, bottom) in spans.items():
        t = min(b.y for b in top if b is not None)
        btm = max(b.y + b.h for b in bottom if b is not None)
        d.boxes.append(Box(PHASE_X, t, PHASE_W, btm - t, name, [name], "phase"))
    return d


def prisma_diagram(review: ReviewFolder, total: PrismaCounts | None = None) -> Diagram:
    """The PRISMA 2020 flow diagram of ``review``, from its checked counts (raises
    :class:`~implmap.errors.PrismaError` when they do not add up); ``total``: the review's
    :func:`~implmap.screening.prisma.prisma_counts` when the caller has them already."""
    from ..screening.prisma import prisma_branches, prisma_counts, registers

    total = prisma_counts(review) if total is None else total
    main, other = prisma_branches(review, total)
    return layout(main, other, total, set(registers(review)))
