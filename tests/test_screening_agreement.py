"""Agreement figures: Cohen's kappa (checked against scikit-learn), PABAK, Fleiss, pilot."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from implmap import screening
from implmap.errors import DecisionError
from implmap.screening.agreement import pair_agreement
from support.builders import screening_review

TA = "title_abstract"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["include", "exclude", "maybe"]),
                          st.sampled_from(["include", "exclude", "maybe"])), min_size=1,
                max_size=60))
def test_kappa_equals_sklearn(pairs):
    a = {f"r{i}": x for i, (x, _) in enumerate(pairs)}
    b = {f"r{i}": y for i, (_, y) in enumerate(pairs)}
    got = pair_agreement(TA, "ana", a, "ben", b)
    xa = ["exclude" if x == "exclude" else "include" for x, _ in pairs]
    xb = ["exclude" if y == "exclude" else "include" for _, y in pairs]
    if len(set(xa) | set(xb)) == 1:
        assert got.kappa is None  # undefined: one category only
    else:
        assert got.kappa == pytest.approx(cohen_kappa_score(xa, xb), abs=1e-12)
    po = sum(x == y for x, y in zip(xa, xb, strict=True)) / len(xa)
    assert got.percent == pytest.approx(po)
    assert got.pabak == pytest.approx(2 * po - 1)
    assert (got.both_include + got.both_exclude + got.only_first_includes
            + got.only_second_includes) == got.n == len(pairs)


def test_maybe_counts_as_include():
    a = {"r1": "maybe", "r2": "exclude", "r3": "include", "r4": "exclude"}
    b = {"r1": "include", "r2": "exclude", "r3": "maybe", "r4": "include"}
    got = pair_agreement(TA, "ana", a, "ben", b)
    assert (got.both_include, got.both_exclude, got.only_second_includes) == (2, 1, 1)
    assert got.percent == 0.75


def test_textbook_example():
    # 2x2 table (a=20, b=5, c=10, d=15): p_o = 0.7, p_e = 0.5, kappa = 0.4 (Wikipedia's example)
    a, b = {}, {}
    cells = [("include", "include", 20), ("include", "exclude", 5),
             ("exclude", "include", 10), ("exclude", "exclude", 15)]
    n = 0
    for x, y, k in cells:
        for _ in range(k):
            a[f"r{n}"], b[f"r{n}"] = x, y
            n += 1
    got = pair_agreement(TA, "ana", a, "ben", b)
    assert got.kappa == pytest.approx(0.4) and got.pabak == pytest.approx(0.4)


def test_fleiss_kappa_matches_the_published_example():
    # Fleiss (1971) as worked on Wikipedia: 10 subjects, 14 raters, 5 categories -> 0.210
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
             [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
             [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    ratings = [[str(c) for c, k in enumerate(row) for _ in range(k)] for row in table]
    assert screening.fleiss_kappa(ratings) == pytest.approx(0.2099, abs=1e-4)
    # with two raters Fleiss' kappa is close to Cohen's (equal to Scott's pi)
    assert screening.fleiss_kappa([["a", "a"], ["b", "b"]]) == pytest.approx(1.0)
    assert screening.fleiss_kappa([["a", "a"], ["a", "a"]]) is None


def test_agreement_on_a_review_with_three_reviewers(tmp_path):
    rev = screening_review(tmp_path / "r", n=6, reviewers=("ana", "ben", "dan"))
    ids = screening.records_to_screen(rev, TA)
    votes = {"ana": "iieeii", "ben": "iieeei", "dan": "imeeie"}
    names = {"i": "include", "e": "exclude", "m": "maybe"}
    for who, row in votes.items():
        for rid, v in zip(ids, row, strict=True):
            screening.decide(rev, who, TA, rid, names[v])
    rep = screening.agreement(rev, TA)
    assert [p.reviewers for p in rep.pairs] == [("ana", "ben"), ("ana", "dan"), ("ben", "dan")]
    assert rep.pairs[0].n == 6 and rep.pairs[0].percent == pytest.approx(5 / 6)
    (g,) = rep.groups
    assert g.n == 6 and g.reviewers == ("ana", "ben", "dan")
    assert g.percent == pytest.approx(4 / 6)
    assert not math.isnan(g.fleiss_kappa)


def test_pilot_round_gates_release_and_reports_agreement(tmp_path):
    rev = screening_review(tmp_path / "r", n=10, pilot=3)
    pilot = screening.pilot_records(rev, TA)
    assert len(pilot) == 3 and pilot == screening.pilot_records(rev, TA)  # seeded, stable
    assert screening.released_records(rev, "ana", TA) == pilot
    outside = next(r for r in screening.records_to_screen(rev, TA) if r not in pilot)
    with pytest.raises(DecisionError, match="complete the pilot round"):
        screening.decide(rev, "ana", TA, outside, "include")
    for rid in pilot:
        screening.decide(rev, "ana", TA, rid, "include")
    assert screening.released_records(rev, "ana", TA) == pilot  # ben has not finished
    for i, rid in enumerate(pilot):
        screening.decide(rev, "ben", TA, rid, "include" if i else "exclude")
    assert screening.pilot_complete(rev, TA)
    assert screening.released_records(rev, "ana", TA) == screening.records_to_screen(rev, TA)
    screening.decide(rev, "ana", TA, outside, "include")
    screening.decide(rev, "ben", TA, outside, "include")
    pilot_rep = screening.agreement(rev, TA, pilot=True)
    assert pilot_rep.pilot and pilot_rep.pairs[0].n == 3
    assert pilot_rep.pairs[0].percent == pytest.approx(2 / 3)
    assert screening.agreement(rev, TA).pairs[0].n == 4


def test_pilot_flag_without_a_pilot_is_an_error(tmp_path):
    rev = screening_review(tmp_path / "r", n=3)
    with pytest.raises(DecisionError, match="no pilot round"):
        screening.agreement(rev, pilot=True)


def test_the_pilot_belongs_to_the_first_stage(tmp_path):
    rev = screening_review(tmp_path / "r", n=6, pilot=2)
    pilot = screening.pilot_records(rev, TA)
    for who in ("ana", "ben"):
        for rid in pilot:
            screening.decide(rev, who, TA, rid, "include")
    assert screening.records_to_screen(rev, "full_text") == sorted(pilot, key=lambda r: int(
        r.split("-")[1]))
    assert screening.pilot_records(rev, "full_text") == []
    assert screening.released_records(rev, "ana", "full_text") == screening.records_to_screen(
        rev, "full_text")
    with pytest.raises(DecisionError, match="belongs to the first stage"):
        screening.agreement(rev, "full_text", pilot=True)


FT = "full_text"


def test_full_text_agreement_counts_reasons_and_maybe_as_conflicts_do(tmp_path):
    # issue #14: four records at full text, three in open conflict; agreement read 100 %, kappa 1
    rev = screening_review(tmp_path / "r", n=6)
    ids = screening.records_to_screen(rev, TA)[:4]
    for rid in ids:
        for who in ("ana", "ben"):
            screening.decide(rev, who, TA, rid, "include")
    assert screening.records_to_screen(rev, FT) == ids
    plan = [("exclude", "wrong concept", "exclude", "wrong population"),  # different reasons
            ("include", None, "maybe", None),  # a maybe is no final answer at the last stage
            ("maybe", None, "maybe", None),
            ("include", None, "include", None)]
    for rid, (a, ra, b, rb) in zip(ids, plan, strict=True):
        screening.decide(rev, "ana", FT, rid, a, reason=ra)
        screening.decide(rev, "ben", FT, rid, b, reason=rb)
    assert len(screening.conflicts(rev, FT)) == 3
    (pair,) = screening.agreement(rev, stage=FT).pairs
    assert pair.percent == 1.0 and pair.kappa == pytest.approx(1.0)  # binary: unchanged
    assert pair.conflicts == 3 and pair.counts_reasons and pair.last_stage
    assert pair.conflict_percent == 0.25
    # only include/include agrees: p_o = 1/4, p_e = 2/4 * 1/4, kappa = (1/4 - 1/8) / (7/8)
    assert pair.conflict_kappa == pytest.approx(1 / 7)
    assert pair.to_dict()["conflict_kappa"] == pytest.approx(1 / 7)
    # title/abstract: maybe with include agrees and reasons are not compared, as before
    (ta,) = screening.agreement(rev, stage=TA).pairs
    assert ta.conflicts == 0 and ta.conflict_percent == ta.percent == 1.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["include", "exclude:a", "exclude:b", "maybe"]),
                          st.sampled_from(["include", "exclude:a", "exclude:b", "maybe"])),
                min_size=2, max_size=40))
def test_conflict_kappa_is_cohens_kappa_over_categories_where_the_rule_is_equality(pairs):
    from implmap.screening.agreement import weighted_kappa

    xa = [x for x, _ in pairs]
    xb = [y for _, y in pairs]
    got = weighted_kappa(xa, xb, lambda u, v: u == v)
    if len(set(xa) | set(xb)) == 1:
        assert got is None
    else:
        assert got == pytest.approx(cohen_kappa_score(xa, xb), abs=1e-12)
    # at a stage that is not the last, with reasons required, the rule differs only in
    # letting include and maybe agree
    a = {f"r{i}": x for i, x in enumerate(xa)}
    b = {f"r{i}": y for i, y in enumerate(xb)}
    pa = pair_agreement("s", "ana", a, "ben", b, reasons_required=True)
    merged = [[("include" if v == "maybe" else v) for v in row] for row in (xa, xb)]
    assert pa.conflict_percent == pytest.approx(
        sum(u == v for u, v in zip(*merged, strict=True)) / len(pairs))
