"""How the review was done (eligibility, screening agreement, charting and dual coding), and the
downloads page that links the map's data files."""

from __future__ import annotations

from ..data import Stage
from ..downloads import findings_csv, findings_json, studies_ris
from ..escape import esc
from .builder import Builder, attr, columns, table

__all__ = ["BCW_CITATION", "TDF_CITATION", "download_files", "write_downloads", "write_methods"]

TDF_CITATION = (
    "Cane J, O'Connor D, Michie S. Validation of the theoretical domains framework for use in "
    "behaviour change and implementation research. Implement Sci 2012;7:37."
)
BCW_CITATION = (
    "Michie S, van Stralen MM, West R. The behaviour change wheel: a new method for "
    "characterising and designing behaviour change interventions. Implement Sci 2011;6:42; "
    "Michie S, Atkins L, West R. The Behaviour Change Wheel: a guide to designing interventions. "
    "2014."
)
ELIGIBILITY = {
    "population": "Population", "concept": "Concept", "context": "Context",
    "include": "Included", "exclude": "Excluded",
}
CHARTING = (
    "<p>Each finding is summarised in the reviewers' own words and coded to the "
    "domains and constructs of the Theoretical Domains Framework (version 2), to the "
    "review's themes, to whose perspective it reports and to the level (individual, "
    "organisational, system) at which it acts. TDF domains map to COM-B components, "
    "and COM-B components to the Behaviour Change Wheel's intervention functions.</p>"
)
CSV = "downloads/findings.csv"
JSON = "downloads/findings.json"
RIS = "downloads/studies.ris"


def _n(v: object) -> str:
    return "–" if v is None else esc(v)


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * float(v):.0f}%"


def _k(v: float | None) -> str:
    return "–" if v is None else f"{float(v):.2f}"


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def write_methods(b: Builder) -> None:
    d = b.data
    body = []
    if d.question:
        body.append(f"<p><strong>Review question:</strong> {esc(d.question)}</p>")
    body.append("## Eligibility criteria")
    facts = []
    for key, label in ELIGIBILITY.items():
        items = d.eligibility.get(key) or []
        if items:
            lis = "".join(f"<li>{esc(x)}</li>" for x in items)
            facts.append(f"<dt>{label}</dt><dd><ul>{lis}</ul></dd>")
    body.append(
        f'<dl class="implmap-facts">{"".join(facts)}</dl>' if facts
        else '<p class="implmap-none">The manifest states no eligibility criteria.</p>'
    )
    body.append("## Information sources and searches")
    body.append(_searches(b))
    body.append("## Screening")
    if d.stages:
        head = columns("Stage", "Records", "Reviewers", "Decided by both", "Agreement",
                       "Cohen's κ", "Conflicts", "Conflicts resolved")
        rows = [row for st in d.stages for row in _stage_rows(st)]
        body.append(table(head, rows, "implmap-agreement"))
    else:
        body.append('<p class="implmap-none">No screening agreement is recorded.</p>')
    dups = (d.prisma or {}).get("duplicates_removed")
    if dups is None:
        dups = d.duplicates_removed
    if dups is not None:
        body.append(f"<p>Duplicate records removed before screening: <strong>{dups}</strong>.</p>")
    body.append("## Charting")
    body.append(CHARTING)
    c = d.coding
    if c.n_dual:
        rows = [
            f'<tr><th scope="row">{esc(" & ".join(who))}</th><td>{_k(dk)}</td>'
            f"<td>{_k(tk)}</td></tr>"
            for who, dk, tk in c.pairs
        ]
        body.append(
            f"<p>{c.n_dual} of {c.n_findings} findings were coded independently by two "
            "reviewers before the agreed coding; agreement on the TDF domains and themes "
            "each gave (Cohen's κ, pooled over all domains or themes):</p>"
            + table(columns("Coders", "κ TDF domains", "κ themes"), rows, "implmap-coding")
        )
    body.append(f'<p class="implmap-cite">{esc(TDF_CITATION)} {esc(BCW_CITATION)}</p>')
    b.page("methods.md", "Methods", body)


def _searches(b: Builder) -> str:
    """Every imported search: database, date searched, search string, records, file."""
    found = b.data.searches
    if not found:
        return '<p class="implmap-none">No searches are imported yet.</p>'
    rows = [
        f'<tr><th scope="row">{esc(s.database)}</th><td>{esc(s.searched) or "–"}</td>'
        f'<td class="implmap-query">{f"<code>{esc(s.query)}</code>" if s.query else "–"}</td>'
        f"<td>{s.records}</td><td>{esc(s.file)}</td></tr>"
        for s in found
    ]
    total = sum(s.records for s in found)
    intro = (
        f"<p>{len(found)} {'search' if len(found) == 1 else 'searches'}, {total} records in "
        "all, each imported from the database's own export file (kept unchanged in the "
        "review folder).</p>"
    )
    head = columns("Database", "Date searched", "Search string", "Records", "File")
    return intro + table(head, rows, "implmap-searches")


def _stage_rows(st: Stage) -> list[str]:
    """The rows of one stage: one per pair of reviewers (a dash row when none), the stage's
    own cells spanning them."""
    span = f' rowspan="{len(st.pairs)}"' if len(st.pairs) > 1 else ""
    rows = []
    for k, pair in enumerate(st.pairs or [None]):
        first = k == 0
        head = (f'<th scope="row"{span}>{esc(st.name)}</th><td{span}>'
                f"{_n(st.screened)}</td>") if first else ""
        if pair:
            agree = (f"<td>{esc(' & '.join(pair.reviewers))}</td><td>{_n(pair.n)}</td>"
                     f"<td>{_pct(pair.percent)}</td><td>{_k(pair.kappa)}</td>")
        else:
            agree = "<td>–</td><td>–</td><td>–</td><td>–</td>"
        tail = (f"<td{span}>{_n(st.conflicts)}</td><td{span}>{_n(st.resolved)}</td>"
                if first else "")
        rows.append(f"<tr>{head}{agree}{tail}</tr>")
    return rows


def download_files(b: Builder) -> dict[str, str]:
    """The map's data files: their paths and contents."""
    return {
        CSV: findings_csv(b.data),
        JSON: findings_json(b.data),
        RIS: studies_ris(b.data, b.review),
    }


def write_downloads(b: Builder, files: dict[str, str]) -> None:
    """The downloads page, linking the data ``files`` (from :func:`download_files`)."""
    rel = "downloads.md"
    d = b.data
    items = [
        (CSV, "Findings (CSV)",
         f"{len(d.findings)} findings, one row each; lists joined with '; '."),
        (JSON, "Findings (JSON)",
         f"{len(d.findings)} findings with their coding, as one JSON document."),
        (RIS, "Included studies (RIS)", f"{len(d.studies)} studies, for a reference manager."),
    ]
    lis = "".join(
        f'<li><a href="{attr(b.links.href(rel, path))}" download>{label}</a> '
        f"({_size(len(files[path].encode('utf-8')))}): {esc(text)}</li>"
        for path, label, text in items
    )
    b.page(rel, "Downloads", [f'<ul class="implmap-downloads">{lis}</ul>'])
