"""The included studies: an index table, and one page per study with its facts and findings
(the only pages whose findings the search indexes)."""

from __future__ import annotations

from ...records.links import doi_url
from ..data import Study
from ..escape import esc
from .builder import Builder

__all__ = ["write_studies"]


def write_studies(b: Builder) -> None:
    d = b.data
    idx = "studies/index.md"
    rows = [
        b.index_row(idx, b.study_page[s.id], s.citation or s.id, esc(s.year), esc(s.country),
                    esc(s.design), b.badges(s.findings), row_head=False)
        for s in d.studies
    ]
    intro = f"<p>The {len(d.studies)} studies included in the map.</p>"
    b.index_page(idx, "Included studies", intro, ("Study", "Year", "Country", "Design", "Findings"),
                 rows, "implmap-studies")
    for s in d.studies:
        _study(b, s)


def _doi(s: Study) -> str:
    href = doi_url(s.doi)
    if href:
        return f' <a class="implmap-doi" href="{esc(href)}" rel="noopener">doi:{esc(s.doi)}</a>'
    if s.doi:
        return f" <span>doi: {esc(s.doi)}</span>"
    return ""


def _facts(s: Study) -> str:
    facts = []
    for label, value in (
        ("Year", s.year), ("Country", s.country), ("Setting", s.setting),
        ("Design", s.design), ("What was implemented", s.implemented), ("Aims", s.aims),
    ):
        if value not in (None, ""):
            facts.append(f"<dt>{label}</dt><dd>{esc(value)}</dd>")
    if s.participants:
        parts = "; ".join(
            esc(g) + (f" (n = {esc(n)})" if n not in (None, "") else "")
            for g, n in s.participants
        )
        facts.append(f"<dt>Participants</dt><dd>{parts}</dd>")
    return f'<dl class="implmap-facts">{"".join(facts)}</dl>'


def _study(b: Builder, s: Study) -> None:
    d = b.data
    rel = b.study_page[s.id]
    body = [
        f"<h1>Study {esc(s.id)}</h1>",
        f'<p class="implmap-citation">{esc(s.citation or s.id)}{_doi(s)}</p>',
        _facts(s),
    ]
    everything = b.find_link(rel, "All findings of this study in the list", study=s.id)
    body.append(f"## Findings\n\n<p>{everything}</p>")
    items = []
    for f in s.findings:
        cells = [
            b.find_link(rel, f"{esc(dom)} × {esc(d.theme_name(t))}",
                        f"matrix cell {dom} × {d.theme_name(t)}", domain=dom, theme=t)
            for dom in f.domains for t in f.themes
        ]
        extra = ""
        if f.source:
            extra += f'<span class="implmap-meta">Where in the source: {esc(f.source)}</span>'
        if f.constructs:
            extra += f'<span class="implmap-meta">Constructs: {esc("; ".join(f.constructs))}</span>'
        if cells:
            extra += (
                '<span class="implmap-meta implmap-cells">In the matrix: '
                + ", ".join(cells) + "</span>"
            )
        items.append(b.finding_item(rel, f, False, b.finding_anchor[f.key], extra))
    if items:
        body.append(f'<ul class="implmap-findings">{"".join(items)}</ul>')
    else:
        body.append('<p class="implmap-none">No findings are charted for this study.</p>')
    b.page(rel, f"Study {s.id}", body)
