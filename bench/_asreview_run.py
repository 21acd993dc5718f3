"""Run ASReview's default simulation (ELAS u4) with given priors; print the labels as JSON.

Executed by the Python of a virtual environment with ``pip install asreview`` (see
``bench/prioritise.py --asreview``); it mirrors ``asreview simulate DATA --prior-idx I J`` but
returns the screening order instead of writing a project file.
"""

import json
import sys
import time

t0 = time.perf_counter()
from asreview import ActiveLearningCycle, Simulate, load_dataset  # noqa: E402
from asreview.models.models import get_ai_config  # noqa: E402
from asreview.models.queriers import TopDown  # noqa: E402
from asreview.models.stoppers import IsFittable, LastRelevant  # noqa: E402

path, i, j = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with load_dataset(path, dataset_id="bench") as db:
    cycles = [
        ActiveLearningCycle(querier=TopDown(), stopper=IsFittable()),
        ActiveLearningCycle.from_meta(get_ai_config("elas_u4")["value"]),
    ]
    sim = Simulate(db.input.get_df(), db.input["included"], cycles, stopper=LastRelevant(),
                   print_progress=False)
    sim.label([i, j])
    sim.review()
    res = sim._results
    out = {
        "records": len(db.input.get_df()),
        "order": [int(x) for x in res["record_id"].tolist()],
        "labels": [int(x) for x in res["label"].tolist()],
        "seconds": time.perf_counter() - t0,
    }
print(json.dumps(out))
