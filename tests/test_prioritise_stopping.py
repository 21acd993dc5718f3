"""The hypergeometric stopping estimate: known cases, monotonic behaviour, limits."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import hypergeom

from implmap.prioritise.stopping import h0_pvalue, recall_estimate, recall_lower_bound


def test_single_window_matches_scipy_by_hand():
    # 10 screened: 3 relevant, then 7 irrelevant; 100 records in all; target 0.95
    labels = [1, 1, 1] + [0] * 7
    n_total = 100
    k_tar = math.floor(3 / 0.95) + 1  # 4 relevant in all under H0
    # every window of the last n (all irrelevant for n <= 7): urn = 90 unseen + n, holding
    # k_tar - 3 = 1 relevant; P(0 of them in the sample of n)
    by_hand = min(
        hypergeom.cdf(0, 90 + n, 1, n) for n in range(1, 8)
    )
    # windows reaching into the relevant ones: n = 8..10 with k = n - 7 relevant
    for n in range(8, 11):
        k = n - 7
        by_hand = min(by_hand, hypergeom.cdf(k, 90 + n, k_tar - (3 - k), n))
    assert h0_pvalue(labels, n_total) == pytest.approx(by_hand)
    # the smallest is the longest run of irrelevant records: 1 - 7/97
    assert by_hand == pytest.approx(90 / 97)


def test_everything_screened_rejects_h0():
    labels = [1, 0, 1, 0, 0]
    assert h0_pvalue(labels, total=5) == 0.0
    est = recall_estimate(labels, total=5)
    assert est.reached
    assert est.recall_lower_bound == 1.0


def test_nothing_found_gives_no_estimate():
    est = recall_estimate([0] * 50, total=100)
    assert est.p_value == 1.0 and not est.reached
    assert est.recall_lower_bound is None and est.estimated_total is None
    assert "No relevant record" in est.sentence()


def test_long_tail_of_exclusions_is_evidence():
    early = [1] * 20 + [0] * 30
    late = [1] * 20 + [0] * 4000
    assert h0_pvalue(late, 5000) < h0_pvalue(early, 5000)
    assert recall_estimate(late, 5000, correction="none").reached
    assert recall_estimate(late, 5000).reached_single_check
    assert not recall_estimate(early, 5000).reached


def test_recent_inclusion_weakens_the_claim():
    quiet = [1] * 20 + [0] * 1000
    recent = [1] * 20 + [0] * 999 + [1]
    assert h0_pvalue(recent, 5000) > h0_pvalue(quiet, 5000)


def test_lower_bound_is_consistent_with_the_test():
    labels = [1] * 30 + [0] * 800
    total = 4000
    lb, k_max = recall_lower_bound(labels, total, 0.95)
    assert lb == pytest.approx(30 / k_max)
    # H0 at the bound itself is not rejected; a total one above it is
    from implmap.prioritise.stopping import _as_labels, _pvalue_for_total

    arr = _as_labels(labels)
    assert _pvalue_for_total(arr, total, k_max) >= 0.05
    assert _pvalue_for_total(arr, total, k_max + 1) < 0.05
    # claim at target t iff lower bound >= t (up to the integer grid)
    reached = recall_estimate(labels, total, target=0.9, correction="none").reached
    assert reached == (lb >= 0.9 - 1e-12) or abs(lb - 0.9) < 0.02


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match=r"0 .* or 1"):
        h0_pvalue([0, 2], 10)
    with pytest.raises(ValueError, match="smaller than"):
        h0_pvalue([0, 1, 0], 2)
    with pytest.raises(ValueError, match="target"):
        h0_pvalue([1], 10, target=1.5)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 1), min_size=1, max_size=60),
    st.integers(0, 200),
    st.integers(0, 30),
)
def test_more_exclusions_at_the_end_never_weaken_the_claim(labels, unseen, extra):
    total = len(labels) + unseen + extra
    p_before = h0_pvalue(labels, total)
    p_after = h0_pvalue(labels + [0] * extra, total)
    assert p_after <= p_before + 1e-12
    lb_before, _ = recall_lower_bound(labels, total)
    lb_after, _ = recall_lower_bound(labels + [0] * extra, total)
    if lb_before is not None:
        assert lb_after >= lb_before - 1e-12


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=1, max_size=60), st.integers(0, 200))
def test_higher_target_is_harder_to_claim(labels, unseen):
    total = len(labels) + unseen
    assert h0_pvalue(labels, total, 0.8) <= h0_pvalue(labels, total, 0.95) + 1e-12


def test_stopping_doctest():
    import doctest

    import implmap.prioritise.stopping as stopping

    assert doctest.testmod(stopping).failed == 0


def test_corrected_claim_holds_its_level_when_checked_after_every_record():
    # 200 random orders of 100 records (10 relevant), checked after every record
    import numpy as np

    from implmap.prioritise.sequential import claims_recall, first_claim

    rng = np.random.default_rng(14)
    false_claims = 0
    for _ in range(200):
        labels = np.zeros(100, dtype=np.int64)
        labels[:10] = 1
        rng.shuffle(labels)
        t = first_claim(labels, 100)
        if t is not None and labels[:t].sum() / 10 < 0.95:
            false_claims += 1
    assert false_claims / 200 <= 0.05
    # first_claim is claims_recall checked on every prefix
    assert first_claim(labels, 100) == next(
        (t for t in range(1, 101) if claims_recall(labels[:t], 100)[0]), None)
