"""Small hand-made records and review folders for the dedupe tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from implmap import Review

FIELDS = ("type", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi",
          "pmid", "abstract")


def rec(rid: str, title: str = "", authors: tuple[str, ...] | list[str] = (), year: str = "",
        journal: str = "", volume: str = "", issue: str = "", pages: str = "", doi: str = "",
        pmid: str = "", abstract: str = "", type: str = "JOUR") -> dict[str, Any]:
    """A record dict with the Record fields."""
    return {"id": rid, "search": "s", "ordinal": 0, "line": 1, "type": type, "title": title,
            "authors": list(authors), "year": year, "journal": journal, "volume": volume,
            "issue": issue, "pages": pages, "doi": doi, "pmid": pmid, "abstract": abstract,
            "keywords": [], "urls": [], "tags": {}}


def to_ris(records: list[dict[str, Any]]) -> str:
    """RIS text for record dicts (as a database would export them)."""
    out = []
    for r in records:
        lines = [f"TY  - {r.get('type') or 'JOUR'}"]
        if r.get("title"):
            lines.append(f"TI  - {r['title']}")
        lines += [f"AU  - {a}" for a in r.get("authors", [])]
        for tag, key in (("PY", "year"), ("JO", "journal"), ("VL", "volume"), ("IS", "issue"),
                         ("DO", "doi"), ("AB", "abstract")):
            if r.get(key):
                lines.append(f"{tag}  - {r[key]}")
        if r.get("pages"):
            sp, _, ep = r["pages"].partition("-")
            lines.append(f"SP  - {sp}")
            if ep:
                lines.append(f"EP  - {ep}")
        if r.get("pmid"):
            lines.append(f"AN  - PMID:{r['pmid']}")
        lines.append("ER  - ")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def import_records(review: Review, records: list[dict[str, Any]], name: str,
                   database: str = "Embase") -> list[str]:
    """Import records as a RIS file; returns the new record IDs in order."""
    path = Path(review.root).parent / name
    path.write_text(to_ris(records), encoding="utf-8")
    result = review.import_file(path, database)
    sid = result.search.id
    return [r["id"] for r in review.record_dicts() if r["search"] == sid]
