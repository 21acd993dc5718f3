"""Replay a labelled data set through the ranking to see how much screening it would save.

``simulate_csv(path, seed=0, out_dir=None)`` reads a CSV with columns ``record_id``, ``title``,
``abstract``, ``label_included`` (1 = included), starts from one random included and one random
excluded record that have text, then screens in the model's order, retraining as labels arrive,
until every record is labelled. It reports:

* ``wss95_classic``: work saved over sampling as Cohen et al. (2006) define it,
  ``(TN + FN) / N - (1 - 0.95)`` at the first point where at least 95 % of the inclusions are
  found (``N`` all records, the two starting records counted as screened);
* ``wss95_insights``: the asreview-insights definition: over the screening sequence *after*
  the starting records (``N'`` = N − 2 records), the number of records a random order would
  need to reach ``ceil(0.95 · R)`` inclusions minus the number this order needed, divided by
  ``N'`` (``R`` = inclusions outside the starting records). With few inclusions it exceeds the
  classic figure because ``ceil(0.95 · R) / R`` is above 0.95;
* ``recall_at_10``: recall after screening 10 % of the records;
* ``to_95`` / ``to_100``: records screened (starting records included) to find 95 % / all;
* ``stop_at`` / ``stop_recall``: when the hypergeometric estimate (:mod:`.stopping`) first says
  95 % recall was reached with 95 % confidence, and the true recall at that point.

The plot (PNG and SVG) shows the recall curve against random screening.
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputFormatError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "LabelledSet",
    "SimulationResult",
    "read_labelled_csv",
    "replay",
    "simulate_csv",
    "wss_classic",
    "wss_insights",
]

REQUIRED = ("record_id", "title", "abstract", "label_included")


@dataclass
class LabelledSet:
    """A labelled data set: IDs, texts, 0/1 labels and whether each record has any text."""

    path: str
    ids: list[str]
    texts: list[str]
    labels: list[int]
    has_text: list[bool]


def read_labelled_csv(path: str | Path) -> LabelledSet:
    """Read a labelled CSV; every problem is reported with file and line (all at once)."""
    path = Path(path)
    try:
        fh = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise InputFormatError("no such file", path) from None
    problems: list[str] = []
    ids: list[str] = []
    texts: list[str] = []
    labels: list[int] = []
    text_ok: list[bool] = []
    with fh:
        try:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputFormatError(f"cannot read the header as CSV ({exc})", path, 1) from None
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputFormatError(
                f"missing column(s) {', '.join(missing)}; a labelled set needs "
                f"{', '.join(REQUIRED)} (label_included: 1 = included, 0 = excluded)",
                path,
                1,
            )
        seen: dict[str, int] = {}
        try:
            for row in reader:
                line = reader.line_num
                rid = (row.get("record_id") or "").strip()
                raw = (row.get("label_included") or "").strip()
                if not rid:
                    problems.append(f"{path}, line {line}: empty record_id")
                elif rid in seen:
                    problems.append(
                        f"{path}, line {line}: record_id {rid!r} repeats line {seen[rid]}"
                    )
                else:
                    seen[rid] = line
                if raw in ("0", "1", "0.0", "1.0"):
                    lab = int(float(raw))
                else:
                    problems.append(
                        f"{path}, line {line}: label_included must be 0 or 1, not {raw!r}"
                    )
                    lab = 0
                title = (row.get("title") or "").strip()
                abstract = (row.get("abstract") or "").strip()
                ids.append(rid)
                texts.append(f"{title}\n{abstract}".strip())
                labels.append(lab)
                text_ok.append(bool(title or abstract))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputFormatError(f"not readable as CSV ({exc})", path,
                                   reader.line_num) from None
    if problems:
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise InputFormatError(
            f"{len(problems)} problem(s){more}:\n" + "\n".join(problems[:20]), path
        )
    if not ids:
        raise InputFormatError("no records (only a header)", path)
    pos = [i for i, lab in enumerate(labels) if lab == 1]
    if not pos:
        raise InputFormatError(
            "no record has label_included = 1: a simulation needs at least one inclusion", path
        )
    if not any(text_ok[i] for i in pos):
        raise InputFormatError("no included record has a title or an abstract to start from",
                               path)
    if not any(text_ok[i] and labels[i] == 0 for i in range(len(ids))):
        raise InputFormatError("no excluded record has a title or an abstract to start from",
                               path)
    return LabelledSet(str(path), ids, texts, labels, text_ok)


# ----------------------------------------------------------------------------------- metrics
def _first_reaching(found: np.ndarray, k: int) -> int:
    """Number of records screened when ``found`` (cumulative) first reaches ``k``."""
    import numpy as np

    return int(np.searchsorted(found, k)) + 1


def wss_classic(order_labels: Sequence01, recall: float = 0.95) -> float:
    """Cohen et al. (2006): (TN + FN) / N − (1 − recall) where ``recall`` is first reached."""
    import numpy as np

    lab = np.asarray(order_labels)
    n, r = lab.size, int(lab.sum())
    screened = _first_reaching(np.cumsum(lab), math.ceil(recall * r - 1e-9))
    return (n - screened) / n - (1.0 - recall)


def wss_insights(order_labels: Sequence01, n_priors: int = 2, recall: float = 0.95) -> float:
    """asreview-insights' WSS: records a random order needs minus records this order needs
    to reach ``ceil(recall · R)`` inclusions, over the records after the priors, divided by
    their number (the priors are left out of the sequence, as ``priors=False`` does)."""
    import numpy as np

    lab = np.asarray(order_labels)[n_priors:]
    n, r = lab.size, int(lab.sum())
    if r == 0:
        return float("nan")
    found = np.cumsum(lab)
    random_found = np.round(np.linspace(0, r, n))
    target = np.arange(1, r + 1)
    when = np.searchsorted(found, target)
    when_random = np.searchsorted(random_found, target)
    x = target / r
    i = int(np.searchsorted(x, recall))  # first x >= recall
    return float((when_random[i] - when[i]) / n)


Sequence01 = Any  # a 0/1 array-like in screening order


# ------------------------------------------------------------------------------------ replay
@dataclass
class SimulationResult:
    """One simulation's outcome (see the module docstring for each figure)."""

    dataset: str
    seed: int
    records: int
    inclusions: int
    wss95_classic: float
    wss95_insights: float
    recall_at_10: float
    to_95: int
    to_100: int
    stop_at: int | None
    stop_recall: float | None
    refits: int
    seconds: float
    classifier: str = "svm"
    schedule: str = "adaptive"
    order_labels: list[int] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("order_labels")
        return d


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
    """When the stopping estimate first claims 95 % recall with 95 % confidence (screened
    count), checking on a grid after ``start`` then narrowing down to the exact record."""
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
        to_95=_first_reaching(cum, math.ceil(0.95 * total_pos - 1e-9)),
        to_100=_first_reaching(cum, total_pos),
        stop_at=st,
        stop_recall=None if st is None else float(cum[st - 1] / total_pos),
        refits=refits,
        seconds=seconds,
        classifier=classifier,
        schedule=schedule,
        order_labels=seq.tolist(),
    )


def plot_recall(result: SimulationResult, out_dir: str | Path, name: str = "recall") -> list[Path]:
    """Write the recall curve as ``<name>.png`` and ``<name>.svg`` in ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    seq = np.asarray(result.order_labels)
    x = np.arange(1, seq.size + 1)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    ax.plot(x, np.cumsum(seq) / max(1, seq.sum()), label="prioritised (implmap)", lw=1.6)
    ax.plot([0, seq.size], [0, 1], ls="--", color="grey", label="random order (expected)")
    ax.axhline(0.95, color="black", lw=0.6, ls=":")
    if result.stop_at:
        ax.axvline(result.stop_at, color="tab:red", lw=1,
                   label=f"stopping estimate: 95% at 95% (true {result.stop_recall:.1%})")
    ax.set_xlabel("records screened")
    ax.set_ylabel("recall (share of inclusions found)")
    title = result.dataset or "simulation"
    ax.set_title(f"{title}: WSS@95 {result.wss95_insights:.1%} (insights), "
                 f"{result.wss95_classic:.1%} (classic)", fontsize=9)
    ax.set_xlim(0, seq.size)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    paths = [out_dir / f"{name}.png", out_dir / f"{name}.svg"]
    from ..fsio import write_atomic

    for p in paths:
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format=p.suffix[1:], metadata={"Date": None} if p.suffix == ".svg"
                    else None)
        write_atomic(p, buf.getvalue())
    plt.close(fig)
    return paths


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
        import json

        from ..fsio import write_atomic

        plot_recall(result, out_dir)
        write_atomic(Path(out_dir) / "simulation.json",
                     json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n")
    return result
