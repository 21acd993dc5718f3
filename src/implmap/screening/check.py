"""The screening part of ``implmap check``: every log line with file, line, record and field."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..jsonl import BadLine, scan_jsonl
from .log import DECISIONS

if TYPE_CHECKING:
    from ..errors import Report
    from ..folder import ReviewFolder
    from ..manifest import Stage

__all__ = ["check_screening"]

_LOG_KEYS = {"record", "decision", "reason", "note", "reviewer", "stage", "time"}
_RES_KEYS = {"record", "decision", "reason", "note", "by", "method", "time"}
_RET_KEYS = {"record", "status", "time"}


def _lines(path: Path, rel: Path, report: Report) -> list[tuple[int, dict[str, Any]]]:
    """The readable lines of one log; each unreadable one is reported (file, line): a write cut
    short as a warning (the readers skip it too), any other damage as an error."""
    out = []
    for n, obj in scan_jsonl(path):
        if isinstance(obj, BadLine):
            report.add(rel, obj.problem + (
                "; a write cut short by a crash or a full disk: the line is ignored, nothing "
                "after it is lost" if obj.cut else "; fix or delete the line"), line=n,
                severity="warning" if obj.cut else "error", code="malformed-line")
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
                   record=rid if isinstance(rid, str) else None, code="log-invalid-time")


def check_screening(review: ReviewFolder, report: Report) -> None:
    """Check ``screening/``: unknown stages, reviewers, records, decisions, reasons; bad lines."""
    from .queue import records_to_screen

    root = review.screening_dir
    if not root.is_dir():
        return
    m = review.manifest
    stages = {s.id: s for s in m.stages}
    all_ids = set(review.record_ids())
    for d in sorted(root.iterdir()):
        rel_d = review.rel(d)
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
            rel = review.rel(path)
            resolution = path == review.resolutions_path(stage.id)
            if not resolution and not review.is_reviewer_log(path):
                _check_retrieval(report, rel, _lines(path, rel, report), all_ids)
                continue
            if not resolution and path.stem not in {r.id for r in m.reviewers}:
                report.add(rel, f"log of unknown reviewer {path.stem!r}: its decisions are not "
                           "counted; add the reviewer to implmap.yaml or rename the file",
                           code="unknown-reviewer")
            for n, obj in _lines(path, rel, report):
                _check_entry(review, report, rel, n, obj, stage, todo, all_ids,
                             None if resolution else path.stem)
    if "full_text" in stages and review.retrieval_path.exists():
        import warnings

        from .retrieval import retrieval

        with warnings.catch_warnings():  # bad lines are reported on their own
            warnings.simplefilter("ignore")
            status = retrieval(review)
            _check_not_retrieved(review, report, status)
        _check_attachments(review, report, status)


def _check_attachments(review: ReviewFolder, report: Report,
                       status: dict[str, dict[str, Any]]) -> None:
    """Each full-text file in force (``status``: the retrieval entries in force) is inside the
    review folder (or the full-text library) and still there."""
    from .retrieval import locate_full_text

    rel = review.rel(review.retrieval_path)
    for rid, entry in sorted(status.items()):
        name = entry.get("file")
        if not name:
            continue
        where = locate_full_text(review, str(name))
        if where is not None and where[1].is_file():
            continue
        if where is not None:
            report.add(rel, f"record {rid}: its full-text file {name!r} is missing; restore it, "
                       "or record the retrieval again with the file's new place", record=rid,
                       field="file", code="full-text-missing")
        else:
            report.add(rel, f"record {rid}: its full-text file {name!r} is outside the review "
                       "folder (and the full-text library); copy it in and record the retrieval "
                       "again", record=rid, field="file", code="full-text-outside")


def _check_not_retrieved(review: ReviewFolder, report: Report,
                         status: dict[str, dict[str, Any]]) -> None:
    """A report marked not retrieved in ``status`` (the retrieval entries in force) that
    carries a full-text decision or resolution (written by a version that did not refuse it,
    or merged from two machines)."""
    from .conflicts import resolutions
    from .log import decisions

    gone = {r for r, e in status.items() if e.get("status") == "not_retrieved"}
    if not gone:
        return
    decided = {r: who for who, mine in decisions(review, "full_text").items()
               for r in mine if r in gone}
    resolved = set(resolutions(review, "full_text")) & gone
    for rid in sorted(set(decided) | resolved):
        by = "a resolution" if rid in resolved else f"{decided[rid]}'s decision"
        report.add(review.rel(review.retrieval_path), f"record {rid} is marked not retrieved "
                   f"but has a full-text decision ({by}); a report that was assessed was "
                   "retrieved: mark it retrieved, or withdraw the decisions if it was never read",
                   record=rid, code="retrieval-contradiction")


def _check_entry(review: ReviewFolder, report: Report, rel: Path, n: int, obj: dict[str, Any],
                 stage: Stage, todo: set[str], all_ids: set[str], owner: str | None) -> None:
    """One line of a reviewer's log (``owner``: whose log) or of resolutions (``None``)."""
    m = review.manifest
    resolution = owner is None
    keys = _RES_KEYS if resolution else _LOG_KEYS
    rid = obj.get("record")
    rec = rid if isinstance(rid, str) else None
    for k in sorted(keys - set(obj)):
        report.add(rel, f"missing field {k!r}", line=n, field=k, record=rec,
                   code="log-missing-field")
    for k in sorted(set(obj) - keys):
        report.add(rel, f"unexpected field {k!r}", line=n, field=k, record=rec,
                   severity="warning", code="log-unexpected-field")
    if rec is None:
        return

    def add(message: str, field: str, code: str, **extra: Any) -> None:
        report.add(rel, message, line=n, field=field, record=rec, code=code, **extra)

    if rec not in all_ids:
        add(f"unknown record {rec!r}", "record", "unknown-record")
    elif rec not in todo:
        add(f"record {rec} is not screened at {stage.id!r} (a duplicate or not passed on by "
            "the stage before); this line is ignored", "record", "record-not-screened",
            severity="warning")
    dec = obj.get("decision")
    if dec not in (DECISIONS if resolution else (*DECISIONS, None)):
        add(f"decision {dec!r} is not one of {', '.join(DECISIONS)}", "decision",
            "invalid-decision")
    reason = obj.get("reason")
    if reason is not None and reason not in m.exclusion_reasons:
        add(f"unknown exclusion reason {reason!r} (add it to exclusion_reasons in implmap.yaml)",
            "reason", "unknown-reason")
    if reason is not None and dec != "exclude":
        add(f"a reason goes with exclude only, not {dec!r}", "reason", "reason-not-exclude")
    if dec == "exclude" and reason is None and stage.reasons_required:
        add(f"exclude at {stage.id!r} needs a reason", "reason", "reason-required")
    if "note" in obj and not isinstance(obj["note"], str):
        add("note must be text", "note", "invalid-note")
    _time(report, rel, n, obj, rec)
    if owner is None:
        by = obj.get("by")
        if not isinstance(by, list) or not by:
            add("'by' must list the reviewers who resolved it", "by", "resolution-no-reviewers")
        else:
            reviewers = {r.id for r in m.reviewers}
            for who in by:
                if who not in reviewers:
                    add(f"unknown reviewer {who!r}", "by", "unknown-reviewer")
        if obj.get("method") not in ("third_reviewer", "consensus"):
            add(f"method {obj.get('method')!r} is not third_reviewer or consensus", "method",
                "invalid-method")
        return
    if obj.get("reviewer") != owner:
        add(f"reviewer {obj.get('reviewer')!r} in the log of {owner!r}", "reviewer",
            "log-wrong-reviewer")
    if obj.get("stage") != stage.id:
        add(f"stage {obj.get('stage')!r} in the log of stage {stage.id!r}", "stage",
            "log-wrong-stage")


def _check_retrieval(report: Report, rel: Path, lines: list[tuple[int, dict[str, Any]]],
                     all_ids: set[str]) -> None:
    for n, obj in lines:
        rid = obj.get("record")
        rec = rid if isinstance(rid, str) else None
        for k in sorted(_RET_KEYS - set(obj)):
            report.add(rel, f"missing field {k!r}", line=n, field=k, record=rec,
                       code="log-missing-field")
        if rec is not None and rec not in all_ids:
            report.add(rel, f"unknown record {rec!r}", line=n, field="record", record=rec,
                       code="unknown-record")
        if obj.get("status") not in ("retrieved", "not_retrieved"):
            report.add(rel, f"status {obj.get('status')!r} is not retrieved or not_retrieved",
                       line=n, field="status", record=rec, code="invalid-retrieval-status")
        _time(report, rel, n, obj, rid)
