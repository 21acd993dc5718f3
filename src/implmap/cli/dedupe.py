"""``implmap dedupe``: find duplicates, explain them, and let people decide the unclear pairs.

::

    implmap dedupe                      group duplicates (writes dedupe/groups.jsonl)
    implmap dedupe --explain ID         why ID is (or is not) grouped, with the evidence
    implmap dedupe --pending            the pairs that a person should decide
    implmap dedupe review --app --reviewer ID   decide them in the local web app
    implmap dedupe merge ID1 ID2        a person's decision: the same work
    implmap dedupe keep-apart ID1 ID2   a person's decision: different works
    implmap dedupe undo ID1 ID2         forget the decision on this pair; the rules decide again
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import open_review, review_option, serve_app

if TYPE_CHECKING:
    from ..dedupe.groups import DedupeResult
    from ..review import Review


def _app_options(f: Any) -> Any:
    """The options that start the dedupe web app (``--app``, ``--reviewer``, ``--port``)."""
    f = click.option("--no-browser", is_flag=True,
                     help="With --app: print the URL but do not open a web browser.")(f)
    f = click.option("--port", "-p", type=click.IntRange(0, 65535), default=0,
                     help="With --app: the port on 127.0.0.1 (0 picks a free one).")(f)
    f = click.option("--reviewer", default=None,
                     help="With --app: your reviewer ID (from the manifest); your decisions "
                          "are recorded as yours.")(f)
    return click.option("--app", is_flag=True,
                        help="Decide the uncertain pairs in the local web app (127.0.0.1, "
                             "token-protected), side by side, with the keyboard.")(f)


def _run_app(review_path: Path, reviewer: str | None, port: int, no_browser: bool) -> None:
    from ..errors import UsageError

    if not reviewer:
        raise UsageError("the dedupe app records decisions as yours: pass --reviewer ID")
    serve_app(open_review(review_path), reviewer=reviewer, mode="dedupe", port=port,
              open_browser=not no_browser)


def _summary(result: DedupeResult) -> str:
    return (f"{result.records} records; {len(result.groups)} groups of duplicates; "
            f"{result.duplicates_removed} duplicates set aside (each group keeps its primary); "
            f"{len(result.uncertain)} pairs for a person to decide"
            + (" (implmap dedupe --pending)." if result.uncertain else "."))


def _line(r: dict[str, Any]) -> str:
    bits = [r.get("year") or "----", r.get("first_author") or "(no author)",
            (r.get("title") or "(no title)")[:80], r.get("journal") or ""]
    if r.get("doi"):
        bits.append(f"doi:{r['doi']}")
    return "  ".join(b for b in bits if b)


def _details(e: dict[str, Any]) -> str:
    d = e.get("details") or {}
    order = ["title", "authors", "year", "journal", "volume", "issue", "page"]
    keys = [k for k in order if k in d] + sorted(k for k in d if k not in order)
    return ", ".join(f"{k} {d[k]}" for k in keys)


@click.group(invoke_without_command=True)
@click.option("--explain", "explain_id", metavar="ID", default=None,
              help="Explain the group of record ID: members, primary, and the rule behind "
                   "each merge.")
@click.option("--pending", is_flag=True,
              help="List the uncertain pairs that a person should decide (merge or "
                   "keep-apart).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@_app_options
@review_option
@click.pass_context
def dedupe(ctx: click.Context, explain_id: str | None, pending: bool, as_json: bool,
           app: bool, reviewer: str | None, port: int, no_browser: bool,
           review_path: Path) -> None:
    """Find duplicate records across searches; nothing is ever deleted.

    Each group keeps all its records and names one primary (the most complete), which is the
    one screening shows. People's decisions (merge, keep-apart) win over the rules and survive
    every re-run.
    """
    ctx.ensure_object(dict)
    ctx.obj["review_path"] = review_path
    if ctx.invoked_subcommand is not None:
        return
    from ..dedupe import groups as dd

    if app:
        _run_app(review_path, reviewer, port, no_browser)
        return
    review = open_review(review_path)
    if explain_id:
        info = dd.explain(review, explain_id)
        if as_json:
            click.echo(json.dumps(info, indent=2, ensure_ascii=False, sort_keys=True))
            return
        _print_explain(info)
        return
    if pending:
        _print_pending(review, as_json)
        return
    result = dd.find_duplicates(review)
    for w in result.warnings:
        click.secho(f"Warning: {w}", fg="yellow", err=True)
    if as_json:
        click.echo(json.dumps({"records": result.records, "groups": len(result.groups),
                               "duplicates_removed": result.duplicates_removed,
                               "uncertain": len(result.uncertain),
                               "warnings": result.warnings}, indent=2, sort_keys=True))
        return
    click.echo(_summary(result))
    click.echo(f"Wrote {review.rel(review.dedupe_groups)} and "
               f"{review.rel(review.dedupe_uncertain)}.")


def _print_explain(info: dict[str, Any]) -> None:
    rec = info["record"]
    click.echo(f"Record {rec['id']}: {_line(rec)}")
    group = info["group"]
    if group is None:
        click.echo("Not in a group: no rule or decision found another record of the same work.")
    else:
        members = group["members"]
        click.echo(f"In a group of {len(members)}; primary {group['primary']} (the most "
                   "complete record; screening shows only it).")
        for m in members:
            mark = "*" if m["id"] == group["primary"] else "-"
            click.echo(f"  {mark} {m['id']}  {_line(m)}")
        click.echo("Evidence (one line per merge):")
        for e in group["evidence"]:
            a, b = e["pair"]
            extra = _details(e)
            click.echo(f"  {a} ~ {b}: {e['rule']}: {e['reason']}"
                       + (f" ({extra})" if extra else ""))
    for p in info["uncertain"]:
        a, b = p["pair"]
        click.echo(f"Pending: {a} ~ {b}: {p['rule']}: {p['reason']}")
    for d in info["decisions"]:
        a, b = d["records"]
        who = d.get("by") or "someone"
        click.echo(f"Decision: {d['action']} {a} {b} by {who} at {d.get('time', '')}"
                   + (f": {d['note']}" if d.get("note") else ""))


def _print_pending(review: Review, as_json: bool) -> None:
    from ..dedupe import groups as dd

    if not review.dedupe_groups.exists():
        dd.find_duplicates(review)
    pairs = dd.load_uncertain(review)
    records = {r["id"]: r for r in review.record_dicts()}
    if as_json:
        click.echo(json.dumps(pairs, indent=2, ensure_ascii=False, sort_keys=True))
        return
    if not pairs:
        click.echo("No pairs to decide.")
        return
    for n, p in enumerate(pairs, start=1):
        a, b = p["pair"]
        click.echo(f"{n}. {a} ~ {b}   [{p['rule']}] {p['reason']}")
        for rid in (a, b):
            r = records.get(rid, {})
            authors = r.get("authors") or []
            click.echo(f"     {rid}  " + _line({**r, "first_author": authors[0]
                                                if authors else ""}))
        click.echo(f"     decide: implmap dedupe merge {a} {b}   |   "
                   f"implmap dedupe keep-apart {a} {b}")
    click.echo(f"{len(pairs)} pair(s) to decide.")


@click.command("review")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@_app_options
@click.option("--review", "-r", "review_path", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="The review folder (default: the one given to 'dedupe', or '.').")
@click.pass_context
def review_pairs(ctx: click.Context, as_json: bool, app: bool, reviewer: str | None,
                 port: int, no_browser: bool, review_path: Path | None) -> None:
    """List the uncertain pairs for a person to decide (same as 'dedupe --pending'); with
    --app, decide them in the local web app."""
    path = review_path or (ctx.obj or {}).get("review_path") or Path(".")
    if app:
        _run_app(path, reviewer, port, no_browser)
        return
    _print_pending(open_review(path), as_json)


def _decision_command(action: str, name: str, help_text: str) -> click.Command:
    @click.command(name, help=help_text)
    @click.argument("first")
    @click.argument("second")
    @click.option("--by", default="", help="Who decides (a reviewer ID).")
    @click.option("--note", default="", help="Why (kept in dedupe/decisions.jsonl).")
    @click.option("--review", "-r", "review_path", default=None,
                  type=click.Path(file_okay=False, path_type=Path),
                  help="The review folder (default: the one given to 'dedupe', or '.').")
    @click.pass_context
    def cmd(ctx: click.Context, first: str, second: str, by: str, note: str,
            review_path: Path | None) -> None:
        from ..dedupe.groups import decide
        from ..errors import UnknownRecordError

        path = review_path or (ctx.obj or {}).get("review_path") or Path(".")
        review = open_review(path)
        try:
            result = decide(review, action, first, second, by=by, note=note)
        except UnknownRecordError as exc:
            raise UnknownRecordError(f"{exc}; 'implmap dedupe --pending' lists the pairs and "
                                     "their IDs") from None
        click.echo(f"Recorded: {action} {first} {second}.")
        if result is not None:
            for w in result.warnings:
                click.secho(f"Warning: {w}", fg="yellow", err=True)
            click.echo(_summary(result))

    return cmd


dedupe.add_command(review_pairs)
dedupe.add_command(_decision_command(
    "merge", "merge", "Decide that records FIRST and SECOND are the same work."))
dedupe.add_command(_decision_command(
    "keep_apart", "keep-apart", "Decide that records FIRST and SECOND are different works."))
dedupe.add_command(_decision_command(
    "undo", "undo", "Forget the decision on FIRST and SECOND; the rules decide again."))

COMMANDS = [dedupe]
