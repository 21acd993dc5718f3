"""The evidence matrix (TDF domains × themes and × perspectives, the COM-B summary) and the
"find barriers" page, whose table a script fills from the find data asset."""

from __future__ import annotations

from collections import defaultdict

from ..data import Finding
from ..escape import esc
from .builder import FIND_DATA, FIND_JS, Builder, attr, columns, table, tally

__all__ = ["write_find", "write_matrix"]

Cells = dict[tuple[str, str], list[Finding]]


def write_matrix(b: Builder) -> None:
    d = b.data
    rel = "matrix.md"
    cells: Cells = defaultdict(list)
    pcells: Cells = defaultdict(list)
    for f in d.findings:
        for dom in f.domains:
            for t in f.themes or []:
                cells[dom, t].append(f)
            for p in f.perspective:
                pcells[dom, p].append(f)
    persp = sorted({p for f in d.findings for p in f.perspective})
    domains = [x.name for x in d.domains]
    body = [
        "<p>Each cell counts the findings coded to a TDF domain (row) and a theme (column): "
        '<strong>B</strong> barriers, <strong>F</strong> facilitators. Darker cells hold more '
        "findings; a finding coded to two domains or themes counts in each. Select a cell to "
        "list exactly its findings.</p>",
        "## TDF domains × themes",
        _table(b, rel, domains, [(t.id, t.name) for t in d.themes], cells, "theme",
               "implmap-matrix", themes=True),
        "## TDF domains × perspectives",
        "<p>Whose account each finding comes from.</p>",
        _table(b, rel, domains, [(p, p) for p in persp], pcells, "perspective",
               "implmap-matrix-perspective", themes=False),
        "## COM-B summary",
        _comb_table(b, rel),
    ]
    b.page(rel, "Evidence matrix", body, wide=True)


def _shade(n: int, top: int) -> int:
    if n <= 0 or top <= 0:
        return 0
    return max(1, min(5, round(5 * n / top + 0.49)))


def _table(
    b: Builder,
    rel: str,
    rows: list[str],
    cols: list[tuple[str, str]],
    cells: Cells,
    key: str,
    cls: str,
    themes: bool,
) -> str:
    """Domains down, ``cols`` across (linked to their theme pages when ``themes``); each cell
    links to its findings in the list, filtered by domain and ``key``."""
    if not cols:
        return '<p class="implmap-none">No findings are coded yet.</p>'
    top = max((len(v) for v in cells.values()), default=0)
    head = ['<th scope="col" class="implmap-corner">TDF domain</th>']
    for cid, name in cols:
        label = esc(name)
        if themes:
            label = b.a(rel, b.theme_page[cid], label)
        head.append(f'<th scope="col">{label}</th>')
    head.append('<th scope="col" class="implmap-total">All</th>')
    body = []
    for dom in rows:
        tds = [f'<th scope="row">{b.a(rel, b.domain_page[dom], esc(dom))}</th>']
        for cid, name in cols:
            found = cells.get((dom, cid), [])
            if not found:
                tds.append('<td class="implmap-cell implmap-s0"><span aria-label="no '
                           'findings">–</span></td>')
                continue
            nb, nf = tally(found)
            label = f"{dom} × {name}: {nb} barriers, {nf} facilitators"
            link = b.find_link(rel, b.bf_badges(nb, nf), label, domain=dom, **{key: cid})
            tds.append(
                f'<td class="implmap-cell implmap-s{_shade(len(found), top)}" '
                f'data-n="{len(found)}">{link}</td>'
            )
        row = {f.key: f for (dd, _c), v in cells.items() if dd == dom for f in v}
        nb, nf = tally(row.values())
        total = b.find_link(rel, b.bf_badges(nb, nf), f"{dom}: {nb} barriers, {nf} "
                            "facilitators in all", domain=dom) if row else "–"
        tds.append(f'<td class="implmap-cell implmap-total">{total}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    return table("".join(head), body, cls, hint=True)


def _comb_table(b: Builder, rel: str) -> str:
    d = b.data
    if not d.comb:
        return (
            '<p class="implmap-none">The COM-B summary needs the TDF → COM-B mapping of '
            "implmap's charting vocabulary.</p>"
        )
    rows = []
    for comp, functions in d.comb.items():
        found = [f for f in d.findings if comp in d.comb_of(f.domains)]
        nb, nf = tally(found)
        doms = [x.name for x in d.domains if comp in x.comb]
        cell = b.find_link(rel, b.bf_badges(nb, nf), f"{comp}: {nb} barriers, {nf} "
                           "facilitators", comb=comp) if found else "–"
        rows.append(
            f'<tr><th scope="row">{esc(comp)}</th><td>{cell}</td>'
            f"<td>{esc(', '.join(doms))}</td><td>{esc(', '.join(functions))}</td></tr>"
        )
    head = columns("COM-B component", "Findings", "TDF domains", "Intervention functions")
    return table(head, rows, "implmap-comb")


def write_find(b: Builder) -> None:
    rel = "find.md"
    body = [
        "<p>Every finding of the review in one table. Narrow it with the filters; the "
        "address keeps the filters, so a filtered list can be bookmarked or shared.</p>",
        f'<div id="implmap-find" class="implmap-find" '
        # not <noscript>: zensical leaves links inside it unrewritten; the script
        # removes this paragraph
        f'data-pagesize="50"><p class="implmap-nojs">This list needs JavaScript; the same '
        f"findings are on the {b.a(rel, 'domains/index.md', 'domain pages')} and in "
        f"{b.a(rel, 'downloads.md', 'the downloads')}.</p></div>",
        f'<script src="{attr(b.links.href(rel, FIND_DATA))}"></script>\n'
        f'<script src="{attr(b.links.href(rel, FIND_JS))}"></script>',
    ]
    b.page(rel, "Find barriers", body, wide=True)
