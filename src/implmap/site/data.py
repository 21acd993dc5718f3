"""The one door between the evidence map and the review: everything the site shows comes from here.

:func:`load_map` reads a review through the project's APIs (the charted studies, the charting
vocabulary and dual-coding agreement, ``implmap.screening``'s PRISMA counts, agreement and
conflicts, and the dedupe counts) and returns plain :class:`MapData` for the page writers.
Nothing here escapes text: the values are untrusted and the page writers escape them where they
are written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..charting.agreement import agreement_from_studies
from ..charting.coding import all_codings
from ..charting.model import Study as StudyModel
from ..charting.store import load_studies
from ..charting.vocab import Vocabulary, load_vocabulary
from ..dedupe.groups import duplicates_removed
from ..errors import ImplmapError
from ..folder import ReviewFolder
from ..records.model import Search
from ..screening import PrismaCounts, agreement, conflicts, prisma_counts, records_to_screen
from .flow import Diagram, prisma_diagram

__all__ = [
    "Coding",
    "Domain",
    "Finding",
    "MapData",
    "Pair",
    "Stage",
    "Study",
    "Theme",
    "load_map",
    "slug",
]

BARRIER = "barrier"
FACILITATOR = "facilitator"
UNCODED = "(no theme)"


@dataclass
class Theme:
    id: str
    name: str
    description: str = ""


@dataclass
class Domain:
    """A TDF domain with what the vocabulary says about it."""

    name: str
    number: int | None = None
    description: str = ""
    constructs: list[str] = field(default_factory=list)
    comb: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)


@dataclass
class Finding:
    study: str
    id: str
    statement: str
    type: str
    perspective: list[str]
    level: str
    domains: list[str]
    constructs: list[str]
    themes: list[str]
    source: str = ""

    @property
    def key(self) -> str:
        return f"{self.study}/{self.id}"


@dataclass
class Study:
    id: str
    citation: str
    doi: str = ""
    year: int | str | None = None
    country: str = ""
    setting: str = ""
    design: str = ""
    participants: list[tuple[str, Any]] = field(default_factory=list)
    implemented: str = ""
    aims: str = ""
    records: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Pair:
    """Agreement of two reviewers at one stage."""

    reviewers: tuple[str, ...]
    n: int
    percent: float | None
    kappa: float | None


@dataclass
class Stage:
    """Screening at one stage: records, agreement per pair of reviewers, conflicts."""

    id: str
    name: str
    screened: int | None = None
    pairs: list[Pair] = field(default_factory=list)
    conflicts: int | None = None
    resolved: int | None = None


@dataclass
class Coding:
    """Dual coding of findings: how many were coded by two or more, and kappa per coder pair."""

    n_findings: int = 0
    n_dual: int = 0
    pairs: list[tuple[tuple[str, ...], float | None, float | None]] = field(default_factory=list)


@dataclass
class MapData:
    """Everything the evidence map shows, read from one review."""

    title: str
    question: str
    authors: list[str]
    eligibility: dict[str, list[str]]
    themes: list[Theme]
    domains: list[Domain]
    comb: dict[str, list[str]]  # COM-B component -> intervention functions
    studies: list[Study]
    prisma: dict[str, Any] | None = None
    prisma_problem: str = ""
    flow: Diagram | None = None  # the PRISMA 2020 flow diagram, when the counts add up
    stages: list[Stage] = field(default_factory=list)
    duplicates_removed: int | None = None
    vocabulary_sources: dict[str, str] = field(default_factory=dict)
    coding: Coding = field(default_factory=Coding)
    searches: list[Search] = field(default_factory=list)  # the imported searches

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.studies for f in s.findings]

    def theme_name(self, tid: str) -> str:
        for t in self.themes:
            if t.id == tid:
                return t.name
        return tid

    def domain(self, name: str) -> Domain | None:
        for d in self.domains:
            if d.name == name:
                return d
        return None

    def comb_of(self, domains: Iterable[str]) -> list[str]:
        out: list[str] = []
        for name in domains:
            d = self.domain(name)
            for c in d.comb if d else []:
                if c not in out:
                    out.append(c)
        return out


# ---------------------------------------------------------------------------------------- reading
def load_map(review: ReviewFolder | str | Path) -> MapData:
    """Read everything the evidence map shows from a review folder."""
    if not isinstance(review, ReviewFolder):
        review = ReviewFolder(review)
    m = review.manifest
    vocab = load_vocabulary(review)
    models = load_studies(review, fast=True)
    studies = sorted((_study(x.model_dump(mode="json")) for x in models), key=lambda s: s.id)
    themes = [Theme(id=t.id, name=t.name, description=t.description) for t in vocab.themes]
    domains, comb, sources = _vocabulary(vocab, studies)
    known = {t.id for t in themes}
    for f in (f for s in studies for f in s.findings):
        for tid in f.themes:
            if tid not in known:  # an uncoded theme still shows, under its own ID
                themes.append(Theme(id=tid, name=tid))
                known.add(tid)
    elig = m.eligibility.model_dump()
    data = MapData(
        title=m.title,
        question=m.question,
        authors=list(m.authors),
        eligibility={k: list(v) for k, v in elig.items()},
        themes=themes,
        domains=domains,
        comb=comb,
        studies=studies,
        vocabulary_sources=sources,
    )
    data.searches = review.searches()
    counts, data.prisma_problem = _prisma(review)
    if counts is not None:
        data.prisma = counts.to_dict()
        data.flow = prisma_diagram(review, counts)
    data.duplicates_removed = duplicates_removed(review)
    data.stages = _stages(review)
    data.coding = _coding(models, vocab, all_codings(review, models))
    return data


def _coding(models: list[StudyModel], vocab: Vocabulary,
            codings: dict[str, dict[tuple[str, str], dict[str, Any]]]) -> Coding:
    """Dual-coding agreement (``implmap.charting.agreement``), pooled per pair of coders."""
    a = agreement_from_studies(models, vocab, codings)
    pairs = [
        (tuple(pair.split("~")), k.get("domains"), k.get("themes"))
        for pair, k in sorted(a.pooled.items())
    ]
    return Coding(n_findings=a.n_findings, n_dual=a.n_dual, pairs=pairs)


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def _list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]


def _study(s: dict[str, Any]) -> Study:
    sid = _text(s.get("id"))
    participants = []
    for p in s.get("participants") or []:
        if isinstance(p, dict):
            participants.append((_text(p.get("group")), p.get("n")))
        else:
            participants.append((_text(p), None))
    study = Study(
        id=sid,
        citation=_text(s.get("citation")),
        doi=_text(s.get("doi")),
        year=s.get("year"),
        country=_text(s.get("country")),
        setting=_text(s.get("setting")),
        design=_text(s.get("design")),
        participants=participants,
        implemented=_text(s.get("implemented")),
        aims=_text(s.get("aims")),
        records=_list(s.get("records")),
    )
    for n, f in enumerate(s.get("findings") or [], start=1):
        domains: list[str] = []
        constructs: list[str] = []
        for t in f.get("tdf") or []:
            if isinstance(t, dict):
                d = _text(t.get("domain"))
                if d and d not in domains:
                    domains.append(d)
                constructs.extend(c for c in _list(t.get("constructs")) if c not in constructs)
            elif t:
                domains.append(_text(t))
        study.findings.append(
            Finding(
                study=sid,
                id=_text(f.get("id")) or f"f{n}",
                statement=_text(f.get("statement")),
                type=_text(f.get("type")).lower(),
                perspective=_list(f.get("perspective")),
                level=_text(f.get("level")),
                domains=domains,
                constructs=constructs,
                themes=_list(f.get("themes")),
                source=_text(f.get("source")),
            )
        )
    return study


def _vocabulary(
    v: Vocabulary, studies: list[Study]
) -> tuple[list[Domain], dict[str, list[str]], dict[str, str]]:
    """TDF domains in published order with their COM-B components and intervention functions,
    from the review's charting vocabulary (``implmap.charting.load_vocabulary``).

    Domains that findings name but the vocabulary does not hold follow, in name order, so no
    finding drops out of the map (the review's check reports them).
    """
    domains: list[Domain] = []
    for d in v.domains:
        components = list(v.comb(d.name))
        domains.append(
            Domain(
                name=d.name,
                number=d.number,
                description=d.description,
                constructs=list(d.constructs),
                comb=components,
                functions=list(v.functions(components)),
            )
        )
    comb = {c: list(v.functions(c)) for c in v.comb_components}
    sources = dict(v.sources)
    known = {d.name for d in domains}
    extra = sorted({d for s in studies for f in s.findings for d in f.domains} - known)
    domains += [Domain(name=n) for n in extra]
    return domains, comb, sources


def _prisma(review: ReviewFolder) -> tuple[PrismaCounts | None, str]:
    """The PRISMA counts (``implmap.screening.prisma_counts``), or why there are none."""
    if not review.searches():
        return None, "the review has no imported searches yet"
    try:
        return prisma_counts(review), ""
    except ImplmapError as exc:
        return None, str(exc)


def _stages(review: ReviewFolder) -> list[Stage]:
    """Agreement and conflicts per stage, from ``implmap.screening`` (unblinded: for reports)."""
    if not review.searches():
        return []
    out = []
    for st in review.manifest.stages:
        try:
            report = agreement(review, st.id)
            found = conflicts(review, st.id, include_resolved=True)
            screened = len(records_to_screen(review, st.id))
        except ImplmapError:
            continue
        pairs = [
            Pair(tuple(p.reviewers), p.n, p.percent, p.kappa) for p in report.pairs if p.n
        ]
        out.append(
            Stage(
                id=st.id,
                name=st.name or st.id,
                screened=screened,
                pairs=pairs,
                conflicts=len(found),
                resolved=sum(1 for c in found if not c.open),
            )
        )
    return out


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A file-name-safe slug (lower-case letters, digits and '-')."""
    return _SLUG.sub("-", text.lower()).strip("-")[:60] or "x"
