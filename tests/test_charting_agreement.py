"""Dual coding: Cohen's kappa per TDF domain and theme, and the coding-agreement command."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from implmap.charting.agreement import cohen_kappa
from implmap.cli import cli
from support.builders import charting_review


@pytest.mark.parametrize("a, b", [
    ([1, 1, 0, 0, 1, 0], [1, 0, 0, 0, 1, 1]),
    ([1, 1, 1, 0], [1, 1, 0, 0]),
    ([0, 1, 0, 1, 0, 0, 0, 1], [0, 1, 1, 1, 0, 0, 0, 0]),
])
def test_cohen_kappa_matches_scikit_learn(a, b):
    from sklearn.metrics import cohen_kappa_score

    assert cohen_kappa([bool(x) for x in a], [bool(x) for x in b]) == pytest.approx(
        cohen_kappa_score(a, b))


def test_cohen_kappa_is_undefined_when_both_say_the_same_to_everything():
    assert math.isnan(cohen_kappa([False, False], [False, False]))
    assert math.isnan(cohen_kappa([], []))


def test_agreement_per_domain_on_the_fixture(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    res = review.coding_agreement()
    assert (res.n_findings, res.n_dual) == (4, 3)
    d = res.domains.set_index("label")
    ecr = d.loc["Environmental Context and Resources"]
    # ana: yes, no, yes; ben: yes, no, no -> po 2/3, pe 4/9, kappa 0.4
    assert (ecr.n, ecr.a_yes, ecr.b_yes, ecr.both) == (3, 2, 1, 1)
    assert ecr.kappa == pytest.approx(0.4)
    assert ecr.agreement == pytest.approx(2 / 3)
    assert math.isnan(d.loc["Optimism"].kappa) and d.loc["Optimism"].agreement == 1
    assert len(res.domains) == 14
    t = res.themes.set_index("label")
    assert t.loc["time"].kappa == pytest.approx(1.0)
    # ana matches the consensus domains on 2 of 3 findings, ben on 1 (f2)
    assert res.consensus["ana"]["domains"] == pytest.approx(2 / 3)
    assert res.consensus["ben"]["domains"] == pytest.approx(1 / 3)
    assert set(res.pooled) == {"ana~ben"}


def test_coding_agreement_cli(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    result = CliRunner().invoke(cli, ["coding-agreement", "-r", str(review.root)])
    assert result.exit_code == 0, result.output
    assert "3 of 4 finding(s) coded independently" in result.output
    assert "0.40" in result.output and "ana vs ben" in result.output
    data = json.loads(CliRunner().invoke(cli, ["coding-agreement", "-r", str(review.root),
                                               "--json"]).output)
    optimism = next(r for r in data["domains"] if r["label"] == "Optimism")
    assert optimism["kappa"] is None


def test_no_dual_coding_says_what_to_do(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    for log in review.coding_logs():
        log.unlink()  # nobody has coded yet
    assert review.check().valid, [str(p) for p in review.check().problems]
    result = CliRunner().invoke(cli, ["coding-agreement", "-r", str(review.root)])
    assert "coded independently" in result.output


def test_cohen_kappa_properties():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pairs = st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=40)

    @settings(max_examples=60, deadline=None)
    @given(pairs)
    def check(items):
        a = [x for x, _ in items]
        b = [y for _, y in items]
        k = cohen_kappa(a, b)
        if math.isnan(k):
            assert len(set(a)) == 1 and set(a) == set(b)
            return
        assert -1 - 1e-9 <= k <= 1 + 1e-9
        assert k == pytest.approx(cohen_kappa(b, a))  # symmetric
        if a == b:
            assert k == pytest.approx(1.0)

    check()


def test_before_and_after_reconciliation(tmp_path):
    from implmap.charting.agreement import AGREED, coding_agreement
    from implmap.charting.coding import all_codings
    from implmap.charting.measures import agreement_summary
    from implmap.charting.store import load_studies

    review, _ = charting_review(tmp_path / "r")
    res = coding_agreement(review)
    own = {c: {f"{s}/{f}": frozenset(t["domain"] for t in e["tdf"]) for (s, f), e in v.items()}
           for c, v in all_codings(review).items()}
    want = agreement_summary(own).pairs.iloc[0]
    got = res.before.pairs.set_index("kind").loc["domains"]
    assert (got.coder_a, got.coder_b, got.n) == ("ana", "ben", want.n)
    assert got.exact == pytest.approx(want.exact)
    assert got.jaccard == pytest.approx(want.jaccard)
    # after: each coder against the agreed tags of the reconciled findings
    after = res.after.pairs[res.after.pairs["kind"] == "domains"].set_index("coder_a")
    assert set(after["coder_b"]) == {AGREED}
    agreed = {f"{s.id}/{f.id}": frozenset(f.domains) for s in load_studies(review)
              for f in s.findings if f.agreed_by or f.tdf or f.themes}
    assert res.n_reconciled == len(agreed)
    ana = {k: v for k, v in own["ana"].items() if k in agreed}
    assert after.loc["ana"].n == len(ana)
    assert after.loc["ana"].exact == pytest.approx(
        sum(ana[k] == agreed[k] for k in ana) / len(ana))
    data = json.loads(CliRunner().invoke(cli, ["coding-agreement", "-r", str(review.root),
                                               "--json"]).output)
    assert {r["coder_b"] for r in data["after"]["pairs"]} == {AGREED}
    assert data["before"]["pairs"][0]["coder_a"] == "ana"
    out = CliRunner().invoke(cli, ["coding-agreement", "-r", str(review.root)]).output
    assert out.index("Before reconciliation") < out.index("After reconciliation") \
        < out.index("Cohen's kappa per label") < out.index("Pooled kappa")
