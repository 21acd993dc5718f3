"""The charting mode's codebook panel: list the review's themes, add, rename, describe and
merge them (each edit is a function of :mod:`implmap.charting.codebook`, which keeps every
finding's and coder's references in step and logs what a merge moved).

Routes (behind the session token, added to the charting app by :mod:`.chart_routes`)::

    GET  /api/chart/themes            the themes, each with its count of agreed findings
    POST /api/chart/themes/add        {id, name, description}
    POST /api/chart/themes/rename     {id, name}
    POST /api/chart/themes/describe   {id, description}
    POST /api/chart/themes/merge      {sources: [id, …], into}

Any coder may edit the codebook (it is shared by the review). The counts come from the
agreed tags only (a finding with ``agreed_by``), never from a coder's own tags, so the panel
keeps coding blind; for the same reason a merge answers no count of the coders' tags it moved.
An unknown or taken ID, or an empty name, is refused with a :class:`~implmap.errors.UsageError`
(the app answers it as 400 with the message).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..charting import codebook
from ..charting.store import load_studies
from ..charting.vocab import load_themes
from ..errors import DecisionError
from . import web
from .chart import ChartSession

__all__ = ["codebook_routes", "edit_codebook", "theme_listing"]

ACTIONS = ("add", "rename", "describe", "merge")


def theme_listing(session: ChartSession) -> dict[str, Any]:
    """The codebook's themes (id, name, description) with how many agreed findings use each
    (``agreed``), and how many findings are agreed in all (``agreed_findings``)."""
    agreed = [f for s in load_studies(session.review) for f in s.findings if f.agreed_by]
    uses = Counter(t for f in agreed for t in dict.fromkeys(f.themes))
    return {"themes": [{"id": t.id, "name": t.name, "description": t.description,
                        "agreed": uses[t.id]} for t in load_themes(session.review)],
            "agreed_findings": len(agreed)}


def _text(data: dict[str, Any], name: str) -> str:
    return web.str_or_none(data.get(name), name) or ""


def _ids(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise DecisionError("'sources' must be a list of theme IDs")
    return value


def edit_codebook(session: ChartSession, action: str, data: dict[str, Any]) -> dict[str, Any]:
    """Apply one codebook edit (``add``, ``rename``, ``describe`` or ``merge``) from a request
    body; answer what changed and the new listing. The session's vocabulary is reloaded."""
    review, theme_id = session.review, _text(data, "id")
    done: dict[str, Any] = {"saved": True, "action": action}
    if action == "add":
        theme = codebook.add_theme(review, theme_id, _text(data, "name"),
                                   _text(data, "description"))
        done["theme"] = theme.id
    elif action == "rename":
        done["theme"] = codebook.rename_theme(review, theme_id, _text(data, "name")).id
    elif action == "describe":
        done["theme"] = codebook.describe_theme(review, theme_id, _text(data, "description")).id
    elif action == "merge":
        sources, into = _ids(data.get("sources")), _text(data, "into")
        codebook.merge_themes(review, sources, into)
        done.update(theme=into, merged=sources)
    else:  # pragma: no cover - the routes name only ACTIONS
        raise DecisionError(f"themes: {', '.join(ACTIONS)}, not {action!r}")
    session.codebook_changed()
    return {**done, **theme_listing(session)}


def codebook_routes(session: ChartSession) -> list[Route]:
    """The panel's routes (see the module's docstring)."""
    def writer(action: str) -> Any:
        async def handler(request: Request) -> Response:
            data = await web.read_body(request)
            return await web.saving("codebook change", lambda r: r, edit_codebook, session,
                                    action, data)
        return handler

    return [Route("/api/chart/themes", web.reading_route(lambda: theme_listing(session))),
            *(Route(f"/api/chart/themes/{a}", writer(a), methods=["POST"]) for a in ACTIONS)]
