"""The TDF domain pages and the theme pages: an index of each, and one page per domain or theme
with its findings grouped by the other (by theme on a domain page, by domain on a theme page)."""

from __future__ import annotations

from collections.abc import Callable

from ..data import Domain, Finding, Theme
from ..escape import esc
from .builder import Builder, grouped

__all__ = ["write_domains", "write_themes"]


def write_domains(b: Builder) -> None:
    d = b.data
    idx = "domains/index.md"
    coded = {x.name: [f for f in d.findings if x.name in f.domains] for x in d.domains}
    rows = [
        b.index_row(idx, b.domain_page[x.name], x.name, esc(", ".join(x.comb)),
                    b.badges(coded[x.name]), len({f.study for f in coded[x.name]}))
        for x in d.domains
    ]
    b.index_page(
        idx, "TDF domains",
        "<p>The 14 domains of the Theoretical Domains Framework (version 2), with the COM-B "
        "components they map to and the findings coded to each.</p>",
        ("TDF domain", "COM-B", "Findings", "Studies"), rows,
    )
    for x in d.domains:
        _domain_page(b, x, coded[x.name])


def _title(name: str, lead: str) -> list[str]:
    """The start of a domain or theme page: its name, and what it covers."""
    if lead:
        return [f"<h1>{esc(name)}</h1>", f'<p class="implmap-lead">{esc(lead)}</p>']
    return [f"<h1>{esc(name)}</h1>"]


def _domain_page(b: Builder, dom: Domain, found: list[Finding]) -> None:
    d = b.data
    rel = b.domain_page[dom.name]
    body = _title(dom.name, dom.description)
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
    facts.append(f"<dt>Findings</dt><dd>{b.find_link(rel, b.badges(found), domain=dom.name)}</dd>")
    body.append(f'<dl class="implmap-facts">{"".join(facts)}</dl>')
    body += _groups(b, rel, found, "theme", "domain", lambda f: f.themes, [x.id for x in d.themes],
                    lambda t: esc(d.theme_name(t)) if t else "No theme",
                    lambda t: {"domain": dom.name, "theme": t})
    b.page(rel, dom.name, body, search=False)


def write_themes(b: Builder) -> None:
    d = b.data
    idx = "themes/index.md"
    coded = {x.id: [f for f in d.findings if x.id in f.themes] for x in d.themes}
    rows = [
        b.index_row(idx, b.theme_page[x.id], x.name, esc(x.description), b.badges(coded[x.id]))
        for x in d.themes
    ]
    b.index_page(idx, "Themes", "<p>The review's themes, from its codebook.</p>",
                 ("Theme", "What it covers", "Findings"), rows)
    for x in d.themes:
        _theme_page(b, x, coded[x.id])


def _theme_page(b: Builder, theme: Theme, found: list[Finding]) -> None:
    rel = b.theme_page[theme.id]
    body = _title(theme.name, theme.description)
    body.append(f"<p>Findings: {b.find_link(rel, b.badges(found), theme=theme.id)}</p>")
    body += _groups(b, rel, found, "TDF domain", "theme", lambda f: f.domains,
                    [x.name for x in b.data.domains],
                    lambda x: b.a(rel, b.domain_page[x], esc(x)) if x else "No TDF domain",
                    lambda x: {"domain": x, "theme": theme.id})
    b.page(rel, theme.name, body, search=False)


def _groups(
    b: Builder,
    rel: str,
    found: list[Finding],
    by: str,
    this: str,
    keys: Callable[[Finding], list[str]],
    order: list[str],
    head: Callable[[str], str],
    filters: Callable[[str], dict[str, str]],
) -> list[str]:
    """The section "Findings by ``by``" of the page of one ``this``: the findings under each of
    their ``keys``, a group per key in ``order`` that has findings, then the findings without a
    key; ``head`` and ``filters`` give a key's heading and its filters of the list."""
    out = [f"## Findings by {by}"]
    if not found:
        out.append(f'<p class="implmap-none">No findings are coded to this {this}.</p>')
    groups = grouped(found, keys)
    for key in [*order, ""]:
        if key in groups:
            out.append(b.group(rel, head(key), groups[key], bool(key), **filters(key)))
    return out
