"""Helpers for the evidence-map tests: parse built HTML, serve a built site on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import yaml

from implmap.folder import ReviewFolder

SITE_REVIEW = Path(__file__).resolve().parent / "fixtures" / "site-review"


def fixture_findings(review: Path = SITE_REVIEW) -> list[dict]:
    """The review's findings read straight from its YAML (independent of implmap.site), each
    with its study, ``key`` (``study/finding``) and TDF domains."""
    out = []
    for path in ReviewFolder(review).study_files():
        s = yaml.safe_load(path.read_text("utf-8"))
        for f in s["findings"]:
            out.append({**f, "study": s["id"], "key": f"{s['id']}/{f['id']}",
                        "domains": [t["domain"] for t in f["tdf"]]})
    return out


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes, and the text of inline scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.inline_scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "script" and not dict(attrs).get("src"):
            self._in_script = True
            self.inline_scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_scripts[-1] += data
        else:
            self.text.append(data)


def parse(path: Path) -> Tags:
    t = Tags()
    t.feed(path.read_text(encoding="utf-8"))
    return t


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve_dir(root: Path) -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1 in a thread; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.handle_error = lambda *a: None  # type: ignore[method-assign]  # a closed browser tab
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
