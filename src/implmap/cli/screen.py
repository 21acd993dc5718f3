"""Commands that start the screening web app: ``implmap screen`` and ``implmap resolve``."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import DecisionError
from .common import review_option, serve_app

_stage_option = click.option(
    "--stage",
    "-s",
    default="title_abstract",
    show_default=True,
    help="The screening stage (an id from the manifest's 'stages').",
)
_port_option = click.option(
    "--port",
    "-p",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
_browser_option = click.option(
    "--no-browser", is_flag=True, help="Print the URL but do not open a web browser."
)


def _run(review_path: Path, reviewer: str, stage: str, mode: str, port: int,
         no_browser: bool) -> None:
    try:
        serve_app(review_path, reviewer=reviewer, stage=stage, mode=mode, port=port,
                  open_browser=not no_browser)
    except DecisionError as exc:  # resolve mode for someone who is not the arbiter
        raise DecisionError(
            f"{exc}; pass --reviewer with the arbiter's ID, or name one with "
            "'implmap init --arbiter ID' (new folders) or 'role: third' in implmap.yaml"
        ) from None


def _app_command(mode: str, reviewer_help: str, doc: str) -> click.Command:
    """The command that starts the app in ``mode`` (its name), with ``doc`` as its help."""

    @click.command(name=mode, help=doc)
    @click.option("--reviewer", required=True, help=reviewer_help)
    @_stage_option
    @_port_option
    @_browser_option
    @review_option
    def command(reviewer: str, stage: str, port: int, no_browser: bool,
                review_path: Path) -> None:
        _run(review_path, reviewer, stage, mode, port, no_browser)

    return command


screen = _app_command(
    "screen", "Your reviewer ID (from the manifest).",
    "Screen records in a local web app (127.0.0.1, token-protected), blind to the others.",
)
resolve = _app_command(
    "resolve", "Your reviewer ID: the arbiter's (role 'third' in implmap.yaml).",
    "Resolve conflicting decisions in the web app: see every decision, record the final one.",
)

COMMANDS = [screen, resolve]
