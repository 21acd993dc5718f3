"""Screening from the command line: decide, conflicts, resolve-record, agreement, prisma, and
``implmap screening import-csv`` / ``implmap screening retrieval``.

The web app (``implmap screen`` / ``implmap resolve``) lives in :mod:`implmap.cli.screen`.
"""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import open_review, review_option

if TYPE_CHECKING:
    from rich.console import Console

    from ..review import Review


__all__ = ["COMMANDS"]

_stage = click.option("--stage", "-s", default="title_abstract", show_default=True,
                      help="The screening stage (an id from the manifest's 'stages').")


def _console() -> Console:
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=120)  # pipes: do not squeeze


def _warnings_to_stderr(fn: Callable[..., None]) -> Callable[..., None]:
    """Show the warnings a command raised (a torn log line…) as ``Warning: …`` on stderr."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fn(*args, **kwargs)
            finally:
                seen = set()
                for w in caught:
                    text = str(w.message)
                    if text not in seen:
                        seen.add(text)
                        click.secho(f"Warning: {text}", fg="yellow", err=True)

    return run


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _decision_command(fn: Callable[..., None]) -> click.Command:
    """A command taking RECORD DECISION --reviewer --stage --reason --note --review."""
    for option in reversed([
        click.argument("record"),
        click.argument("decision", type=click.Choice(["include", "exclude", "maybe"])),
        click.option("--reviewer", required=True, help="Your reviewer ID (from the manifest)."),
        _stage,
        click.option("--reason", default=None, help="Exclusion reason (from the manifest)."),
        click.option("--note", default="", help="A note kept with the decision."),
        review_option,
    ]):
        fn = option(fn)
    return click.command()(_warnings_to_stderr(fn))


@_decision_command
def decide(record: str, decision: str, reviewer: str, stage: str, reason: str | None, note: str,
           review_path: Path) -> None:
    """Record your DECISION (include, exclude, maybe) on RECORD."""
    from ..screening import decide as _decide

    entry = _decide(open_review(review_path), reviewer, stage, record, decision, reason=reason,
                    note=note)
    extra = f" ({entry['reason']})" if entry["reason"] else ""
    click.echo(f"{reviewer}: {record} {decision}{extra} at {stage}")


@click.command()
@_stage
@click.option("--all", "show_all", is_flag=True, help="Also list resolved conflicts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@review_option
@_warnings_to_stderr
def conflicts(stage: str, show_all: bool, as_json: bool, review_path: Path) -> None:
    """List the records whose reviewers disagree (shows every decision: for resolving)."""
    from rich.table import Table
    from rich.text import Text

    from ..screening import conflicts as _conflicts

    review = open_review(review_path)
    found = _conflicts(review, stage, include_resolved=show_all)
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in found], indent=2, ensure_ascii=False))
        return
    titles = {r["id"]: r.get("title") or "" for r in review.record_dicts()}
    table = Table(title=f"Conflicts at {stage}: {sum(c.open for c in found)} open")
    for col in ("record", "kind", "decisions", "resolution", "title"):
        table.add_column(col)
    for c in found:
        votes = "; ".join(
            f"{who}: {e['decision']}" + (f" ({e['reason']})" if e.get("reason") else "")
            for who, e in sorted(c.decisions.items())
        )
        res = "open" if c.resolution is None else c.resolution["decision"]
        table.add_row(Text(c.record), Text(c.kind), Text(votes), Text(res),
                      Text(titles.get(c.record, "")[:80]))
    _console().print(table)


@click.command("resolve-record")
@click.argument("record")
@click.argument("decision", type=click.Choice(["include", "exclude", "maybe"]))
@click.option("--by", "by", multiple=True, required=True,
              help="Who resolved it (repeat for a consensus of several).")
@click.option("--method", type=click.Choice(["third_reviewer", "consensus"]), default=None,
              help="Default: third_reviewer for one --by, consensus for several.")
@_stage
@click.option("--reason", default=None, help="Exclusion reason (from the manifest).")
@click.option("--note", default="", help="A note kept with the resolution.")
@review_option
@_warnings_to_stderr
def resolve_record(record: str, decision: str, by: tuple[str, ...], method: str | None,
                   stage: str, reason: str | None, note: str, review_path: Path) -> None:
    """Record the final DECISION on a conflicting RECORD (the app: 'implmap resolve')."""
    from ..screening import resolve

    entry = resolve(open_review(review_path), stage, record, decision, by=list(by),
                    method=method, reason=reason, note=note)
    click.echo(f"{record}: resolved as {decision} at {stage} by {', '.join(by)} "
               f"({entry['method']})")


@click.command()
@click.argument("record")
@click.option("--reviewer", required=True, help="Your reviewer ID (from the manifest).")
@_stage
@click.option("--note", default="", help="Why (kept in the log with the withdrawal).")
@review_option
@_warnings_to_stderr
def withdraw(record: str, reviewer: str, stage: str, note: str, review_path: Path) -> None:
    """Withdraw your decision on RECORD (logged; the history stays): it is undecided again."""
    from ..screening import withdraw as _withdraw

    before = _withdraw(open_review(review_path), reviewer, stage, record, note=note)
    click.echo(f"{reviewer}: {record} at {stage}: withdrew {_said(before)}; it is undecided "
               "again")


@_decision_command
def change(record: str, decision: str, reviewer: str, stage: str, reason: str | None, note: str,
           review_path: Path) -> None:
    """Change your decision on RECORD to DECISION (logged; the history stays)."""
    from ..screening import change as _change

    before, after = _change(open_review(review_path), reviewer, stage, record, decision,
                            reason=reason, note=note)
    click.echo(f"{reviewer}: {record} at {stage}: {_said(before)} -> {_said(after)}")


def _said(entry: dict[str, Any]) -> str:
    return str(entry["decision"]) + (f" ({entry['reason']})" if entry.get("reason") else "")


@click.command()
@click.option("--stage", "-s", default=None, help="One stage (default: every stage).")
@click.option("--pilot", is_flag=True, help="Only the pilot records (pilot_size).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@review_option
@_warnings_to_stderr
def agreement(stage: str | None, pilot: bool, as_json: bool, review_path: Path) -> None:
    """Agreement between reviewers: Cohen's kappa, % agreement, PABAK; Fleiss' kappa for 3+.

    Maybe counts as include (as in Covidence) in the first table. The second counts agreement
    as the conflicts do: exclusion reasons compared where the stage requires them, and a maybe
    at the last stage a disagreement."""
    from rich.table import Table

    from ..screening import agreement as _agreement

    report = _agreement(open_review(review_path), stage=stage, pilot=pilot)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    console = _console()
    title = "Agreement" + (" (pilot records)" if pilot else "") + " — maybe counts as include"
    table = Table(title=title)
    for col in ("stage", "pair", "records", "incl/incl", "excl/excl", "disagree", "% agree",
                "kappa", "PABAK"):
        table.add_column(col, justify="left" if col in ("stage", "pair") else "right")
    for p in report.pairs:
        pct = "n/a" if p.percent is None else f"{100 * p.percent:.1f}"
        table.add_row(p.stage, "/".join(p.reviewers), str(p.n), str(p.both_include),
                      str(p.both_exclude),
                      str(p.only_first_includes + p.only_second_includes), pct, _fmt(p.kappa),
                      _fmt(p.pabak))
    console.print(table)
    c_table = Table(title="As conflicts count them (include / maybe / exclude:reason)")
    for col in ("stage", "pair", "records", "conflicts", "% no conflict", "kappa", "rule"):
        c_table.add_column(col, justify="left" if col in ("stage", "pair", "rule") else "right")
    for p in report.pairs:
        pct = "n/a" if p.conflict_percent is None else f"{100 * p.conflict_percent:.1f}"
        rule = "+".join(x for x, on in (("reasons", p.counts_reasons),
                                        ("maybe", p.last_stage)) if on) or "binary"
        c_table.add_row(p.stage, "/".join(p.reviewers), str(p.n), str(p.conflicts), pct,
                        _fmt(p.conflict_kappa), rule)
    console.print(c_table)
    if report.groups:
        g_table = Table(title="More than two reviewers (records all of them screened)")
        for col in ("stage", "reviewers", "records", "% all agree", "Fleiss' kappa",
                    "% no conflict"):
            g_table.add_column(col)
        for g in report.groups:
            pct = "n/a" if g.percent is None else f"{100 * g.percent:.1f}"
            settled = "n/a" if g.conflict_percent is None else f"{100 * g.conflict_percent:.1f}"
            g_table.add_row(g.stage, ", ".join(g.reviewers), str(g.n), pct,
                            _fmt(g.fleiss_kappa), settled)
        console.print(g_table)


@click.command()
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the counts as JSON to this file.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the counts as CSV to this file.")
@click.option("--format", "fmt", type=click.Choice(["svg", "png", "pdf"]), default=None,
              help="Draw the PRISMA 2020 flow diagram instead of printing the counts.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the diagram here (an SVG goes to standard output without it).")
@review_option
@_warnings_to_stderr
def prisma(json_path: Path | None, csv_path: Path | None, fmt: str | None,
           output: Path | None, review_path: Path) -> None:
    """PRISMA 2020 / PRISMA-ScR flow counts (checked: they must add up), or the flow diagram."""
    from rich.table import Table

    from ..fsio import write_atomic
    from ..screening import prisma_counts

    review = open_review(review_path)
    if fmt is not None or output is not None:
        _diagram(review, fmt, output)
        return
    counts = prisma_counts(review)
    table = Table(title="PRISMA flow")
    table.add_column("box")
    table.add_column("count", justify="right")
    for _, label, n in counts.rows():
        table.add_row(label, str(n))
    _console().print(table)
    if json_path is not None:
        write_atomic(json_path, json.dumps(counts.to_dict(), indent=2, sort_keys=True) + "\n")
        click.echo(f"Wrote {json_path}")
    if csv_path is not None:
        write_atomic(csv_path, counts.to_csv())
        click.echo(f"Wrote {csv_path}")


def _diagram(review: Review, fmt: str | None, output: Path | None) -> None:
    """Write the PRISMA 2020 flow diagram (format from ``fmt``, else the file's suffix)."""
    from ..errors import UsageError
    from ..fsio import write_atomic
    from ..site.figure import prisma_figure

    if fmt is None and output is not None:
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in ("svg", "png", "pdf"):
            raise UsageError(f"cannot tell the diagram's format from {output.name!r}: give "
                             "--format svg, png or pdf")
    data = prisma_figure(review, fmt or "svg")
    if output is None:
        if isinstance(data, bytes):
            raise UsageError(f"a {fmt} diagram is a binary file: name it with --output, "
                             f"e.g. -o prisma.{fmt}")
        click.echo(data, nl=False)
        return
    write_atomic(output, data)
    click.echo(f"Wrote {output}")


@click.group()
def screening() -> None:
    """Screening chores: import decisions from CSV, record full-text retrieval."""


@screening.command("import-csv")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--reviewer", required=True, help="Whose decisions these are.")
@_stage
@review_option
@_warnings_to_stderr
def import_csv(file: Path, reviewer: str, stage: str, review_path: Path) -> None:
    """Import decisions from FILE (columns: record or doi, decision, reason, note); all or
    nothing."""
    from ..screening import import_csv as _import

    n = _import(open_review(review_path), file, reviewer, stage)
    click.echo(f"{file}: {n} decision(s) of {reviewer} imported at {stage}"
               + ("" if n else " (all already recorded)"))


@screening.command("retrieval")
@click.argument("record")
@click.argument("status", type=click.Choice(["retrieved", "not_retrieved"]))
@click.option("--url", default=None, help="Where the full text is.")
@click.option("--file", "file_", default=None, help="The full text's file in the review folder.")
@click.option("--reviewer", default=None,
              help="Who marks it (refused as not_retrieved if they have decided it).")
@review_option
@_warnings_to_stderr
def retrieval(record: str, status: str, url: str | None, file_: str | None,
              reviewer: str | None, review_path: Path) -> None:
    """Record whether the full text of RECORD was obtained."""
    from ..screening import mark_retrieval

    if file_ and Path(file_).is_file():  # a path from here; the library keeps it relative
        file_ = str(Path(file_).resolve())
    entry: dict[str, Any] = mark_retrieval(open_review(review_path), record, status, url=url,
                                           file=file_, reviewer=reviewer)
    click.echo(f"{record}: {entry['status']}")




@screening.command("needs-full-text")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a list.")
@review_option
@_warnings_to_stderr
def needs_full_text(as_json: bool, review_path: Path) -> None:
    """List the records sought at full text that still need one (no retrieval status yet, or
    retrieved without a usable file or link)."""
    from ..screening import needs_full_text as _needs

    review = open_review(review_path)
    todo = _needs(review)
    if as_json:
        click.echo(json.dumps(todo))
        return
    titles = {r["id"]: r.get("title") or "" for r in review.record_dicts()}
    for rid in todo:
        click.echo(f"{rid}  {titles.get(rid, '')[:90]}")
    click.echo(f"{len(todo)} record(s) still need a full text.")


COMMANDS = [decide, withdraw, change, conflicts, resolve_record, agreement, prisma, screening]
