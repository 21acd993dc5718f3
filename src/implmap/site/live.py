"""``implmap site serve``: the map served while the review is edited, errors shown in the page.

A :class:`LiveSite` builds the map into a fresh folder in a background thread whenever the
review's files change, and serves the last good build over HTTP. When a build fails (a study
file that does not validate, say), every page shows the error, escaped, and reloads itself once
the files are fixed; pages of a good build reload when the next build is done. The server runs in
the calling thread and the builds in a daemon thread, so Ctrl+C always stops it, even during a
build.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .escape import esc

__all__ = ["LiveSite", "fingerprint"]

POLL = "/.implmap-live"  # answers the number of the last finished build
RELOAD = (
    "<script>(function(){var g=%d;function p(){fetch(\"" + POLL + "\",{cache:\"no-store\"})"
    ".then(function(r){return r.text();}).then(function(t){if(t!==String(g)){location.reload();}"
    "else{setTimeout(p,1000);}},function(){setTimeout(p,2000);});}setTimeout(p,1000);}());"
    "</script>"
)
PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
    '<body style="font:16px/1.4 sans-serif;max-width:60em;margin:2em auto;padding:0 1em">'
    "<h1>{title}</h1>{body}{reload}</body></html>"
)


def fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file under ``root`` (``.git`` left out) with its modification time and size."""
    out = []
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(files):
            path = os.path.join(here, name)
            with contextlib.suppress(OSError):  # removed while we looked
                st = os.stat(path)
                out.append((path, st.st_mtime_ns, st.st_size))
    return tuple(out)


class LiveSite:
    """The review at ``root``, built by ``build(out_folder)`` on every change, served by HTTP.

    ``build`` raises on a bad review; its message is what the pages show until a build works.
    """

    def __init__(self, root: Path, build: Callable[[Path], object], interval: float = 0.5):
        self.root = root
        self.build = build
        self.interval = interval
        self.generation = 0  # builds finished, good or bad
        self.current: Path | None = None  # the folder of the last good build
        self.error: str | None = None  # why the last build failed
        self._tmp = Path(tempfile.mkdtemp(prefix="implmap-serve-"))
        self._stop = threading.Event()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------ builds
    def rebuild(self) -> None:
        """Build once into a fresh folder; on success serve it, else keep the error."""
        out = self._tmp / f"build-{self.generation + 1}"
        try:
            self.build(out)
        except Exception as exc:  # any failure is shown in the page
            error: str | None = str(exc) or type(exc).__name__
        else:
            error = None
        with self._lock:
            old = self.current
            if error is None:
                self.current = out
            self.error = error
            self.generation += 1
        if error is not None:
            shutil.rmtree(out, ignore_errors=True)
        elif old is not None:  # a request may still read it: the one before goes
            self._drop_before(old)

    def _drop_before(self, keep: Path) -> None:
        for folder in self._tmp.iterdir():
            if folder not in (keep, self.current):
                shutil.rmtree(folder, ignore_errors=True)

    def watch(self) -> None:
        """Build now, then again whenever a file of the review changes, until :meth:`stop`."""
        seen = fingerprint(self.root)
        self.rebuild()
        while not self._stop.wait(self.interval):
            now = fingerprint(self.root)
            if now != seen:
                seen = now
                self.rebuild()

    def stop(self) -> None:
        """Stop watching and remove the built folders."""
        self._stop.set()
        shutil.rmtree(self._tmp, ignore_errors=True)

    # ------------------------------------------------------------------------------ serving
    def page(self) -> tuple[int, str] | None:
        """The status and page to show instead of the map's own (an error, or the first build
        still running); ``None`` when the map's pages are current."""
        with self._lock:
            error, current, gen = self.error, self.current, self.generation
        reload = RELOAD % gen
        if error is not None:
            body = (
                "<p>The evidence map could not be built. Fix the review's files and this page "
                "reloads by itself.</p><pre style=\"white-space:pre-wrap\">"
                f"{esc(error)}</pre>"
            )
            return 500, PAGE.format(title="Cannot build the evidence map", body=body,
                                    reload=reload)
        if current is None:
            return 503, PAGE.format(title="Building the evidence map…", body="", reload=reload)
        return None

    def server(self, host: str, port: int) -> http.server.ThreadingHTTPServer:
        """An HTTP server for the site on ``host:port`` (not yet serving)."""
        live = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def translate_path(self, path: str) -> str:
                self.directory = str(live.current or live._tmp)
                return super().translate_path(path)

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0].split("#", 1)[0]
                if path == POLL:
                    return self._send(200, str(live.generation), "text/plain")
                target = Path(self.translate_path(path))
                if target.is_dir():
                    target = target / "index.html"
                if target.suffix != ".html" and (live.current is None or target.exists()):
                    return super().do_GET()
                shown = live.page()
                if shown is not None:
                    return self._send(*shown, "text/html")
                if not target.is_file():
                    return super().do_GET()  # 404
                text = target.read_text("utf-8")
                cut = text.rfind("</body>")
                cut = cut if cut >= 0 else len(text)
                return self._send(200, text[:cut] + RELOAD % live.generation + text[cut:],
                                  "text/html")

            def _send(self, status: int, text: str, kind: str) -> None:
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer((host, port), Handler)
        server.daemon_threads = True
        return server

    def serve(self, host: str, port: int) -> None:
        """Serve until Ctrl+C: the builds in a daemon thread, the server in this one."""
        server = self.server(host, port)
        watcher = threading.Thread(target=self.watch, name="implmap-site-build", daemon=True)
        watcher.start()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            self.stop()
