"""``implmap check``: validate a whole review folder and report every problem.

Each part of implmap contributes a checker ``(review, report) -> None``; :func:`check_review`
runs them all and never stops at the first problem.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import yaml
from pydantic import ValidationError

from .errors import Report, ReviewFolderError
from .folder import ReviewFolder
from .fsio import BadLine, scan_jsonl
from .manifest import MANIFEST_NAME, Manifest
from .records.model import Record, Search

__all__ = ["CHECKERS", "check_review"]


def check_manifest(review: ReviewFolder, report: Report) -> None:
    try:
        Manifest.load(review.manifest_path, report)
    except ReviewFolderError as exc:
        if not report.problems:
            report.add(MANIFEST_NAME, str(exc), code="manifest-unreadable")


def check_searches(review: ReviewFolder, report: Report) -> None:
    root = review.searches_dir
    if not root.is_dir():
        return
    seen_ids: dict[str, str] = {}
    for d in sorted(root.iterdir()):
        if not d.is_dir():
            continue
        rel = d.relative_to(review.root)
        meta_path = d / "search.yaml"
        if not meta_path.exists():
            report.add(rel, "search folder without search.yaml; re-import the file",
                       code="search-no-provenance")
            continue
        try:
            search = Search.model_validate(yaml.safe_load(meta_path.read_text("utf-8")))
        except (ValidationError, yaml.YAMLError, UnicodeDecodeError) as exc:
            report.add(rel / "search.yaml", f"invalid search provenance: {exc}",
                       code="invalid-provenance")
            continue
        raw = d / search.file
        if not raw.exists():
            report.add(rel / "search.yaml", f"the raw export {search.file!r} is missing",
                       field="file", code="raw-export-missing")
        elif hashlib.sha256(raw.read_bytes()).hexdigest() != search.sha256:
            report.add(rel / search.file, "the raw export was changed after import (sha256 "
                       "differs); restore it from git", field="sha256",
                       code="raw-export-changed")
        recs = review.records_path(d.name)
        count = 0
        if not recs.exists():
            report.add(rel, "records.jsonl is missing; re-import the file", code="records-missing")
            continue
        for n, obj in scan_jsonl(recs):
            # records.jsonl is written whole (atomically): any unreadable line is damage
            if isinstance(obj, BadLine):
                report.add(rel / "records.jsonl", f"{obj.problem}; re-import the file or "
                           "restore records.jsonl from git", line=n, code="malformed-line")
                continue
            try:
                rec = Record.model_validate(obj)
            except ValidationError as exc:
                for err in exc.errors():
                    report.add(rel / "records.jsonl", err["msg"], line=n,
                               field=".".join(map(str, err["loc"])), code="invalid-record")
                continue
            count += 1
            if rec.id in seen_ids:
                report.add(rel / "records.jsonl", f"record ID {rec.id} also in "
                           f"{seen_ids[rec.id]}", line=n, record=rec.id, field="id",
                           code="duplicate-record-id")
            seen_ids[rec.id] = str(rel)
            if rec.search != search.id:
                report.add(rel / "records.jsonl", f"record names search {rec.search!r}, "
                           f"expected {search.id!r}", line=n, record=rec.id, field="search",
                           code="record-wrong-search")
        if count != search.records:
            report.add(rel / "search.yaml", f"says {search.records} records but records.jsonl "
                       f"holds {count}", field="records", code="record-count")


def check_dedupe(review: ReviewFolder, report: Report) -> None:
    """The dedupe files (groups, decisions, uncertain pairs): well formed, known record IDs."""
    from .dedupe.check import check_dedupe as _check

    _check(review, report)


Checker = Callable[[ReviewFolder, Report], None]
CHECKERS: list[Checker] = [check_manifest, check_searches, check_dedupe]


# -- screening: decision logs, resolutions, retrieval ------------------------------------------
def check_screening(review: ReviewFolder, report: Report) -> None:
    """Screening logs, resolutions and retrieval (see :mod:`implmap.screening.check`)."""
    from .screening.check import check_screening as _check

    _check(review, report)


CHECKERS.append(check_screening)


# -- charting: study files, theme codebook, mapping overrides ------------------------------------
def check_charting(review: ReviewFolder, report: Report) -> None:
    """Charting files: studies, themes codebook, mapping overrides (see implmap.charting)."""
    from .charting.validate import check_charting as _check

    _check(review, report)


CHECKERS.append(check_charting)


def check_review(review: ReviewFolder) -> Report:
    """Run every checker on ``review`` and return the sorted report."""
    report = Report()
    for checker in CHECKERS:
        checker(review, report)
    return report.sorted()
