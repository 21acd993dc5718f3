"""``implmap check``: validate a whole review folder and report every problem.

Each part of implmap contributes a checker ``(review, report) -> None``; :func:`check_review`
runs them all and never stops at the first problem.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import Report, ReviewFolderError
from .folder import SCRATCH, ReviewFolder
from .jsonl import BadLine, in_time_order, scan_jsonl
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


def check_coding(review: ReviewFolder, report: Report) -> None:
    """Coders' tags kept inside study files (see :mod:`implmap.charting.reconcile`)."""
    if not review.studies_dir.is_dir():
        return
    from .charting.reconcile import check_coding_layout

    check_coding_layout(review, report)


CHECKERS.append(check_coding)


# -- merge damage: conflict markers, lines a union merge wrote twice -------------------------
_MARKERS = (b"<<<<<<<", b"=======", b">>>>>>>")
_SKIP = {".git", SCRATCH}


def _merge_files(review: ReviewFolder) -> list[Path]:
    """The review's logs and YAML files (not under ``.git`` or the scratch space)."""
    out = []
    for path in sorted(review.root.rglob("*")):
        rel = path.relative_to(review.root)
        if rel.parts[0] in _SKIP or path.suffix not in (".jsonl", ".yaml", ".yml"):
            continue
        if path.is_file():
            out.append(path)
    return out


def _log_key(review: ReviewFolder, path: Path) -> Callable[[dict[str, Any]], Any] | None:
    """What a line of an append-only log decides on (its record, or its pair), or None for a
    file that is not such a log."""
    if path == review.dedupe_decisions:
        return lambda e: tuple(sorted(map(str, e.get("records") or [])))
    if path.suffix == ".jsonl" and review.screening_dir in path.parents:
        return lambda e: e.get("record")
    if path.suffix == ".jsonl" and path.parent == review.coding_dir:
        return lambda e: (e.get("study"), e.get("finding"))
    return None


def _in_force(lines: list[tuple[int, dict[str, Any]]],
              key: Callable[[dict[str, Any]], Any]) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for _, entry in in_time_order(lines):
        try:
            out[key(entry)] = entry
        except TypeError:  # an unhashable key: reported by the part that knows the log
            continue
    return out


def check_merge_damage(review: ReviewFolder, report: Report) -> None:
    """Git conflict markers in any log or YAML file, and log lines written twice."""
    for path in _merge_files(review):
        rel = review.rel(path)
        data = path.read_bytes()
        if any(m in data for m in _MARKERS):
            for n, line in enumerate(data.split(b"\n"), start=1):
                marker = next((m for m in _MARKERS if line.startswith(m)), None)
                if marker is not None and (marker != b"=======" or not line.strip(b"=\r ")):
                    report.add(rel, f"git conflict marker {marker.decode()!r}: a merge left "
                               "both sides of a change here; keep the lines of both sides (a "
                               "log) or the right ones (YAML), delete the markers",
                               line=n, code="merge-conflict")
        key = _log_key(review, path)
        if key is not None:
            _check_repeats(report, rel, data, key)


def _check_repeats(report: Report, rel: Path, data: bytes,
                   key: Callable[[dict[str, Any]], Any]) -> None:
    texts = [raw.strip() for raw in data.split(b"\n")]
    nonblank = [t for t in texts if t]
    if len(set(nonblank)) == len(nonblank):
        return  # no line repeats another (the usual case): nothing to parse
    first: dict[bytes, int] = {}
    repeats: list[tuple[int, int]] = []  # (line, the line it repeats)
    lines: list[tuple[int, dict[str, Any]]] = []
    kept: list[tuple[int, dict[str, Any]]] = []
    for n, text in enumerate(texts, start=1):
        if not text:
            continue
        try:
            obj = json.loads(text)
        except ValueError:
            continue
        if not isinstance(obj, dict):
            continue
        lines.append((n, obj))
        if text in first:
            repeats.append((n, first[text]))
        else:
            first[text] = n
            kept.append((n, obj))
    if not repeats:
        return
    now, once = _in_force(lines, key), _in_force(kept, key)
    by_line = dict(lines)
    for n, m in repeats:
        try:
            k = key(by_line[n])
            changed = now.get(k) != once.get(k)
        except TypeError:
            changed = False
        if changed:
            report.add(rel, f"this line repeats line {m} exactly, and the repeat changes which "
                       "decision counts (another decision was written in the same second); "
                       "delete the repeated line", line=n, code="repeated-line")
        else:
            report.add(rel, f"this line repeats line {m} exactly (a git union merge of a line "
                       "both sides had); harmless: the repeat changes nothing", line=n,
                       severity="warning", code="repeated-line")


CHECKERS.append(check_merge_damage)


def check_review(review: ReviewFolder) -> Report:
    """Run every checker on ``review`` and return the sorted report."""
    report = Report()
    for checker in CHECKERS:
        checker(review, report)
    return report.sorted()
