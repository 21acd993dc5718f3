"""Agreement of dual coding: two coders tag the same findings independently, each in their own
log (``charting/coding/<coder>.jsonl``, read with :func:`implmap.charting.coding.all_codings`).

The headline compares the *sets* of tags (:mod:`implmap.charting.measures`), per pair of coders
and for domains and themes: n, exact-set agreement, mean Jaccard and Krippendorff's alpha with
the MASI distance. *Before* reconciliation compares the coders' own tags with each other;
*after* compares each coder's own tags with the agreed tags, on the findings that have been
reconciled (agreed by someone, or, in older files, given agreed tags).

For each TDF domain (and each theme), every finding that both coders coded is a yes/no
decision for each coder: did they give the finding that domain? Cohen's kappa compares the two
coders' decisions across findings. The agreed (consensus) tags stay in the finding's own ``tdf``
and ``themes``; the report also says how often each coder's tags matched the consensus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

from ..screening.agreement import cohen_kappa as screening_kappa
from .coding import Key, all_codings, as_coding, legacy_codings
from .measures import MultiLabelAgreement, agreement_summary
from .store import load_studies
from .vocab import load_vocabulary

if TYPE_CHECKING:
    import pandas as pd

    from ..folder import ReviewFolder
    from .model import Coding, Finding, Study
    from .vocab import Vocabulary

__all__ = ["AGREED", "CodingAgreement", "coding_agreement", "cohen_kappa"]

#: The name the agreed tags take among the coders in :attr:`CodingAgreement.after` (not a
#: valid reviewer ID, so it never clashes with one).
AGREED = "(agreed)"


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa of two raters' yes/no decisions on the same items.

    NaN when it is undefined: no items, or both raters gave one and the same answer to every
    item (chance agreement is then 1; look at the observed agreement instead). The arithmetic
    is :func:`implmap.screening.cohen_kappa`'s (which says ``None`` where this says NaN, so
    that a kappa column of a DataFrame stays numeric).
    """
    if len(a) != len(b):
        return math.nan
    k = screening_kappa(["yes" if x else "no" for x in a], ["yes" if x else "no" for x in b])
    return math.nan if k is None else k


@dataclass
class CodingAgreement:
    """Agreement between each pair of coders, per TDF domain and per theme.

    ``before``: the set measures (:func:`~implmap.charting.measures.agreement_summary`) of the
    coders' own tags, per pair of coders; ``after``: each coder's own tags against the agreed
    tags (the "coder" :data:`AGREED`), on the reconciled findings (``n_reconciled``).
    ``domains`` and ``themes``: DataFrames with columns coder_a, coder_b, label, n (findings
    both coded), a_yes, b_yes, both, agreement (observed proportion), kappa. ``pooled``: kappa
    over all (finding, domain) decisions of each pair (kept for continuity: the many cells both
    coders left empty inflate it). ``consensus``: per coder, the share of
    their coded findings whose domains (and themes) equal the agreed tags.
    """

    domains: pd.DataFrame
    themes: pd.DataFrame
    pooled: dict[str, dict[str, float]] = field(default_factory=dict)
    consensus: dict[str, dict[str, float]] = field(default_factory=dict)
    n_findings: int = 0
    n_dual: int = 0
    before: MultiLabelAgreement | None = None
    after: MultiLabelAgreement | None = None
    n_reconciled: int = 0

    def to_dict(self) -> dict[str, Any]:
        def clean(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: (None if isinstance(v, float) and math.isnan(v) else v)
                     for k, v in r.items()} for r in df.to_dict("records")]

        def sets(res: MultiLabelAgreement | None) -> dict[str, Any] | None:
            return None if res is None else {"pairs": clean(res.pairs), "alpha": res.alpha}

        return {"n_findings": self.n_findings, "n_dual": self.n_dual,
                "n_reconciled": self.n_reconciled,
                "before": sets(self.before), "after": sets(self.after),
                "domains": clean(self.domains), "themes": clean(self.themes),
                "pooled": self.pooled, "consensus": self.consensus}


COLUMNS = ["coder_a", "coder_b", "label", "n", "a_yes", "b_yes", "both", "agreement", "kappa"]


class _Coded:
    """A finding with its coders' tags (from the logs), for the arithmetic below."""

    def __init__(self, finding: Finding, coding: dict[str, Coding]) -> None:
        self.coding = coding
        self.domains = finding.domains
        self.themes = finding.themes


def agreement_from_studies(studies: list[Study], vocab: Vocabulary,
                           codings: dict[str, dict[Key, dict[str, Any]]] | None = None
                           ) -> CodingAgreement:
    """:func:`coding_agreement` on studies already loaded; ``codings``: every coder's codings
    (:func:`~implmap.charting.coding.all_codings`; None: those inside the study files)."""
    import pandas as pd

    codings = legacy_codings(studies) if codings is None else codings
    per: dict[Key, dict[str, Coding]] = {}
    for coder, logged in codings.items():
        for fkey, entry in logged.items():
            per.setdefault(fkey, {})[coder] = as_coding(entry)
    findings = [_Coded(f, per.get((s.id, f.id), {})) for s in studies for f in s.findings]
    coded = [f for f in findings if len(f.coding) >= 2]
    coders = sorted({c for f in coded for c in f.coding})
    drows: list[dict[str, Any]] = []
    trows: list[dict[str, Any]] = []
    pooled: dict[str, dict[str, float]] = {}
    theme_labels = vocab.theme_ids or sorted({t for f in coded for c in f.coding.values()
                                              for t in c.themes})
    for ca, cb in combinations(coders, 2):
        both = [f for f in coded if ca in f.coding and cb in f.coding]
        if not both:
            continue
        pair = f"{ca}~{cb}"
        pooled[pair] = {}
        for kind, labels, rows in (("domains", vocab.domain_names, drows),
                                   ("themes", theme_labels, trows)):
            all_a: list[bool] = []
            all_b: list[bool] = []
            for label in labels:
                a = [label in getattr(f.coding[ca], kind) for f in both]
                b = [label in getattr(f.coding[cb], kind) for f in both]
                all_a += a
                all_b += b
                rows.append({
                    "coder_a": ca, "coder_b": cb, "label": label, "n": len(both),
                    "a_yes": sum(a), "b_yes": sum(b),
                    "both": sum(x and y for x, y in zip(a, b, strict=True)),
                    "agreement": sum(x == y for x, y in zip(a, b, strict=True)) / len(both),
                    "kappa": cohen_kappa(a, b),
                })
            pooled[pair][kind] = cohen_kappa(all_a, all_b)
    consensus: dict[str, dict[str, float]] = {}
    for c in coders:
        mine = [f for f in coded if c in f.coding]  # never empty: c coded one of them
        consensus[c] = {
            "domains": sum(set(f.coding[c].domains) == set(f.domains)
                           for f in mine) / len(mine),
            "themes": sum(set(f.coding[c].themes) == set(f.themes)
                          for f in mine) / len(mine),
            "n": float(len(mine)),
        }
    before, after, n_reconciled = _set_measures(studies, vocab, per)
    return CodingAgreement(
        domains=pd.DataFrame(drows, columns=COLUMNS),
        themes=pd.DataFrame(trows, columns=COLUMNS),
        pooled=pooled, consensus=consensus, n_findings=len(findings), n_dual=len(coded),
        before=before, after=after, n_reconciled=n_reconciled,
    )


def _set_measures(studies: list[Study], vocab: Vocabulary, per: dict[Key, dict[str, Coding]]
                  ) -> tuple[MultiLabelAgreement, MultiLabelAgreement, int]:
    """The set measures before (coder vs coder) and after (coder vs agreed) reconciliation,
    and the number of reconciled findings."""
    own: dict[str, dict[str, dict[str, frozenset[str]]]] = {"domains": {}, "themes": {}}
    agreed: dict[str, dict[str, frozenset[str]]] = {"domains": {}, "themes": {}}
    for s in studies:
        for f in s.findings:
            fid = f"{s.id}/{f.id}"
            for coder, c in per.get((s.id, f.id), {}).items():
                own["domains"].setdefault(coder, {})[fid] = frozenset(c.domains)
                own["themes"].setdefault(coder, {})[fid] = frozenset(c.themes)
            if f.agreed_by or f.tdf or f.themes:
                agreed["domains"][fid] = frozenset(f.domains)
                agreed["themes"][fid] = frozenset(f.themes)
    dl, tl = vocab.domain_names, vocab.theme_ids or None
    before = agreement_summary(own["domains"], own["themes"], domain_labels=dl, theme_labels=tl)
    after = agreement_summary({**own["domains"], AGREED: agreed["domains"]},
                              {**own["themes"], AGREED: agreed["themes"]},
                              domain_labels=dl, theme_labels=tl, versus=AGREED)
    return before, after, len(agreed["domains"])


def coding_agreement(review: ReviewFolder) -> CodingAgreement:
    """Agreement of the review's dual coders, before and after reconciliation (set measures),
    and per TDF domain and theme (Cohen's kappa).

    Only findings with two or more coders (in the coding logs, or still inside the study files)
    count; each pair of coders is compared on the findings both coded.
    """
    studies = load_studies(review)
    return agreement_from_studies(studies, load_vocabulary(review), all_codings(review, studies))
