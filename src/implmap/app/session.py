"""What one running app holds in memory: one reviewer, one stage, one mode.

The review is read once when the app starts (records, this reviewer's own log, the order);
after that a decision goes to disk through the core and then updates memory (see
:mod:`.screen` and :mod:`.resolve`); the queue order comes from :mod:`.ordering`.

Blinding: in ``screen`` mode everything here comes from the core's blinded
:func:`implmap.screening.reviewer_view` (this reviewer's own decisions, the records released to
them, resolutions); nothing reads another reviewer's log. ``resolve`` mode shows every decision
on conflicting records, which is its purpose, and so opens for the arbiter only (the reviewer
whose role is ``third``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from .. import screening as core
from ..errors import DecisionError, UnknownRecordError, UsageError
from ..folder import ReviewFolder
from .ordering import RankedOrder
from .resolve import ResolveMode
from .screen import ScreenMode
from .state import MODES, public

__all__ = ["MODES", "ScreeningSession"]


class ScreeningSession(ScreenMode, ResolveMode, RankedOrder):
    """The in-memory state behind one app (thread-safe; decisions are serialised)."""

    def __init__(
        self,
        review: ReviewFolder | str | Path,
        reviewer: str,
        stage: str = "title_abstract",
        mode: str = "screen",
    ):
        if mode not in MODES:
            raise UsageError(f"unknown app mode {mode!r} (use one of: {', '.join(MODES)})")
        self.review = review if isinstance(review, ReviewFolder) else ReviewFolder(review)
        manifest = self.review.manifest
        self.reviewer = manifest.reviewer(reviewer)
        self.stage = manifest.stage(stage)
        if mode == "resolve" and self.reviewer.role != "third":
            # resolve mode shows every reviewer's decisions: for the arbiter only
            raise DecisionError(
                f"{reviewer!r} may not resolve conflicts (their role is "
                f"{self.reviewer.role!r}): only the arbiter, a reviewer whose role is 'third' "
                f"in implmap.yaml, resolves them and sees every reviewer's decisions (the "
                f"arbiter: {', '.join(manifest.arbiters) or 'none is named'})"
            )
        self.mode = mode
        self.full_text = self.stage.id == "full_text"
        self._lock = threading.RLock()
        self._undo = []
        self.ordering = "seeded"
        self._reranking = False
        self._new_relevant = False
        self._worker = None
        self._closed = False
        self._load()

    # ------------------------------------------------------------------------- loading
    def _load(self) -> None:
        review, stage, me = self.review, self.stage.id, self.reviewer.id
        if self.mode == "screen":
            view = core.reviewer_view(review, me, stage)
            ids = list(view.released)
            self.mine = dict(view.decisions)
            self.resolutions = dict(view.resolutions)
            self.pilot_complete = view.pilot_complete
            self.conflict_info = {}
        else:
            self.conflict_info = {
                c["record"]: c for c in core.conflict_dicts(review, stage, include_resolved=True)
            }
            ids = list(self.conflict_info)
            self.resolutions = dict(core.resolutions(review, stage))
            self.pilot_complete = True
            self.mine = {}
        self.ids = ids
        wanted = set(ids)
        self.records = {r["id"]: r for r in review.record_dicts() if r["id"] in wanted}
        self._payloads = {}
        self.retrieval = dict(core.retrieval(review)) if self.full_text else {}
        self._log_size = self._own_log_size()
        self._ranked = self._initial_order()
        self._ranked_at = len(self.mine)
        self._recount()

    # ------------------------------------------------------------------------- reading
    def info(self) -> dict[str, Any]:
        m = self.review.manifest
        return {
            "review_title": m.title,
            "question": m.question,
            "reviewer": self.reviewer.id,
            "reviewer_name": self.reviewer.name or self.reviewer.id,
            "stage": self.stage.id,
            "stage_name": self.stage.name or self.stage.id,
            "stage_is_full_text": self.full_text,
            "reasons_required": self.stage.reasons_required,
            "exclusion_reasons": list(m.exclusion_reasons),
            "include_terms": list(m.include_terms),
            "exclude_terms": list(m.exclude_terms),
            "mode": self.mode,
            "ordering": self.ordering,
            "pilot": not self.pilot_complete,
            "progress": self.progress(),
        }

    def queue(self) -> dict[str, Any]:
        """The order to show: already-decided records first (in ranked order), then the rest."""
        self.refresh_own_log()
        self._maybe_rerank()
        with self._lock:
            done = self.resolutions if self.mode == "resolve" else self.mine
            first = [r for r in self._ranked if r in done]
            rest = [r for r in self._ranked if r not in done]
            return {
                "order": first + rest,
                "decided": first,
                "progress": self.progress(),
                "ordering": self.ordering,
            }

    def record(self, rid: str) -> dict[str, Any]:
        """One record as the app shows it, with this reviewer's own decision (or, when
        resolving, everyone's decisions and the resolution)."""
        try:
            raw = self.records[rid]
        except KeyError:
            raise UnknownRecordError(
                f"record {rid!r} is not among the records of stage {self.stage.id}"
            ) from None
        base = self._payloads.get(rid)
        if base is None:
            base = self._payloads[rid] = self._payload(raw)
        out = dict(base)
        if self.mode == "screen":
            out["mine"] = public(self.mine.get(rid))
            # public once resolved (the resolution names who resolved it, not who decided what)
            final = self.resolutions.get(rid)
            out["final"] = final.get("decision") if final else None
        else:
            out["decisions"] = [public(d) for d in self.conflict_info[rid].get("decisions", [])]
            out["resolution"] = public(self.resolutions.get(rid), keep_by=True)
        if self.full_text:
            out["full_text"] = self._full_text(rid)
        return out
