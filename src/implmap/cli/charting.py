"""Charting commands: lookup, suggest, coding-agreement, vocabulary, schema."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import open_review, review_option

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

__all__ = ["COMMANDS"]


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _hanging(text: str, first: str, rest: str, width: int, style: str = "") -> Text:
    """Plain text wrapped with a hanging indent, as a rich Text (never parsed as markup)."""
    import textwrap

    from rich.text import Text

    return Text(textwrap.fill(text, width=max(width - 1, 40), initial_indent=first,
                              subsequent_indent=rest, break_on_hyphens=False), style=style)


def _n(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _fmt_kappa(k: float | None) -> str:
    """Two decimals; "n/a" where kappa is undefined (None, or NaN in a DataFrame)."""
    return "n/a" if k is None or math.isnan(k) else f"{k:.2f}"


@click.command()
@click.argument("text", required=False)
@click.option("--domain", "-d", help="TDF domain (case-insensitive; a unique prefix will do).")
@click.option("--theme", "-t", help="Theme ID or name (a unique prefix will do).")
@click.option("--perspective", "-p", help="Whose view, e.g. patients, 'general practitioners'.")
@click.option("--level", "-l", help="individual, organisational or system.")
@click.option("--type", "type_", help="barrier or facilitator.")
@click.option("--json", "as_json", is_flag=True, help="Print the groups and studies as JSON.")
@review_option
def lookup(text: str | None, domain: str | None, theme: str | None, perspective: str | None,
           level: str | None, type_: str | None, as_json: bool, review_path: Path) -> None:
    """Find barriers and facilitators, grouped by domain, theme and type, with study counts,
    the studies' design, country and setting, and the facilitators beside each barrier group.

    TEXT (optional): words that must all occur in the finding (any case or accent; a word
    start or another form of the word: referrals finds referral).
    """
    review = open_review(review_path)
    res = review.lookup(text, domain=domain, theme=theme, perspective=perspective, level=level,
                        type=type_)
    if as_json:
        rows = res.groups.to_dict("records")
        for r in rows:
            r["statements"] = [{"study": s, "finding": f, "statement": st}
                               for s, f, st in r["statements"]]
        studies = [{k: (None if isinstance(v, float) and math.isnan(v) else v)
                    for k, v in st.items()} for st in res.studies.to_dict("records")]
        for st in studies:
            st["year"] = None if st["year"] is None else int(st["year"])
        click.echo(json.dumps({"filters": res.filters, "n_findings": len(res.findings),
                               "groups": rows, "studies": studies}, indent=2, sort_keys=True,
                              ensure_ascii=False))
        return
    from rich.table import Table
    from rich.text import Text

    con = _console()
    where = ", ".join(f"{k}: {v}" for k, v in res.filters.items()) or "all findings"
    n_st = res.findings["study"].nunique() if len(res.findings) else 0
    con.print(Text(f"{_n(len(res.findings), 'finding')} from {_n(n_st, 'study', 'studies')} "
                   f"({where})", style="bold"))
    if res.groups.empty:
        con.print("Nothing matches; loosen a filter (see `implmap vocabulary` for the names).")
        return
    table = Table(title="Summary", title_justify="left")
    table.add_column("Domain")
    table.add_column("Theme")
    table.add_column("Type")
    table.add_column("Studies", justify="right")
    table.add_column("Findings", justify="right")
    for g in res.groups.itertuples(index=False):
        table.add_row(Text(g.domain or "-"), Text(g.theme_name or "-"), Text(g.type),
                      str(g.n_studies), str(g.n_findings))
    con.print(table)
    for g in res.groups.itertuples(index=False):
        head = Text()
        head.append(f"{g.domain or '(no domain)'} · {g.theme_name or '(no theme)'} · ",
                    style="bold")
        head.append(g.type, style="bold red" if g.type == "barrier" else "bold green")
        head.append(f" · {_n(g.n_studies, 'study', 'studies')}, "
                    f"{_n(g.n_findings, 'finding')}")
        con.print()
        con.print(head)
        _print_group(con, g)


def _print_group(con: Console, g: Any) -> None:
    """One lookup group: where its functions come from, its studies, findings, facilitators."""
    w = con.width
    if g.comb:
        source = (f"from the constructs coded: {'; '.join(g.constructs)}"
                  if g.functions_from == "constructs"
                  else "from the domain: no construct is coded on these findings")
        comb = "; ".join(f"{c} ({_n(g.comb_findings.get(c, 0), 'finding')})" for c in g.comb)
        con.print(_hanging(f"COM-B: {comb} → intervention functions: "
                           f"{', '.join(g.functions)} ({source})", "  ", "  ", w,
                           style="italic"))
    con.print(_hanging("Studies: " + "; ".join(e["label"] for e in g.evidence), "  ", "    ",
                       w, style="dim"))
    for study, fid, stmt in g.statements:
        con.print(_cited(f"{stmt} [{study}/{fid}]", "  • ", w))
    if g.type != "barrier":
        return
    fac = g.facilitators
    if not fac:
        con.print(_hanging("No facilitator of the same domain and theme is reported.", "  ",
                           "  ", w, style="dim"))
        return
    con.print(_hanging(f"Facilitators of the same domain and theme ({len(fac)}):", "  ", "  ",
                       w, style="green"))
    for f in fac[:_MAX_FACILITATORS]:
        shares = (f" (shares: {', '.join(f['shared_constructs'])})"
                  if f["shared_constructs"] else "")
        con.print(_cited(f"{f['statement']}{shares} [{f['study']}/{f['finding']}]", "  + ",
                         w))
    if len(fac) > _MAX_FACILITATORS:
        con.print(_hanging(f"… and {len(fac) - _MAX_FACILITATORS} more (--json lists them "
                           "all)", "    ", "    ", w, style="dim"))


_MAX_FACILITATORS = 5


def _cited(text: str, first: str, width: int) -> Text:
    """A bullet line ending in ``[study/finding]``, the citation dimmed."""
    line = _hanging(text, first, "    ", width)
    line.highlight_regex(r"\[[^\[\]]+/[^\[\]]+\]$", "dim")
    return line


@click.command()
@click.option("--study", "-s",
              help="Only the findings of this study (ID, unique prefix, or its YAML file).")
@click.option("--top", default=3, show_default=True, help="Suggestions per finding.")
@click.option("--text", "texts", multiple=True,
              help="Suggest for this statement instead (repeatable); the review is the training "
              "data.")
@click.option("--write", is_flag=True,
              help="Also write them to charting/suggestions.yaml (never into study files).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@review_option
def suggest(study: str | None, top: int, texts: tuple[str, ...], write: bool, as_json: bool,
            review_path: Path) -> None:
    """Suggest TDF domains and themes for findings nobody has tagged yet."""
    from ..charting.suggest import suggest as run_suggest
    from ..charting.suggest import suggest_texts, write_suggestions

    review = open_review(review_path)
    con = _console()
    from rich.text import Text

    if texts:
        res = suggest_texts(review, list(texts), top)
        if as_json:
            click.echo(json.dumps([{"text": t, **{k: [{"label": a, "confidence": round(p, 3)}
                                                       for a, p in v] for k, v in r.items()}}
                                   for t, r in zip(texts, res, strict=True)], indent=2,
                                  ensure_ascii=False))
            return
        for t, r in zip(texts, res, strict=True):
            con.print(Text(t, style="bold"))
            for kind, ranked in r.items():
                con.print(Text(f"  {kind}s: " + "; ".join(f"{a} ({p:.2f})" for a, p in ranked)))
        return
    out = run_suggest(review, top=top, study=study)
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in out], indent=2, ensure_ascii=False))
    elif not out:
        con.print("Every finding has TDF domains and themes: nothing to suggest.")
    else:
        last = None
        for s in out:
            if (s.study, s.finding) != last:
                last = (s.study, s.finding)
                con.print(Text(f"{s.study}/{s.finding}", style="bold"), Text(s.statement))
            con.print(Text(f"  {s.kind} {s.rank}: {s.label} (confidence {s.confidence:.2f})"))
    if write:
        path = write_suggestions(review, out)
        click.echo(f"Wrote {path} ({len(out)} suggestion(s)); the study files are unchanged.",
                   err=True)


@click.command("coding-agreement")
@click.option("--themes/--no-themes", default=True, show_default=True,
              help="Also report agreement on themes.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@review_option
def coding_agreement(themes: bool, as_json: bool, review_path: Path) -> None:
    """Agreement of the dual coders before and after reconciliation (exact sets, Jaccard,
    Krippendorff's alpha), then Cohen's kappa per TDF domain (and theme)."""
    review = open_review(review_path)
    res = review.coding_agreement()
    if as_json:
        click.echo(json.dumps(res.to_dict(), indent=2, sort_keys=True, ensure_ascii=False))
        return
    from rich.text import Text

    con = _console()
    con.print(Text(f"{res.n_dual} of {res.n_findings} finding(s) coded independently by two "
                   f"or more coders; {res.n_reconciled} reconciled.", style="bold"))
    if res.n_dual == 0:
        con.print("Nothing to compare: each coder records their own tags with "
                  "`implmap chart code`.")
        return
    kinds = ["domains", "themes"] if themes else ["domains"]
    for title, sets in (("Before reconciliation: coder vs coder", res.before),
                        ("After reconciliation: each coder vs the agreed tags", res.after)):
        if sets is not None:
            con.print(_sets_table(title, sets.pairs[sets.pairs["kind"].isin(kinds)]))
    _kappa_tables(con, res, themes)


def _sets_table(title: str, pairs: Any) -> Any:
    """One table of the set measures: a row per pair of coders and kind."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    table = Table(title=escape(title), title_justify="left")
    for col in ("Coders", "Tags", "n", "exact", "Jaccard", "alpha (MASI)"):
        table.add_column(col, justify="left" if col in ("Coders", "Tags") else "right")
    for r in pairs.itertuples(index=False):
        table.add_row(Text(f"{r.coder_a} vs {r.coder_b}"), r.kind, str(r.n),
                      _fmt_share(r.exact), _fmt_kappa(r.jaccard), _fmt_kappa(r.alpha_masi))
    return table


def _fmt_share(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0%}"  # NaN: no finding to compare


def _kappa_tables(con: Console, res: Any, themes: bool) -> None:
    """Cohen's kappa per TDF domain (and theme), pooled kappa and the consensus lines."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    parts = [("TDF domain", res.domains)] + ([("Theme", res.themes)] if themes else [])
    for label, df in parts:
        for (ca, cb), sub in df.groupby(["coder_a", "coder_b"], sort=True):
            table = Table(title=escape(f"{label}: {ca} vs {cb} ({int(sub['n'].iloc[0])} "
                                       "findings), Cohen's kappa per label"))
            table.add_column(label)
            for col in (ca, cb, "both", "agreement", "kappa"):
                table.add_column(col, justify="right")
            for r in sub.itertuples(index=False):
                table.add_row(Text(str(r.label)), str(r.a_yes), str(r.b_yes), str(r.both),
                              f"{r.agreement:.0%}", _fmt_kappa(r.kappa))
            con.print(table)
    for pair, k in res.pooled.items():
        con.print(Text(f"Pooled kappa {pair} (inflated by the cells both left empty): domains "
                       f"{_fmt_kappa(k['domains'])}, themes {_fmt_kappa(k['themes'])}"))
    for coder, c in res.consensus.items():
        con.print(Text(f"{coder}: own tags equal the consensus on {c['domains']:.0%} of "
                       f"findings (domains), {c['themes']:.0%} (themes)"))
    con.print(Text("n/a: undefined (no finding to compare, or, for kappa, both coders gave the "
                   "same answer for every finding; see the agreement column).", style="dim"))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@review_option
def vocabulary(as_json: bool, review_path: Path) -> None:
    """List the TDF domains and constructs, their COM-B components and functions, and themes."""
    from ..charting.vocab import load_vocabulary

    # outside a review folder: the shipped vocabulary (no themes, default mappings)
    v = (open_review(review_path).vocabulary() if (review_path / "implmap.yaml").exists()
         else load_vocabulary())
    if as_json:
        click.echo(json.dumps({
            "domains": [{"number": d.number, "name": d.name, "description": d.description,
                         "constructs": list(d.constructs), "comb": v.comb(d.name),
                         "functions": v.functions(v.comb(d.name))} for d in v.domains],
            "themes": [t.model_dump() for t in v.themes], "sources": v.sources,
        }, indent=2, ensure_ascii=False))
        return
    from rich.text import Text

    con = _console()
    for d in v.domains:
        con.print(Text(f"{d.number}. {d.name}", style="bold"))
        w = con.width
        con.print(_hanging(d.description, "   ", "   ", w))
        con.print(_hanging("constructs: " + "; ".join(d.constructs), "   ", "   ", w,
                           style="dim"))
        con.print(_hanging(f"COM-B: {', '.join(v.comb(d.name))} → intervention functions: "
                           f"{', '.join(v.functions(v.comb(d.name)))}", "   ", "   ", w))
    if v.themes:
        con.print(Text("Themes", style="bold"))
        for t in v.themes:
            con.print(_hanging(f"{t.id}: {t.name}. {t.description}", "   ", "     ", con.width))


@click.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the schema here instead of standard output.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a charting study file (for editors' validation)."""
    from ..charting.model import json_schema_text

    text = json_schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        from ..fsio import write_atomic

        write_atomic(output, text)
        click.echo(f"Wrote {output}.", err=True)


COMMANDS = [lookup, suggest, coding_agreement, vocabulary, schema]
