"""Set-based agreement for multi-label coding (implmap.charting.measures): hand-computed values,
Krippendorff's textbook example, an independent coincidence-matrix computation of alpha, and
per-label kappa against scikit-learn; the guide's example."""

from __future__ import annotations

import math
import random
from itertools import permutations

import pytest
from sklearn.metrics import cohen_kappa_score

from conftest import ROOT
from implmap.charting.measures import (
    agreement_summary,
    exact_set_agreement,
    krippendorff_alpha,
    masi_distance,
    mean_jaccard,
    nominal_distance,
    per_label_kappa,
)
from support.guides import guide_blocks, shown_after

F = frozenset

# Two coders, five findings: f4 only ana coded, f5 only ben coded (missing data).
ANA = {"f1": F({"X"}), "f2": F({"X", "Y"}), "f3": F(), "f4": F({"Z"})}
BEN = {"f1": F({"X"}), "f2": F({"X"}), "f3": F(), "f5": F({"Y"})}
SMALL = {"ana": ANA, "ben": BEN}

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the example of four
# observers, twelve units and missing values ("." = not coded): nominal alpha = 0.743.
TEXTBOOK = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}


def textbook() -> dict[str, dict[str, frozenset[str]]]:
    return {c: {f"u{i + 1}": F({v}) for i, v in enumerate(row.split()) if v != "."}
            for c, row in TEXTBOOK.items()}


def brute_alpha(codings, distance) -> float:
    """Alpha from the coincidence matrix (Krippendorff 2011), written independently of the
    library: o[c, k] sums, over units, the ordered pairs of values (c, k) from different coders
    divided by m_u - 1; alpha = 1 - (n - 1) Σ o δ / Σ_{c, k} n_c (n_k - [c = k]) δ."""
    units: dict[str, list] = {}
    for coded in codings.values():
        for fid, labels in coded.items():
            units.setdefault(fid, []).append(F(labels))
    o: dict[tuple, float] = {}
    for values in units.values():
        m = len(values)
        if m < 2:
            continue
        for i, j in permutations(range(m), 2):
            key = (values[i], values[j])
            o[key] = o.get(key, 0.0) + 1 / (m - 1)
    n_c: dict = {}
    for (c, _), w in o.items():
        n_c[c] = n_c.get(c, 0.0) + w
    n = sum(n_c.values())
    observed = sum(w * distance(c, k) for (c, k), w in o.items())
    expected = sum(nc * (nk - (c == k)) * distance(c, k)
                   for c, nc in n_c.items() for k, nk in n_c.items())
    return 1 - (n - 1) * observed / expected


def random_codings(seed: int, coders: int = 3, findings: int = 120, missing: float = 0.0):
    rng = random.Random(seed)
    labels = [f"d{i}" for i in range(14)]
    out: dict[str, dict[str, frozenset[str]]] = {}
    for c in range(coders):
        out[f"c{c}"] = {f"f{i}": F(rng.sample(labels, rng.randint(1, 3)))
                        for i in range(findings) if rng.random() >= missing}
    return out


# MASI ---------------------------------------------------------------------------------------

def test_masi_distance_in_its_four_cases() -> None:
    assert masi_distance(F({"a", "b"}), F({"b", "a"})) == 0.0  # equal: M = 1, J = 1
    assert masi_distance(F({"a", "b"}), F({"a"})) == pytest.approx(1 - 0.5 * 0.67)  # subset
    assert masi_distance(F({"a"}), F({"a", "b", "c"})) == pytest.approx(1 - 0.67 / 3)
    assert masi_distance(F({"a", "b"}), F({"b", "c"})) == pytest.approx(1 - 0.33 / 3)  # overlap
    assert masi_distance(F({"a"}), F({"b"})) == 1.0  # disjoint
    assert masi_distance(F(), F()) == 0.0
    assert masi_distance(F(), F({"a"})) == 1.0
    assert nominal_distance(F({"a", "b"}), F({"a"})) == 1.0


# Exact sets, Jaccard --------------------------------------------------------------------------

def test_exact_set_agreement_and_mean_jaccard_by_hand() -> None:
    # Shared: f1 {X}={X}, f2 {X,Y} vs {X}, f3 {} = {} (two empty sets agree).
    assert exact_set_agreement(ANA, BEN) == pytest.approx(2 / 3)
    assert mean_jaccard(ANA, BEN) == pytest.approx((1 + 0.5 + 1) / 3)
    assert exact_set_agreement(ANA, {"f9": F()}) is None
    assert mean_jaccard({}, BEN) is None


# Krippendorff's alpha -------------------------------------------------------------------------

def test_alpha_by_hand_with_masi_and_missing_data() -> None:
    # Pairable values: f1 {X},{X}; f2 {X,Y},{X}; f3 {},{}; n = 6 (f4, f5 coded once: left out).
    # D_o = (0 + 2 × 0.665 + 0) / 6; D_e over {X}×3, {X,Y}×1, {}×2:
    # (2·3·1 × 0.665 + 2·3·2 × 1 + 2·1·2 × 1) / (6 × 5) = 19.99 / 30.
    expected = 1 - (1.33 / 6) / (19.99 / 30)
    assert krippendorff_alpha(SMALL) == pytest.approx(expected)
    assert krippendorff_alpha(SMALL) == pytest.approx(13.34 / 19.99)


def test_alpha_nominal_reproduces_krippendorffs_worked_example() -> None:
    data = textbook()
    assert krippendorff_alpha(data, nominal_distance) == pytest.approx(0.743, abs=5e-4)
    # Single labels: MASI is 0 for equal and 1 for different singletons, i.e. nominal.
    assert krippendorff_alpha(data) == pytest.approx(krippendorff_alpha(data, nominal_distance))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alpha_equals_an_independent_coincidence_matrix_computation(seed: int) -> None:
    data = random_codings(seed, coders=4, findings=40, missing=0.3)
    # Make the coders agree somewhat, so alpha is not just noise around 0.
    for fid, labels in list(data["c0"].items())[:20]:
        for c in ("c1", "c2"):
            if fid in data[c]:
                data[c][fid] = labels
    for distance in (masi_distance, nominal_distance):
        assert krippendorff_alpha(data, distance) == pytest.approx(brute_alpha(data, distance))
    assert krippendorff_alpha(textbook(), nominal_distance) == pytest.approx(
        brute_alpha(textbook(), nominal_distance))


def test_alpha_is_one_for_identical_codings_and_near_zero_for_random_ones() -> None:
    data = random_codings(7, coders=1, findings=60)["c0"]
    assert krippendorff_alpha({"a": data, "b": dict(data), "c": dict(data)}) == 1.0
    alpha = krippendorff_alpha(random_codings(11, coders=3, findings=300))
    assert alpha is not None and abs(alpha) < 0.05


def test_alpha_is_negative_for_systematic_disagreement() -> None:
    a = {f"f{i}": F({"X"} if i % 2 else {"Y"}) for i in range(10)}
    b = {f"f{i}": F({"Y"} if i % 2 else {"X"}) for i in range(10)}
    alpha = krippendorff_alpha({"a": a, "b": b})
    assert alpha is not None and alpha < 0


def test_alpha_ignores_findings_coded_once_and_is_none_when_undefined() -> None:
    extra = {"ana": {**ANA, "f7": F({"Q"}), "f8": F()}, "ben": BEN, "cy": {"f9": F({"X"})}}
    assert krippendorff_alpha(extra) == pytest.approx(krippendorff_alpha(SMALL))
    assert krippendorff_alpha({"ana": ANA}) is None  # nothing pairable
    assert krippendorff_alpha({}) is None
    same = {"a": {"f1": F({"X"}), "f2": F({"X"})}, "b": {"f1": F({"X"}), "f2": F({"X"})}}
    assert krippendorff_alpha(same) is None  # no variation: D_e = 0


# Per-label kappa --------------------------------------------------------------------------------

def test_per_label_kappa_by_hand() -> None:
    kappa = per_label_kappa(SMALL, ["X", "Y", "Z"], "ana", "ben")
    # Shared f1, f2, f3. X: both yes, yes, no -> 1. Y: ana no, yes, no; ben no, no, no:
    # p_o = 2/3, p_e = 2/3 -> 0. Z: nobody on shared findings -> undefined.
    assert kappa == {"X": pytest.approx(1.0), "Y": pytest.approx(0.0), "Z": None}
    assert per_label_kappa(SMALL, ["X"], "ana", "nobody") == {"X": None}


@pytest.mark.parametrize("seed", [3, 4])
def test_per_label_kappa_equals_scikit_learn(seed: int) -> None:
    data = random_codings(seed, coders=2, findings=80, missing=0.2)
    labels = [f"d{i}" for i in range(14)]
    ids = sorted(set(data["c0"]) & set(data["c1"]))
    kappa = per_label_kappa(data, labels, "c0", "c1")
    for label in labels:
        a = [int(label in data["c0"][i]) for i in ids]
        b = [int(label in data["c1"][i]) for i in ids]
        assert kappa[label] == pytest.approx(cohen_kappa_score(a, b)), label


# The summary ------------------------------------------------------------------------------------

def test_summary_before_reconciliation() -> None:
    themes = {"ana": {"f1": F({"t1"}), "f2": F({"t2"})}, "ben": {"f1": F({"t1"})}}
    s = agreement_summary(SMALL, themes, domain_labels=["X", "Y", "Z", "W"])
    row = s.pairs.set_index("kind").loc["domains"]
    assert (row.coder_a, row.coder_b, row.n) == ("ana", "ben", 3)
    assert row.exact == pytest.approx(2 / 3)
    assert row.jaccard == pytest.approx(2.5 / 3)
    assert row.alpha_masi == pytest.approx(13.34 / 19.99)
    assert s.pairs.set_index("kind").loc["themes", "n"] == 1
    assert math.isnan(s.pairs.set_index("kind").loc["themes", "alpha_masi"])  # one set only
    k = s.kappa[s.kappa.kind == "domains"].set_index("label")
    assert list(k.index) == ["X", "Y", "Z", "W"]
    assert k.loc["X", "kappa"] == pytest.approx(1.0)
    assert (k.loc["X", "a_yes"], k.loc["X", "b_yes"], k.loc["X", "both"]) == (2, 2, 2)
    assert math.isnan(k.loc["W", "kappa"])  # in the vocabulary, never used
    assert list(s.kappa[s.kappa.kind == "themes"].label) == ["t1", "t2"]
    assert s.alpha["domains"] == pytest.approx(13.34 / 19.99)


def test_summary_after_reconciliation_compares_each_coder_with_the_agreed_tags() -> None:
    agreed = {"f1": F({"X"}), "f2": F({"X", "Y"}), "f3": F(), "f4": F({"Z"}), "f5": F({"Y"})}
    s = agreement_summary({**SMALL, "agreed": agreed}, versus="agreed")
    pairs = s.pairs.set_index("coder_a")
    assert list(s.pairs.coder_b) == ["agreed", "agreed"]
    assert pairs.loc["ana", "exact"] == 1.0 and pairs.loc["ana", "n"] == 4
    assert pairs.loc["ben", "exact"] == pytest.approx(3 / 4)
    assert set(s.alpha) == {"domains"}


def test_summary_of_a_pair_without_shared_findings() -> None:
    s = agreement_summary({"a": {"f1": F({"X"})}, "b": {"f2": F({"X"})}},
                          pairs=[("a", "b")])
    row = s.pairs.iloc[0]
    assert row.n == 0 and math.isnan(row.exact) and math.isnan(row.jaccard)
    assert math.isnan(s.kappa.iloc[0].kappa)


# The guide ----------------------------------------------------------------------------------------

def test_the_guides_example_prints_what_the_guide_shows(capsys) -> None:
    """docs/guides/charting.md, "Agreement that fits multi-label coding": the Python block on
    plain dicts prints exactly the text block after it (the block also runs with the guide)."""
    guide = ROOT / "docs" / "guides" / "charting.md"
    code = next(body for _, body in guide_blocks(guide, "python") if "agreement_summary" in body)
    shown = shown_after(guide, "python", "agreement_summary")
    assert shown is not None
    exec(compile(code, str(guide), "exec"), {"__name__": "guide"})
    assert capsys.readouterr().out.strip() == shown.strip()
