"""Agreement between reviewers: Cohen's kappa, percentage agreement, PABAK, Fleiss' kappa.

Two sets of figures are given at every stage.

**Binary** (``percent``, ``kappa``, ``pabak``, the 2x2 table): decisions are compared as two
categories, **include** and **exclude**, and **maybe counts as include** (as Covidence does): a
maybe sends the record on to the next stage just as an include does, so include against maybe
is agreement. Exclusion reasons are not compared.

**As conflicts count them** (``conflict_percent``, ``conflict_kappa``, ``conflicts``): each
decision becomes a category, ``include``, ``maybe`` or ``exclude:<reason>`` (the reason only
where the stage's exclusions need reasons, ``Stage.reasons_required``), and two decisions agree
exactly when :func:`implmap.screening.conflicts.assess` would call the pair agreed: include and
maybe agree except at the last stage, where a maybe is never a final answer (maybe against
anything, maybe included, is a disagreement there); two excludes with different reasons
disagree where reasons are required. The kappa is Cohen's weighted kappa (Cohen 1968) with 0/1
agreement weights given by that rule: ``(p_o - p_e) / (1 - p_e)`` where ``p_e`` sums, over
every pair of categories that agree, the product of the two reviewers' shares. Where the rule
is plain equality of categories it is Cohen's kappa over those categories. At a stage with no
reasons required that is not the last, these figures equal the binary ones.

* Per stage and per pair of reviewers, on the records both decided: the number of records, the
  2x2 table, percentage agreement (p_o), Cohen's kappa ((p_o - p_e) / (1 - p_e)) and PABAK
  (prevalence- and bias-adjusted kappa, 2 p_o - 1 for two categories), and the figures as
  conflicts count them.
* When more than two reviewers screened a stage: Fleiss' kappa (binary) on the records all of
  them decided, and the share of those records with no conflict among all of them.

Kappa is undefined (``None``) when chance agreement is 1, i.e. both reviewers gave one and the
same category to every record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
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
    "category",
    "cohen_kappa",
    "fleiss_kappa",
    "pabak",
    "pair_agreement",
    "percent_agreement",
    "weighted_kappa",
]


def binary(decision: str) -> str:
    """``include`` for include and maybe, ``exclude`` for exclude (and ``exclude:<reason>``)."""
    return "exclude" if decision.split(":", 1)[0] == "exclude" else "include"


def category(entry: Mapping[str, Any], reasons_required: bool = False) -> str:
    """A decision as a category: ``include``, ``maybe``, ``exclude``, or ``exclude:<reason>``
    when ``reasons_required`` and the entry gives a reason."""
    decision = str(entry["decision"])
    if decision == "exclude" and reasons_required and entry.get("reason"):
        return f"exclude:{entry['reason']}"
    return decision


def _entry(label: str) -> dict[str, Any]:
    decision, _, reason = label.partition(":")
    return {"decision": decision, "reason": reason or None}


def _agrees(reasons_required: bool, last_stage: bool) -> Callable[[str, str], bool]:
    """Whether two categories agree, exactly as :func:`conflicts.assess` judges the pair."""
    from .conflicts import assess

    @cache  # a handful of categories, judged once per pair of them, not once per record
    def agree(x: str, y: str) -> bool:
        o = assess({"a": _entry(x), "b": _entry(y)}, required=2,
                   reasons_required=reasons_required, last_stage=last_stage)
        return o.state == "agreed"

    return agree


def weighted_kappa(
    a: Sequence[str], b: Sequence[str], agree: Callable[[str, str], bool]
) -> float | None:
    """Cohen's weighted kappa with 0/1 agreement weights: ``agree(x, y)`` says whether two
    labels agree. With equality as ``agree`` it is Cohen's kappa (``None`` if undefined)."""
    if len(a) != len(b):
        raise ValueError("the two raters must label the same records")
    if not a:
        return None
    n = len(a)
    po = sum(agree(x, y) for x, y in zip(a, b, strict=True)) / n
    share_a = {c: k / n for c, k in Counter(a).items()}
    share_b = {c: k / n for c, k in Counter(b).items()}
    pe = sum(pa * pb for x, pa in share_a.items() for y, pb in share_b.items() if agree(x, y))
    if pe >= 1.0:
        return None
    return (po - pe) / (1 - pe)


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
    conflicts: int = 0  # records on which the two are in conflict (as conflicts.assess says)
    conflict_percent: float | None = None  # share of records with no conflict between them
    conflict_kappa: float | None = None  # weighted kappa, agreement as conflicts.assess says
    counts_reasons: bool = False  # exclusion reasons compared (Stage.reasons_required)
    last_stage: bool = False  # a maybe is a disagreement (the last stage)


@dataclass(frozen=True)
class GroupAgreement(_Agreement):
    """Agreement of more than two reviewers at one stage on the records all of them decided."""

    percent: float | None  # share of records on which all reviewers agree (maybe = include)
    fleiss_kappa: float | None
    conflict_percent: float | None = None  # share of records with no conflict among them


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
    stage: str,
    first: str,
    a: Mapping[str, str],
    second: str,
    b: Mapping[str, str],
    *,
    reasons_required: bool = False,
    last_stage: bool = False,
) -> PairAgreement:
    """Agreement of two reviewers from ``{record: category}`` maps (see :func:`category`).

    The binary figures count maybe as include; the ``conflict_*`` figures count agreement as
    :func:`implmap.screening.conflicts.assess` does with ``reasons_required`` and
    ``last_stage``."""
    common = sorted(set(a) & set(b))
    x = [binary(a[r]) for r in common]
    y = [binary(b[r]) for r in common]
    pairs = list(zip(x, y, strict=True))
    agree = _agrees(reasons_required, last_stage)
    ca = [a[r] for r in common]
    cb = [b[r] for r in common]
    same = sum(agree(u, v) for u, v in zip(ca, cb, strict=True))
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
        conflicts=len(common) - same,
        conflict_percent=same / len(common) if common else None,
        conflict_kappa=weighted_kappa(ca, cb, agree),
        counts_reasons=reasons_required,
        last_stage=last_stage,
    )


def stage_agreement(
    stage: str,
    votes: Mapping[str, Mapping[str, str]],
    *,
    reasons_required: bool = False,
    last_stage: bool = False,
) -> tuple[list[PairAgreement], list[GroupAgreement]]:
    """Agreement at one stage from ``{reviewer: {record: category}}`` (pure; the order of
    reviewers and records in the maps does not matter)."""
    from .conflicts import assess

    rules = {"reasons_required": reasons_required, "last_stage": last_stage}
    people = sorted(r for r, v in votes.items() if v)
    pairs = [pair_agreement(stage, p, votes[p], q, votes[q], **rules)
             for p, q in combinations(people, 2)]
    groups: list[GroupAgreement] = []
    if len(people) > 2:
        common = sorted(set.intersection(*(set(votes[p]) for p in people)))
        ratings = [[binary(votes[p][r]) for p in people] for r in common]
        agree = sum(1 for r in ratings if len(set(r)) == 1)
        settled = sum(
            assess({p: _entry(votes[p][r]) for p in people}, required=len(people),
                   **rules).state == "agreed"
            for r in common
        )
        groups.append(GroupAgreement(
            stage=stage,
            reviewers=tuple(people),
            n=len(common),
            percent=agree / len(common) if common else None,
            fleiss_kappa=fleiss_kappa(ratings),
            conflict_percent=settled / len(common) if common else None,
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
    last = review.manifest.stages[-1].id
    for s in stages:
        st = check_stage(review, s)
        keep = set(pilot_records(review, s) if pilot else records_to_screen(review, s))
        votes = {
            reviewer: {r: category(e, st.reasons_required) for r, e in mine.items() if r in keep}
            for reviewer, mine in decisions(review, s).items()
        }
        p, g = stage_agreement(s, votes, reasons_required=st.reasons_required,
                               last_stage=s == last)
        pairs += p
        groups += g
    return AgreementReport(pairs=pairs, groups=groups, pilot=pilot)
