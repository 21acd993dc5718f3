"""The dedupe files' checker for ``implmap check``: every line well formed, every ID known."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from ..jsonl import BadLine, scan_jsonl
from .groups import ACTIONS

if TYPE_CHECKING:
    from ..errors import Report
    from ..folder import ReviewFolder

__all__ = ["check_dedupe"]


def check_dedupe(review: ReviewFolder, report: Report) -> None:
    """Checker for ``implmap check``: the dedupe files are well formed and name known records.

    Every malformed line is reported with file and line; unknown record IDs too (a search was
    removed, or a line was edited by hand: run dedupe again).
    """
    files = [review.dedupe_groups, review.dedupe_decisions, review.dedupe_uncertain]
    if not any(f.exists() for f in files):
        return
    ids = {r["id"] for r in review.record_dicts()}
    seen: dict[str, int] = {}
    for path in files:
        if not path.exists():
            continue
        rel = review.rel(path)
        for n, obj in scan_jsonl(path):
            if isinstance(obj, BadLine):
                # decisions are appended (a write cut short is a warning, the readers skip
                # it); groups and uncertain pairs are rewritten whole by each run
                torn = obj.cut and path == review.dedupe_decisions
                report.add(rel, obj.problem + (
                    "; a write cut short by a crash or a full disk: the line is ignored"
                    if torn else "; remove the line or re-run dedupe"), line=n,
                    severity="warning" if torn else "error", code="malformed-line")
                continue
            if path == review.dedupe_groups:
                refs = _check_group(obj, rel, n, report, seen)
            elif path == review.dedupe_decisions:
                refs = _check_decision(obj, rel, n, report)
            else:
                pair = obj.get("pair")
                refs = pair if _two_ids(pair) else []
                if not refs:
                    report.add(rel, "'pair' must be two record IDs", line=n, field="pair",
                               code="dedupe-invalid-pair")
            for rid in refs:
                if rid not in ids and path == review.dedupe_decisions:
                    report.add(rel, f"unknown record ID {rid!r} (was its search removed?)",
                               line=n, record=rid, code="dedupe-unknown-record")
                elif rid not in ids:
                    report.add(rel, f"unknown record ID {rid!r}; re-run dedupe", line=n,
                               record=rid, code="dedupe-stale-record")


def _two_ids(v: Any) -> TypeGuard[list[str]]:
    return isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) \
        and v[0] != v[1]


def _check_group(obj: dict[str, Any], rel: Path, n: int, report: Report,
                 seen: dict[str, int]) -> list[str]:
    members, primary = obj.get("members"), obj.get("primary")
    if not isinstance(members, list) or len(members) < 2 or not all(
            isinstance(m, str) for m in members):
        report.add(rel, "'members' must list at least two record IDs", line=n, field="members",
                   code="dedupe-invalid-group")
        return []
    if not isinstance(primary, str) or primary not in members:
        report.add(rel, "'primary' must be one of the members", line=n, field="primary",
                   code="dedupe-invalid-group")
    if not isinstance(obj.get("evidence", []), list):
        report.add(rel, "'evidence' must be a list", line=n, field="evidence",
                   code="dedupe-invalid-group")
    for m in members:
        if m in seen:
            report.add(rel, f"record {m} is also in the group on line {seen[m]}", line=n,
                       record=m, field="members", code="dedupe-record-two-groups")
        seen[m] = n
    return members


def _check_decision(obj: dict[str, Any], rel: Path, n: int, report: Report) -> list[str]:
    if obj.get("action") not in ACTIONS:
        report.add(rel, f"'action' must be one of {', '.join(ACTIONS)}", line=n, field="action",
                   code="dedupe-invalid-decision")
    if not _two_ids(obj.get("records")):
        report.add(rel, "'records' must be two different record IDs", line=n, field="records",
                   code="dedupe-invalid-decision")
        return []
    return list(obj["records"])
