"""What every page family writes through: links between pages, page files, badges, finding lists.

One :class:`Builder` per build holds the map's data, the page of every study, TDF domain and
theme, the anchor of every finding, and the files written so far. The page families (the
overview, the matrix and "find barriers", domains and themes, studies, methods and downloads)
each add their pages through it. Untrusted text is escaped with
:func:`~implmap.site.escape.esc` where it is written.
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote

from ...folder import ReviewFolder
from ..data import Finding, MapData, load_map, slug
from ..escape import esc, plain_title

__all__ = [
    "CSS",
    "FIND_DATA",
    "FIND_JS",
    "GROUP_CAP",
    "SCROLL_HINT",
    "Builder",
    "Links",
    "attr",
    "columns",
    "grouped",
    "table",
    "tally",
]

CSS = "assets/implmap.css"
FIND_JS = "assets/implmap-find.js"
FIND_DATA = "assets/find-data.js"
GROUP_CAP = 30  # findings listed per group on a domain or theme page; the rest via the list


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


def attr(value: str) -> str:
    """``value`` escaped for a double-quoted HTML attribute."""
    return html.escape(value, quote=True)


def tally(findings: Iterable[Finding]) -> tuple[int, int]:
    """(barriers, facilitators) among ``findings``."""
    b = f = 0
    for x in findings:
        if x.type == "facilitator":
            f += 1
        else:
            b += 1
    return b, f


def grouped(
    findings: Iterable[Finding], keys: Callable[[Finding], list[str]]
) -> dict[str, list[Finding]]:
    """``findings`` under each of their keys; a finding without keys goes under ``""``."""
    out: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        for key in keys(f) or [""]:
            out[key].append(f)
    return out


def columns(*names: str) -> str:
    """Header cells of a table (``names`` are trusted HTML)."""
    return "".join(f'<th scope="col">{n}</th>' for n in names)


SCROLL_HINT = (
    '<p class="implmap-scroll-hint" aria-hidden="true">Scroll the table sideways for more '
    "columns →</p>"
)


def table(head: str, rows: Iterable[str], cls: str = "", hint: bool = False) -> str:
    """A table that scrolls sideways on narrow screens: ``head`` holds the header row's cells.

    ``hint``: say so above it on narrow screens (the style sheet shows the hint only there), for
    tables wider than a phone.
    """
    classes = f"implmap-table {cls}" if cls else "implmap-table"
    return (
        (SCROLL_HINT if hint else "")
        + f'<div class="implmap-scroll"><table class="{classes}"><thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
    )


def _fragment(**filters: str) -> str:
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in filters.items() if v)


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


class Builder:
    """The state of one build: the data, where each page and finding is, what was written."""

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
        self, rel: str, title: str, body: list[str], css: bool = True, search: bool = True,
        wide: bool = False,
    ) -> None:
        """Write the page ``rel``: front matter, the map's style sheet, then ``body``.

        ``wide``: the page's tables get the whole width (the theme hides its navigation and
        table of contents there; Material and zensical read ``hide`` from the front matter).
        """
        meta = f"title: {json.dumps(plain_title(title) or 'Evidence map')}\n"
        if not search:  # the same findings are indexed once, on the study pages
            meta += "search:\n  exclude: true\n"
        if wide:
            meta += "hide:\n  - navigation\n  - toc\n"
        head = f"---\n{meta}---\n\n"
        if css:
            head += f'<link rel="stylesheet" href="{self.links.href(rel, CSS)}">\n\n'
        self.write(rel, head + "\n\n".join(body) + "\n")

    # -------------------------------------------------------------------------------- links
    def a(self, page: str, target: str, text: str, fragment: str = "", cls: str = "") -> str:
        c = f' class="{cls}"' if cls else ""
        return f'<a{c} href="{attr(self.links.href(page, target, fragment))}">{text}</a>'

    def find_link(self, page: str, text: str, label: str = "", **filters: str) -> str:
        """A link to the "find barriers" list, filtered by ``filters`` (empty ones left out)."""
        aria = f' aria-label="{esc(label)}"' if label else ""
        href = attr(self.links.href(page, "find.md", _fragment(**filters)))
        return f'<a href="{href}"{aria}>{text}</a>'

    # ------------------------------------------------------------------------------- pieces
    def bf_badges(self, b: int, f: int) -> str:
        return (
            f'<span class="implmap-b" title="barriers">B {b}</span> · '
            f'<span class="implmap-f" title="facilitators">F {f}</span>'
        )

    def badges(self, findings: Iterable[Finding]) -> str:
        """The barrier and facilitator counts of ``findings`` as badges."""
        return self.bf_badges(*tally(findings))

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
        ident = f' id="{attr(li_id)}"' if li_id else ""
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

    def index_page(
        self, rel: str, title: str, intro: str, head: tuple[str, ...], rows: list[str],
        cls: str = "",
    ) -> None:
        """An index page: an introduction, then a table with a row per page it lists."""
        self.page(rel, title, [intro, table(columns(*head), rows, cls)])

    def index_row(
        self, page: str, target: str, name: str, *cells: object, row_head: bool = True
    ) -> str:
        """A row of an index table: ``name`` linked to ``target``, then ``cells`` (trusted
        HTML); the link is the row's header cell when ``row_head``."""
        link = self.a(page, target, esc(name))
        first = f'<th scope="row">{link}</th>' if row_head else f"<td>{link}</td>"
        return "<tr>" + first + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"

    def group(
        self, page: str, head: str, findings: list[Finding], linked: bool, **filters: str
    ) -> str:
        """One group of a domain or theme page: a heading with the group's counts (a link to
        exactly these findings in the list when ``linked``), then the capped list."""
        cell = self.badges(findings)
        if linked:
            cell = self.find_link(page, cell, **filters)
        return (
            f'<h3 class="implmap-group">{head} <small>{cell}</small></h3>\n'
            + self.capped_list(page, findings, **filters)
        )
