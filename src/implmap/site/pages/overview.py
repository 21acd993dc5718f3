"""The overview page: the review's title and question, its numbers, and the PRISMA-ScR flow."""

from __future__ import annotations

from ..escape import esc
from ..svg import FlowBox, FlowRow, flow_svg
from .builder import Builder, tally

__all__ = ["flow_rows", "write_overview"]


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
        caption = ("PRISMA-ScR flow of records through the review, counted from the review's "
                   "own searches and screening logs.")
    else:
        why = d.prisma_problem or "the review holds no screening counts"
        caption = f"Only the included studies are shown: {why}."
    body.append(
        '<figure class="implmap-figure"><div class="implmap-scroll">'
        + flow_svg(flow_rows(b))
        + f"</div><figcaption>{esc(caption)}</figcaption></figure>"
    )
    b.page(rel, "Evidence map", body)


def flow_rows(b: Builder) -> list[FlowRow]:
    """The PRISMA-ScR boxes, from ``implmap.screening.prisma_counts``."""
    d = b.data
    p = d.prisma
    if not p:
        return [FlowRow(FlowBox([f"Studies included in the map (n = {len(d.studies)})"]))]
    by_db = p.get("identified_by_database") or {}
    lines = [f"Records identified from databases (n = {p['identified']})"]
    lines += [f"{db} (n = {n})" for db, n in sorted(by_db.items())]
    rows = [FlowRow(FlowBox(lines),
                    FlowBox([f"Duplicate records removed (n = {p['duplicates_removed']})"]))]
    side = [f"Records excluded (n = {p['records_excluded']})"]
    if p.get("records_awaiting"):
        side.append(f"Awaiting a final decision (n = {p['records_awaiting']})")
    rows.append(FlowRow(FlowBox([f"Records screened (n = {p['records_screened']})"]),
                        FlowBox(side)))
    rows.append(FlowRow(
        FlowBox([f"Reports sought for retrieval (n = {p['reports_sought']})"]),
        FlowBox([f"Reports not retrieved (n = {p['reports_not_retrieved']})"]),
    ))
    side = [f"Reports excluded (n = {p['reports_excluded']})"]
    side += [f"{r} (n = {n})" for r, n in
             sorted((p.get("reports_excluded_by_reason") or {}).items())]
    if p.get("reports_awaiting"):
        side.append(f"Awaiting a final decision (n = {p['reports_awaiting']})")
    rows.append(FlowRow(
        FlowBox([f"Reports assessed for eligibility (n = {p['reports_assessed']})"]),
        FlowBox(side),
    ))
    rows.append(FlowRow(FlowBox([
        f"Studies included in the map (n = {p['studies_included']})",
        f"Reports of included studies (n = {p['reports_included']})",
        f"Studies charted (n = {len(d.studies)})",
    ])))
    return rows
