"""What the app's pages share on the server side: JSON answers, request bodies, saving
off the event loop, a page from the shared head (``templates/head.html``), and assembling the
routes behind the token guard (:mod:`.security`).
"""

from __future__ import annotations

import errno
import json
import secrets
from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import DecisionError, ImplmapError, UnknownRecordError
from .security import TokenGuard

__all__ = ["assemble", "html_route", "json_response", "not_saved", "page", "read_body",
           "reading_route", "saving", "str_or_none"]

_PKG = files("implmap.app")


def json_response(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json")


def _error(exc: Exception, status: int) -> Response:
    return json_response({"error": str(exc)}, status)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(exc, 404)


async def _refused(request: Request, exc: Exception) -> Response:
    return _error(exc, 400)


def not_saved(exc: OSError, what: str) -> Response:
    """The answer when writing ``what`` to the review folder failed: nothing was saved."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return json_response({"saved": False, "error": f"the disk is full: the {what} was NOT "
                              "saved; free space and try again"}, 507)
    why = exc.strerror or str(exc)
    where = f" ({exc.filename})" if exc.filename else ""
    return json_response({"saved": False, "error": f"could not write to the review folder{where}: "
                  f"{why}; the {what} was NOT saved; make the folder writable and try again"},
                 500)


async def saving(what: str, answer: Callable[[Any], dict[str, Any]], write: Callable[..., Any],
                  *args: Any) -> Response:
    """Run ``write(*args)`` (it writes to the review folder) off the event loop; answer
    ``answer(result)``, or say that ``what`` was NOT saved when the write failed."""
    try:
        result = await run_in_threadpool(write, *args)
    except OSError as exc:
        return not_saved(exc, what)
    return json_response(answer(result))


async def read_body(request: Request) -> dict[str, Any]:
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


def str_or_none(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise DecisionError(f"{name!r} must be a string")


async def _favicon(request: Request) -> Response:
    return Response(status_code=204)


def assemble(routes: list[Route], session: Any, token: str) -> Starlette:
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


def html_route(page: bytes) -> Callable[[Request], Awaitable[Response]]:
    """A route handler answering ``page``."""
    async def handler(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8")
    return handler


def reading_route(read: Callable[[], Any]) -> Callable[[Request], Awaitable[Response]]:
    """A route handler answering ``read()`` as JSON (run off the event loop)."""
    async def handler(request: Request) -> Response:
        return json_response(await run_in_threadpool(read))
    return handler


def page(body: str, title: str, script: str, styles: tuple[str, ...] = (),
          body_class: str = "", progress_note: str = "", scripts: tuple[str, ...] = ()) -> bytes:
    """A page of the app: the shared head and bar (``templates/head.html``), then ``body``.

    ``script`` (and then each of ``scripts``) is loaded deferred, in that order, after
    ``common.js``."""
    from string import Template

    links = "".join(f'<link rel="stylesheet" href="/static/{s}">\n' for s in styles)
    tags = "\n".join(f'<script src="/static/{s}" defer></script>' for s in (script, *scripts))
    head = Template((_PKG / "templates" / "head.html").read_text("utf-8")).substitute(
        title=title, links=links.rstrip("\n"), scripts=tags, progress_note=progress_note,
        body_class=f' class="{body_class}"' if body_class else "")
    return (head + (_PKG / "templates" / body).read_text("utf-8")).encode("utf-8")
