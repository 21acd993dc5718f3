"""Prioritisation: ranking records for screening, the stopping estimate, and simulations.

* :mod:`.ranking` — ``order_for``, ``Ranker``, ``RankingWorker``, ``seeded_order``,
  ``textless_records``: each reviewer sees the records most likely relevant first, learnt only
  from their own decisions and resolved ones (blind to the others);
* :mod:`.model` — the TF-IDF features and the classifier the ranking and simulations share;
* :mod:`.stopping` — ``recall_estimate``, ``h0_pvalue``, ``recall_lower_bound``: how much of
  the relevant literature has been found (a hypergeometric test; it informs, never stops);
* :mod:`.progress` — ``screening_progress``: one reviewer's counts and the estimate;
* :mod:`.dataset`, :mod:`.simulate`, :mod:`.results` — replay a labelled CSV through the
  ranking (``read_labelled_csv``, ``simulate_csv``, ``replay``, ``SimulationResult``,
  ``wss_classic``, ``wss_insights``, ``plot_recall``).

The names are loaded on first use: importing this package loads neither numpy, scipy nor
scikit-learn (the learning models load when something is ranked or simulated).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .dataset import LabelledSet, read_labelled_csv
    from .model import CLASSIFIERS
    from .progress import Progress, screening_progress
    from .ranking import Ranker, RankingWorker, order_for, seeded_order, textless_records
    from .results import SimulationResult, plot_recall, wss_classic, wss_insights
    from .simulate import replay, simulate_csv
    from .stopping import RecallEstimate, h0_pvalue, recall_estimate, recall_lower_bound

__all__ = [
    "CLASSIFIERS", "LabelledSet", "Progress", "Ranker", "RankingWorker", "RecallEstimate",
    "SimulationResult", "h0_pvalue", "order_for", "plot_recall", "read_labelled_csv",
    "recall_estimate", "recall_lower_bound", "replay", "screening_progress", "seeded_order",
    "simulate_csv", "textless_records", "wss_classic", "wss_insights",
]


__getattr__, __dir__ = lazy_names(__name__)
