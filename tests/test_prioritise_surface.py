"""The public surface of implmap.prioritise is declared once, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import implmap.prioritise as prioritise
from implmap.lazy import homes

PUBLIC = {
    "CLASSIFIERS", "LabelledSet", "Progress", "Ranker", "RankingWorker", "RecallEstimate",
    "SimulationResult", "h0_pvalue", "order_for", "plot_recall", "read_labelled_csv",
    "recall_estimate", "recall_lower_bound", "replay", "screening_progress", "seeded_order",
    "simulate_csv", "textless_records", "wss_classic", "wss_insights",
}


def test_surface_is_pinned_and_every_name_has_a_home():
    assert set(prioritise.__all__) == PUBLIC
    where = homes("implmap.prioritise")
    assert set(where) == PUBLIC
    for name in PUBLIC:
        obj = getattr(prioritise, name)
        home = f"implmap.prioritise.{where[name]}"
        assert getattr(sys.modules[home], name) is obj
        assert name in sys.modules[home].__all__, f"{home}.__all__ lacks {name}"


def test_importing_the_package_loads_no_learning_library():
    code = (
        "import sys, implmap.prioritise as p\n"
        "[getattr(p, n) for n in p.__all__]\n"
        "print(sorted(m for m in ('numpy', 'scipy', 'sklearn', 'matplotlib') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
