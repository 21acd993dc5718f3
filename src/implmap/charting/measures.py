"""Agreement measures that fit multi-label coding: each coder gives each finding a *set* of labels.

A coder tags a finding with a set of TDF domains (and a set of themes), usually one to three
out of fourteen. Kappa pooled over every (finding × domain) cell is then dominated by the many
cells that both coders left empty, and reads better than the coding deserves. The measures here
compare the sets themselves:

* :func:`exact_set_agreement` — the share of findings given identical sets;
* :func:`mean_jaccard` — the mean overlap ``|A ∩ B| / |A ∪ B|`` of the two sets;
* :func:`krippendorff_alpha` with :func:`masi_distance` — chance-corrected agreement of any
  number of coders, missing codings allowed, partial overlap counted as partial agreement;
* :func:`per_label_kappa` — Cohen's kappa per label (present/absent), to see *which* domains
  coders read differently.

Every function takes plain data: ``codings = {coder: {finding_id: frozenset(labels)}}``. A
coder who did not code a finding simply lacks its ID (missing data); an empty set means the
coder coded the finding and gave it no label. :func:`agreement_summary` gathers all of them per
pair of coders, for domains and for themes.

References: Krippendorff, K. (2004). *Content Analysis: An Introduction to Its Methodology*
(2nd ed.), ch. 11, and Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*
(Annenberg School for Communication); Passonneau, R. (2006). Measuring agreement on set-valued
items (MASI) for semantic and pragmatic annotation. *Proceedings of LREC 2006*.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

from ..screening.agreement import cohen_kappa

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Codings",
    "MultiLabelAgreement",
    "agreement_summary",
    "exact_set_agreement",
    "krippendorff_alpha",
    "masi_distance",
    "mean_jaccard",
    "nominal_distance",
    "per_label_kappa",
]

Codings = Mapping[str, Mapping[str, frozenset[str]]]
"""``{coder: {finding_id: set of labels}}``; a finding a coder did not code is absent."""

Distance = Callable[[frozenset[str], frozenset[str]], float]


def _shared(a: Mapping[str, frozenset[str]], b: Mapping[str, frozenset[str]]) -> list[str]:
    """The IDs of the findings both ``a`` and ``b`` coded, sorted."""
    return sorted(set(a) & set(b))


def exact_set_agreement(a: Mapping[str, frozenset[str]],
                        b: Mapping[str, frozenset[str]]) -> float | None:
    """The share of the findings both coders coded to which they gave identical label sets.

    ``a`` and ``b`` map finding IDs to one coder's labels. ``None`` when no finding was coded
    by both.
    """
    ids = _shared(a, b)
    if not ids:
        return None
    return sum(frozenset(a[i]) == frozenset(b[i]) for i in ids) / len(ids)


def _jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    """``|x ∩ y| / |x ∪ y|``; two empty sets are identical, so 1."""
    union = x | y
    return 1.0 if not union else len(x & y) / len(union)


def mean_jaccard(a: Mapping[str, frozenset[str]],
                 b: Mapping[str, frozenset[str]]) -> float | None:
    """The mean Jaccard similarity ``|A ∩ B| / |A ∪ B|`` over the findings both coders coded.

    A finding both coders left without labels counts 1 (they agree). ``None`` when no finding
    was coded by both.
    """
    ids = _shared(a, b)
    if not ids:
        return None
    return sum(_jaccard(frozenset(a[i]), frozenset(b[i])) for i in ids) / len(ids)


def masi_distance(x: frozenset[str], y: frozenset[str]) -> float:
    """MASI distance of two label sets (Passonneau 2006): ``1 − J × M``.

    ``J`` is the Jaccard similarity and ``M`` the monotonicity weight: 1 if the sets are equal,
    0.67 if one is a subset of the other, 0.33 if they overlap otherwise, 0 if they are
    disjoint (Passonneau's 2/3 and 1/3, rounded as in NLTK's widely used implementation, so
    that values can be compared with it). Two empty sets are equal (distance 0); an empty set
    and a non-empty one are disjoint (distance 1).
    """
    x, y = frozenset(x), frozenset(y)
    if x == y:
        return 0.0
    if x <= y or y <= x:
        m = 0.67
    elif x & y:
        m = 0.33
    else:
        return 1.0
    return 1.0 - _jaccard(x, y) * m


def nominal_distance(x: frozenset[str], y: frozenset[str]) -> float:
    """0 if the two values are equal, else 1: Krippendorff's nominal metric (whole sets)."""
    return 0.0 if frozenset(x) == frozenset(y) else 1.0


def krippendorff_alpha(codings: Codings, distance: Distance = masi_distance) -> float | None:
    """Krippendorff's alpha of any number of coders, with missing codings and any distance.

    ``alpha = 1 − D_o / D_e``. Only *pairable* values count: the codings of findings that two
    or more coders coded (a finding coded once cannot show agreement or disagreement). With
    ``m_u`` values in finding ``u`` and ``n = Σ m_u`` pairable values in all:

    * the observed disagreement ``D_o`` is the mean distance between two values of the same
      finding: ``D_o = (1/n) Σ_u 1/(m_u − 1) Σ_{i≠j in u} δ(v_i, v_j)``, each value's
      disagreement with its finding's other values, weighted so every value counts once;
    * the expected disagreement ``D_e`` is the mean distance between two values drawn from all
      ``n`` pairable values regardless of finding: ``D_e = 1/(n(n − 1)) Σ_{i≠j} δ(v_i, v_j)``,
      what agreement would be if coders assigned their values at random.

    This follows the coincidence-matrix definition of Krippendorff (2004, ch. 11; 2011), with
    the values being label sets and ``δ`` a set distance such as :func:`masi_distance`
    (Passonneau 2006) or :func:`nominal_distance`. Alpha is 1 for perfect agreement, about 0
    for agreement at chance level, and negative for systematic disagreement.

    ``None`` when undefined: fewer than two pairable values, or no variation at all among them
    (``D_e = 0``, e.g. every coder gave every finding the same set).
    """
    units: dict[str, list[frozenset[str]]] = {}
    for coded in codings.values():
        for fid, labels in coded.items():
            units.setdefault(fid, []).append(frozenset(labels))
    pairable = [values for values in units.values() if len(values) >= 2]
    n = sum(len(values) for values in pairable)
    if n < 2:
        return None
    cache: dict[tuple[frozenset[str], frozenset[str]], float] = {}

    def delta(x: frozenset[str], y: frozenset[str]) -> float:
        """``distance(x, y)``, computed once per pair of distinct values."""
        key = (x, y)
        if key not in cache:
            cache[key] = float(distance(x, y))
        return cache[key]

    observed = 0.0
    for values in pairable:
        within = sum(delta(x, y) for i, x in enumerate(values)
                     for j, y in enumerate(values) if i != j)
        observed += within / (len(values) - 1)
    d_o = observed / n
    counts = Counter(v for values in pairable for v in values)
    expected = sum(nx * (ny - (x == y)) * delta(x, y)
                   for x, nx in counts.items() for y, ny in counts.items())
    d_e = expected / (n * (n - 1))
    if d_e <= 1e-15:
        return None
    return 1.0 - d_o / d_e


def per_label_kappa(codings: Codings, labels: Iterable[str], coder_a: str,
                    coder_b: str) -> dict[str, float | None]:
    """Cohen's kappa per label between two coders, on the findings both coded.

    For each label every shared finding is a present/absent decision of each coder; kappa is
    :func:`implmap.screening.cohen_kappa` over those decisions. ``None`` for a label when kappa
    is undefined (no shared findings, or both coders gave one and the same answer to every
    finding, e.g. neither ever used the label).
    """
    a, b = codings.get(coder_a, {}), codings.get(coder_b, {})
    ids = _shared(a, b)
    out: dict[str, float | None] = {}
    for label in labels:
        ya = ["yes" if label in a[i] else "no" for i in ids]
        yb = ["yes" if label in b[i] else "no" for i in ids]
        out[label] = cohen_kappa(ya, yb)
    return out


PAIR_COLUMNS = ["coder_a", "coder_b", "kind", "n", "exact", "jaccard", "alpha_masi"]
KAPPA_COLUMNS = ["coder_a", "coder_b", "kind", "label", "n", "a_yes", "b_yes", "both", "kappa"]


@dataclass
class MultiLabelAgreement:
    """Set-based agreement per pair of coders, for TDF domains and for themes.

    ``pairs``: one row per pair and kind (``"domains"`` / ``"themes"``) with columns coder_a,
    coder_b, kind, n (findings both coded), exact (share with identical sets), jaccard (mean
    Jaccard) and alpha_masi (Krippendorff's alpha of the two, MASI distance). ``kappa``: one row
    per pair, kind and label with columns coder_a, coder_b, kind, label, n, a_yes, b_yes, both,
    kappa (NaN where undefined). ``alpha``: per kind, alpha of all the coders together.
    """

    pairs: pd.DataFrame
    kappa: pd.DataFrame
    alpha: dict[str, float | None]


def _nan(value: float | None) -> float:
    """``None`` as NaN, so that a DataFrame column stays numeric."""
    return math.nan if value is None else value


def _labels(codings: Codings) -> list[str]:
    """Every label any coder used, sorted."""
    return sorted({label for coded in codings.values() for s in coded.values() for label in s})


def _pairs(codings: Codings, pairs: Sequence[tuple[str, str]] | None,
           versus: str | None) -> list[tuple[str, str]]:
    """The pairs of coders to compare: given, each coder against ``versus``, or all pairs."""
    if pairs is not None:
        return list(pairs)
    coders = sorted(codings)
    if versus is not None:
        return [(c, versus) for c in coders if c != versus]
    return list(combinations(coders, 2))


def agreement_summary(domains: Codings, themes: Codings | None = None, *,
                      domain_labels: Iterable[str] | None = None,
                      theme_labels: Iterable[str] | None = None,
                      pairs: Sequence[tuple[str, str]] | None = None,
                      versus: str | None = None) -> MultiLabelAgreement:
    """Exact-set agreement, mean Jaccard, alpha (MASI) and per-label kappa per pair of coders.

    ``domains`` and ``themes`` are codings ``{coder: {finding_id: labels}}``; leave ``themes``
    out to summarise domains alone. The labels of the kappa table default to every label used;
    pass the vocabulary's (``domain_labels``, ``theme_labels``) to list unused ones too (their
    kappa is NaN). Pairs default to every pair of coders; a pair that shares no finding gets
    n = 0 and NaN measures.

    *Before reconciliation* pass the coders' own tags: the pairs compare coder with coder.
    *After reconciliation* add the agreed tags as one more "coder" and pass ``versus`` with its
    name, e.g. ``agreement_summary({**own, "agreed": agreed}, versus="agreed")``: each coder is
    then compared with the consensus, which shows how far each coder's first reading moved
    (``pairs`` picks any other set of pairs).
    """
    import pandas as pd

    kinds: list[tuple[str, Codings, list[str]]] = [
        ("domains", domains, list(domain_labels) if domain_labels is not None
         else _labels(domains))]
    if themes is not None:
        kinds.append(("themes", themes, list(theme_labels) if theme_labels is not None
                      else _labels(themes)))
    prows: list[dict[str, Any]] = []
    krows: list[dict[str, Any]] = []
    alpha: dict[str, float | None] = {}
    for kind, codings, labels in kinds:
        alpha[kind] = krippendorff_alpha(codings)
        for ca, cb in _pairs(codings, pairs, versus):
            a, b = codings.get(ca, {}), codings.get(cb, {})
            ids = _shared(a, b)
            prows.append({
                "coder_a": ca, "coder_b": cb, "kind": kind, "n": len(ids),
                "exact": _nan(exact_set_agreement(a, b)), "jaccard": _nan(mean_jaccard(a, b)),
                "alpha_masi": _nan(krippendorff_alpha({ca: a, cb: b})),
            })
            kappas = per_label_kappa(codings, labels, ca, cb)
            for label in labels:
                ya = [label in a[i] for i in ids]
                yb = [label in b[i] for i in ids]
                krows.append({
                    "coder_a": ca, "coder_b": cb, "kind": kind, "label": label, "n": len(ids),
                    "a_yes": sum(ya), "b_yes": sum(yb),
                    "both": sum(x and y for x, y in zip(ya, yb, strict=True)),
                    "kappa": _nan(kappas[label]),
                })
    return MultiLabelAgreement(pairs=pd.DataFrame(prows, columns=PAIR_COLUMNS),
                               kappa=pd.DataFrame(krows, columns=KAPPA_COLUMNS), alpha=alpha)
