"""Commands for the review folder and its records: init, import, records, export, check,
git-setup."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Literal

import click

from ..review import Review
from .common import open_review, review_option


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Untitled review", help="The review's title.")
@click.option("--question", default="", help="The review question.")
@click.option("--reviewer", "reviewers", multiple=True,
              help="A screener's ID (repeatable; two or more make screening double).")
@click.option("--arbiter", "arbiters", multiple=True,
              help="The ID of the arbiter, the third reviewer who resolves conflicts "
                   "('implmap resolve'); repeatable.")
def init(directory: Path, title: str, question: str, reviewers: tuple[str, ...],
         arbiters: tuple[str, ...]) -> None:
    """Create a new review folder in DIRECTORY."""
    review = Review.init(directory, title=title, question=question, reviewers=reviewers,
                         arbiters=arbiters)
    click.echo(f"Created review folder {review.root} (edit implmap.yaml to describe it).")


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--database", required=True, help="Where the export came from, e.g. 'Embase'.")
@click.option("--searched", default=None, help="Date of the search, YYYY-MM-DD.")
@click.option("--query", default="", help="The search string, as run.")
@review_option
def import_(
    files: tuple[Path, ...], database: str, searched: str | None, query: str, review_path: Path
) -> None:
    """Import RIS or PubMed/MEDLINE exports; each file entirely or not at all."""
    from rich.progress import Progress

    review = open_review(review_path)
    with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
        for f in files:
            task = bar.add_task(f"Importing {f.name}", total=None)

            def tick(done: int, total: int, task=task) -> None:
                bar.update(task, completed=done, total=total)

            result = review.import_file(f, database, searched, query, progress=tick)
            s = result.search
            if result.added:
                click.echo(f"{f}: {s.records} records imported as search {s.id} ({s.format}, "
                           f"{s.encoding}).")
            else:
                click.echo(f"{f}: already imported as search {s.id}; nothing added.")
            for w in result.warnings:
                click.secho(f"Warning: {w}", fg="yellow", err=True)


@click.command()
@review_option
def records(review_path: Path) -> None:
    """Summarise the records per database and file."""
    from rich.console import Console
    from rich.table import Table

    review = open_review(review_path)
    table = Table(title=review.manifest.title)
    for col in ("database", "search", "file", "searched", "format", "encoding"):
        table.add_column(col)
    table.add_column("records", justify="right")
    total = 0
    for s in review.searches():
        table.add_row(s.database, s.id, s.file, s.searched, s.format, s.encoding, str(s.records))
        total += s.records
    table.add_row("[b]total[/b]", "", "", "", "", "", f"[b]{total}[/b]")
    Console().print(table)


@click.command()
@click.argument("table", required=False,
                type=click.Choice(["records", "included", "findings", "workbook"]))
@click.option("--format", "fmt", type=click.Choice(["ris", "csv", "xlsx"]), default=None,
              help="ris or csv; a workbook is xlsx. Default: the table's first format "
                   "(records: csv, included: ris, findings: csv); with no TABLE, ris.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output (a workbook needs a file).")
@review_option
def export(table: str | None, fmt: Literal["ris", "csv", "xlsx"] | None, output: Path | None,
           review_path: Path) -> None:
    """Write the records, the included studies, the findings or a workbook out.

    With no TABLE: every record as imported (RIS, or CSV of the normalised fields). TABLE is
    records (every record with its dedupe status and each reviewer's and the final decision
    and reason per stage), included (the included studies, RIS for Zotero or EndNote, or
    CSV), findings (the coded findings, CSV) or workbook (the three tables as sheets of one
    .xlsx file).
    """
    from ..errors import UsageError

    review = open_review(review_path)
    if table is None:
        from ..records.export import export_records

        if fmt == "xlsx":
            raise UsageError("--format xlsx is for 'implmap export workbook'")
        data: str | bytes = export_records(review, fmt or "ris")
    else:
        from ..handout import export as export_table

        data = export_table(review, table, fmt)
    if output is None:
        if isinstance(data, bytes):
            raise UsageError("a workbook is a binary file: name it with --output, e.g. "
                             "-o review.xlsx")
        click.echo(data, nl=False)
    else:
        from ..fsio import write_atomic

        write_atomic(output, data)
        click.echo(f"Wrote {output}.", err=True)


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(directory: Path | None, as_json: bool) -> None:
    """Validate a review folder; exit code 1 when it is invalid."""
    review = open_review(directory or Path("."))
    report = review.check()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for p in report.problems:
            click.secho(str(p), fg="red" if p.severity == "error" else "yellow")
        n, w = len(report.errors), len(report.warnings)
        click.echo(f"{review.root}: {'valid' if report.valid else 'invalid'} "
                   f"({n} error(s), {w} warning(s)).")
    sys.exit(int(not report.valid))


@click.command("git-setup")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def git_setup(directory: Path | None) -> None:
    """Set up a review folder for a team sharing it through git.

    Writes or completes .gitattributes (decision logs merge as unions) and .gitignore
    (regenerated dedupe files are not kept), keeping your own lines. New folders have both;
    run this once on a review created by an older implmap. Safe to run again.
    """
    review = open_review(directory or Path("."))
    done = review.update_git_files()
    for line in done:
        click.echo(f"{review.root}: {line}.")
    if not done:
        click.echo(f"{review.root}: .gitattributes and .gitignore are up to date.")
    tracked = [review.rel(p) for p in (review.dedupe_groups, review.dedupe_uncertain)
               if p.exists()]
    if tracked:
        click.echo("If git tracks them, stop tracking the regenerated files (they stay on disk): "
                   f"git rm --cached {' '.join(map(str, tracked))}")


COMMANDS = [init, import_, records, export, check, git_setup]
