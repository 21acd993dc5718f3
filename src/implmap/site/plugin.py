"""The MkDocs plugin: build a review's evidence map into any MkDocs site.

In ``mkdocs.yml``::

    plugins:
      - search
      - implmap:
          review: evidence      # the review folder, relative to mkdocs.yml
          prefix: map/          # where the map's pages go in the site

At build time the plugin writes the pages with :func:`implmap.site.build_pages` into a temporary
folder and adds them to the build; nothing is written into the docs folder. Under
``mkdocs serve`` it also watches the review folder, so the map rebuilds when the review changes.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from ..errors import ImplmapError
from .pages import build_pages

__all__ = ["ImplmapConfig", "ImplmapPlugin"]


class ImplmapConfig(Config):
    review = c.Type(str, default="evidence")
    prefix = c.Type(str, default="map/")


class ImplmapPlugin(BasePlugin[ImplmapConfig]):
    """Adds the evidence map of ``review`` to the site under ``prefix``."""

    def __init__(self) -> None:
        self._tmp: str | None = None
        self.review_path: Path | None = None

    def on_config(self, config: Any) -> Any:
        path = Path(self.config.review).expanduser()
        if not path.is_absolute():
            base = Path(config.config_file_path).parent if config.config_file_path else Path()
            path = base / path
        self.review_path = path.resolve()
        prefix = self.config.prefix.strip("/")
        self.prefix = f"{prefix}/" if prefix else ""
        return config

    def _cleanup(self) -> None:
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def on_files(self, files: Files, config: Any) -> Files:
        self._cleanup()
        self._tmp = tempfile.mkdtemp(prefix="implmap-map-")
        assert self.review_path is not None
        try:
            written = build_pages(
                self.review_path, self._tmp, directory_urls=config.use_directory_urls
            )
        except ImplmapError as exc:
            raise PluginError(f"implmap: cannot build the evidence map: {exc}") from None
        for path in written:
            uri = self.prefix + path.relative_to(self._tmp).as_posix()
            if files.get_file_from_path(uri) is not None:
                raise PluginError(
                    f"implmap: the docs folder already has {uri}; set the plugin's 'prefix' to a "
                    "folder the docs do not use (e.g. prefix: evidence-map/)"
                )
            files.append(
                File.generated(
                    config, uri, abs_src_path=str(path), inclusion=InclusionLevel.NOT_IN_NAV
                )
            )
        return files

    def on_serve(self, server: Any, config: Any, builder: Any) -> Any:
        if self.review_path is not None and self.review_path.is_dir():
            server.watch(str(self.review_path))
        return server

    def on_shutdown(self) -> None:
        self._cleanup()
