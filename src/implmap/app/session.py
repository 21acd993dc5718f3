"""What one running app holds in memory: one reviewer, one stage, one mode.

The review is read once when the app starts (records, this reviewer's own log, the order); after
that, a decision goes to disk through the core (:func:`implmap.screening.decide`, an fsynced
append) and then updates memory, so a round trip never re-reads the review. When this reviewer's
own log grows behind the app's back (a second tab, a second app), the app notices by the file's
size and re-reads that one log.

Blinding: in ``screen`` mode everything here comes from the core's blinded
:func:`implmap.screening.reviewer_view` (this reviewer's own decisions, the records released to
them, resolutions); nothing reads another reviewer's log. ``resolve`` mode shows every decision
on conflicting records, which is its purpose.
"""

from __future__ import annotations

import importlib
import logging
import threading
import weakref
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import DecisionError, ImplmapError, UnknownRecordError
from ..folder import ReviewFolder
from ..fsio import dump_json_line
from ..prioritise.ranking import seeded_order
from ..records.links import doi_url, safe_url
from ..screening.log import DECISIONS

__all__ = ["MODES", "ScreeningSession"]

MODES = ("screen", "resolve")
RERANK_EVERY = 25
RANK_WAIT = 1.5  # seconds the app waits for the ranking at start before showing the seeded order
#: From this many records on, the ranking runs in a worker process (RankingWorker), where
#: building TF-IDF and refitting never hold up a request; below it, a thread is quicker.
RANK_IN_WORKER_FROM = 2000
log = logging.getLogger("implmap.app")
_RECORD_KEYS = ("id", "title", "authors", "journal", "year", "keywords", "abstract", "doi")


def _ranking_module() -> Any:
    """``implmap.prioritise.ranking`` when it is installed, else ``None``."""
    try:
        return importlib.import_module("implmap.prioritise.ranking")
    except ImportError:
        return None


def _complete(order: Any, ids: list[str]) -> list[str]:
    """``order`` restricted to ``ids``, without repeats, with any ID it lacks appended in the
    order of ``ids``: whatever the ranking returns, every record is shown exactly once."""
    known = set(ids)
    seen: set[str] = set()
    out = []
    for rid in order:
        if rid in known and rid not in seen:
            seen.add(rid)
            out.append(rid)
    out.extend(r for r in ids if r not in seen)
    return out


class ScreeningSession:
    """The in-memory state behind one app (thread-safe; decisions are serialised)."""

    def __init__(
        self,
        review: ReviewFolder | str | Path,
        reviewer: str,
        stage: str = "title_abstract",
        mode: str = "screen",
    ):
        if mode not in MODES:
            raise ImplmapError(f"unknown app mode {mode!r} (use one of: {', '.join(MODES)})")
        self.review = review if isinstance(review, ReviewFolder) else ReviewFolder(review)
        manifest = self.review.manifest
        self.reviewer = manifest.reviewer(reviewer)
        self.stage = manifest.stage(stage)
        self.mode = mode
        self.full_text = self.stage.id == "full_text"
        self._lock = threading.RLock()
        self._undo: list[tuple[str, dict[str, Any] | None]] = []
        self.ordering = "seeded"
        self._reranking = False
        self._new_relevant = False
        self._worker: Any = None
        self._closed = False
        self._load()

    # ------------------------------------------------------------------------- loading
    def _load(self) -> None:
        from .. import screening as core

        review, stage, me = self.review, self.stage.id, self.reviewer.id
        if self.mode == "screen":
            view = core.reviewer_view(review, me, stage)
            ids = list(view.released)
            self.mine: dict[str, dict[str, Any]] = dict(view.decisions)
            self.resolutions: dict[str, dict[str, Any]] = dict(view.resolutions)
            self.pilot_complete = view.pilot_complete
            self.conflict_info: dict[str, dict[str, Any]] = {}
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
        # the stored records as read; a record's payload is built the first time it is asked for
        self.records: dict[str, dict[str, Any]] = {
            r["id"]: r for r in review.record_dicts() if r["id"] in wanted
        }
        self._payloads: dict[str, dict[str, Any]] = {}
        self.retrieval = dict(core.retrieval(review)) if self.full_text else {}
        self._log_size = self._own_log_size()
        self._ranked = self._initial_order()
        self._ranked_at = len(self.mine)
        self._recount()

    def _payload(self, r: dict[str, Any]) -> dict[str, Any]:
        out = {k: r.get(k) for k in _RECORD_KEYS}
        out["doi_url"] = doi_url(r.get("doi"))
        out["urls"] = [u for u in (r.get("urls") or []) if safe_url(u)]
        return out

    def _own_log_path(self) -> Path:
        return self.review.root / "screening" / self.stage.id / f"{self.reviewer.id}.jsonl"

    def _own_log_size(self) -> int:
        try:
            return self._own_log_path().stat().st_size
        except FileNotFoundError:
            return 0

    def _initial_order(self) -> list[str]:
        """Resolve mode: record order. Screen mode: the ranking's order when it is installed
        and answers within ``RANK_WAIT`` seconds; else the seeded order at once, and the
        ranking's order as soon as it is ready (the page picks it up on its next queue call)."""
        if self.mode == "resolve":
            return sorted(self.ids)
        seeded = seeded_order(self.ids, self.review.manifest.screening_seed, self.reviewer.id,
                               self.stage.id)
        order_for = self._order_function()
        if order_for is None:
            self.ordering = "seeded"
            return seeded
        ids = list(self.ids)
        box: dict[str, Any] = {"late": False}

        def work() -> None:
            try:
                order = _complete(order_for(self.review, self.reviewer.id, self.stage.id, ids),
                                  seeded)
            except Exception as exc:  # keep the seeded order; say why on the console
                log.warning("ranking failed, records stay in the seeded order: %s", exc)
                with self._lock:
                    box["failed"] = True
                    if box["late"]:
                        self.ordering = "seeded"
                return
            with self._lock:
                box["order"] = order
                if box["late"] and self.ids == ids:
                    self._ranked = order
                    self.ordering = "ranked"

        thread = threading.Thread(target=work, name="implmap-rank", daemon=True)
        thread.start()
        # a worker process needs seconds (start-up, TF-IDF of a big review) before its first
        # order: do not hold up the app's start for it
        thread.join(RANK_WAIT if self._worker is None else 0)
        with self._lock:
            if "order" in box:
                self.ordering = "ranked"
                return box["order"]
            box["late"] = True
            self.ordering = "seeded" if box.get("failed") else "ranking"
            return seeded

    def _rank(self, ids: list[str]) -> list[str]:
        seeded = seeded_order(ids, self.review.manifest.screening_seed, self.reviewer.id,
                               self.stage.id)
        order_for = self._order_function()
        if order_for is None:
            return seeded
        return _complete(order_for(self.review, self.reviewer.id, self.stage.id, ids), seeded)

    def _order_function(self) -> Any:
        """What to call (from a background thread) to rank records: the ranking module's
        ``order_for``, run in a worker process for big reviews; ``None`` without ranking."""
        ranking = _ranking_module()
        if ranking is None or self._closed:
            return None
        worker_class = getattr(ranking, "RankingWorker", None)
        if worker_class is None or len(self.ids) < RANK_IN_WORKER_FROM:
            return ranking.order_for
        with self._lock:
            if self._worker is None:
                self._worker = worker_class(self.review.root, self.reviewer.id, self.stage.id)
                weakref.finalize(self, self._worker.close)
            worker = self._worker
        return lambda _review, _reviewer, _stage, ids: worker.order_for(ids)

    def close(self) -> None:
        """Stop the ranking worker, if there is one (the app calls this when it stops)."""
        with self._lock:
            self._closed = True
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.close()

    def refresh_own_log(self) -> None:
        """Re-read this reviewer's own log if it grew behind the app's back (another tab), and
        the whole view while a pilot round holds the other records back."""
        from .. import screening as core

        if self.mode != "screen":
            return
        if not self.pilot_complete:
            view = core.reviewer_view(self.review, self.reviewer.id, self.stage.id)
            with self._lock:
                if view.pilot_complete or list(view.released) != self.ids:
                    self._load()  # the pilot is over: the other records are released now
                    self._undo.clear()
                else:
                    self.mine = dict(view.decisions)
                    self.resolutions = dict(view.resolutions)
                    self._log_size = self._own_log_size()
                    self._recount()
            return
        size = self._own_log_size()
        if size != self._log_size:
            with self._lock:
                view = core.reviewer_view(self.review, self.reviewer.id, self.stage.id)
                self.mine = dict(view.decisions)
                self.resolutions = dict(view.resolutions)
                self._log_size = self._own_log_size()
                self._recount()

    # ------------------------------------------------------------------------- reading
    def progress(self) -> dict[str, int]:
        """This reviewer's own progress (screen) or the resolver's (resolve)."""
        return {"done": self._done, "total": len(self.ids)}

    def _recount(self) -> None:
        done = self.resolutions if self.mode == "resolve" else self.mine
        self._done = sum(1 for r in done if r in self.records)

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

    def _maybe_rerank(self) -> None:
        """Re-rank the undecided records in the background after each new inclusion (or
        "maybe") and otherwise after every RERANK_EVERY decisions, as the simulations do (the
        ranking learns from this reviewer's own decisions), never blocking a request."""
        if self.ordering != "ranked" or self.mode != "screen" or self._reranking:
            return
        if not self._new_relevant and len(self.mine) - self._ranked_at < RERANK_EVERY:
            return
        self._reranking = True
        self._new_relevant = False
        self._ranked_at = len(self.mine)

        def work() -> None:
            try:
                ranked = self._rank(list(self.ids))
                with self._lock:
                    self._ranked = ranked
            except Exception as exc:  # keep the old order; say why on the console
                log.warning("re-ranking failed, keeping the previous order: %s", exc)
            finally:
                self._reranking = False

        threading.Thread(target=work, name="implmap-rerank", daemon=True).start()

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
            out["mine"] = _public(self.mine.get(rid))
            # public once resolved (the resolution names who resolved it, not who decided what)
            final = self.resolutions.get(rid)
            out["final"] = final.get("decision") if final else None
        else:
            out["decisions"] = [_public(d) for d in self.conflict_info[rid].get("decisions", [])]
            out["resolution"] = _public(self.resolutions.get(rid), keep_by=True)
        if self.full_text:
            out["full_text"] = self._full_text(rid)
        return out

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
        """The local full-text file of a record, when it exists inside the review folder."""
        entry = self.retrieval.get(rid) or {}
        name = entry.get("file")
        if not name:
            return None
        path = (self.review.root / str(name)).resolve()
        if not path.is_relative_to(self.review.root) or not path.is_file():
            return None
        return path

    # ------------------------------------------------------------------------- writing
    def _check(self, rid: str, decision: str) -> None:
        if rid not in self.records:
            raise UnknownRecordError(
                f"record {rid!r} is not among the records of stage {self.stage.id}"
            )
        if decision not in DECISIONS:
            raise DecisionError(
                f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}"
            )

    def decide(
        self, rid: str, decision: str, reason: str | None = None, note: str = ""
    ) -> dict[str, Any]:
        """Record this reviewer's decision; returns once it is on disk."""
        from .. import screening as core

        if self.mode != "screen":
            raise DecisionError("this app is in resolve mode; it records resolutions only")
        self._check(rid, decision)
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
        from .. import screening as core

        with self._lock:
            if not self._undo:
                return None, None
            rid, previous = self._undo.pop()
            before = self._own_log_size()
            entry = core.undo(self.review, self.reviewer.id, self.stage.id, rid, previous)
            self._done += (entry is not None) - (rid in self.mine)
            if entry is None:
                self.mine.pop(rid, None)
            else:
                self.mine[rid] = entry
            self._wrote(before, entry)  # a withdrawal (None) is simply re-read next time
            return rid, entry

    def resolve(
        self, rid: str, decision: str, reason: str | None = None, note: str = ""
    ) -> dict[str, Any]:
        """Record the final decision on a conflicting record (resolve mode)."""
        from .. import screening as core

        if self.mode != "resolve":
            raise DecisionError("this app is in screen mode; start 'implmap resolve' to resolve")
        self._check(rid, decision)
        me = self.reviewer.id
        deciders = [d.get("reviewer") for d in self.conflict_info[rid].get("decisions", [])]
        if me in deciders:  # one of the screeners settles it: by consensus, with the others
            by, method = sorted({me, *[d for d in deciders if isinstance(d, str)]}), "consensus"
        else:
            by, method = [me], "third_reviewer"
        with self._lock:
            entry = core.resolve(
                self.review, self.stage.id, rid, decision, by=by, method=method,
                reason=reason or None, note=note or "",
            )
            self._done += rid not in self.resolutions
            self.resolutions[rid] = entry
            return entry

    def mark_not_retrieved(self, rid: str) -> dict[str, Any] | None:
        """Record that the full text of ``rid`` could not be obtained."""
        from .. import screening as core

        if not self.full_text:
            raise DecisionError("full-text retrieval belongs to the full_text stage")
        if rid not in self.records:
            raise UnknownRecordError(f"record {rid!r} is not among the records of this stage")
        with self._lock:
            entry = core.mark_retrieval(self.review, rid, "not_retrieved")
            self.retrieval[rid] = entry
            return self._full_text(rid)


def _public(entry: dict[str, Any] | None, keep_by: bool = False) -> dict[str, Any] | None:
    if not entry:
        return None
    keys = ["decision", "reason", "note", "reviewer", "time"]
    if keep_by:
        keys += ["by", "method"]
    return {k: entry.get(k) for k in keys if k in entry}
