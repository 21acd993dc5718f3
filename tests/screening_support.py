"""Helpers for the screening tests: small review folders written as the contract says."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from implmap import Review
from implmap.fsio import dump_json_line, write_atomic

REASONS = ["wrong population", "wrong concept", "not primary research"]


def add_search(
    review: Review, records: list[dict[str, Any]], database: str = "MEDLINE"
) -> list[str]:
    """Write one search (``searches/<id>/search.yaml`` + ``records.jsonl``); return its IDs."""
    body = "".join(dump_json_line(r) for r in records) + database
    digest = hashlib.sha256(body.encode()).hexdigest()
    sid = f"{database.lower()}-{digest[:8]}"
    folder = review.root / "searches" / sid
    lines, ids = [], []
    for n, r in enumerate(records, start=1):
        rec = {
            "id": f"{digest[:8]}-{n}", "search": sid, "ordinal": n, "line": n, "type": "JOUR",
            "title": "", "authors": [], "year": "", "journal": "", "volume": "", "issue": "",
            "pages": "", "doi": "", "pmid": "", "abstract": "", "keywords": [], "urls": [],
            "tags": {},
        }
        rec.update(r)
        ids.append(rec["id"])
        lines.append(dump_json_line(rec))
    write_atomic(folder / "records.jsonl", "".join(lines))
    write_atomic(folder / "export.ris", "")
    meta = {
        "id": sid, "database": database, "file": "export.ris",
        "sha256": hashlib.sha256(b"").hexdigest(), "searched": "2026-01-15", "query": "",
        "imported": "2026-01-16T09:00:00+00:00", "format": "ris", "encoding": "utf-8",
        "records": len(records), "warnings": [],
    }
    write_atomic(folder / "search.yaml", yaml.safe_dump(meta, sort_keys=False))
    return ids


def make_review(root: Path, n: int = 8, reviewers: tuple[str, ...] = ("ana", "ben"),
                third: str | None = "cam", pilot: int = 0, databases: int = 1) -> Review:
    """A review with screeners ``reviewers``, a third reviewer, and ``n`` records per database."""
    review = Review.init(root, title="Screening test review",
                         reviewers=[*reviewers, *([third] if third else [])])
    m = review.manifest.model_copy(deep=True)
    if third:
        m.reviewers[-1].role = "third"
    m.exclusion_reasons = list(REASONS)
    m.pilot_size = pilot
    m.screening_seed = 11
    review.save_manifest(m)
    for d in range(databases):
        add_search(review, [
            {"title": f"Barriers to referral {d}.{i}", "doi": f"10.1000/x{d}.{i}",
             "abstract": f"Abstract {i} <b>not markup</b>"}
            for i in range(n)
        ], database=["MEDLINE", "Embase", "CINAHL"][d])
    return Review(review.root)


def write_decisions(root: str, reviewer: str, stage: str, records: list[str],
                    decision: str, reason: str | None) -> None:
    """Worker for the concurrency test: decide each record (run in another process)."""
    from implmap import screening

    review = Review(root)
    for rid in records:
        screening.decide(review, reviewer, stage, rid, decision, reason=reason)
