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

import errno
import html
import json
import os
import secrets
import signal
import socket
import sys
import tempfile
import threading
import webbrowser
from collections.abc import Awaitable, Callable
from contextlib import closing, suppress
from importlib.resources import files
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import DecisionError, ImplmapError, UnknownRecordError, UsageError
from ..folder import ReviewFolder
from .dedupe import DedupeSession
from .security import TokenGuard, new_token
from .session import ScreeningSession

__all__ = ["create_app", "serve"]

_PKG = files("implmap.app")
MAX_IDS = 200


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json")


def _error(exc: Exception, status: int) -> Response:
    return _json({"error": str(exc)}, status)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(exc, 404)


async def _refused(request: Request, exc: Exception) -> Response:
    return _error(exc, 400)


def _not_saved(exc: OSError, what: str) -> Response:
    """The answer when writing ``what`` to the review folder failed: nothing was saved."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _json({"saved": False, "error": f"the disk is full: the {what} was NOT saved; "
                      "free space and try again"}, 507)
    why = exc.strerror or str(exc)
    where = f" ({exc.filename})" if exc.filename else ""
    return _json({"saved": False, "error": f"could not write to the review folder{where}: "
                  f"{why}; the {what} was NOT saved; make the folder writable and try again"},
                 500)


async def _saving(what: str, answer: Callable[[Any], dict[str, Any]], write: Callable[..., Any],
                  *args: Any) -> Response:
    """Run ``write(*args)`` (it writes to the review folder) off the event loop; answer
    ``answer(result)``, or say that ``what`` was NOT saved when the write failed."""
    try:
        result = await run_in_threadpool(write, *args)
    except OSError as exc:
        return _not_saved(exc, what)
    return _json(answer(result))


async def _body(request: Request) -> dict[str, Any]:
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("application/json"):
        raise DecisionError("send the request body as JSON (Content-Type: application/json)")
    try:
        data = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise DecisionError("the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise DecisionError("the request body must be a JSON object")
    return data


def _str_or_none(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise DecisionError(f"{name!r} must be a string")


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
        return _assemble(_dedupe_routes(dsession), dsession, token)
    session = ScreeningSession(review, reviewer, stage, mode)

    async def api_records(request: Request) -> Response:
        ids = [i for i in request.query_params.get("ids", "").split(",") if i]
        if len(ids) > MAX_IDS:
            return _json({"error": f"ask for at most {MAX_IDS} records at a time"}, 400)
        return _json({"records": [session.record(i) for i in ids]})

    async def _write_decision(request: Request, write: Any) -> Response:
        """Decide (screen mode) or resolve (resolve mode): the same body, the same answers."""
        data = await _body(request)
        return await _saving(
            "decision",
            lambda e: {"saved": True, "entry": e, "progress": session.progress()},
            write,
            str(data.get("record", "")),
            str(data.get("decision", "")),
            _str_or_none(data.get("reason"), "reason"),
            _str_or_none(data.get("note"), "note") or "",
        )

    async def api_decide(request: Request) -> Response:
        return await _write_decision(request, session.decide)

    async def api_undo(request: Request) -> Response:
        return await _saving(
            "undo", lambda r: {"record": r[0], "entry": r[1], "progress": session.progress()},
            session.undo)

    async def api_resolve(request: Request) -> Response:
        return await _write_decision(request, session.resolve)

    async def api_not_retrieved(request: Request) -> Response:
        data = await _body(request)
        return await _saving("retrieval status", lambda ft: {"saved": True, "full_text": ft},
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
        Route("/", _html(_page("index.html", "implmap screening", "app.js", progress_note=(
            '<span id="estimate" aria-live="polite"></span>')))),
        Route("/api/session", _reading(session.info)),
        Route("/api/queue", _reading(session.queue)),
        Route("/api/estimate", _reading(session.estimate)),
        Route("/api/records", api_records),
        Route("/api/decide", api_decide, methods=["POST"]),
        Route("/api/undo", api_undo, methods=["POST"]),
        Route("/api/resolve", api_resolve, methods=["POST"]),
        Route("/api/full-text/not-retrieved", api_not_retrieved, methods=["POST"]),
        Route("/full-text/{record}", full_text_file),
    ]
    return _assemble(routes, session, token)


async def _favicon(request: Request) -> Response:
    return Response(status_code=204)


def _assemble(routes: list[Route], session: Any, token: str) -> Starlette:
    """The app: ``routes``, the favicon and the static files, behind the token guard."""
    every: list[Route | Mount] = [
        *routes, Route("/favicon.ico", _favicon),
        Mount("/static", StaticFiles(packages=[("implmap.app", "static")]), name="static")]
    # what a request got wrong comes back as {"error": ...}: an unknown record as 404, any
    # other of our errors (a bad body, a decision the review's rules refuse) as 400
    # the cookie key lives as long as this app: its cookies open this app and no other
    guard = Middleware(TokenGuard, token=token, key=secrets.token_bytes(32))
    app = Starlette(routes=every, middleware=[guard],
                    exception_handlers={UnknownRecordError: _not_found, ImplmapError: _refused})
    app.state.token = token
    app.state.session = session
    return app


def _html(page: bytes) -> Callable[[Request], Awaitable[Response]]:
    """A route handler answering ``page``."""
    async def handler(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8")
    return handler


def _reading(read: Callable[[], Any]) -> Callable[[Request], Awaitable[Response]]:
    """A route handler answering ``read()`` as JSON (run off the event loop)."""
    async def handler(request: Request) -> Response:
        return _json(await run_in_threadpool(read))
    return handler


def _page(body: str, title: str, script: str, styles: tuple[str, ...] = (),
          body_class: str = "", progress_note: str = "") -> bytes:
    """A page of the app: the shared head and bar (``templates/head.html``), then ``body``."""
    from string import Template

    links = "".join(f'<link rel="stylesheet" href="/static/{s}">\n' for s in styles)
    head = Template((_PKG / "templates" / "head.html").read_text("utf-8")).substitute(
        title=title, links=links.rstrip("\n"), script=script, progress_note=progress_note,
        body_class=f' class="{body_class}"' if body_class else "")
    return (head + (_PKG / "templates" / body).read_text("utf-8")).encode("utf-8")


def _dedupe_routes(session: DedupeSession) -> list[Route]:
    """The dedupe mode's page and API (see the module's docstring)."""
    page = _page("dedupe.html", "implmap dedupe", "dedupe.js", styles=("dedupe.css",),
                 body_class="mode-dedupe",
                 progress_note='<span id="run" class="muted" aria-live="polite"></span>')

    async def pair(request: Request) -> Response:
        try:
            n = int(request.path_params["n"])
        except ValueError:
            raise UnknownRecordError("a pair is named by its number") from None
        return _json(await run_in_threadpool(session.pair, n))

    async def decide(request: Request) -> Response:
        data = await _body(request)
        return await _saving("decision", lambda p: {"saved": True, "pair": p}, session.decide,
                             str(data.get("a", "")), str(data.get("b", "")),
                             str(data.get("action", "")),
                             _str_or_none(data.get("note"), "note") or "")

    async def undo(request: Request) -> Response:
        return await _saving("undo", lambda p: {"pair": p, "progress": session.progress()},
                             session.undo)

    async def rerun(request: Request) -> Response:
        return await _saving("dedupe run", lambda s: {"run": s}, session.rerun)

    reads = {"session": session.info, "pairs": session.listing}
    writes = {"decide": decide, "undo": undo, "rerun": rerun}
    return [Route("/", _html(page)), Route("/api/dedupe/pairs/{n}", pair),
            *(Route(f"/api/dedupe/{name}", _reading(fn)) for name, fn in reads.items()),
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
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={target}">'
        "<title>implmap</title></head>\n"
        f'<body><p><a href="{target}">Open the implmap app</a></p></body></html>\n'
    )
    fd, name = tempfile.mkstemp(prefix="open-app-", suffix=".html", dir=review.scratch)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:  # mkstemp: mode 0600
        fh.write(page)
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
        page = launch.as_uri()

        def _open() -> None:
            for _ in range(100):
                if server.started:
                    break
                threading.Event().wait(0.05)
            webbrowser.open(page)

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
