"""The screening app's HTTP face: a Starlette app over a :class:`ScreeningSession`.

Routes (every one behind the session token, see :mod:`.security`)::

    GET  /                          the page (static HTML; data comes from the API)
    GET  /static/app.js, app.css    the app's own script and style
    GET  /api/session               who, which stage, mode, reasons, highlight terms, progress
    GET  /api/queue                 the order of record IDs, which are decided, progress
    GET  /api/records?ids=a,b       record payloads (the page prefetches the next ones)
    GET  /api/estimate              the stopping estimate from this reviewer's own decisions
    POST /api/decide                {record, decision, reason, note} -> on disk, then 200
                                    (507 when the disk is full: nothing was saved)
    POST /api/undo                  take back this session's last decision
    POST /api/resolve               {record, decision, reason, note} (resolve mode)
    POST /api/full-text/not-retrieved  {record} (full-text stage)
    GET  /full-text/{record}        the local full-text file, when there is one

In dedupe mode (:mod:`.dedupe`) the page is ``dedupe.html`` with ``/static/dedupe.js``, and::

    GET  /api/dedupe/session        who, which review, progress, the latest dedupe re-run
    GET  /api/dedupe/pairs          every pair in brief, progress, where to start
    GET  /api/dedupe/pairs/{n}      pair n: both records' fields, the rule, every decision
    POST /api/dedupe/decide         {a, b, action: merge|keep_apart, note} -> on disk, then 200
    POST /api/dedupe/undo           take back this session's last decision
    POST /api/dedupe/rerun          re-run deduplication now (it also runs in the background)
"""

from __future__ import annotations

import html
import os
import signal
import socket
import sys
import tempfile
import threading
import webbrowser
from contextlib import closing, suppress
from importlib.resources import files
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ..errors import UnknownRecordError, UsageError
from ..folder import ReviewFolder
from .dedupe import DedupeSession
from .security import new_token
from .session import ScreeningSession
from .web import (
    assemble,
    html_route,
    json_response,
    page,
    read_body,
    reading_route,
    saving,
    str_or_none,
)

__all__ = ["create_app", "serve"]

_PKG = files("implmap.app")
MAX_IDS = 200


def create_app(
    review: ReviewFolder | str | Path,
    reviewer: str,
    stage: str = "title_abstract",
    mode: str = "screen",
    token: str | None = None,
) -> Starlette:
    """Build the app (an ASGI app) for one reviewer: ``mode="screen"`` screens ``stage`` blind
    to other reviewers; ``"resolve"`` shows the conflicting records with every decision and
    records final decisions; ``"dedupe"`` shows the pairs that dedupe leaves to people, side by
    side (not blinded); ``"chart"`` codes findings blind, extracts and reconciles them
    (:mod:`.chart_routes`). ``token``: the session token every request must carry (a fresh
    random one when omitted; read it back as ``app.state.token``). The review is loaded once.
    """
    token = token or new_token()
    if mode == "chart":
        from .chart_routes import chart_app
        return chart_app(review, reviewer, token)
    if mode == "dedupe":
        dsession = DedupeSession(review, reviewer)
        return assemble(_dedupe_routes(dsession), dsession, token)
    session = ScreeningSession(review, reviewer, stage, mode)

    async def api_records(request: Request) -> Response:
        ids = [i for i in request.query_params.get("ids", "").split(",") if i]
        if len(ids) > MAX_IDS:
            return json_response({"error": f"ask for at most {MAX_IDS} records at a time"}, 400)
        return json_response({"records": [session.record(i) for i in ids]})

    async def _write_decision(request: Request, write: Any) -> Response:
        """Decide (screen mode) or resolve (resolve mode): the same body, the same answers."""
        data = await read_body(request)
        return await saving(
            "decision",
            lambda e: {"saved": True, "entry": e, "progress": session.progress()},
            write,
            str(data.get("record", "")),
            str(data.get("decision", "")),
            str_or_none(data.get("reason"), "reason"),
            str_or_none(data.get("note"), "note") or "",
        )

    async def api_decide(request: Request) -> Response:
        return await _write_decision(request, session.decide)

    async def api_undo(request: Request) -> Response:
        return await saving(
            "undo", lambda r: {"record": r[0], "entry": r[1], "progress": session.progress()},
            session.undo)

    async def api_resolve(request: Request) -> Response:
        return await _write_decision(request, session.resolve)

    async def api_not_retrieved(request: Request) -> Response:
        data = await read_body(request)
        return await saving("retrieval status", lambda ft: {"saved": True, "full_text": ft},
                             session.mark_not_retrieved, str(data.get("record", "")))

    async def full_text_file(request: Request) -> Response:
        path = session.full_text_file(request.path_params["record"])
        if path is None:
            return Response("No local full text for this record.\n", 404,
                            media_type="text/plain")
        # PDFs open in the browser; anything else (HTML, Word…) is offered as a download so
        # that no file from the folder runs as a page of this app.
        if path.suffix.lower() == ".pdf":
            return FileResponse(path, media_type="application/pdf",
                                content_disposition_type="inline")
        return FileResponse(path, media_type="application/octet-stream", filename=path.name,
                            content_disposition_type="attachment")

    routes = [
        Route("/", html_route(page(
            "index.html", "implmap screening", ("text.js", "app.js"),
            progress_note='<span id="estimate" aria-live="polite"></span>'))),
        Route("/api/session", reading_route(session.info)),
        Route("/api/queue", reading_route(session.queue)),
        Route("/api/estimate", reading_route(session.estimate)),
        Route("/api/records", api_records),
        Route("/api/decide", api_decide, methods=["POST"]),
        Route("/api/undo", api_undo, methods=["POST"]),
        Route("/api/resolve", api_resolve, methods=["POST"]),
        Route("/api/full-text/not-retrieved", api_not_retrieved, methods=["POST"]),
        Route("/full-text/{record}", full_text_file),
    ]
    return assemble(routes, session, token)


def _dedupe_routes(session: DedupeSession) -> list[Route]:
    """The dedupe mode's page and API (see the module's docstring)."""
    dedupe_page = page("dedupe.html", "implmap dedupe", "dedupe.js", styles=("dedupe.css",),
                       body_class="mode-dedupe",
                       progress_note='<span id="run" class="muted" aria-live="polite"></span>')

    async def pair(request: Request) -> Response:
        try:
            n = int(request.path_params["n"])
        except ValueError:
            raise UnknownRecordError("a pair is named by its number") from None
        return json_response(await run_in_threadpool(session.pair, n))

    async def decide(request: Request) -> Response:
        data = await read_body(request)
        return await saving("decision", lambda p: {"saved": True, "pair": p}, session.decide,
                             str(data.get("a", "")), str(data.get("b", "")),
                             str(data.get("action", "")),
                             str_or_none(data.get("note"), "note") or "")

    async def undo(request: Request) -> Response:
        return await saving("undo", lambda p: {"pair": p, "progress": session.progress()},
                             session.undo)

    async def rerun(request: Request) -> Response:
        return await saving("dedupe run", lambda s: {"run": s}, session.rerun)

    reads = {"session": session.info, "pairs": session.listing}
    writes = {"decide": decide, "undo": undo, "rerun": rerun}
    return [Route("/", html_route(dedupe_page)), Route("/api/dedupe/pairs/{n}", pair),
            *(Route(f"/api/dedupe/{name}", reading_route(fn)) for name, fn in reads.items()),
            *(Route(f"/api/dedupe/{name}", fn, methods=["POST"]) for name, fn in writes.items())]


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it a response written in two parts (head,
    # body) waits for the client's delayed ACK, ~40 ms per decision.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port} ({exc.strerror}); choose another port "
            "(0 picks a free one)"
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _launch_page(review: ReviewFolder, url: str) -> Path:
    """A page in the review's scratch space (readable by its owner only) that sends the
    browser on to ``url``: the browser is started with this file's path, so the token in ``url``
    never shows in the list of processes. The caller removes it."""
    target = html.escape(url, quote=True)
    text = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={target}">'
        "<title>implmap</title></head>\n"
        f'<body><p><a href="{target}">Open the implmap app</a></p></body></html>\n'
    )
    fd, name = tempfile.mkstemp(prefix="open-app-", suffix=".html", dir=review.scratch)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:  # mkstemp: mode 0600
        fh.write(text)
    return Path(name)


def serve(
    review: ReviewFolder | str | Path,
    reviewer: str,
    stage: str = "title_abstract",
    mode: str = "screen",
    port: int = 0,
    open_browser: bool = True,
    host: str = "127.0.0.1",
    announce: Any = None,
) -> None:
    """Run the app on ``host:port`` (loopback only) until interrupted.

    Prints the URL with its token (through ``announce``, default ``print`` to stderr) and opens
    it in the web browser unless ``open_browser`` is false: through a page in the review's
    scratch space that redirects to it (removed when the app stops), so that the token is not on
    the browser's command line. ``port=0`` picks a free port.
    """
    import uvicorn

    if host not in ("127.0.0.1", "localhost"):
        raise UsageError(
            f"the screening app listens on loopback only (127.0.0.1), not on {host!r}"
        )
    bind_host = "127.0.0.1"
    app = create_app(review, reviewer, stage, mode)
    sock = _bind(bind_host, port)
    real_port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{real_port}/?token={app.state.token}"
    say = announce or (lambda text: print(text, file=sys.stderr, flush=True))
    s = app.state.session
    total = s.progress()["total"]
    noun = {"dedupe": "pair", "chart": "finding"}.get(mode, "record")
    what = f"{total} {noun}{'' if total == 1 else 's'}"
    what = f"stage {s.stage.id}, {what}" if noun == "record" else what
    say(f"implmap {mode}: {s.reviewer.id}, {what}. Open this URL (Ctrl+C stops the app):\n"
        f"  {url}")
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    # Small reviews rank in a background thread of this process (big ones in a worker
    # process); hand the GIL over more often than every 5 ms so that a request never queues
    # behind a refit for long.
    sys.setswitchinterval(0.0005)
    launch = _launch_page(s.review, url) if open_browser else None
    if launch is not None:
        launch_uri = launch.as_uri()

        def _open() -> None:
            for _ in range(100):
                if server.started:
                    break
                threading.Event().wait(0.05)
            webbrowser.open(launch_uri)

        threading.Thread(target=_open, daemon=True).start()
    # uvicorn shuts down cleanly on Ctrl+C and SIGTERM, then raises the signal again: make
    # SIGTERM end like Ctrl+C (KeyboardInterrupt) rather than kill the process on the spot, so
    # that the ranking worker is stopped too
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        with closing(sock), suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        s.close()
        if launch is not None:
            launch.unlink(missing_ok=True)
    say(f"implmap {mode} stopped; every decision is on disk.")
