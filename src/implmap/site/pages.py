"""ReviewFolder folder → Markdown pages and assets of the evidence map.

:func:`build_pages` is a plain step: it writes the pages into a folder, and any MkDocs-style
builder (``mkdocs`` through :mod:`implmap.site.plugin`, or ``zensical``) turns them into a site.
Pages are Markdown files whose untrusted parts are raw HTML blocks made with
:func:`~implmap.site.escape.esc`, so titles, findings and notes show as plain text whatever
they contain.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import posixpath
from collections import defaultdict
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from ..folder import ReviewFolder
from ..records.links import doi_url
from .data import Finding, MapData, Study, load_map, slug
from .downloads import find_data_js, findings_csv, findings_json, studies_ris
from .escape import esc, plain_title
from .svg import FlowBox, FlowRow, flow_svg

__all__ = ["build_pages"]

ASSETS = ("implmap.css", "implmap-find.js")
CSS = "assets/implmap.css"
FIND_JS = "assets/implmap-find.js"
FIND_DATA = "assets/find-data.js"
GROUP_CAP = 30  # findings listed per group on a domain or theme page; the rest via the list
LISTING = ".implmap-pages.json"  # the files of the last build, so a rebuild removes stale ones

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


class Links:
    """Relative links between generated pages.

    By default a link is relative to the page's *built* URL, in either of MkDocs' two URL
    styles, because MkDocs leaves URLs in raw HTML alone. With ``source=True`` a link is
    relative to the page's Markdown file and points at the target's ``.md`` file (or asset),
    for builders that rewrite raw-HTML links the way they rewrite Markdown links (zensical).
    """

    def __init__(self, directory_urls: bool = True, source: bool = False):
        self.directory_urls = directory_urls
        self.source = source

    def url(self, target: str) -> str:
        if not target.endswith(".md"):
            return target
        stem = target[:-3]
        if not self.directory_urls:
            return stem + ".html"
        if stem == "index":
            return ""
        if stem.endswith("/index"):
            return stem[: -len("index")]
        return stem + "/"

    def href(self, page: str, target: str, fragment: str = "") -> str:
        return self._rel(page, target) + (f"#{fragment}" if fragment else "")

    @functools.lru_cache(maxsize=65536)  # noqa: B019 (one Links per build)
    def _rel(self, page: str, target: str) -> str:
        if self.source:
            return posixpath.relpath(target, posixpath.dirname(page) or ".")
        here = self.url(page)
        base = here if here.endswith("/") or here == "" else posixpath.dirname(here)
        base = base.rstrip("/") or "."
        dest = self.url(target)
        rel = posixpath.relpath(dest or ".", base)
        if dest.endswith("/") or dest == "":
            rel = "./" if rel == "." else rel + "/"
        return rel


def _hash(**filters: str) -> str:
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in filters.items() if v)


def _bf(findings: Iterable[Finding]) -> tuple[int, int]:
    b = f = 0
    for x in findings:
        if x.type == "facilitator":
            f += 1
        else:
            b += 1
    return b, f


def _shade(n: int, top: int) -> int:
    if n <= 0 or top <= 0:
        return 0
    return max(1, min(5, round(5 * n / top + 0.49)))


def _pages(folder: str, keys: list[str]) -> dict[str, str]:
    """One page name per key: its slug, made unique (``-2``, ``-3``…) and never ``index``."""
    out: dict[str, str] = {}
    taken = {"index"}
    for key in keys:
        base = slug(key)
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        out[key] = f"{folder}/{name}.md"
    return out


class _Builder:
    def __init__(self, review: ReviewFolder, out: Path, directory_urls: bool, source_links: bool):
        self.review = review
        self.out = out
        self.data: MapData = load_map(review)
        self.links = Links(directory_urls, source=source_links)
        # links that scripts insert at run time: no builder rewrites them, so they are always
        # relative to the built find page
        self.built_links = Links(directory_urls)
        self.written: list[Path] = []
        self.finding_anchor: dict[str, str] = {}
        self.study_page = _pages("studies", [s.id for s in self.data.studies])
        for s in self.data.studies:
            anchors: set[str] = set()
            for f in s.findings:
                a, k = "f-" + slug(f.id), 1
                while a in anchors:
                    k += 1
                    a = f"f-{slug(f.id)}-{k}"
                anchors.add(a)
                self.finding_anchor[f.key] = a
        self.domain_page = _pages("domains", [d.name for d in self.data.domains])
        self.theme_page = _pages("themes", [t.id for t in self.data.themes])

    # ----------------------------------------------------------------------------- writing
    def write(self, rel: str, text: str | bytes) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        # build output, regenerated on every build: plain writes (no fsync) keep big maps fast
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        self.written.append(path)

    def page(
        self, rel: str, title: str, body: list[str], css: bool = True, search: bool = True
    ) -> None:
        meta = f"title: {json.dumps(plain_title(title) or 'Evidence map')}\n"
        if not search:  # the same findings are indexed once, on the study pages
            meta += "search:\n  exclude: true\n"
        head = f"---\n{meta}---\n\n"
        if css:
            head += (
                f'<link rel="stylesheet" href="{self.links.href(rel, CSS)}">\n\n'
            )
        self.write(rel, head + "\n\n".join(body) + "\n")

    def a(self, page: str, target: str, text: str, fragment: str = "", cls: str = "") -> str:
        c = f' class="{cls}"' if cls else ""
        return f'<a{c} href="{_attr(self.links.href(page, target, fragment))}">{text}</a>'

    def find_link(self, page: str, text: str, label: str = "", **filters: str) -> str:
        aria = f' aria-label="{esc(label)}"' if label else ""
        href = _attr(self.links.href(page, "find.md", _hash(**filters)))
        return f'<a href="{href}"{aria}>{text}</a>'

    # ------------------------------------------------------------------------------- pieces
    def bf_badges(self, b: int, f: int) -> str:
        return (
            f'<span class="implmap-b" title="barriers">B {b}</span> · '
            f'<span class="implmap-f" title="facilitators">F {f}</span>'
        )

    def type_badge(self, f: Finding) -> str:
        if f.type == "facilitator":
            return '<span class="implmap-tag implmap-f">▲ facilitator</span>'
        return '<span class="implmap-tag implmap-b">▼ barrier</span>'

    def finding_item(
        self, page: str, f: Finding, show_study: bool = True, li_id: str = "", extra: str = ""
    ) -> str:
        d = self.data
        bits = [self.type_badge(f), f'<span class="implmap-stmt">{esc(f.statement)}</span>']
        meta = []
        if f.domains:
            meta.append(
                "TDF: " + ", ".join(
                    self.a(page, self.domain_page[x], esc(x)) if x in self.domain_page else esc(x)
                    for x in f.domains
                )
            )
        if f.themes:
            meta.append(
                "Themes: " + ", ".join(
                    self.a(page, self.theme_page[t], esc(d.theme_name(t))) for t in f.themes
                )
            )
        if f.perspective:
            meta.append("Perspective: " + esc(", ".join(f.perspective)))
        if f.level:
            meta.append("Level: " + esc(f.level))
        if show_study:
            meta.append(
                "Study: " + self.a(
                    page, self.study_page[f.study], esc(f.study), self.finding_anchor[f.key]
                )
            )
        bits.append('<span class="implmap-meta">' + " · ".join(meta) + "</span>")
        ident = f' id="{_attr(li_id)}"' if li_id else ""
        return f"<li{ident}>" + " ".join(bits) + extra + "</li>"

    def findings_list(self, page: str, findings: list[Finding], show_study: bool = True) -> str:
        if not findings:
            return '<p class="implmap-none">No findings.</p>'
        items = "".join(self.finding_item(page, f, show_study) for f in findings)
        return f'<ul class="implmap-findings">{items}</ul>'

    def capped_list(self, page: str, findings: list[Finding], **filters: str) -> str:
        """At most ``GROUP_CAP`` findings, then a link to all of them in the filterable list."""
        html_ = self.findings_list(page, findings[:GROUP_CAP])
        more = len(findings) - GROUP_CAP
        if more > 0:
            link = self.find_link(page, f"all {len(findings)} in the list",
                                  **{k: v for k, v in filters.items() if v})
            html_ += f'<p class="implmap-more">… and {more} more: see {link}.</p>'
        return html_

    # -------------------------------------------------------------------------------- pages
    def overview(self) -> None:
        d = self.data
        rel = "index.md"
        findings = d.findings
        b, f = _bf(findings)
        coded = {x for fi in findings for x in fi.domains}
        numbers = [
            (len(d.studies), "included studies"),
            (len(findings), "findings"),
            (b, "barriers"),
            (f, "facilitators"),
            (len(coded), f"of {len(d.domains)} TDF domains with findings" if d.domains
             else "TDF domains with findings"),
            (len(d.themes), "themes"),
        ]
        cards = "".join(
            f'<div class="implmap-number"><strong>{n}</strong> <span>{esc(label)}</span></div>'
            for n, label in numbers
        )
        body = [
            f'<h1 class="implmap-title">{esc(d.title)}</h1>',
        ]
        if d.question:
            body.append(
                f'<p class="implmap-question"><strong>ReviewFolder question:</strong> '
                f"{esc(d.question)}</p>"
            )
        if d.authors:
            body.append(f'<p class="implmap-authors">{esc(", ".join(d.authors))}</p>')
        body.append(f'<div class="implmap-numbers">{cards}</div>')
        body.append(
            "<p>Explore the evidence: "
            + self.a(rel, "matrix.md", "the evidence matrix")
            + " (TDF domains × themes), "
            + self.a(rel, "find.md", "find barriers")
            + " (every finding, filterable), the "
            + self.a(rel, "domains/index.md", "TDF domains")
            + ", the "
            + self.a(rel, "themes/index.md", "themes")
            + " and the "
            + self.a(rel, "studies/index.md", "included studies")
            + ". How the review was done: "
            + self.a(rel, "methods.md", "methods")
            + "; the data: "
            + self.a(rel, "downloads.md", "downloads")
            + ".</p>"
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
            + flow_svg(self.flow_rows())
            + f"</div><figcaption>{esc(caption)}</figcaption></figure>"
        )
        self.page(rel, "Evidence map", body)

    def flow_rows(self) -> list[FlowRow]:
        """The PRISMA-ScR boxes, from ``implmap.screening.prisma_counts``."""
        d = self.data
        p = d.prisma
        rows: list[FlowRow] = []
        if p:
            by_db = p.get("identified_by_database") or {}
            lines = [f"Records identified from databases (n = {p['identified']})"]
            lines += [f"{db} (n = {n})" for db, n in sorted(by_db.items())]
            dups = FlowBox([f"Duplicate records removed (n = {p['duplicates_removed']})"])
            rows.append(FlowRow(FlowBox(lines), dups))
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
        rows.append(FlowRow(FlowBox([f"Studies included in the map (n = {len(d.studies)})"])))
        return rows

    def matrix(self) -> None:
        d = self.data
        rel = "matrix.md"
        cells: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        pcells: dict[tuple[str, str], list[Finding]] = defaultdict(list)
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
            self.table(rel, domains, [(t.id, t.name) for t in d.themes], cells, "theme",
                       "implmap-matrix", "theme"),
            "## TDF domains × perspectives",
            "<p>Whose account each finding comes from.</p>",
            self.table(rel, domains, [(p, p) for p in persp], pcells, "perspective",
                       "implmap-matrix-perspective", None),
            "## COM-B summary",
            self.comb_table(rel),
        ]
        self.page(rel, "Evidence matrix", body)

    def table(
        self,
        rel: str,
        rows: list[str],
        cols: list[tuple[str, str]],
        cells: dict[tuple[str, str], list[Finding]],
        key: str,
        cls: str,
        col_page: str | None,
    ) -> str:
        top = max((len(v) for v in cells.values()), default=0)
        head = ['<th scope="col" class="implmap-corner">TDF domain</th>']
        for cid, name in cols:
            label = esc(name)
            if col_page == "theme":
                label = self.a(rel, self.theme_page[cid], label)
            head.append(f'<th scope="col">{label}</th>')
        body = []
        for dom in rows:
            tds = [f'<th scope="row">{self.a(rel, self.domain_page[dom], esc(dom))}</th>']
            for cid, name in cols:
                found = cells.get((dom, cid), [])
                if not found:
                    tds.append('<td class="implmap-cell implmap-s0"><span aria-label="no '
                               'findings">–</span></td>')
                    continue
                b, f = _bf(found)
                label = f"{dom} × {name}: {b} barriers, {f} facilitators"
                link = self.find_link(rel, self.bf_badges(b, f), label, domain=dom, **{key: cid})
                tds.append(
                    f'<td class="implmap-cell implmap-s{_shade(len(found), top)}" '
                    f'data-n="{len(found)}">{link}</td>'
                )
            row = {f.key: f for (dd, _c), v in cells.items() if dd == dom for f in v}
            b, f = _bf(row.values())
            total = self.find_link(rel, self.bf_badges(b, f), f"{dom}: {b} barriers, {f} "
                                   "facilitators in all", domain=dom) if row else "–"
            tds.append(f'<td class="implmap-cell implmap-total">{total}</td>')
            body.append("<tr>" + "".join(tds) + "</tr>")
        head.append('<th scope="col" class="implmap-total">All</th>')
        if not cols:
            return '<p class="implmap-none">No findings are coded yet.</p>'
        return (
            f'<div class="implmap-scroll"><table class="implmap-table {cls}">'
            f'<thead><tr>{"".join(head)}</tr></thead><tbody>{"".join(body)}</tbody>'
            "</table></div>"
        )

    def comb_table(self, rel: str) -> str:
        d = self.data
        if not d.comb:
            return (
                '<p class="implmap-none">The COM-B summary needs the TDF → COM-B mapping of '
                "implmap's charting vocabulary.</p>"
            )
        rows = []
        for comp, functions in d.comb.items():
            found = [f for f in d.findings if comp in d.comb_of(f.domains)]
            b, f = _bf(found)
            doms = [x.name for x in d.domains if comp in x.comb]
            cell = self.find_link(rel, self.bf_badges(b, f), f"{comp}: {b} barriers, {f} "
                                  "facilitators", comb=comp) if found else "–"
            rows.append(
                f'<tr><th scope="row">{esc(comp)}</th><td>{cell}</td>'
                f"<td>{esc(', '.join(doms))}</td><td>{esc(', '.join(functions))}</td></tr>"
            )
        return (
            '<div class="implmap-scroll"><table class="implmap-table implmap-comb"><thead><tr>'
            '<th scope="col">COM-B component</th><th scope="col">Findings</th>'
            '<th scope="col">TDF domains</th><th scope="col">Intervention functions</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        )

    def find(self) -> None:
        rel = "find.md"
        body = [
            "<p>Every finding of the review in one table. Narrow it with the filters; the "
            "address keeps the filters, so a filtered list can be bookmarked or shared.</p>",
            f'<div id="implmap-find" class="implmap-find" '
            # not <noscript>: zensical leaves links inside it unrewritten; the script
            # removes this paragraph
            f'data-pagesize="50"><p class="implmap-nojs">This list needs JavaScript; the same '
            f"findings are on the {self.a(rel, 'domains/index.md', 'domain pages')} and in "
            f"{self.a(rel, 'downloads.md', 'the downloads')}.</p></div>",
            f'<script src="{_attr(self.links.href(rel, FIND_DATA))}"></script>\n'
            f'<script src="{_attr(self.links.href(rel, FIND_JS))}"></script>',
        ]
        self.page(rel, "Find barriers", body)

    def domains(self) -> None:
        d = self.data
        idx = "domains/index.md"
        rows = []
        for dom in d.domains:
            found = [f for f in d.findings if dom.name in f.domains]
            b, f = _bf(found)
            studies = len({x.study for x in found})
            rows.append(
                f'<tr><th scope="row">{self.a(idx, self.domain_page[dom.name], esc(dom.name))}'
                f"</th><td>{esc(', '.join(dom.comb))}</td><td>{self.bf_badges(b, f)}</td>"
                f"<td>{studies}</td></tr>"
            )
        self.page(idx, "TDF domains", [
            "<p>The 14 domains of the Theoretical Domains Framework (version 2), with the COM-B "
            "components they map to and the findings coded to each.</p>",
            '<div class="implmap-scroll"><table class="implmap-table"><thead><tr>'
            '<th scope="col">TDF domain</th><th scope="col">COM-B</th>'
            '<th scope="col">Findings</th><th scope="col">Studies</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>',
        ])
        for dom in d.domains:
            rel = self.domain_page[dom.name]
            found = [f for f in d.findings if dom.name in f.domains]
            b, f = _bf(found)
            body = [f'<h1>{esc(dom.name)}</h1>']
            if dom.description:
                body.append(f'<p class="implmap-lead">{esc(dom.description)}</p>')
            facts = []
            if dom.constructs:
                facts.append(f"<dt>Constructs</dt><dd>{esc('; '.join(dom.constructs))}</dd>")
            if dom.comb:
                facts.append(f"<dt>COM-B</dt><dd>{esc(', '.join(dom.comb))}</dd>")
            if dom.functions:
                facts.append(
                    "<dt>Intervention functions that address it</dt>"
                    f"<dd>{esc(', '.join(dom.functions))}</dd>"
                )
            facts.append(
                f"<dt>Findings</dt><dd>{self.find_link(rel, self.bf_badges(b, f), domain=dom.name)}"
                "</dd>"
            )
            body.append(f'<dl class="implmap-facts">{"".join(facts)}</dl>')
            body.append("## Findings by theme")
            by_theme: dict[str, list[Finding]] = defaultdict(list)
            for f in found:
                for t in f.themes or [""]:
                    by_theme[t].append(f)
            if not found:
                body.append('<p class="implmap-none">No findings are coded to this domain.</p>')
            for t in [x.id for x in d.themes] + [""]:
                if t not in by_theme:
                    continue
                name = d.theme_name(t) if t else "No theme"
                tb, tf = _bf(by_theme[t])
                cell = self.find_link(rel, self.bf_badges(tb, tf), domain=dom.name, theme=t) \
                    if t else self.bf_badges(tb, tf)
                body.append(
                    f'<h3 class="implmap-group">{esc(name)} <small>{cell}</small></h3>\n'
                    + self.capped_list(rel, by_theme[t], domain=dom.name, theme=t)
                )
            self.page(rel, dom.name, body, search=False)

    def themes(self) -> None:
        d = self.data
        idx = "themes/index.md"
        rows = []
        for t in d.themes:
            found = [f for f in d.findings if t.id in f.themes]
            b, f = _bf(found)
            rows.append(
                f'<tr><th scope="row">{self.a(idx, self.theme_page[t.id], esc(t.name))}</th>'
                f"<td>{esc(t.description)}</td><td>{self.bf_badges(b, f)}</td></tr>"
            )
        self.page(idx, "Themes", [
            "<p>The review's themes, from its codebook.</p>",
            '<div class="implmap-scroll"><table class="implmap-table"><thead><tr>'
            '<th scope="col">Theme</th><th scope="col">What it covers</th>'
            '<th scope="col">Findings</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>',
        ])
        for t in d.themes:
            rel = self.theme_page[t.id]
            found = [f for f in d.findings if t.id in f.themes]
            b, f = _bf(found)
            body = [f"<h1>{esc(t.name)}</h1>"]
            if t.description:
                body.append(f'<p class="implmap-lead">{esc(t.description)}</p>')
            body.append(
                f"<p>Findings: {self.find_link(rel, self.bf_badges(b, f), theme=t.id)}</p>"
            )
            body.append("## Findings by TDF domain")
            by_dom: dict[str, list[Finding]] = defaultdict(list)
            for f in found:
                for dom in f.domains or [""]:
                    by_dom[dom].append(f)
            if not found:
                body.append('<p class="implmap-none">No findings are coded to this theme.</p>')
            for dom in [x.name for x in d.domains] + [""]:
                if dom not in by_dom:
                    continue
                tb, tf = _bf(by_dom[dom])
                if dom:
                    head = self.a(rel, self.domain_page[dom], esc(dom))
                    cell = self.find_link(rel, self.bf_badges(tb, tf), domain=dom, theme=t.id)
                else:
                    head, cell = "No TDF domain", self.bf_badges(tb, tf)
                body.append(
                    f'<h3 class="implmap-group">{head} <small>{cell}</small></h3>\n'
                    + self.capped_list(rel, by_dom[dom], domain=dom, theme=t.id)
                )
            self.page(rel, t.name, body, search=False)

    def studies(self) -> None:
        d = self.data
        idx = "studies/index.md"
        rows = []
        for s in d.studies:
            b, f = _bf(s.findings)
            rows.append(
                f'<tr><td>{self.a(idx, self.study_page[s.id], esc(s.citation or s.id))}</td>'
                f"<td>{esc(s.year)}</td><td>{esc(s.country)}</td><td>{esc(s.design)}</td>"
                f"<td>{self.bf_badges(b, f)}</td></tr>"
            )
        self.page(idx, "Included studies", [
            f"<p>The {len(d.studies)} studies included in the map.</p>",
            '<div class="implmap-scroll"><table class="implmap-table implmap-studies"><thead><tr>'
            '<th scope="col">Study</th><th scope="col">Year</th><th scope="col">Country</th>'
            '<th scope="col">Design</th><th scope="col">Findings</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>',
        ])
        for s in d.studies:
            self.study(s)

    def study(self, s: Study) -> None:
        rel = self.study_page[s.id]
        cite = esc(s.citation or s.id)
        href = doi_url(s.doi)
        doi = ""
        if href:
            doi = f' <a class="implmap-doi" href="{esc(href)}" rel="noopener">doi:{esc(s.doi)}</a>'
        elif s.doi:
            doi = f" <span>doi: {esc(s.doi)}</span>"
        body = [f'<h1>Study {esc(s.id)}</h1>', f'<p class="implmap-citation">{cite}{doi}</p>']
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
        body.append(f'<dl class="implmap-facts">{"".join(facts)}</dl>')
        everything = self.find_link(rel, "All findings of this study in the list", study=s.id)
        body.append(f"## Findings\n\n<p>{everything}</p>")
        items = []
        for f in s.findings:
            cells = []
            for dom in f.domains:
                for t in f.themes:
                    cells.append(self.find_link(
                        rel, f"{esc(dom)} × {esc(self.data.theme_name(t))}",
                        f"matrix cell {dom} × {self.data.theme_name(t)}", domain=dom, theme=t))
            extra = ""
            if f.source:
                extra += f'<span class="implmap-meta">Where in the source: {esc(f.source)}</span>'
            if f.constructs:
                constructs = esc("; ".join(f.constructs))
                extra += f'<span class="implmap-meta">Constructs: {constructs}</span>'
            if cells:
                extra += (
                    '<span class="implmap-meta implmap-cells">In the matrix: '
                    + ", ".join(cells) + "</span>"
                )
            items.append(self.finding_item(rel, f, False, self.finding_anchor[f.key], extra))
        if items:
            body.append(f'<ul class="implmap-findings">{"".join(items)}</ul>')
        else:
            body.append('<p class="implmap-none">No findings are charted for this study.</p>')
        self.page(rel, f"Study {s.id}", body)

    def methods(self) -> None:
        d = self.data
        rel = "methods.md"
        body = []
        if d.question:
            body.append(f"<p><strong>ReviewFolder question:</strong> {esc(d.question)}</p>")
        body.append("## Eligibility criteria")
        labels = {
            "population": "Population", "concept": "Concept", "context": "Context",
            "include": "Included", "exclude": "Excluded",
        }
        facts = []
        for key, label in labels.items():
            items = d.eligibility.get(key) or []
            if items:
                lis = "".join(f"<li>{esc(x)}</li>" for x in items)
                facts.append(f"<dt>{label}</dt><dd><ul>{lis}</ul></dd>")
        body.append(
            f'<dl class="implmap-facts">{"".join(facts)}</dl>' if facts
            else '<p class="implmap-none">The manifest states no eligibility criteria.</p>'
        )
        body.append("## Screening")
        if d.stages:
            rows = []
            for st in d.stages:
                pairs = st.pairs or [None]
                for k, pair in enumerate(pairs):
                    first = k == 0
                    span = f' rowspan="{len(pairs)}"' if len(pairs) > 1 else ""
                    head = (f'<th scope="row"{span}>{esc(st.name)}</th><td{span}>'
                            f"{_n(st.screened)}</td>") if first else ""
                    who = esc(" & ".join(pair.reviewers)) if pair else "–"
                    agree = (f"<td>{who}</td><td>{_n(pair.n)}</td><td>{_pct(pair.percent)}</td>"
                             f"<td>{_k(pair.kappa)}</td>") if pair else \
                        "<td>–</td><td>–</td><td>–</td><td>–</td>"
                    tail = (f"<td{span}>{_n(st.conflicts)}</td><td{span}>{_n(st.resolved)}</td>"
                            if first else "")
                    rows.append(f"<tr>{head}{agree}{tail}</tr>")
            body.append(
                '<div class="implmap-scroll"><table class="implmap-table implmap-agreement">'
                '<thead><tr><th scope="col">Stage</th><th scope="col">Records</th>'
                '<th scope="col">Reviewers</th><th scope="col">Decided by both</th>'
                '<th scope="col">Agreement</th><th scope="col">Cohen\'s κ</th>'
                '<th scope="col">Conflicts</th><th scope="col">Conflicts resolved</th></tr>'
                f'</thead><tbody>{"".join(rows)}</tbody></table></div>'
            )
        else:
            body.append('<p class="implmap-none">No screening agreement is recorded.</p>')
        p = d.prisma or {}
        dups = p.get("duplicates_removed", d.duplicates_removed)
        if dups is not None:
            d.duplicates_removed = dups
        if d.duplicates_removed is not None:
            body.append(f"<p>Duplicate records removed before screening: "
                        f"<strong>{d.duplicates_removed}</strong>.</p>")
        body.append("## Charting")
        body.append(
            "<p>Each finding is summarised in the reviewers' own words and coded to the "
            "domains and constructs of the Theoretical Domains Framework (version 2), to the "
            "review's themes, to whose perspective it reports and to the level (individual, "
            "organisational, system) at which it acts. TDF domains map to COM-B components, "
            "and COM-B components to the Behaviour Change Wheel's intervention functions.</p>"
        )
        c = d.coding
        if c.n_dual:
            rows = "".join(
                f'<tr><th scope="row">{esc(" & ".join(who))}</th><td>{_k(dk)}</td>'
                f"<td>{_k(tk)}</td></tr>"
                for who, dk, tk in c.pairs
            )
            body.append(
                f"<p>{c.n_dual} of {c.n_findings} findings were coded independently by two "
                "reviewers before the agreed coding; agreement on the TDF domains and themes "
                "each gave (Cohen's κ, pooled over all domains or themes):</p>"
                '<div class="implmap-scroll"><table class="implmap-table implmap-coding">'
                '<thead><tr><th scope="col">Coders</th><th scope="col">κ TDF domains</th>'
                f'<th scope="col">κ themes</th></tr></thead><tbody>{rows}</tbody></table></div>'
            )
        body.append(f'<p class="implmap-cite">{esc(TDF_CITATION)} {esc(BCW_CITATION)}</p>')
        self.page(rel, "Methods", body)

    def downloads(self, sizes: dict[str, int]) -> None:
        rel = "downloads.md"
        d = self.data
        items = [
            ("downloads/findings.csv", "Findings (CSV)",
             f"{len(d.findings)} findings, one row each; lists joined with '; '."),
            ("downloads/findings.json", "Findings (JSON)",
             f"{len(d.findings)} findings with their coding, as one JSON document."),
            ("downloads/studies.ris", "Included studies (RIS)",
             f"{len(d.studies)} studies, for a reference manager."),
        ]
        lis = "".join(
            f'<li><a href="{_attr(self.links.href(rel, path))}" download>{label}</a> '
            f"({_size(sizes[path])}): {esc(text)}</li>"
            for path, label, text in items
        )
        self.page(rel, "Downloads", [f'<ul class="implmap-downloads">{lis}</ul>'])

    # ---------------------------------------------------------------------------------- all
    def run(self) -> list[Path]:
        d = self.data
        files = {
            "downloads/findings.csv": findings_csv(d),
            "downloads/findings.json": findings_json(d),
            "downloads/studies.ris": studies_ris(d, self.review),
        }
        for rel, text in files.items():
            self.write(rel, text)
        hrefs = {s.id: self.built_links.href("find.md", self.study_page[s.id])
                 for s in d.studies}
        self.write(FIND_DATA, find_data_js(d, hrefs, self.finding_anchor))
        src = resources.files("implmap.site") / "assets"
        for name in ASSETS:
            self.write(f"assets/{name}", (src / name).read_bytes())
        self.overview()
        self.matrix()
        self.find()
        self.domains()
        self.themes()
        self.studies()
        self.methods()
        self.downloads({k: len(v.encode("utf-8")) for k, v in files.items()})
        return self.written


def _attr(v: str) -> str:
    return html.escape(v, quote=True)


def _n(v: object) -> str:
    return "–" if v is None else esc(v)


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * float(v):.0f}%"


def _k(v: float | None) -> str:
    return "–" if v is None else f"{float(v):.2f}"


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def build_pages(
    review: ReviewFolder | str | Path,
    out_dir: str | Path,
    *,
    directory_urls: bool = True,
    source_links: bool = False,
) -> list[Path]:
    """Write the evidence map of ``review`` as Markdown pages and assets into ``out_dir``.

    Files of an earlier map in ``out_dir`` that this build no longer writes are removed (the
    map lists its files in ``out_dir/.implmap-pages.json``); nothing else there is touched.
    Returns the written paths. Build the pages into a site with the MkDocs plugin
    (``plugins: [implmap: {review: ...}]``), or with ``zensical`` after writing them under the
    docs folder with ``source_links=True``. ``directory_urls`` must match the site's
    ``use_directory_urls``. ``source_links``: link pages and assets relative to the Markdown
    files (zensical rewrites such links in raw HTML; MkDocs does not, so the default links
    are relative to the built pages).
    """
    if not isinstance(review, ReviewFolder):
        review = ReviewFolder(review)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    listing = out / LISTING
    before: list[str] = []
    if listing.exists():
        try:
            before = list(json.loads(listing.read_text("utf-8")))
        except (ValueError, TypeError):
            before = []
    written = _Builder(review, out, directory_urls, source_links).run()
    now = sorted(p.relative_to(out).as_posix() for p in written)
    for rel in set(before) - set(now):
        stale = (out / rel).resolve()
        if out.resolve() in stale.parents and stale.is_file():
            stale.unlink()
            with contextlib.suppress(OSError):  # drop folders the map emptied
                stale.parent.rmdir()
    listing.write_text(json.dumps(now, indent=1) + "\n", encoding="utf-8")
    return written
