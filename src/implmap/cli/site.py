"""Commands for the published evidence map: ``implmap site build|serve|pages``."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from .common import open_review, review_option

__all__ = ["COMMANDS"]

_review_arg = click.argument(
    "review_arg", metavar="[REVIEW]", required=False,
    type=click.Path(file_okay=False, path_type=Path),
)


def _pick(review_arg: Path | None, review_path: Path) -> Path:
    return review_arg if review_arg is not None else review_path


@click.group()
def site() -> None:
    """Build, serve or write the review's evidence map."""


@site.command()
@_review_arg
@review_option
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Where to write the static site.")
def build(review_arg: Path | None, review_path: Path, out: Path) -> None:
    """Build the evidence map of REVIEW (or --review) as a static site."""
    from ..site.serve import build_site

    review = open_review(_pick(review_arg, review_path))
    path = build_site(review, out)
    click.echo(f"Built the evidence map of {review.root} into {path}: open {path}/index.html "
               "in a browser, or publish the folder on any web server.")


@site.command()
@_review_arg
@review_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to serve on.")
def serve(review_arg: Path | None, review_path: Path, host: str, port: int) -> None:
    """Serve the evidence map of REVIEW at http://127.0.0.1:8000/, rebuilding on changes."""
    from ..site.serve import serve_site

    review = open_review(_pick(review_arg, review_path))
    click.echo(f"Serving the evidence map of {review.root} at http://{host}:{port}/ "
               "(Ctrl+C stops).", err=True)
    try:
        serve_site(review, host=host, port=port)
    except UsageError as exc:  # the address is taken: say which option picks another
        raise UsageError(f"{exc}: pass --port PORT") from None


@site.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@review_option
@click.option("--flat-urls", is_flag=True,
              help="Link pages as page.html (for sites with use_directory_urls: false).")
@click.option("--for", "builder", type=click.Choice(["zensical", "mkdocs"]), default="zensical",
              show_default=True,
              help="The builder that will build OUT: zensical rewrites the links between the "
                   "pages itself; plain mkdocs (without the implmap plugin) does not.")
def pages(out: Path, review_path: Path, flat_urls: bool, builder: str) -> None:
    """Write the map's Markdown pages and assets into OUT (e.g. docs/map for zensical)."""
    from ..site import build_pages

    review = open_review(review_path)
    written = build_pages(review, out, directory_urls=not flat_urls,
                          source_links=builder == "zensical")
    click.echo(f"Wrote {len(written)} files of the evidence map of {review.root} into {out} "
               f"(for {builder}).")


COMMANDS = [site]
