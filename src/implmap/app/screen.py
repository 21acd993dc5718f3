"""Screen mode: one reviewer's own decisions, blind to the others'.

A decision goes to disk through the core (:func:`implmap.screening.decide`, an fsynced append)
and then updates memory, so a round trip never re-reads the review. When this reviewer's own
log grows behind the app's back (a second tab, a second app), the app notices by the file's
size and re-reads that one log, through the core's blinded
:func:`implmap.screening.reviewer_view`.
"""

from __future__ import annotations

from typing import Any

from .. import screening as core
from ..errors import DecisionError, UnknownRecordError
from ..fsio import dump_json_line
from .state import SessionState

__all__ = ["ScreenMode"]


class ScreenMode(SessionState):
    """Deciding, undoing, and noticing this reviewer's own log grow behind the app's back."""

    _undo: list[tuple[str, dict[str, Any] | None]]
    _log_size: int

    def _own_log_size(self) -> int:
        try:
            return self.review.decision_log(self.reviewer.id, self.stage.id).stat().st_size
        except FileNotFoundError:
            return 0

    def refresh_own_log(self) -> None:
        """Re-read this reviewer's own log if it grew behind the app's back (another tab), and
        the whole view while a pilot round holds the other records back."""
        if self.mode != "screen":
            return
        if not self.pilot_complete:
            view = core.reviewer_view(self.review, self.reviewer.id, self.stage.id)
            with self._lock:
                if view.pilot_complete or list(view.released) != self.ids:
                    self._load()  # the pilot is over: the other records are released now
                    self._undo.clear()
                else:
                    self._take(view)
            return
        if self._own_log_size() != self._log_size:
            with self._lock:
                self._take(core.reviewer_view(self.review, self.reviewer.id, self.stage.id))

    def _take(self, view: core.ReviewerView) -> None:
        """Adopt this reviewer's decisions and the resolutions from a fresh ``view``."""
        self.mine = dict(view.decisions)
        self.resolutions = dict(view.resolutions)
        self._log_size = self._own_log_size()
        self._recount()

    def decide(self, rid: str, decision: str, reason: str | None = None,
               note: str = "") -> dict[str, Any]:
        """Record this reviewer's decision; returns once it is on disk. When the write fails
        (``OSError``: a full disk) nothing is saved, nothing in memory changes, and the error
        is raised for the server to answer."""
        self._check(rid, decision, "screen",
                    "this app is in resolve mode; it records resolutions only")
        with self._lock:
            before = self._own_log_size()
            entry = core.decide(
                self.review, self.reviewer.id, self.stage.id, rid, decision,
                reason=reason or None, note=note or "",
            )
            self._undo.append((rid, self.mine.get(rid)))
            self._done += rid not in self.mine
            self._new_relevant |= decision in ("include", "maybe")
            self.mine[rid] = entry
            self._wrote(before, entry)
            return entry

    def _wrote(self, before: int, entry: dict[str, Any] | None) -> None:
        """Account for our own append, so that only appends by others trigger a re-read. When
        the log grew by more than our line (another app of this reviewer wrote too), the size
        is left stale and the next queue call re-reads the log."""
        if entry is None or before != self._log_size:
            return
        size = len(dump_json_line(entry).encode("utf-8"))
        after = self._own_log_size()
        if after - before in (size, size + 1):  # +1: a newline after a torn line
            self._log_size = after

    def undo(self) -> tuple[str | None, dict[str, Any] | None]:
        """Take back this session's last decision: the record gets its previous decision back
        (or none). Returns ``(record, entry now in force)``; ``(None, None)`` if nothing to undo."""
        with self._lock:
            if not self._undo:
                return None, None
            rid, previous = self._undo[-1]
            before = self._own_log_size()
            # a failed write (a full disk) raises here and leaves the undo step in place
            entry = core.undo(self.review, self.reviewer.id, self.stage.id, rid, previous)
            self._undo.pop()
            self._done += (entry is not None) - (rid in self.mine)
            if entry is None:
                self.mine.pop(rid, None)
            else:
                self.mine[rid] = entry
            self._wrote(before, entry)  # a withdrawal (None) is simply re-read next time
            return rid, entry

    def mark_not_retrieved(self, rid: str) -> dict[str, Any] | None:
        """Record that the full text of ``rid`` could not be obtained."""
        if not self.full_text:
            raise DecisionError("full-text retrieval belongs to the full_text stage")
        if rid not in self.records:
            raise UnknownRecordError(f"record {rid!r} is not among the records of this stage")
        with self._lock:
            entry = core.mark_retrieval(self.review, rid, "not_retrieved",
                                        reviewer=self.reviewer.id)
            self.retrieval[rid] = entry
            return self._full_text(rid)

    def estimate(self) -> dict[str, Any]:
        """The stopping estimate from this reviewer's own decisions (and the resolutions of
        records they decided): blind to every other reviewer, like the ranking."""
        from ..prioritise.progress import screening_progress

        if self.mode != "screen":
            raise DecisionError("the stopping estimate belongs to screen mode")
        est = screening_progress(self.review, self.reviewer.id, self.stage.id).estimate
        return {
            "sentence": "Stopping estimate: " + est.sentence(),
            "detail": ("Recall here means the share of the records you would include that "
                       "you have found; the estimate assumes the records not yet screened "
                       "are in no particular order, which a ranked queue is not, so it "
                       "errs on the safe side."),
            "reached": est.reached,
            "found": est.found,
            "screened": est.screened,
            "recall_lower_bound": est.recall_lower_bound,
        }
