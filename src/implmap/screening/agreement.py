"""Agreement between reviewers: Cohen's kappa, percentage agreement, PABAK, Fleiss' kappa.

Decisions are compared as two categories, **include** and **exclude**, and **maybe counts as
include** (as Covidence does): a maybe sends the record on to the next stage just as an include
does, so include against maybe is agreement. Exclusion reasons are not compared here.

* Per stage and per pair of reviewers, on the records both decided: the number of records, the
  2x2 table, percentage agreement (p_o), Cohen's kappa ((p_o - p_e) / (1 - p_e)) and PABAK
  (prevalence- and bias-adjusted kappa, 2 p_o - 1 for two categories).
* When more than two reviewers screened a stage: Fleiss' kappa on the records all of them
  decided.

Kappa is undefined (``None``) when chance agreement is 1, i.e. both reviewers gave one and the
same category to every record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = [
    "AgreementReport",
    "GroupAgreement",
    "PairAgreement",
    "agreement",
    "binary",
    "cohen_kappa",
    "fleiss_kappa",
    "pabak",
    "pair_agreement",
    "percent_agreement",
]


def binary(decision: str) -> str:
    """``include`` for include and maybe, ``exclude`` for exclude."""
    return "exclude" if decision == "exclude" else "include"


def percent_agreement(a: Sequence[str], b: Sequence[str]) -> float | None:
    """The share of records with the same label (``None`` for no records)."""
    if len(a) != len(b):
        raise ValueError("the two raters must label the same records")
    if not a:
        return None
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters over the same records (any labels; ``None`` if undefined)."""
    po = percent_agreement(a, b)
    if po is None:
        return None
    n = len(a)
    labels = set(a) | set(b)
    pe = sum((list(a).count(c) / n) * (list(b).count(c) / n) for c in labels)
    if pe >= 1.0:
        return None
    return (po - pe) / (1 - pe)


def pabak(a: Sequence[str], b: Sequence[str], categories: int = 2) -> float | None:
    """Prevalence- and bias-adjusted kappa: (k p_o - 1) / (k - 1), k categories."""
    po = percent_agreement(a, b)
    if po is None:
        return None
    return (categories * po - 1) / (categories - 1)


def fleiss_kappa(ratings: Sequence[Sequence[str]]) -> float | None:
    """Fleiss' kappa; ``ratings[i]`` holds every rater's label for record i (same count each).

    ``None`` when undefined (no records, fewer than two raters, or a single category used).
    """
    if not ratings:
        return None
    m = len(ratings[0])
    if m < 2 or any(len(r) != m for r in ratings):
        return None
    cats = sorted({c for r in ratings for c in r})
    n = len(ratings)
    totals = dict.fromkeys(cats, 0)
    p_bar = 0.0
    for r in ratings:
        counts = [list(r).count(c) for c in cats]
        for c, k in zip(cats, counts, strict=True):
            totals[c] += k
        p_bar += (sum(k * k for k in counts) - m) / (m * (m - 1))
    p_bar /= n
    pe = sum((t / (n * m)) ** 2 for t in totals.values())
    if pe >= 1.0:
        return None
    return (p_bar - pe) / (1 - pe)


@dataclass(frozen=True)
class _Agreement:
    """What every agreement figure names: the stage, the reviewers and the records compared."""

    stage: str
    reviewers: tuple[str, ...]
    n: int

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["reviewers"] = list(self.reviewers)
        return d


@dataclass(frozen=True)
class PairAgreement(_Agreement):
    """Agreement of two reviewers at one stage on the records both decided."""

    both_include: int
    both_exclude: int
    only_first_includes: int
    only_second_includes: int
    percent: float | None
    kappa: float | None
    pabak: float | None


@dataclass(frozen=True)
class GroupAgreement(_Agreement):
    """Agreement of more than two reviewers at one stage on the records all of them decided."""

    percent: float | None  # share of records on which all reviewers agree
    fleiss_kappa: float | None


@dataclass(frozen=True)
class AgreementReport:
    """Agreement at one or more stages: every pair, and the group when more than two."""

    pairs: list[PairAgreement] = field(default_factory=list)
    groups: list[GroupAgreement] = field(default_factory=list)
    pilot: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "pilot": self.pilot,
            "pairs": [p.to_dict() for p in self.pairs],
            "groups": [g.to_dict() for g in self.groups],
        }


def pair_agreement(
    stage: str, first: str, a: Mapping[str, str], second: str, b: Mapping[str, str]
) -> PairAgreement:
    """Agreement of two reviewers from ``{record: decision}`` maps (maybe counts as include)."""
    common = sorted(set(a) & set(b))
    x = [binary(a[r]) for r in common]
    y = [binary(b[r]) for r in common]
    pairs = list(zip(x, y, strict=True))
    return PairAgreement(
        stage=stage,
        reviewers=(first, second),
        n=len(common),
        both_include=pairs.count(("include", "include")),
        both_exclude=pairs.count(("exclude", "exclude")),
        only_first_includes=pairs.count(("include", "exclude")),
        only_second_includes=pairs.count(("exclude", "include")),
        percent=percent_agreement(x, y),
        kappa=cohen_kappa(x, y),
        pabak=pabak(x, y),
    )


def stage_agreement(
    stage: str, votes: Mapping[str, Mapping[str, str]]
) -> tuple[list[PairAgreement], list[GroupAgreement]]:
    """Agreement at one stage from ``{reviewer: {record: decision}}`` (pure; the order of
    reviewers and records in the maps does not matter)."""
    people = sorted(r for r, v in votes.items() if v)
    pairs = [pair_agreement(stage, p, votes[p], q, votes[q]) for p, q in combinations(people, 2)]
    groups: list[GroupAgreement] = []
    if len(people) > 2:
        common = sorted(set.intersection(*(set(votes[p]) for p in people)))
        ratings = [[binary(votes[p][r]) for p in people] for r in common]
        agree = sum(1 for r in ratings if len(set(r)) == 1)
        groups.append(GroupAgreement(
            stage=stage,
            reviewers=tuple(people),
            n=len(common),
            percent=agree / len(common) if common else None,
            fleiss_kappa=fleiss_kappa(ratings),
        ))
    return pairs, groups


def agreement(
    review: ReviewFolder, stage: str | None = None, pilot: bool = False
) -> AgreementReport:
    """Agreement at ``stage`` (every stage when ``None``), on the stage's records; with
    ``pilot`` only on the pilot records (``pilot_size`` in the manifest)."""
    from ..errors import DecisionError
    from .log import check_stage, decisions
    from .queue import pilot_records, records_to_screen

    first = review.manifest.stages[0].id
    stages = [stage] if stage else [s.id for s in review.manifest.stages]
    if pilot:
        if review.manifest.pilot_size <= 0:
            raise DecisionError("this review has no pilot round (set pilot_size in implmap.yaml)")
        if stage not in (None, first):
            raise DecisionError(f"the pilot round belongs to the first stage, {first!r}; ask "
                                "for that stage (or for every stage)")
        stages = [first]
    pairs: list[PairAgreement] = []
    groups: list[GroupAgreement] = []
    for s in stages:
        check_stage(review, s)
        keep = set(pilot_records(review, s) if pilot else records_to_screen(review, s))
        votes = {
            reviewer: {r: e["decision"] for r, e in mine.items() if r in keep}
            for reviewer, mine in decisions(review, s).items()
        }
        p, g = stage_agreement(s, votes)
        pairs += p
        groups += g
    return AgreementReport(pairs=pairs, groups=groups, pilot=pilot)
