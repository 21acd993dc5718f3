"""Blinded dual coding: ``implmap chart code|withdraw|reconcile|migrate|app``.

Each coder's own tags go to their log (``charting/coding/<coder>.jsonl``); the agreed tags to
the study file. See :mod:`implmap.charting.coding` and :mod:`implmap.charting.reconcile`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import open_review, review_option

if TYPE_CHECKING:
    from ..review import Review

__all__ = ["COMMANDS"]

_domain = click.option("--domain", "-d", "domains", multiple=True,
                       help="A TDF domain (repeat for more; a comma in a name is kept).")
_construct = click.option("--construct", "-c", "constructs", multiple=True,
                          help="A TDF construct; it goes under the given domain that holds it.")
_theme = click.option("--theme", "-t", "themes", multiple=True,
                      help="A theme ID or name of the codebook (repeat for more).")


@click.group()
def chart() -> None:
    """Code findings independently (blinded), reconcile them, migrate older study files;
    ``chart app`` does it all in the local web app."""


def _tags(review_path: Path, domains: tuple[str, ...], constructs: tuple[str, ...]
          ) -> tuple[Review, list[dict[str, Any]]]:
    from ..charting.coding import group_constructs
    from ..charting.vocab import load_vocabulary

    review = open_review(review_path)
    return review, group_constructs(load_vocabulary(review), domains, constructs)


@chart.command("code")
@click.argument("study")
@click.argument("finding")
@click.option("--coder", required=True, help="Your reviewer ID (from the manifest).")
@_domain
@_construct
@_theme
@click.option("--note", default="", help="A note kept with the coding.")
@review_option
def code_cmd(study: str, finding: str, coder: str, domains: tuple[str, ...],
             constructs: tuple[str, ...], themes: tuple[str, ...], note: str,
             review_path: Path) -> None:
    """Record your own tags for a finding in your coding log (others' tags stay unseen)."""
    from ..charting.coding import code

    review, tdf = _tags(review_path, domains, constructs)
    entry = code(review, coder, study, finding, tdf, themes, note)
    click.echo(f"{coder} coded {study}/{finding}: "
               + "; ".join(t["domain"] for t in entry["tdf"])
               + (f" | themes: {', '.join(entry['themes'])}" if entry["themes"] else ""))


@chart.command("withdraw")
@click.argument("study")
@click.argument("finding")
@click.option("--coder", required=True, help="Your reviewer ID (from the manifest).")
@click.option("--note", default="", help="Why.")
@review_option
def withdraw_cmd(study: str, finding: str, coder: str, note: str, review_path: Path) -> None:
    """Withdraw your coding of a finding."""
    from ..charting.coding import withdraw_code

    withdraw_code(open_review(review_path), coder, study, finding, note)
    click.echo(f"{coder}'s coding of {study}/{finding} withdrawn.")


@chart.command("reconcile")
@click.argument("study")
@click.argument("finding")
@click.option("--by", "by", multiple=True, required=True,
              help="Who agreed the tags (repeat for each reviewer).")
@_domain
@_construct
@_theme
@review_option
def reconcile_cmd(study: str, finding: str, by: tuple[str, ...], domains: tuple[str, ...],
                  constructs: tuple[str, ...], themes: tuple[str, ...],
                  review_path: Path) -> None:
    """Write the agreed tags of a finding into its study file (the coders' logs are kept)."""
    from ..charting.reconcile import reconcile

    review, tdf = _tags(review_path, domains, constructs)
    f = reconcile(review, study, finding, tdf, themes, by)
    click.echo(f"{study}/{finding} agreed by {', '.join(f.agreed_by)}: "
               f"{'; '.join(f.domains)}" + (f" | themes: {', '.join(f.themes)}" if f.themes
                                             else ""))


@chart.command("migrate")
@review_option
def migrate_cmd(review_path: Path) -> None:
    """Move coders' tags kept inside study files (``coding``) into their own logs."""
    from ..charting.reconcile import migrate_coding

    n = migrate_coding(open_review(review_path))
    click.echo(f"Moved {n} coding(s) into charting/coding/<coder>.jsonl." if n
               else "Nothing to move: no study file keeps its coders' tags.")


@chart.command("app")
@click.option("--coder", required=True, help="Your reviewer ID (from the manifest).")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=0,
              help="The port on 127.0.0.1 (0 picks a free one).")
@click.option("--no-browser", is_flag=True, help="Print the URL but do not open a browser.")
@review_option
def app_cmd(coder: str, port: int, no_browser: bool, review_path: Path) -> None:
    """Code findings blind, extract findings and reconcile in the local web app (127.0.0.1,
    token-protected, keyboard-first)."""
    from ..app import serve
    from ..errors import UsageError

    try:
        serve(open_review(review_path), reviewer=coder, mode="chart", port=port,
              open_browser=not no_browser, announce=lambda text: click.echo(text, err=True))
    except UsageError as exc:
        raise UsageError(f"{exc}; pass --port PORT" if "cannot listen" in str(exc)
                         else str(exc)) from None


COMMANDS = [chart]
