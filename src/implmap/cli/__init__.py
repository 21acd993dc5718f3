"""The ``implmap`` command: a thin layer over the Python API.

Each command parses its arguments, makes one library call and renders the result. Errors of
ours (:class:`~implmap.errors.ImplmapError`) become ``Error: …`` and exit code 1, in one place.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import ImplmapError

__all__ = ["cli", "main"]


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ImplmapError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(package_name="implmap")
def cli() -> None:
    """implmap: implementation-barrier evidence mapping from a plain review folder."""


def _register() -> None:
    from . import chart as _chart
    from . import charting as _charting
    from . import dedupe as _dedupe
    from . import prioritise as _prioritise
    from . import records as _records
    from . import screen as _screen
    from . import screening as _screening
    from . import site as _site

    for mod in (_records, _dedupe, _screen, _screening, _charting, _chart, _site, _prioritise):
        for cmd in mod.COMMANDS:
            cli.add_command(cmd)


_register()


def main() -> None:
    """Entry point of the ``implmap`` console script."""
    cli()
