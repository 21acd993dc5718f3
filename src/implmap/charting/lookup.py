"""Findings as a table, and lookup for implementation teams.

:func:`findings_frame` gives one row per finding with its COM-B components, the intervention
functions that address them, and its study's design, country and setting. :func:`lookup`
filters findings (domain, theme, perspective, level, type, words) and groups them by (domain,
theme, type), counting the distinct studies behind each group: the question an implementation
team asks is "which barriers of this kind are reported, by how many studies, in which kinds of
study and setting, what helped elsewhere, and what kinds of intervention address them?".

A group's intervention functions come from the TDF constructs coded on its findings (each
construct → the COM-B components of the domain it is coded under → the functions); only a
group whose findings have no construct coded falls back to its domain's functions
(``functions_from`` says which). Each barrier group lists, beside it, the facilitator findings
of the whole review that share its domain and theme (``facilitators``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .model import LEVELS, TYPES
from .search import matches
from .vocab import Vocabulary, load_vocabulary, match_choice

if TYPE_CHECKING:
    import pandas as pd

    from ..folder import ReviewFolder

__all__ = [
    "FINDING_COLUMNS",
    "GROUP_COLUMNS",
    "PAIR_COLUMNS",
    "STUDY_COLUMNS",
    "LookupResult",
    "findings_frame",
    "lookup",
    "short_label",
]

FINDING_COLUMNS = [
    "study", "finding", "statement", "type", "perspective", "level", "domains", "constructs",
    "themes", "theme_names", "source", "coded_by", "comb", "functions", "n_studies", "citation",
    "year", "country", "design", "setting", "tdf",
]
GROUP_COLUMNS = [
    "domain", "theme", "theme_name", "type", "n_studies", "n_findings", "studies", "findings",
    "statements", "comb", "functions", "constructs", "functions_from", "comb_findings",
    "evidence", "facilitators",
]
STUDY_COLUMNS = ["study", "citation", "year", "design", "country", "setting", "label",
                 "n_findings"]
PAIR_COLUMNS = ["domain", "theme", "theme_name", "n_barriers", "study", "finding", "statement",
                "shared_constructs", "label"]


def findings_frame(review: ReviewFolder, vocab: Vocabulary | None = None) -> pd.DataFrame:
    """One row per finding of every study (columns :data:`FINDING_COLUMNS`).

    ``n_studies`` counts the distinct studies that report a finding of the same type sharing at
    least one (domain, theme) pair with this one (the finding's own study included); a finding
    with no theme counts by domain alone, and one with no domain by theme alone. ``design``,
    ``country`` and ``setting`` are the study's; ``tdf`` lists the finding's ``(domain,
    construct)`` pairs as coded.
    """
    import pandas as pd

    from .coding import all_codings
    from .store import load_studies

    vocab = vocab or load_vocabulary(review)
    rows: list[dict[str, Any]] = []
    studies = load_studies(review)
    coders: dict[tuple[str, str], list[str]] = {}
    for coder, mine in all_codings(review, studies).items():
        for key in mine:
            coders.setdefault(key, []).append(coder)
    for s in studies:
        for f in s.findings:
            coded_by = list(f.coded_by)
            coded_by += [c for c in coders.get((s.id, f.id), []) if c not in coded_by]
            comb = vocab.comb(f.domains)
            rows.append({
                "study": s.id, "finding": f.id, "statement": f.statement, "type": f.type,
                "perspective": list(f.perspective), "level": f.level, "domains": f.domains,
                "constructs": f.constructs, "themes": list(f.themes),
                "theme_names": [vocab.theme_name(t) for t in f.themes], "source": f.source,
                "coded_by": coded_by, "comb": comb, "functions": vocab.functions(comb),
                "citation": s.citation, "year": s.year, "country": s.country,
                "design": s.design, "setting": s.setting,
                "tdf": [(t.domain, c) for t in f.tdf for c in t.constructs],
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
    """What :func:`lookup` found: the matching findings, their groups, studies and pairs.

    ``findings``: one row per matching finding (:data:`FINDING_COLUMNS`). ``groups``: one row
    per (domain, theme, type) among them (:data:`GROUP_COLUMNS`), most studies first;
    ``statements`` is a list of ``(study, finding, statement)``; ``constructs`` the constructs
    coded on the group's findings and ``functions_from`` where its functions come from
    (``"constructs"``, ``"domain"`` when no construct is coded, ``""`` without either);
    ``comb_findings`` how many of the group's findings point to each COM-B component;
    ``evidence`` one dict per study (``study``, ``design``, ``country``, ``setting``,
    ``label``); ``facilitators`` (barrier groups only) one dict per facilitator finding of the
    same domain and theme (``study``, ``finding``, ``statement``, ``shared_constructs``,
    ``label``). ``studies``: the studies behind the findings (:data:`STUDY_COLUMNS`).
    ``pairs``: the facilitators of every barrier group, one row each (:data:`PAIR_COLUMNS`).
    """

    findings: pd.DataFrame
    groups: pd.DataFrame
    filters: dict[str, str]
    studies: pd.DataFrame
    pairs: pd.DataFrame


def _first_clause(text: str) -> str:
    """``text`` up to its first ``:``, ``;`` or full stop (followed by a space or the end)."""
    cut = len(text)
    for stop in (": ", "; ", ". "):
        i = text.find(stop)
        if i != -1:
            cut = min(cut, i)
    return text[:cut].rstrip(" .;:")


def short_label(study: str, design: str, country: str, setting: str) -> str:
    """``"study (design, country, setting)"``, each part cut to its first clause; parts that
    are empty are left out (just ``"study"`` when all are)."""
    parts = [p for p in (_first_clause(design), country.strip(),
                         _first_clause(setting).split(", ")[0]) if p]
    return f"{study} ({', '.join(parts)})" if parts else study


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
    allowed. ``text``: every word must occur in the statement, constructs or source, ignoring
    case and accents, as a word start or by its stem (``referrals`` finds "referral",
    ``implementing`` finds "implementation"; :mod:`implmap.charting.search`). An unknown or
    ambiguous value raises :class:`~implmap.charting.vocab.UnknownTermError` listing the valid
    ones. The facilitators paired with barrier groups are drawn from the whole review, not only
    from the findings that match the filters.
    """

    vocab = load_vocabulary(review)
    every = findings_frame(review, vocab)
    df = every
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
        filters["text"] = text

        def hit(row: pd.Series) -> bool:
            return matches(text, " ".join([row["statement"], " ".join(row["constructs"]),
                                           row["source"]]))

        df = df[df.apply(hit, axis=1)] if len(df) else df
    df = df.reset_index(drop=True)
    groups = _group(df, every, vocab, dom, th)
    return LookupResult(df, groups, filters, _studies(df), _pairs(groups))


def _evidence(r: Any) -> dict[str, str]:
    return {"study": r.study, "design": r.design, "country": r.country, "setting": r.setting,
            "label": short_label(r.study, r.design, r.country, r.setting)}


def _facilitators(every: pd.DataFrame, d: str, t: str, constructs: list[str]
                  ) -> list[dict[str, Any]]:
    """The facilitator findings tagged with domain ``d`` and theme ``t`` (either alone when
    the other is empty), those sharing most of ``constructs`` first."""
    if not d and not t:
        return []
    out = []
    for r in every[every["type"] == "facilitator"].itertuples(index=False):
        if (d and d not in r.domains) or (t and t not in r.themes):
            continue
        shared = [c for dom_c, c in r.tdf if c in constructs and (not d or dom_c == d)]
        out.append({"study": r.study, "finding": r.finding, "statement": r.statement,
                    "shared_constructs": list(dict.fromkeys(shared)),
                    "label": _evidence(r)["label"]})
    out.sort(key=lambda x: (-len(x["shared_constructs"]), x["study"], x["finding"]))
    return out


def _group(df: pd.DataFrame, every: pd.DataFrame, vocab: Vocabulary, dom: str | None,
           th: str | None) -> pd.DataFrame:
    import pandas as pd

    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in df.itertuples(index=False):
        for d in r.domains or [""]:
            if dom and d != dom:
                continue
            for t in r.themes or [""]:
                if th and t != th:
                    continue
                g = groups.setdefault((d, t, r.type), {"studies": {}, "statements": [],
                                                        "tdf": [], "per_finding": []})
                g["studies"].setdefault(r.study, _evidence(r))
                g["statements"].append((r.study, r.finding, r.statement))
                g["tdf"].extend(p for p in r.tdf if p not in g["tdf"])
                g["per_finding"].append([cd for cd, _ in r.tdf])
    rows = []
    for (d, t, ty), g in groups.items():
        coded = g["tdf"]
        if coded:
            comb = vocab.comb([cd for cd, _ in coded])
            source = "constructs"
            per_finding = [vocab.comb(ds) for ds in g["per_finding"]]
            counts = {c: sum(c in fc for fc in per_finding) for c in comb}
        else:
            comb = vocab.comb(d) if d else []
            source = "domain" if d else ""
            counts = dict.fromkeys(comb, len(g["statements"]))
        constructs = list(dict.fromkeys(c for _, c in coded))
        rows.append({
            "domain": d, "theme": t, "theme_name": vocab.theme_name(t) if t else "",
            "type": ty, "n_studies": len(g["studies"]), "n_findings": len(g["statements"]),
            "studies": sorted(g["studies"]),
            "findings": [f"{s}/{f}" for s, f, _ in g["statements"]],
            "statements": g["statements"], "comb": comb, "functions": vocab.functions(comb),
            "constructs": constructs, "functions_from": source, "comb_findings": counts,
            "evidence": [g["studies"][s] for s in sorted(g["studies"])],
            "facilitators": (_facilitators(every, d, t, constructs) if ty == "barrier"
                             else []),
        })
    order = {n: i for i, n in enumerate(vocab.domain_names)}
    rows.sort(key=lambda r: (-r["n_studies"], -r["n_findings"], order.get(r["domain"], 99),
                             r["theme"], r["type"]))
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


def _studies(df: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    rows: dict[str, dict[str, Any]] = {}
    for r in df.itertuples(index=False):
        row = rows.setdefault(r.study, {
            "study": r.study, "citation": r.citation, "year": r.year, "design": r.design,
            "country": r.country, "setting": r.setting, "n_findings": 0,
            "label": short_label(r.study, r.design, r.country, r.setting)})
        row["n_findings"] += 1
    return pd.DataFrame([rows[s] for s in sorted(rows)], columns=STUDY_COLUMNS)


def _pairs(groups: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    rows = [{"domain": g.domain, "theme": g.theme, "theme_name": g.theme_name,
             "n_barriers": g.n_findings, **f}
            for g in groups.itertuples(index=False) for f in g.facilitators]
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)
