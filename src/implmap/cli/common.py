"""Options and helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path

import click

from ..review import Review

review_option = click.option(
    "--review",
    "-r",
    "review_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The review folder.",
)


def open_review(path: Path) -> Review:
    return Review(path)
