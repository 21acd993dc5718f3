"""The screening part of ``implmap check``: every log line with file, line, record and field."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .log import DECISIONS, RESOLUTIONS_FILE, RETRIEVAL_FILE

if TYPE_CHECKING:
    from ..errors import Report
    from ..folder import ReviewFolder

__all__ = ["check_screening"]

_LOG_KEYS = {"record", "decision", "reason", "note", "reviewer", "stage", "time"}
_RES_KEYS = {"record", "decision", "reason", "note", "by", "method", "time"}
_RET_KEYS = {"record", "status", "time"}


def _lines(path: Path, rel: Path, report: Report) -> list[tuple[int, dict[str, Any]]]:
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            # an object cut short (the JSON ends before the object does): a crash mid-write
            torn = line.lstrip().startswith("{") and not line.rstrip().endswith("}")
            report.add(rel, f"not valid JSON ({exc.msg})" + (
                "; a write cut short by a crash: the line is ignored, nothing after it is lost"
                if torn else "; fix or delete the line"), line=n,
                severity="warning" if torn else "error", code="malformed-line")
            continue
        if not isinstance(obj, dict):
            report.add(rel, "a line must be a JSON object", line=n, code="malformed-line")
            continue
        out.append((n, obj))
    return out


def _time(report: Report, rel: Path, n: int, obj: dict[str, Any], rid: Any) -> None:
    if "time" not in obj:
        return  # reported as a missing field
    t = obj.get("time")
    try:
        datetime.fromisoformat(str(t))
    except ValueError:
        report.add(rel, f"time {t!r} is not an ISO 8601 date-time", line=n, field="time",
                   record=rid if isinstance(rid, str) else None)


def check_screening(review: ReviewFolder, report: Report) -> None:
    """Check ``screening/``: unknown stages, reviewers, records, decisions, reasons; bad lines."""
    from .queue import records_to_screen

    root = review.root / "screening"
    if not root.is_dir():
        return
    m = review.manifest
    stages = {s.id: s for s in m.stages}
    reviewers = {r.id for r in m.reviewers}
    reasons = set(m.exclusion_reasons)
    from .queue import _all_ids

    all_ids = set(_all_ids(review))
    for d in sorted(root.iterdir()):
        rel_d = d.relative_to(review.root)
        if not d.is_dir():
            continue
        if d.name not in stages:
            report.add(rel_d, f"folder for unknown stage {d.name!r} (the manifest lists: "
                       f"{', '.join(stages)})", code="unknown-stage")
            continue
        stage = stages[d.name]
        try:
            todo = set(records_to_screen(review, stage.id))
        except Exception:  # a broken earlier stage is reported on its own lines
            todo = all_ids
        for path in sorted(d.glob("*.jsonl")):
            rel = path.relative_to(review.root)
            if path.name == RETRIEVAL_FILE:
                _check_retrieval(report, rel, _lines(path, rel, report), all_ids)
                continue
            resolution = path.name == RESOLUTIONS_FILE
            if not resolution and path.stem not in reviewers:
                report.add(rel, f"log of unknown reviewer {path.stem!r}: its decisions are not "
                           "counted; add the reviewer to implmap.yaml or rename the file",
                           code="unknown-reviewer")
            for n, obj in _lines(path, rel, report):
                keys = _RES_KEYS if resolution else _LOG_KEYS
                rid = obj.get("record")
                rec = rid if isinstance(rid, str) else None
                for k in sorted(keys - set(obj)):
                    report.add(rel, f"missing field {k!r}", line=n, field=k, record=rec)
                for k in sorted(set(obj) - keys):
                    report.add(rel, f"unexpected field {k!r}", line=n, field=k, record=rec,
                               severity="warning")
                if not isinstance(rid, str):
                    continue
                if rid not in all_ids:
                    report.add(rel, f"unknown record {rid!r}", line=n, field="record",
                               record=rid)
                elif rid not in todo:
                    report.add(rel, f"record {rid} is not screened at {stage.id!r} (a duplicate"
                               " or not passed on by the stage before); this line is ignored",
                               line=n, field="record", record=rid, severity="warning")
                dec = obj.get("decision")
                allowed = DECISIONS if resolution else (*DECISIONS, None)
                if dec not in allowed:
                    report.add(rel, f"decision {dec!r} is not one of {', '.join(DECISIONS)}",
                               line=n, field="decision", record=rid)
                reason = obj.get("reason")
                if reason is not None and reason not in reasons:
                    report.add(rel, f"unknown exclusion reason {reason!r} (add it to "
                               "exclusion_reasons in implmap.yaml)", line=n, field="reason",
                               record=rid)
                if reason is not None and dec != "exclude":
                    report.add(rel, f"a reason goes with exclude only, not {dec!r}", line=n,
                               field="reason", record=rid)
                if dec == "exclude" and reason is None and stage.reasons_required:
                    report.add(rel, f"exclude at {stage.id!r} needs a reason", line=n,
                               field="reason", record=rid)
                if "note" in obj and not isinstance(obj["note"], str):
                    report.add(rel, "note must be text", line=n, field="note", record=rid)
                _time(report, rel, n, obj, rid)
                if resolution:
                    by = obj.get("by")
                    if not isinstance(by, list) or not by:
                        report.add(rel, "'by' must list the reviewers who resolved it", line=n,
                                   field="by", record=rid)
                    else:
                        for who in by:
                            if who not in reviewers:
                                report.add(rel, f"unknown reviewer {who!r}", line=n, field="by",
                                           record=rid)
                    if obj.get("method") not in ("third_reviewer", "consensus"):
                        report.add(rel, f"method {obj.get('method')!r} is not third_reviewer "
                                   "or consensus", line=n, field="method", record=rid)
                else:
                    if obj.get("reviewer") != path.stem:
                        report.add(rel, f"reviewer {obj.get('reviewer')!r} in the log of "
                                   f"{path.stem!r}", line=n, field="reviewer", record=rid)
                    if obj.get("stage") != stage.id:
                        report.add(rel, f"stage {obj.get('stage')!r} in the log of stage "
                                   f"{stage.id!r}", line=n, field="stage", record=rid)


def _check_retrieval(report: Report, rel: Path, lines: list[tuple[int, dict[str, Any]]],
                     all_ids: set[str]) -> None:
    for n, obj in lines:
        rid = obj.get("record")
        rec = rid if isinstance(rid, str) else None
        for k in sorted(_RET_KEYS - set(obj)):
            report.add(rel, f"missing field {k!r}", line=n, field=k, record=rec)
        if rec is not None and rec not in all_ids:
            report.add(rel, f"unknown record {rec!r}", line=n, field="record", record=rec)
        if obj.get("status") not in ("retrieved", "not_retrieved"):
            report.add(rel, f"status {obj.get('status')!r} is not retrieved or not_retrieved",
                       line=n, field="status", record=rec)
        _time(report, rel, n, obj, rid)
