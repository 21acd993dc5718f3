"""What every mode of the app shares: the records of one stage and the decisions on them.

:class:`SessionState` is the base of :class:`~implmap.app.session.ScreeningSession`; the modes
(:mod:`.screen`, :mod:`.resolve`) and the queue order (:mod:`.ordering`) build on it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import DecisionError, UnknownRecordError
from ..folder import ReviewFolder
from ..manifest import Reviewer, Stage
from ..records.links import doi_url, safe_url
from ..screening.log import DECISIONS
from ..screening.retrieval import full_text_file

__all__ = ["MODES", "SessionState"]

MODES = ("screen", "resolve")
_RECORD_KEYS = ("id", "title", "authors", "journal", "year", "keywords", "abstract", "doi")


class SessionState:
    """The in-memory state of one app: one reviewer, one stage, one mode."""

    review: ReviewFolder
    reviewer: Reviewer
    stage: Stage
    mode: str
    full_text: bool
    #: the records shown (released to this reviewer, or in conflict when resolving)
    ids: list[str]
    #: the stored records as read; a record's payload is built the first time it is asked for
    records: dict[str, dict[str, Any]]
    _payloads: dict[str, dict[str, Any]]
    mine: dict[str, dict[str, Any]]
    resolutions: dict[str, dict[str, Any]]
    conflict_info: dict[str, dict[str, Any]]
    retrieval: dict[str, dict[str, Any]]
    pilot_complete: bool
    _lock: threading.RLock
    _done: int
    #: set by a new inclusion (or "maybe"): the ranking learns from it at the next queue call
    _new_relevant: bool

    def _load(self) -> None:
        """(Re-)read the review: the records, the decisions, the order."""
        raise NotImplementedError

    def progress(self) -> dict[str, int]:
        """This reviewer's own progress (screen) or the resolver's (resolve)."""
        return {"done": self._done, "total": len(self.ids)}

    def _recount(self) -> None:
        done = self.resolutions if self.mode == "resolve" else self.mine
        self._done = sum(1 for r in done if r in self.records)

    def _payload(self, r: dict[str, Any]) -> dict[str, Any]:
        out = {k: r.get(k) for k in _RECORD_KEYS}
        out["doi_url"] = doi_url(r.get("doi"))
        out["urls"] = [u for u in (r.get("urls") or []) if safe_url(u)]
        return out

    def _check(self, rid: str, decision: str, mode: str, refusal: str) -> None:
        """Refuse a decision on ``rid`` unless this app is in ``mode`` (else ``refusal``
        says why), ``rid`` is one of its records and ``decision`` is a known decision."""
        if self.mode != mode:
            raise DecisionError(refusal)
        if rid not in self.records:
            raise UnknownRecordError(
                f"record {rid!r} is not among the records of stage {self.stage.id}"
            )
        if decision not in DECISIONS:
            raise DecisionError(
                f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}"
            )

    # ------------------------------------------------------------------------- full text
    def _full_text(self, rid: str) -> dict[str, Any] | None:
        entry = self.retrieval.get(rid)
        if not entry:
            return None
        out: dict[str, Any] = {"status": entry.get("status")}
        url = safe_url(entry.get("url"))
        if url:
            out["url"] = url
        if entry.get("file") and self.full_text_file(rid) is not None:
            out["file"] = Path(str(entry["file"])).name
            out["file_url"] = f"/full-text/{quote(rid, safe='')}"
        return out

    def full_text_file(self, rid: str) -> Path | None:
        """The local full-text file of a record, when it exists inside the review folder (or
        the manifest's full-text library)."""
        return full_text_file(self.review, self.retrieval.get(rid))


def public(entry: dict[str, Any] | None, keep_by: bool = False) -> dict[str, Any] | None:
    """What the page may see of a decision (or, with ``keep_by``, a resolution)."""
    if not entry:
        return None
    keys = ["decision", "reason", "note", "reviewer", "time"]
    if keep_by:
        keys += ["by", "method"]
    return {k: entry.get(k) for k in keys if k in entry}
