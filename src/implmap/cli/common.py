"""Options and helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def serve_app(review: Review | Path, **options: Any) -> None:
    """Start the local web app (:func:`implmap.app.serve`), announcing its URL on stderr; when
    its port is taken, the error says which option picks another."""
    from ..app import serve
    from ..errors import UsageError

    try:
        serve(review, announce=lambda text: click.echo(text, err=True), **options)
    except UsageError as exc:
        if "cannot listen" not in str(exc):
            raise
        raise UsageError(f"{exc}; pass --port PORT") from None
