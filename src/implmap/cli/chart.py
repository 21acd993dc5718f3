"""Blinded dual coding: ``implmap chart code|withdraw|reconcile|migrate|app``, and the codebook:
``implmap chart theme add|rename|describe|change-id|merge``.

Each coder's own tags go to their log (``charting/coding/<coder>.jsonl``); the agreed tags to
the study file. See :mod:`implmap.charting.coding`, :mod:`implmap.charting.reconcile` and
:mod:`implmap.charting.codebook`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import open_review, review_option, serve_app

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


@chart.group("theme")
def theme() -> None:
    """Edit the theme codebook (charting/themes.yaml); references follow merges and new IDs."""


@theme.command("add")
@click.argument("theme_id", metavar="ID")
@click.argument("name")
@click.option("--description", default="", help="What the theme covers, how to apply it.")
@review_option
def theme_add(theme_id: str, name: str, description: str, review_path: Path) -> None:
    """Add a theme to the codebook."""
    from ..charting.codebook import add_theme

    t = add_theme(open_review(review_path), theme_id, name, description)
    click.echo(f"Added theme {t.id}: {t.name}.")


def _edit_theme(review_path: Path, theme_id: str, name: str | None,
                description: str | None) -> None:
    """Rename and/or describe a theme, then say what it is now."""
    from ..charting.codebook import describe_theme, rename_theme

    review = open_review(review_path)
    if name is not None:
        rename_theme(review, theme_id, name)
    if description is not None:
        describe_theme(review, theme_id, description)
    t = review.vocabulary().theme(theme_id)
    click.echo(f"Theme {t.id}: {t.name}" + (f". {t.description}" if t.description else ""))


@theme.command("rename")
@click.argument("theme_id", metavar="ID")
@click.argument("name")
@click.option("--description", default=None, help="A new description too.")
@review_option
def theme_rename(theme_id: str, name: str, description: str | None, review_path: Path) -> None:
    """Give a theme a new display name (its ID, and so every reference, stays)."""
    _edit_theme(review_path, theme_id, name, description)


@theme.command("describe")
@click.argument("theme_id", metavar="ID")
@click.argument("description")
@review_option
def theme_describe(theme_id: str, description: str, review_path: Path) -> None:
    """Replace a theme's description (an empty one removes it)."""
    _edit_theme(review_path, theme_id, None, description)


def _moved(what: str, change: Any) -> None:
    click.echo(f"{what}; {change.findings} finding(s) in {len(change.study_files)} study "
               f"file(s) and {change.log_lines} coding(s) in the coders' logs follow.")


@theme.command("change-id")
@click.argument("old_id", metavar="OLD")
@click.argument("new_id", metavar="NEW")
@review_option
def theme_change_id(old_id: str, new_id: str, review_path: Path) -> None:
    """Give a theme a new ID; every reference to it follows."""
    from ..charting.codebook import change_theme_id

    _moved(f"Theme {old_id} is now {new_id}",
           change_theme_id(open_review(review_path), old_id, new_id))


@theme.command("merge")
@click.argument("sources", nargs=-1, required=True, metavar="ID...")
@click.option("--into", "into", required=True, help="The theme that takes them in (its ID).")
@review_option
def theme_merge(sources: tuple[str, ...], into: str, review_path: Path) -> None:
    """Merge themes into another one and take them out of the codebook."""
    from ..charting.codebook import merge_themes

    _moved(f"Merged {', '.join(sources)} into {into}",
           merge_themes(open_review(review_path), sources, into))


@chart.command("app")
@click.option("--coder", required=True, help="Your reviewer ID (from the manifest).")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=0,
              help="The port on 127.0.0.1 (0 picks a free one).")
@click.option("--no-browser", is_flag=True, help="Print the URL but do not open a browser.")
@review_option
def app_cmd(coder: str, port: int, no_browser: bool, review_path: Path) -> None:
    """Code findings blind, extract findings and reconcile in the local web app (127.0.0.1,
    token-protected, keyboard-first)."""
    serve_app(open_review(review_path), reviewer=coder, mode="chart", port=port,
              open_browser=not no_browser)


COMMANDS = [chart]
