"""Screening prioritisation: show each reviewer the records most likely to be relevant first.

* :func:`order_for` ``(review, reviewer, stage, record_ids) -> list[str]`` ranks records for one
  reviewer. It learns only from that reviewer's own decisions and from resolved final
  decisions (:func:`implmap.screening.labels.blinded_labels`), never from another reviewer's
  unresolved ones: what A is shown cannot depend on what B decided.
* :class:`Ranker` keeps a ranking fresh while someone screens: ``ranker.order()`` returns the
  latest ranking at once; ``ranker.notify()`` after each decision starts a refit in a
  background thread (coalesced: decisions that arrive during a refit trigger one more refit,
  not one each). TF-IDF is fitted once per ranker; a refit trains only the classifier.
* Cold start: with no usable labels the ranking is by TF-IDF similarity to the manifest's
  ``include_terms`` (minus ``exclude_terms``); with labels of one class only, by similarity to
  the included records (or away from the excluded ones) plus those terms; with both classes,
  by the classifier. Without any of these it falls back to a stable per-reviewer random order.
* Records with neither title nor abstract are never training seeds and cannot be ranked: they
  come first in every order (in the stable per-reviewer random order), so a person looks at
  them by hand before the ranked records and stopping early never leaves one unseen.
  :func:`textless_records` lists them (``implmap progress`` shows them).
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..screening.labels import blinded_labels, has_text, record_text

if TYPE_CHECKING:
    import numpy as np

    from ..folder import ReviewFolder

__all__ = [
    "Ranker",
    "RankingWorker",
    "order_for",
    "seeded_order",
    "stage_records",
    "textless_records",
]


def stage_records(review: ReviewFolder, stage: str) -> list[str]:
    """The records to screen at ``stage`` (:func:`implmap.screening.records_to_screen`)."""
    from ..screening.queue import records_to_screen

    return list(records_to_screen(review, stage))


def textless_records(review: ReviewFolder, record_ids: Sequence[str] | None = None) -> list[str]:
    """Records (of ``record_ids``, default all) with neither a title nor an abstract."""
    wanted = None if record_ids is None else set(record_ids)
    return [r["id"] for r in review.record_dicts()
            if (wanted is None or r["id"] in wanted) and not has_text(r)]


def seeded_order(ids: Sequence[str], seed: int, reviewer: str, stage: str) -> list[str]:
    """A stable per-reviewer random order: same records, seed, reviewer and stage, same order
    (the order before any ranking, and the app's order while the ranking is not ready)."""
    out = sorted(ids)
    random.Random(f"implmap:{seed}:{reviewer}:{stage}").shuffle(out)
    return out


class Ranker:
    """A live ranking of ``record_ids`` for ``reviewer`` at ``stage``, refitted in the background.

    ``record_ids`` defaults to the stage's records. ``classifier`` is one of
    :data:`implmap.prioritise.model.CLASSIFIERS` (default ``"svm"``). Thread-safe.
    """

    def __init__(
        self,
        review: ReviewFolder,
        reviewer: str,
        stage: str = "title_abstract",
        record_ids: Sequence[str] | None = None,
        *,
        classifier: str = "svm",
    ):
        from .model import vectorise

        self.review = review
        self.reviewer = reviewer
        self.stage = stage
        self.classifier = classifier
        ids = list(record_ids) if record_ids is not None else stage_records(review, stage)
        recs = {r["id"]: r for r in review.record_dicts()}
        missing = [i for i in ids if i not in recs]
        if missing:
            from ..errors import UnknownRecordError

            raise UnknownRecordError(
                f"{len(missing)} record ID(s) not in {review.root}: {', '.join(missing[:5])}"
            )
        self.ids = ids
        self._index = {rid: i for i, rid in enumerate(ids)}
        self._has_text = [has_text(recs[i]) for i in ids]
        self.textless = [rid for rid, ok in zip(ids, self._has_text, strict=True) if not ok]
        self._vec, self._X = vectorise([record_text(recs[i]) for i in ids])
        m = review.manifest
        self._tiebreak = {rid: n for n, rid in enumerate(
            seeded_order(ids, m.screening_seed, reviewer, stage))}
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._pending = False
        self._running = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self.method = "seeded"
        self.refits = 0
        self.last_error: str | None = None
        self._order = self._compute()

    # ---------------------------------------------------------------------------- scoring
    def _labels(self) -> tuple[list[int], list[int]]:
        known = blinded_labels(self.review, self.reviewer, self.stage).labels
        rows, ys = [], []
        for rid, y in known.items():
            i = self._index.get(rid)
            if i is not None and self._has_text[i]:  # textless records are never seeds
                rows.append(i)
                ys.append(y)
        return rows, ys

    def _scores(self) -> tuple[np.ndarray | None, str]:
        import numpy as np

        from .model import fit_scores, query_scores

        m = self.review.manifest
        rows, ys = self._labels()
        y = np.asarray(ys, dtype=np.int64)
        if rows and 0 < y.sum() < y.size:
            return fit_scores(self._X, np.asarray(rows), y, classifier=self.classifier), "model"
        query = query_scores(self._vec, self._X, m.include_terms)
        query -= 0.5 * query_scores(self._vec, self._X, m.exclude_terms)
        if rows:  # one class only: Rocchio-style similarity to (or away from) the labelled
            centroid = np.asarray(self._X[np.asarray(rows)].mean(axis=0)).ravel()
            sim = np.asarray(self._X @ centroid).ravel()
            sign = 1.0 if y.sum() else -1.0
            return query + sign * sim, "similarity"
        if m.include_terms or m.exclude_terms:
            return query, "include_terms"
        return None, "seeded"

    def _compute(self) -> list[str]:
        scores, method = self._scores()
        self.method = method
        by_hand = sorted(self.textless, key=self._tiebreak.__getitem__)
        ranked = [r for r, ok in zip(self.ids, self._has_text, strict=True) if ok]
        if scores is None:
            return by_hand + sorted(ranked, key=self._tiebreak.__getitem__)
        return by_hand + sorted(ranked, key=lambda r: (-float(scores[self._index[r]]),
                                                       self._tiebreak[r]))

    # ----------------------------------------------------------------------------- public
    def order(self) -> list[str]:
        """The latest ranking of all the ranker's records, most likely relevant first.

        Returns at once (a copy); decided records stay in the list (the app skips them).
        """
        with self._lock:
            return list(self._order)

    def refit(self) -> list[str]:
        """Refit now, in this thread, and return the new ranking."""
        new = self._compute()
        with self._lock:
            self._order = new
            self.refits += 1
        return list(new)

    def notify(self) -> None:
        """A decision was made: refit in the background (never blocks)."""
        with self._lock:
            if self._closed:
                return
            self._pending = True
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._worker, name="implmap-ranker",
                                                daemon=True)
                self._thread.start()
            self._wake.notify()

    def _worker(self) -> None:
        while True:
            with self._lock:
                if not self._pending or self._closed:
                    self._running = False
                    self._wake.notify_all()
                    return
                self._pending = False
                self._running = True
            try:
                self.refit()
                self.last_error = None
            except Exception as exc:  # keep the previous order and say why
                self.last_error = str(exc)
                warnings.warn(f"re-ranking failed, keeping the previous order: {exc}",
                              stacklevel=1)

    def wait(self, timeout: float | None = 10.0) -> bool:
        """Block until no refit is pending or running (for tests and scripts)."""
        with self._lock:
            return self._wake.wait_for(lambda: not self._pending and not self._running,
                                       timeout=timeout)

    def close(self) -> None:
        """Stop refitting (a running refit finishes)."""
        with self._lock:
            self._closed = True
            self._wake.notify_all()


_CACHE: dict[tuple[Path, str, str, int], Any] = {}
_CACHE_LOCK = threading.Lock()


def order_for(
    review: ReviewFolder, reviewer: str, stage: str, record_ids: Sequence[str]
) -> list[str]:
    """``record_ids`` ranked for ``reviewer`` at ``stage``, most likely relevant first.

    Learns only from ``reviewer``'s own decisions and resolved final decisions. The TF-IDF
    matrix is cached per (review, reviewer, stage, record set) in this process, so repeated
    calls refit only the classifier.
    """
    ids = list(record_ids)
    key = (review.root, reviewer, stage, hash(tuple(sorted(ids))))
    with _CACHE_LOCK:
        ranker = _CACHE.get(key)
    if ranker is None:
        ranker = Ranker(review, reviewer, stage, ids)
        with _CACHE_LOCK:
            _CACHE[key] = ranker
        return ranker.order()
    return ranker.refit()


class RankingWorker:
    """:func:`order_for` in a child process of its own, for one reviewer and stage.

    Building TF-IDF for tens of thousands of records and refitting hold the interpreter lock
    for long stretches; in a child process they never hold up the screening app's requests.
    :meth:`order_for` blocks only the calling (background) thread. The child keeps its ranker
    between calls (TF-IDF once), reads the review folder itself (so it learns from exactly
    what :func:`order_for` would: the reviewer's own log and resolutions), and ends when
    :meth:`close` is called or when this process ends in any way, a hard kill included (it
    sees its end of the pipe close).
    """

    def __init__(self, review_root: str | Path, reviewer: str, stage: str):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")  # no copy of the app's threads and locks
        self._conn, child = ctx.Pipe()
        self._lock = threading.Lock()
        self.process = ctx.Process(target=_serve_rankings, name="implmap-ranking", daemon=True,
                                   args=(child, str(review_root), reviewer, stage))
        self.process.start()
        child.close()  # the child holds the only other end: its recv fails when we go
        self.closed = False

    def order_for(self, record_ids: Sequence[str]) -> list[str]:
        """``record_ids`` ranked by the child process (see :func:`order_for`)."""
        with self._lock:
            if self.closed:
                raise RuntimeError("the ranking worker is closed")
            try:
                self._conn.send(list(record_ids))
                kind, value = self._conn.recv()
            except (EOFError, OSError) as exc:
                raise RuntimeError("the ranking worker stopped") from exc
        if kind != "order":
            raise RuntimeError(f"the ranking worker failed: {value}")
        return list(value)

    def close(self, timeout: float = 5.0) -> None:
        """End the child process at once (a refit it is in the middle of is abandoned)."""
        self.closed = True
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout)
        with contextlib.suppress(OSError):
            self._conn.close()


def _serve_rankings(conn: Any, root: str, reviewer: str, stage: str) -> None:
    """The ranking worker's loop: a list of record IDs in, ``("order", ids)`` out."""
    # Let go of the parent's standard streams: whoever waits for them to close (a terminal
    # pipe, a test) must not wait for this process too. Failures travel back as messages.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    from ..folder import ReviewFolder

    review = ReviewFolder(root)
    while True:
        try:
            ids = conn.recv()
        except (EOFError, OSError):  # the app closed us or is gone
            return
        try:
            reply: tuple[str, Any] = ("order", order_for(review, reviewer, stage, ids))
        except Exception as exc:  # report and go on: the app keeps its previous order
            reply = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
