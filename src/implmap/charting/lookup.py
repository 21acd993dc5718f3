"""Findings as a table, and lookup for implementation teams.

:func:`findings_frame` gives one row per finding with its COM-B components and the intervention
functions that address them. :func:`lookup` filters findings (domain, theme, perspective,
level, type, words) and groups them by (domain, theme, type), counting the distinct studies
behind each group: the question an implementation team asks is "which barriers of this kind
are reported, by how many studies, and what kinds of intervention address them?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .model import LEVELS, TYPES
from .vocab import Vocabulary, load_vocabulary, match_choice

if TYPE_CHECKING:
    import pandas as pd

    from ..folder import ReviewFolder

__all__ = ["FINDING_COLUMNS", "GROUP_COLUMNS", "LookupResult", "findings_frame", "lookup"]

FINDING_COLUMNS = [
    "study", "finding", "statement", "type", "perspective", "level", "domains", "constructs",
    "themes", "theme_names", "source", "coded_by", "comb", "functions", "n_studies", "citation",
    "year", "country",
]
GROUP_COLUMNS = [
    "domain", "theme", "theme_name", "type", "n_studies", "n_findings", "studies", "findings",
    "statements", "comb", "functions",
]


def findings_frame(review: ReviewFolder, vocab: Vocabulary | None = None) -> pd.DataFrame:
    """One row per finding of every study (columns :data:`FINDING_COLUMNS`).

    ``n_studies`` counts the distinct studies that report a finding of the same type sharing at
    least one (domain, theme) pair with this one (the finding's own study included); a finding
    with no theme counts by domain alone, and one with no domain by theme alone.
    """
    import pandas as pd

    from .store import load_studies

    vocab = vocab or load_vocabulary(review)
    rows: list[dict[str, Any]] = []
    for s in load_studies(review):
        for f in s.findings:
            comb = vocab.comb(f.domains)
            rows.append({
                "study": s.id, "finding": f.id, "statement": f.statement, "type": f.type,
                "perspective": list(f.perspective), "level": f.level, "domains": f.domains,
                "constructs": f.constructs, "themes": list(f.themes),
                "theme_names": [vocab.theme_name(t) for t in f.themes], "source": f.source,
                "coded_by": list(f.coded_by), "comb": comb, "functions": vocab.functions(comb),
                "citation": s.citation, "year": s.year, "country": s.country,
            })
    # studies behind each (type, domain, theme) key
    backing: dict[tuple[str, str, str], set[str]] = {}
    keys_of: list[list[tuple[str, str, str]]] = []
    for r in rows:
        keys = [(r["type"], d, t) for d in (r["domains"] or [""]) for t in (r["themes"] or [""])]
        keys_of.append(keys)
        for k in keys:
            backing.setdefault(k, set()).add(r["study"])
    for r, keys in zip(rows, keys_of, strict=True):
        r["n_studies"] = len(set().union(*(backing[k] for k in keys)))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


@dataclass
class LookupResult:
    """What :func:`lookup` found: the matching findings and their groups.

    ``findings``: one row per matching finding (:data:`FINDING_COLUMNS`). ``groups``: one row
    per (domain, theme, type) among them (:data:`GROUP_COLUMNS`), most studies first;
    ``statements`` is a list of ``(study, finding, statement)``.
    """

    findings: pd.DataFrame
    groups: pd.DataFrame
    filters: dict[str, str]


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", text.casefold()) if w]


def lookup(
    review: ReviewFolder,
    text: str | None = None,
    *,
    domain: str | None = None,
    theme: str | None = None,
    perspective: str | None = None,
    level: str | None = None,
    type: str | None = None,
) -> LookupResult:
    """Findings matching every filter given, grouped by (domain, theme, type).

    ``domain`` and ``theme`` match case-insensitively and accept a unique prefix (themes by ID
    or name); ``perspective``, ``level`` and ``type`` likewise among the values in use or
    allowed. ``text``: every word must occur in the statement, constructs or source. An unknown
    or ambiguous value raises :class:`~implmap.charting.vocab.UnknownTermError` listing the
    valid ones.
    """

    vocab = load_vocabulary(review)
    df = findings_frame(review, vocab)
    used = sorted({p for ps in df["perspective"] for p in ps})
    filters: dict[str, str] = {}
    dom = vocab.domain(domain).name if domain else None
    th = vocab.theme(theme).id if theme else None
    if dom:
        filters["domain"] = dom
        df = df[df["domains"].map(lambda ds: dom in ds)]
    if th:
        filters["theme"] = f"{th} ({vocab.theme_name(th)})"
        df = df[df["themes"].map(lambda ts: th in ts)]
    if perspective:
        p = match_choice(perspective, used, "perspective")
        filters["perspective"] = p
        df = df[df["perspective"].map(lambda ps: p in ps)]
    if level:
        lv = match_choice(level, list(LEVELS), "level")
        filters["level"] = lv
        df = df[df["level"] == lv]
    if type:
        ty = match_choice(type, list(TYPES), "type")
        filters["type"] = ty
        df = df[df["type"] == ty]
    if text:
        words = _words(text)
        filters["text"] = text

        def hit(row: pd.Series) -> bool:
            hay = " ".join([row["statement"], " ".join(row["constructs"]), row["source"]])
            have = set(_words(hay))
            return all(any(h.startswith(w) for h in have) for w in words)

        df = df[df.apply(hit, axis=1)] if len(df) else df
    df = df.reset_index(drop=True)
    return LookupResult(df, _group(df, vocab, dom, th), filters)


def _group(df: pd.DataFrame, vocab: Vocabulary, dom: str | None, th: str | None
           ) -> pd.DataFrame:
    import pandas as pd

    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in df.itertuples(index=False):
        for d in r.domains or [""]:
            if dom and d != dom:
                continue
            for t in r.themes or [""]:
                if th and t != th:
                    continue
                g = groups.setdefault((d, t, r.type), {"studies": [], "statements": []})
                if r.study not in g["studies"]:
                    g["studies"].append(r.study)
                g["statements"].append((r.study, r.finding, r.statement))
    rows = []
    for (d, t, ty), g in groups.items():
        comb = vocab.comb(d) if d else []
        rows.append({
            "domain": d, "theme": t, "theme_name": vocab.theme_name(t) if t else "",
            "type": ty, "n_studies": len(g["studies"]), "n_findings": len(g["statements"]),
            "studies": sorted(g["studies"]),
            "findings": [f"{s}/{f}" for s, f, _ in g["statements"]],
            "statements": g["statements"], "comb": comb, "functions": vocab.functions(comb),
        })
    order = {n: i for i, n in enumerate(vocab.domain_names)}
    rows.sort(key=lambda r: (-r["n_studies"], -r["n_findings"], order.get(r["domain"], 99),
                             r["theme"], r["type"]))
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)
