"""The map's data files: findings as CSV and JSON, included studies as RIS, and the filter data."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ..folder import ReviewFolder
from ..handout.files import neutralise
from .data import MapData

__all__ = ["find_data_js", "findings_csv", "findings_json", "studies_ris"]

CSV_COLUMNS = [
    "study", "finding", "type", "statement", "tdf_domains", "tdf_constructs", "comb",
    "themes", "perspective", "level", "source", "citation", "doi",
]


def _rows(data: MapData) -> list[dict[str, Any]]:
    rows = []
    for s in data.studies:
        for f in s.findings:
            rows.append(
                {
                    "study": s.id,
                    "finding": f.id,
                    "type": f.type,
                    "statement": f.statement,
                    "tdf_domains": f.domains,
                    "tdf_constructs": f.constructs,
                    "comb": data.comb_of(f.domains),
                    "themes": [data.theme_name(t) for t in f.themes],
                    "theme_ids": f.themes,
                    "perspective": f.perspective,
                    "level": f.level,
                    "source": f.source,
                    "citation": s.citation,
                    "doi": s.doi,
                }
            )
    return rows


def findings_csv(data: MapData) -> str:
    """One row per finding; list fields joined with '; '."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in _rows(data):
        w.writerow(
            [neutralise("; ".join(v) if isinstance(v, list) else str(v or "")) for v in
             (r[c] for c in CSV_COLUMNS)]
        )
    return buf.getvalue()


def findings_json(data: MapData) -> str:
    """Every finding as a JSON object (sorted keys, one list), with the review's title."""
    doc = {"review": data.title, "question": data.question, "findings": _rows(data)}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def find_data_js(data: MapData, study_hrefs: dict[str, str], anchors: dict[str, str]) -> str:
    """The data of the "find barriers" page as a script that sets ``window.implmapFindData``.

    A script file (not JSON fetched at run time) so the page also works opened from disk. Values
    are compact: each finding row refers to studies and vocabularies by index.
    """
    domains = [d.name for d in data.domains]
    themes = [[t.id, t.name] for t in data.themes]
    combs = list(dict.fromkeys(c for d in data.domains for c in d.comb))
    persp: list[str] = []
    levels: list[str] = []
    for f in data.findings:
        persp.extend(p for p in f.perspective if p not in persp)
        if f.level and f.level not in levels:
            levels.append(f.level)
    persp.sort()
    levels.sort()
    di = {d: i for i, d in enumerate(domains)}
    ti = {t[0]: i for i, t in enumerate(themes)}
    ci = {c: i for i, c in enumerate(combs)}
    pi = {p: i for i, p in enumerate(persp)}
    li = {x: i for i, x in enumerate(levels)}
    studies = []
    rows = []
    for n, s in enumerate(data.studies):
        label = s.citation or s.id
        studies.append([s.id, label, study_hrefs[s.id]])
        for f in s.findings:
            rows.append(
                [
                    n,
                    f.id,
                    f.statement,
                    1 if f.type == "facilitator" else 0,
                    [pi[p] for p in f.perspective],
                    li.get(f.level, -1),
                    [di[d] for d in f.domains if d in di],
                    [ti[t] for t in f.themes if t in ti],
                    [ci[c] for c in data.comb_of(f.domains)],
                    anchors[f.key],
                ]
            )
    payload = {
        "domains": domains,
        "themes": themes,
        "comb": combs,
        "perspectives": persp,
        "levels": levels,
        "studies": studies,
        "rows": rows,
    }
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    return f"window.implmapFindData = {text};\n"


def _ris_line(tag: str, value: object) -> str:
    text = " ".join(str(value).split())
    return f"{tag}  - {text}\n" if text else ""


def studies_ris(data: MapData, review: ReviewFolder) -> str:
    """The included studies as RIS: from each study's first imported record when the review
    holds it, otherwise from the study file's citation, year and DOI."""
    wanted = {rid for s in data.studies for rid in s.records[:1]}
    records: dict[str, dict[str, Any]] = {}
    if wanted:
        for r in review.record_dicts():
            if r.get("id") in wanted:
                records[r["id"]] = r
    out: list[str] = []
    for s in data.studies:
        rec = records.get(s.records[0]) if s.records else None
        if rec:
            out.append(_ris_line("TY", rec.get("type") or "JOUR"))
            out.append(_ris_line("TI", rec.get("title") or s.citation))
            for a in rec.get("authors") or []:
                out.append(_ris_line("AU", a))
            out.append(_ris_line("PY", rec.get("year") or s.year or ""))
            out.append(_ris_line("JO", rec.get("journal") or ""))
            out.append(_ris_line("VL", rec.get("volume") or ""))
            out.append(_ris_line("IS", rec.get("issue") or ""))
            out.append(_ris_line("SP", rec.get("pages") or ""))
            out.append(_ris_line("DO", rec.get("doi") or s.doi))
        else:
            out.append(_ris_line("TY", "GEN"))
            out.append(_ris_line("TI", s.citation or s.id))
            out.append(_ris_line("PY", s.year or ""))
            out.append(_ris_line("DO", s.doi))
        out.append(_ris_line("N1", f"implmap study {s.id}"))
        out.append("ER  - \n\n")
    return "".join(out)
