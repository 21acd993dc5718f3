"""Replay a labelled data set through the ranking to see how much screening it would save.

``simulate_csv(path, seed=0, out_dir=None)`` reads a CSV with columns ``record_id``, ``title``,
``abstract``, ``label_included`` (1 = included; :mod:`.dataset`), starts from one random included
and one random excluded record that have text, then screens in the model's order, retraining as
labels arrive, until every record is labelled. It reports WSS@95 in the classic (Cohen et al.
2006) and the asreview-insights definitions, recall after 10 % screened, the records screened to
find 95 % and all inclusions, and when buscar's one-look hypergeometric test (:mod:`.stopping`,
``correction="none"``) first claims 95 % recall; the corrected claim the app and
``implmap progress`` make (:mod:`.sequential`) comes later
(:class:`~implmap.prioritise.results.SimulationResult` defines each figure). The plot (PNG and
SVG) shows the recall curve against random screening.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fsio import write_atomic
from .dataset import read_labelled_csv
from .results import SimulationResult, first_reaching, plot_recall, wss_classic, wss_insights

if TYPE_CHECKING:
    import numpy as np

__all__ = ["replay", "simulate_csv", "starting_records", "stopping_point"]


def _retrain_due(n_labelled: int, since: int, new_positive: bool, schedule: str) -> bool:
    if since == 0:
        return False
    if schedule == "every":
        return True
    # adaptive: retrain at once after a new inclusion, otherwise after a number of labels that
    # grows with the labelled set (about 2 % of it, at least 1)
    return new_positive or since >= max(1, n_labelled // 50)


def _first_stop(labels_seq: np.ndarray, total: int, start: int, end: int) -> int | None:
    """First screened count in [start, end] where the estimate claims 95 % at 95 %."""
    from .stopping import h0_pvalue

    for t in range(start, end + 1):
        if labels_seq[:t].sum() and h0_pvalue(labels_seq[:t], total, 0.95) < 0.05:
            return t
    return None


def stopping_point(labels_seq: np.ndarray, total: int, start: int = 0) -> int | None:
    """When buscar's one-look test first claims 95 % recall with 95 % confidence (screened
    count), checking on a grid after ``start`` then narrowing down to the exact record. (The
    corrected test of :mod:`.sequential`, which holds when re-checked after every record, claims
    later; :func:`~implmap.prioritise.sequential.first_claim` gives its point.)"""
    from .stopping import h0_pvalue

    step = max(1, total // 200)
    prev = start
    n = labels_seq.size
    for t in [*range(start + step, n, step), n]:
        if labels_seq[:t].sum() and h0_pvalue(labels_seq[:t], total, 0.95) < 0.05:
            return _first_stop(labels_seq, total, prev + 1, t)
        prev = t
    return None


def starting_records(labels: Any, has_text: Any, seed: int) -> tuple[int, int]:
    """One random included and one random excluded record with text (row numbers)."""
    import numpy as np

    y = np.asarray(labels)
    ok = np.asarray(has_text, dtype=bool)
    rng = np.random.default_rng(seed)
    return (int(rng.choice(np.flatnonzero((y == 1) & ok))),
            int(rng.choice(np.flatnonzero((y == 0) & ok))))


def replay(
    texts: list[str],
    labels: list[int],
    has_text: list[bool] | None = None,
    *,
    seed: int = 0,
    classifier: str = "svm",
    schedule: str = "adaptive",
    dataset: str = "",
    X: Any = None,
    priors: tuple[int, int] | None = None,
) -> SimulationResult:
    """Simulate screening ``texts`` with known ``labels`` in the model's order.

    ``schedule``: ``"every"`` retrains after every label (as ASReview does); ``"adaptive"``
    retrains after each new inclusion and otherwise after ~2 % more labels. ``X`` may pass a
    precomputed TF-IDF matrix. ``priors`` (row numbers of one included and one excluded
    record) overrides the seeded choice of starting records.
    """
    import numpy as np

    from .model import fit_scores, vectorise
    from .stopping import h0_pvalue

    t0 = time.perf_counter()
    y_all = np.asarray(labels, dtype=np.int8)
    n = y_all.size
    ok = np.asarray(has_text if has_text is not None else [True] * n, dtype=bool)
    if X is None:
        _, X = vectorise(texts)
    if priors is None:
        priors = starting_records(y_all, ok, seed)
    order: list[int] = list(priors)
    labelled = np.zeros(n, dtype=bool)
    labelled[list(priors)] = True
    # records without text cannot be ranked: they come first, in a seeded random order, as in
    # the app (a person looks at them by hand; see ranking.Ranker)
    by_hand = [int(i) for i in np.random.default_rng(seed).permutation(np.flatnonzero(~ok))
               if not labelled[i]]
    train_mask = labelled & ok  # empty-text records are never training seeds
    total_pos = int(y_all.sum())
    found = int(y_all[list(priors)].sum())
    scores = np.zeros(n)
    since, refits, new_pos = 1, 0, True
    ranked: list[int] = []
    ptr = 0
    stop_at: int | None = None
    check_every = max(1, n // 200)
    last_check = 0
    while len(order) < n:
        if refits == 0 or _retrain_due(int(labelled.sum()), since, new_pos, schedule):
            tr = np.flatnonzero(train_mask)
            scores = fit_scores(X, tr, y_all[tr].astype(np.int64), classifier=classifier,
                                seed=seed)
            refits += 1
            since, new_pos = 0, False
            cand = np.flatnonzero(~labelled)
            ranked = cand[np.argsort(-scores[cand], kind="stable")].tolist()
            ptr = 0
        if by_hand:
            i = by_hand.pop(0)
        else:
            while labelled[ranked[ptr]]:
                ptr += 1
            i = ranked[ptr]
            ptr += 1
        order.append(i)
        labelled[i] = True
        if ok[i]:
            train_mask[i] = True
        since += 1
        if y_all[i]:
            found += 1
            new_pos = True
        t = len(order)
        if stop_at is None and (t % check_every == 0 or t == n):
            seq_now = y_all[order]
            if h0_pvalue(seq_now, n, 0.95) < 0.05:
                stop_at = _first_stop(seq_now, n, last_check + 1, t)
            last_check = t
        if found == total_pos:
            # every inclusion is found: whatever order the rest come in, their labels are all
            # 0, so no figure depends on it. Keep the last ranking and stop refitting.
            order.extend(j for j in ranked[ptr:] if not labelled[j])
            break
    seconds = time.perf_counter() - t0
    seq = y_all[order].astype(np.int64)
    cum = np.cumsum(seq)
    st = stop_at if stop_at is not None else stopping_point(seq, n, start=last_check)
    return SimulationResult(
        dataset=dataset,
        seed=seed,
        records=n,
        inclusions=total_pos,
        wss95_classic=wss_classic(seq),
        wss95_insights=wss_insights(seq, n_priors=2),
        recall_at_10=float(cum[max(0, math.ceil(0.10 * n) - 1)] / total_pos),
        to_95=first_reaching(cum, math.ceil(0.95 * total_pos - 1e-9)),
        to_100=first_reaching(cum, total_pos),
        stop_at=st,
        stop_recall=None if st is None else float(cum[st - 1] / total_pos),
        refits=refits,
        seconds=seconds,
        classifier=classifier,
        schedule=schedule,
        order_labels=seq.tolist(),
    )


def simulate_csv(
    path: str | Path,
    seed: int = 0,
    out_dir: str | Path | None = None,
    *,
    classifier: str = "svm",
    schedule: str = "adaptive",
) -> SimulationResult:
    """Read a labelled CSV, replay it, and (with ``out_dir``) write the plot and a JSON."""
    data = read_labelled_csv(path)
    result = replay(data.texts, data.labels, data.has_text, seed=seed, classifier=classifier,
                    schedule=schedule, dataset=Path(path).stem)
    if out_dir is not None:
        plot_recall(result, out_dir)
        write_atomic(Path(out_dir) / "simulation.json",
                     json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n")
    return result
