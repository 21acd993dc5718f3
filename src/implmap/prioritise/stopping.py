"""How much of the relevant literature has been found? A hypergeometric stopping estimate.

This implements the test of Callaghan & Müller-Hansen (2020, *Systematic Reviews* 9:273,
"Statistical stopping criteria for automated screening in systematic reviews", the ``buscar``
method). Screening follows a model's ranking, so the records screened so far are not a random
sample. The test instead looks at the *last* ``n`` screened records and treats them as if they
had been drawn at random from the records that were still unscreened just before them (the
"urn": those ``n`` plus everything not yet screened).

For a recall target ``τ`` the null hypothesis is "recall so far is below ``τ``", i.e. the total
number of relevant records is at least ``K = floor(r_seen / τ) + 1`` where ``r_seen`` is the
number found so far. Under that smallest such total the urn would hold ``K - r_before``
relevant records (``r_before``: found before the sample). Finding only ``k`` of them in a sample
of ``n`` has probability ``hypergeom.cdf(k, N_urn, K - r_before, n)``; a larger total makes it
smaller still, so this is the p-value of the composite null. As in ``buscar`` every possible
sample (the last 1, 2, …, all screened records) is tried and the smallest p-value is reported.

Assumptions, and what they mean (see docs/guides/prioritisation.md):

* the last-``n`` sample is treated as random although it came from a ranked list; because a
  working ranking puts the likely-relevant first, the tail of the screened list is usually
  *richer* in relevant records than what is left, which makes the test conservative, but a
  ranking that is worse than random would make it over-confident;
* "relevant" means what this reviewer included (or marked maybe), overridden by resolved final
  decisions: the estimate is about this reviewer's own screening and is blind to the others;
* taking the smallest p-value over all sample sizes is what ``buscar`` does; the benchmark
  measures how often a claim made this way is true (``bench/prioritise.py`` "calibration").

Checked once, the test is wrong at most 5 % of the time; checked after every record it gets a
new chance to be wrong at each look, and on random orders it falsely claims 95 % recall in
about one run in eight. So ``reached`` (and the bound) come from the version in
:mod:`.sequential`, which holds its level however often it is checked (a confidence sequence
for sampling without replacement, after Waudby-Smith & Ramdas 2020); ``p_value`` and
``reached_single_check`` keep ``buscar``'s one-look figures beside it. What a claim means:
**at least 95 % of the records you would include, with 95 % confidence, under random sampling
of the remaining records**, where "you would include" is this reviewer's own inclusions (and
maybes), not the team's final decisions.

It informs; it never stops screening by itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["RecallEstimate", "h0_pvalue", "recall_estimate", "recall_lower_bound"]


@dataclass(frozen=True)
class RecallEstimate:
    """What the stopping test says after ``screened`` of ``total`` records.

    * ``found``: relevant records found so far;
    * ``target`` / ``confidence``: the recall target and the confidence asked for;
    * ``p_value``: ``buscar``'s p-value for H0 "recall so far < target", valid for one look;
    * ``reached``: the target is claimed by the test that holds its level when it is re-run
      after every record (``evidence >= 1 / (1 - confidence)``; see :mod:`.sequential`), or,
      with ``correction="none"``, ``p_value < 1 - confidence``;
    * ``reached_single_check``: ``p_value < 1 - confidence`` (one look, uncorrected);
    * ``evidence``: the evidence against H0 of the corrected test (1 is none);
    * ``recall_lower_bound``: the smallest recall compatible with what was seen, at
      ``confidence`` (corrected like ``reached``; ``None`` before anything relevant);
    * ``estimated_total``: the largest total of relevant records still compatible (the bound's
      denominator).
    """

    screened: int
    total: int
    found: int
    target: float
    confidence: float
    p_value: float
    reached: bool
    recall_lower_bound: float | None
    estimated_total: int | None
    reached_single_check: bool = False
    evidence: float = 1.0
    correction: str = "sequential"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sentence(self) -> str:
        """One line for people."""
        if self.found == 0:
            return ("No relevant record found yet: no recall estimate (keep screening; the test "
                    "needs at least one inclusion).")
        pct = f"{self.target:.0%}"
        conf = f"{self.confidence:.0%}"
        lb = self.recall_lower_bound or 0.0
        claim = (f"at least {pct} of the records you would include, with {conf} confidence, "
                 "under random sampling of the remaining records")
        verdict = (f"found {claim}" if self.reached else f"not yet shown: {claim}")
        how = ("a test that holds when re-checked after every record"
               if self.correction == "sequential" else "one check, uncorrected")
        return (f"{verdict} ({how}; one-check p = {self.p_value:.3g}); recall so far is at "
                f"least {lb:.1%} (at most {self.estimated_total} relevant in total).")


def _as_labels(labels: Sequence[int] | np.ndarray) -> np.ndarray:
    import numpy as np

    arr = np.asarray(labels, dtype=np.int64).ravel()
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise ValueError("labels must be 0 (excluded) or 1 (relevant), in screening order")
    return arr


def _pvalue_for_total(labels: Any, total: int, k_total: int) -> float:
    """min over the last-n samples of P(X <= k | urn holds K - r_before relevant)."""
    import numpy as np
    from scipy.stats import hypergeom

    n_seen = labels.size
    r_seen = int(labels.sum())
    if k_total <= r_seen:
        return 1.0
    tail = labels[::-1]
    n = np.arange(1, n_seen + 1)  # sample sizes: the last 1, 2, ..., n_seen screened
    k = np.cumsum(tail)  # relevant in each sample
    r_before = r_seen - k
    n_urn = total - n_seen + n
    k_urn = k_total - r_before  # relevant in the urn under H0
    ok = k_urn <= n_urn  # totals that cannot fit in the urn are impossible: p = 0 there
    p = np.zeros(n_seen, dtype=np.float64)
    p[ok] = hypergeom.cdf(k[ok], n_urn[ok], k_urn[ok], n[ok])
    return float(np.clip(p.min(), 0.0, 1.0)) if n_seen else 1.0


def h0_pvalue(labels: Sequence[int] | np.ndarray, total: int, target: float = 0.95) -> float:
    """p-value for H0 "recall < ``target``" after screening ``labels`` (0/1, screening order).

    ``total`` is the number of records in the whole set (screened and not). With nothing
    relevant found yet the test cannot reject (returns 1.0).
    """
    if not 0 < target < 1:
        raise ValueError("target must be between 0 and 1 (e.g. 0.95)")
    arr = _as_labels(labels)
    if total < arr.size:
        raise ValueError(f"total ({total}) is smaller than the number screened ({arr.size})")
    r_seen = int(arr.sum())
    if r_seen == 0:
        return 1.0
    return _pvalue_for_total(arr, total, math.floor(r_seen / target) + 1)


def recall_lower_bound(
    labels: Sequence[int] | np.ndarray, total: int, confidence: float = 0.95
) -> tuple[float | None, int | None]:
    """The lowest recall (and highest total of relevant records) not rejected at ``confidence``.

    Returns ``(None, None)`` before anything relevant is found.
    """
    arr = _as_labels(labels)
    r_seen = int(arr.sum())
    if r_seen == 0:
        return None, None
    alpha = 1.0 - confidence
    unseen = total - arr.size
    # p(total) decreases as the assumed total grows: find the largest total with p >= alpha.
    lo, hi = r_seen, r_seen + unseen  # p(lo) = 1 >= alpha always
    if _pvalue_for_total(arr, total, hi) >= alpha:
        return r_seen / hi, hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _pvalue_for_total(arr, total, mid) >= alpha:
            lo = mid
        else:
            hi = mid
    return r_seen / lo, lo


def recall_estimate(
    labels: Sequence[int] | np.ndarray,
    total: int,
    target: float = 0.95,
    confidence: float = 0.95,
    *,
    correction: str = "sequential",
) -> RecallEstimate:
    """The stopping estimate after screening ``labels`` (0/1 in screening order) of ``total``.

    ``correction="sequential"`` (the default) claims the target only when the claim holds at
    ``confidence`` however often it is re-checked (:mod:`.sequential`); ``"none"`` gives
    ``buscar``'s one-look test.

    Example: 1,000 records; the first 50 screened are all relevant, the next 850 none. After
    700 records the one-look test already claims 95 % recall, but re-checked after every
    record that claim is not safe yet; after 900 it is::

        >>> labels = [1] * 50 + [0] * 850
        >>> early = recall_estimate(labels[:700], total=1000)
        >>> early.reached_single_check, early.reached
        (True, False)
        >>> late = recall_estimate(labels, total=1000)
        >>> late.reached, round(late.recall_lower_bound, 3)
        (True, 0.962)
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1 (e.g. 0.95)")
    if correction not in ("sequential", "none"):
        raise ValueError('correction must be "sequential" or "none"')
    from .sequential import claims_recall, sequential_bound

    arr = _as_labels(labels)
    if total < arr.size:
        raise ValueError(f"total ({total}) is smaller than the number screened ({arr.size})")
    p = h0_pvalue(arr, total, target)
    claimed, evidence = claims_recall(arr, total, target, confidence)
    if correction == "sequential":
        reached = claimed
        lb, k_max = sequential_bound(arr, total, confidence)
    else:
        reached = p < 1.0 - confidence
        lb, k_max = recall_lower_bound(arr, total, confidence)
    return RecallEstimate(
        screened=int(arr.size),
        total=int(total),
        found=int(arr.sum()),
        target=target,
        confidence=confidence,
        p_value=p,
        reached=reached,
        recall_lower_bound=lb,
        estimated_total=k_max,
        reached_single_check=p < 1.0 - confidence,
        evidence=evidence,
        correction=correction,
    )
