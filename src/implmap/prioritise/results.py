"""What a simulation measured, the work-saved metrics, and the recall plot.

A simulation (:func:`implmap.prioritise.simulate.replay`) screens a labelled set in the model's
order from one included and one excluded starting record until every record is labelled;
:class:`SimulationResult` holds what it measured (each figure is defined there) and
:func:`plot_recall` draws the recall curve against random screening (PNG and SVG).
"""

from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fsio import write_atomic

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["SimulationResult", "first_reaching", "plot_recall", "wss_classic", "wss_insights"]


@dataclass
class SimulationResult:
    """One simulation's outcome:

    * ``wss95_classic``: work saved over sampling as Cohen et al. (2006) define it,
      ``(TN + FN) / N - (1 - 0.95)`` at the first point where at least 95 % of the inclusions
      are found (``N`` all records, the two starting records counted as screened);
    * ``wss95_insights``: the asreview-insights definition: over the screening sequence *after*
      the starting records (``N'`` = N − 2 records), the number of records a random order would
      need to reach ``ceil(0.95 · R)`` inclusions minus the number this order needed, divided
      by ``N'`` (``R`` = inclusions outside the starting records). With few inclusions it
      exceeds the classic figure because ``ceil(0.95 · R) / R`` is above 0.95;
    * ``recall_at_10``: recall after screening 10 % of the records;
    * ``to_95`` / ``to_100``: records screened (starting records included) to find 95 % / all;
    * ``stop_at`` / ``stop_recall``: when buscar's one-look hypergeometric test
      (:mod:`implmap.prioritise.stopping`, uncorrected) first says 95 % recall was reached with
      95 % confidence, and the true recall at that point (the corrected claim of
      :mod:`implmap.prioritise.sequential` comes later).
    """

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


def first_reaching(found: np.ndarray, k: int) -> int:
    """Number of records screened when ``found`` (cumulative) first reaches ``k``."""
    import numpy as np

    return int(np.searchsorted(found, k)) + 1


def wss_classic(order_labels: npt.ArrayLike, recall: float = 0.95) -> float:
    """Cohen et al. (2006): (TN + FN) / N − (1 − recall) where ``recall`` is first reached."""
    import numpy as np

    lab = np.asarray(order_labels)
    n, r = lab.size, int(lab.sum())
    screened = first_reaching(np.cumsum(lab), math.ceil(recall * r - 1e-9))
    return (n - screened) / n - (1.0 - recall)


def wss_insights(order_labels: npt.ArrayLike, n_priors: int = 2, recall: float = 0.95) -> float:
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
    for p in paths:
        buf = io.BytesIO()
        fig.savefig(buf, format=p.suffix[1:], metadata={"Date": None} if p.suffix == ".svg"
                    else None)
        write_atomic(p, buf.getvalue())
    plt.close(fig)
    return paths
