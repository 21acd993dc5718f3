"""The order in which one reviewer sees the records: the ranking's, else the seeded order.

The ranking (:mod:`implmap.prioritise.ranking`) runs in a background thread, or for big reviews
in a worker process (``RankingWorker``), so that building TF-IDF and refitting never hold up a
request; until its first order comes the reviewer sees the seeded order.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from ..prioritise import ranking
from .state import SessionState

__all__ = ["RANK_IN_WORKER_FROM", "RANK_WAIT", "RERANK_EVERY", "RankedOrder"]

RERANK_EVERY = 25
RANK_WAIT = 1.5  # seconds the app waits for the ranking at start before showing the seeded order
#: From this many records on, the ranking runs in a worker process (RankingWorker), where
#: building TF-IDF and refitting never hold up a request; below it, a thread is quicker.
RANK_IN_WORKER_FROM = 2000
log = logging.getLogger("implmap.app")

OrderFunction = Callable[[Any, str, str, list[str]], Iterable[str]]


def _complete(order: Iterable[str], ids: list[str]) -> list[str]:
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


class RankedOrder(SessionState):
    """The queue order of a session (``ordering``: ``seeded``, ``ranking`` or ``ranked``)."""

    ordering: str
    _ranked: list[str]
    _ranked_at: int
    _reranking: bool
    _worker: Any
    _closed: bool

    def _initial_order(self) -> list[str]:
        """Resolve mode: record order. Screen mode: the ranking's order when it answers within
        ``RANK_WAIT`` seconds; else the seeded order at once, and the ranking's order as soon
        as it is ready (the page picks it up on its next queue call)."""
        if self.mode == "resolve":
            return sorted(self.ids)
        seeded = self._seeded(self.ids)
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
                return list(box["order"])
            box["late"] = True
            self.ordering = "seeded" if box.get("failed") else "ranking"
            return seeded

    def _seeded(self, ids: list[str]) -> list[str]:
        return ranking.seeded_order(ids, self.review.manifest.screening_seed, self.reviewer.id,
                                    self.stage.id)

    def _rank(self, ids: list[str]) -> list[str]:
        seeded = self._seeded(ids)
        order_for = self._order_function()
        if order_for is None:
            return seeded
        return _complete(order_for(self.review, self.reviewer.id, self.stage.id, ids), seeded)

    def _order_function(self) -> OrderFunction | None:
        """What to call (from a background thread) to rank records: the ranking's
        ``order_for``, run in a worker process for big reviews; ``None`` once closed."""
        if self._closed:
            return None
        if len(self.ids) < RANK_IN_WORKER_FROM:
            return ranking.order_for
        with self._lock:
            if self._worker is None:
                self._worker = ranking.RankingWorker(self.review.root, self.reviewer.id,
                                                     self.stage.id)
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
