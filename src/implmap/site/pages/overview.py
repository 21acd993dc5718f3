"""The overview page: the review's title and question, its numbers, and the PRISMA 2020 flow."""

from __future__ import annotations

from ..escape import esc
from ..flow import Box, Diagram
from ..svg import diagram_svg
from .builder import Builder, tally

__all__ = ["flow_diagram", "write_overview"]


def write_overview(b: Builder) -> None:
    d = b.data
    rel = "index.md"
    findings = d.findings
    barriers, facilitators = tally(findings)
    coded = {x for fi in findings for x in fi.domains}
    numbers = [
        (len(d.studies), "included studies"),
        (len(findings), "findings"),
        (barriers, "barriers"),
        (facilitators, "facilitators"),
        (len(coded), f"of {len(d.domains)} TDF domains with findings" if d.domains
         else "TDF domains with findings"),
        (len(d.themes), "themes"),
    ]
    cards = "".join(
        f'<div class="implmap-number"><strong>{n}</strong> <span>{esc(label)}</span></div>'
        for n, label in numbers
    )
    body = [f'<h1 class="implmap-title">{esc(d.title)}</h1>']
    if d.question:
        body.append(
            f'<p class="implmap-question"><strong>Review question:</strong> '
            f"{esc(d.question)}</p>"
        )
    if d.authors:
        body.append(f'<p class="implmap-authors">{esc(", ".join(d.authors))}</p>')
    body.append(f'<div class="implmap-numbers">{cards}</div>')
    def link(target: str, text: str) -> str:
        return b.a(rel, target, text)

    body.append(
        f"<p>Explore the evidence: {link('matrix.md', 'the evidence matrix')} (TDF domains × "
        f"themes), {link('find.md', 'find barriers')} (every finding, filterable), the "
        f"{link('domains/index.md', 'TDF domains')}, the {link('themes/index.md', 'themes')} "
        f"and the {link('studies/index.md', 'included studies')}. How the review was done: "
        f"{link('methods.md', 'methods')}; the data: {link('downloads.md', 'downloads')}.</p>"
    )
    body.append("## How studies were selected")
    if d.prisma:
        caption = ("PRISMA 2020 flow of records through the review, counted from the review's "
                   "own searches and screening logs.")
    else:
        why = d.prisma_problem or "the review holds no screening counts"
        caption = f"Only the included studies are shown: {why}."
    body.append(
        '<figure class="implmap-figure"><div class="implmap-scroll">'
        + diagram_svg(flow_diagram(b))
        + f"</div><figcaption>{esc(caption)}</figcaption></figure>"
    )
    b.page(rel, "Evidence map", body)


def flow_diagram(b: Builder) -> Diagram:
    """The PRISMA 2020 flow diagram (``implmap.site.flow``), or, when the review's counts are
    missing or do not add up, one box with the included studies."""
    d = b.data
    if d.flow is not None:
        return d.flow
    label = "Studies included in review"
    lines = [label, f"(n = {len(d.studies)})"]
    return Diagram(width=360, height=64, boxes=[Box(8, 8, 344, 48, label, lines)])
