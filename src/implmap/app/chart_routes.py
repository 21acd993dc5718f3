"""The charting mode's page and API (a :class:`~implmap.app.chart.ChartSession` behind them).

Routes (every one behind the session token, see :mod:`.security`)::

    GET  /                          the page (chart.html with /static/chart.js, codebook.js)
    GET  /api/chart/session         who, which review, whether they may reconcile, progress
    GET  /api/chart/studies         studies, findings, this coder's own tags, agreed tags
    GET  /api/chart/vocabulary      TDF v2 domains with definitions and constructs, themes
    GET  /api/chart/suggestions?study=S&finding=F   ranked suggested domains and themes
    POST /api/chart/code            {study, finding, tdf, themes, note} -> this coder's log
    POST /api/chart/withdraw        {study, finding}
    POST /api/chart/extract         {action: add|edit|delete, study, finding, statement, …}
    GET  /api/chart/reconcile       both codings side by side (403 unless this coder may)
    POST /api/chart/reconcile       {study, finding, tdf, themes} -> the agreed tags
    GET  /api/chart/themes, POST /api/chart/themes/{add,rename,describe,merge}
                                    the codebook panel (see :mod:`.chart_codebook`)
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import DecisionError
from ..folder import ReviewFolder
from . import web
from .chart import ChartSession, ReconcileRefused
from .chart_codebook import codebook_routes

__all__ = ["chart_app"]


def _list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DecisionError(f"{name!r} must be a list")
    return value


def chart_app(review: ReviewFolder | Any, reviewer: str, token: str) -> Starlette:
    """The charting app for ``reviewer`` (see :func:`implmap.app.create_app`)."""
    session = ChartSession(review, reviewer)
    chart_page = web.page("chart.html", "implmap charting",
                          ("terms.js", "chart.js", "codebook.js"),
                          styles=("chart.css",), body_class="mode-chart")

    async def suggestions(request: Request) -> Response:
        q = request.query_params
        return web.json_response(await run_in_threadpool(session.suggestions, q.get("study", ""),
                                             q.get("finding", "")))

    def _key(data: dict[str, Any]) -> tuple[str, str]:
        return str(data.get("study", "")), str(data.get("finding", ""))

    async def code(request: Request) -> Response:
        data = await web.read_body(request)
        return await web.saving("coding", lambda r: r, session.code, *_key(data),
                             _list(data.get("tdf"), "tdf"), _list(data.get("themes"), "themes"),
                             web.str_or_none(data.get("note"), "note") or "")

    async def withdraw(request: Request) -> Response:
        data = await web.read_body(request)
        return await web.saving("withdrawal", lambda r: r, session.withdraw, *_key(data))

    async def extract(request: Request) -> Response:
        data = await web.read_body(request)
        return await web.saving("finding", lambda r: r, session.extract,
                             str(data.get("action", "")), str(data.get("study", "")), data)

    async def reconciling(request: Request) -> Response:
        try:
            if request.method == "GET":
                return web.json_response(await run_in_threadpool(session.reconciling))
            data = await web.read_body(request)
            return await web.saving("agreed coding", lambda r: r, session.reconcile, *_key(data),
                                 _list(data.get("tdf"), "tdf"),
                                 _list(data.get("themes"), "themes"))
        except ReconcileRefused as exc:
            return web.json_response({"error": str(exc)}, 403)

    reads = {"session": session.info, "studies": session.studies,
             "vocabulary": session.vocabulary}
    writes = {"code": code, "withdraw": withdraw, "extract": extract}
    routes = [Route("/", web.html_route(chart_page)), Route("/api/chart/suggestions", suggestions),
              Route("/api/chart/reconcile", reconciling, methods=["GET", "POST"]),
              *(Route(f"/api/chart/{name}", web.reading_route(fn)) for name, fn in reads.items()),
              *(Route(f"/api/chart/{name}", fn, methods=["POST"])
                for name, fn in writes.items()), *codebook_routes(session)]
    return web.assemble(routes, session, token)
