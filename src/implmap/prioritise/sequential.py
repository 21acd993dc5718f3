"""A stopping test that holds its level when it is re-run after every record.

The hypergeometric test of :mod:`.stopping` (``buscar``) is a test for one look: its 5 % error
is the chance of a false claim *when it is checked once*. Checked after every record, each look
is another chance to be wrong, and on random orders it falsely claims 95 % recall in about one
run in eight (``bench/prioritise.py`` measures it). This module gives the test a version whose
error is the chance of a false claim *at any look, however often it is checked*.

The idea is a confidence sequence for sampling without replacement (Waudby-Smith & Ramdas,
"Confidence sequences for sampling without replacement", NeurIPS 2020): the prior-posterior
ratio. Put a prior on the number of relevant records still in an urn; after each draw, the
prior probability of a hypothesised number divided by its posterior probability is, when that
number is the true one, a martingale that starts at 1 and never goes negative. (Here the
prior is restricted to numbers smaller than the one tested, so that only a sample poorer in
relevant records than the number predicts counts as evidence against it: the test is
one-sided, like ``buscar``'s.) By Ville's
inequality such a martingale reaches ``1 / α`` with probability at most ``α``, *over the whole
sequence of draws*. Rejecting a number once its ratio reaches ``1 / α`` therefore wrongly
rejects the true number, at any record whatever, with probability at most ``α``; and a claim of
recall made only when every number that would mean "recall below the target" is rejected is
false with probability at most ``α`` however many times it is checked.

As in ``buscar``, the records screened after some point are treated as drawn at random from
the records unscreened at that point (the urn). The points are fixed in advance: the tail
starts at 0, 1/10, 2/10, … 9/10 of the records, each with its own ratio (which is 1 until its
tail begins), and the evidence is their plain average (an average of such martingales is one
too). The prior at each start is a beta-binomial on the urn's relevant records with mean the
share of relevant records found before it (a Laplace estimate; uniform at the very start): it
may use what was seen before the tail, never what is seen in it. The price of checking at every
record is that a claim comes later than the one-look test would make it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["STARTS", "claims_recall", "first_claim", "log_evidence", "sequential_bound"]

STARTS = 10
"""How many fixed points the tail may start at (0, 1/10, …, 9/10 of the records)."""


def _starts(total: int) -> list[int]:
    return sorted({(j * total) // STARTS for j in range(STARTS)})


def _log_falling(x: Any, m: Any) -> Any:
    """log(x (x-1) … (x-m+1)) elementwise (``x`` and ``m`` broadcast), -inf where x < m."""
    import numpy as np
    from scipy.special import gammaln

    x, m = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64))
    out = np.full(x.shape, -np.inf)
    ok = x >= m
    out[ok] = gammaln(x[ok] + 1) - gammaln(x[ok] - m[ok] + 1)
    return out


def _log_prior(n_urn: int, s: int, r_s: int) -> Any:
    """log of the beta-binomial prior on the relevant records ``j = 0 … n_urn`` of the urn of
    the tail that starts after ``s`` records, ``r_s`` of them relevant (mean: the Laplace
    estimate of the share relevant before the tail; uniform at the very start)."""
    import numpy as np
    from scipy.special import betaln, gammaln

    b = (s + 2) / (r_s + 1) - 1.0
    j = np.arange(n_urn + 1, dtype=np.float64)
    return (gammaln(n_urn + 1) - gammaln(j + 1) - gammaln(n_urn - j + 1)
            + betaln(j + 1.0, n_urn - j + b) - betaln(1.0, b))


def log_evidence(labels: np.ndarray, total: int, k_totals: np.ndarray) -> np.ndarray:
    """log of the evidence against each hypothesised total ``k_totals`` of relevant records.

    ``labels`` are 0/1 in screening order (a numpy array); the evidence is the average over the
    fixed tail starts of the prior-posterior ratios. A total the records seen rule out gets
    ``inf``.
    """
    import numpy as np
    from scipy.special import logsumexp

    t = labels.size
    cum = np.concatenate(([0], np.cumsum(labels)))
    starts = _starts(total)
    logs = np.zeros((len(starts), k_totals.size))
    for i, s in enumerate(starts):
        if s >= t:
            continue  # this tail has not begun: its ratio is still 1
        r_s = int(cum[s])
        n, k = t - s, int(cum[t]) - r_s
        n_urn = total - s
        j = np.arange(n_urn + 1, dtype=np.float64)  # relevant records the urn might hold
        log_prior = _log_prior(n_urn, s, r_s)
        # the chance of this tail's sequence given j relevant in the urn, up to a constant
        log_lik = _log_falling(j, k) + _log_falling(n_urn - j, n - k)
        # one-sided: the alternatives to a total are the smaller ones, weighed by the prior
        # (a sample richer in relevant records than a total predicts is no evidence that
        # fewer remain)
        joint = np.logaddexp.accumulate(log_prior + log_lik)
        mass = np.logaddexp.accumulate(log_prior)
        k_urn = k_totals - r_s
        inside = (k_urn >= 1) & (k_urn <= n_urn)
        idx = k_urn[inside].astype(np.int64)
        below = np.zeros(k_totals.shape)  # no smaller total: the ratio stays 1
        below[inside] = joint[idx - 1] - mass[idx - 1]
        lik_k = np.zeros(k_totals.shape)
        lik_k[inside] = log_lik[idx]
        lik_k[k_urn > n_urn] = -np.inf  # more than the urn holds: ruled out
        logs[i] = np.where(np.isneginf(lik_k), np.inf, below - lik_k)  # impossible: inf
    return np.asarray(logsumexp(logs, axis=0) - math.log(len(starts)))


def claims_recall(
    labels: np.ndarray, total: int, target: float = 0.95, confidence: float = 0.95
) -> tuple[bool, float]:
    """Whether recall ``target`` is claimed, and the evidence (the smallest ratio over the
    totals that would put recall below ``target``; a claim needs ``1 / (1 - confidence)``)."""
    import numpy as np

    found = int(labels.sum())
    if found == 0:
        return False, 1.0
    k0 = math.floor(found / target) + 1
    k_max = found + total - labels.size
    if k0 > k_max:
        return True, math.inf
    ev = log_evidence(labels, total, np.arange(k0, k_max + 1))
    least = float(np.exp(min(ev.min(), 700.0)))
    return least >= 1.0 / (1.0 - confidence), least


def sequential_bound(
    labels: np.ndarray, total: int, confidence: float = 0.95
) -> tuple[float | None, int | None]:
    """The lowest recall (and highest total of relevant records) the evidence does not rule
    out at ``confidence``, valid at every look; ``(None, None)`` before anything relevant."""
    import numpy as np

    found = int(labels.sum())
    if found == 0:
        return None, None
    ks = np.arange(found, found + total - labels.size + 1)
    ev = log_evidence(labels, total, ks)
    kept = ks[ev < math.log(1.0 / (1.0 - confidence))]
    k_max = int(kept.max()) if kept.size else found
    return found / k_max, k_max


def first_claim(
    labels: np.ndarray, total: int | None = None, target: float = 0.95,
    confidence: float = 0.95,
) -> int | None:
    """How many records had been screened when :func:`claims_recall`, checked after every
    record of ``labels`` (0/1, screening order), first claimed ``target``; ``None`` if never.

    The same figures as calling :func:`claims_recall` on every prefix, computed for all the
    prefixes at once (for simulations).
    """
    import numpy as np
    from scipy.special import logsumexp

    labels = np.asarray(labels, dtype=np.int64)
    t_all = labels.size
    total = t_all if total is None else total
    cum = np.concatenate(([0], np.cumsum(labels)))
    ks = np.arange(total + 1)
    starts = _starts(total)
    logs = np.zeros((len(starts), t_all, total + 1))  # row t-1: after t records
    for i, s in enumerate(starts):
        if s >= t_all:
            continue
        r_s = int(cum[s])
        n_urn = total - s
        j = np.arange(n_urn + 1, dtype=np.float64)
        log_prior = _log_prior(n_urn, s, r_s)
        n = np.arange(1, t_all - s + 1)[:, None].astype(np.float64)
        k = (cum[s + 1:t_all + 1] - r_s)[:, None].astype(np.float64)
        log_lik = _log_falling(j[None, :], k) + _log_falling(n_urn - j[None, :], n - k)
        joint = np.logaddexp.accumulate(log_prior[None, :] + log_lik, axis=1)
        mass = np.logaddexp.accumulate(log_prior)
        k_urn = ks - r_s
        inside = (k_urn >= 1) & (k_urn <= n_urn)
        idx = k_urn[inside]
        block = np.zeros((t_all - s, total + 1))
        lik_k = log_lik[:, idx]
        with np.errstate(invalid="ignore"):
            block[:, inside] = np.where(np.isneginf(lik_k), np.inf,
                                        joint[:, idx - 1] - mass[idx - 1] - lik_k)
        block[:, k_urn > n_urn] = np.inf
        logs[i, s:] = block
    ev = logsumexp(logs, axis=0) - math.log(len(starts))
    threshold = math.log(1.0 / (1.0 - confidence))
    for t in range(1, t_all + 1):
        found = int(cum[t])
        if found == 0:
            continue
        k0 = math.floor(found / target) + 1
        k_max = found + total - t
        if k0 > k_max or ev[t - 1, k0:k_max + 1].min() >= threshold:
            return t
    return None
