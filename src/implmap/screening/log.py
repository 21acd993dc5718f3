"""Per-reviewer decision logs: ``screening/<stage>/<reviewer>.jsonl``, append-only.

One JSON object per line (sorted keys)::

    {"decision": "include"|"exclude"|"maybe"|null, "note": str, "reason": str|null,
     "record": "<id>", "reviewer": "<id>", "stage": "<stage>", "time": "<ISO 8601 UTC>"}

The latest line for a record counts, latest by its ``time`` (lines of the same second in file
order: a git union merge may put one machine's lines after another's newer ones); earlier lines
are the history and are never rewritten.
``"decision": null`` withdraws a decision (the record is undecided again; written by
:func:`withdraw` and :func:`undo`); :func:`change` replaces the decision in force. Each
reviewer appends only to their own file, so two reviewers never write the same file and git
merges their work cleanly. Every append is fsynced before it returns
(:func:`implmap.fsio.append_line`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DecisionError
from ..fsio import append_line, dump_json_line, stat_signature
from ..jsonl import in_time_order, read_jsonl

if TYPE_CHECKING:
    from ..folder import ReviewFolder
    from ..manifest import Stage

__all__ = [
    "DECISIONS",
    "change",
    "check_reason",
    "check_retrievable",
    "check_reviewer",
    "check_stage",
    "decide",
    "decided",
    "decisions",
    "history",
    "latest",
    "latest_valid",
    "now",
    "read_log",
    "reviewer_logs",
    "undo",
    "withdraw",
]

DECISIONS = ("include", "exclude", "maybe")


def now() -> str:
    """The current time as ISO 8601 UTC, to the microsecond (what every log line carries): two
    lines of one log never share a time, so the order of a union-merged log is never in doubt
    and an exactly repeated line can only be a merge's copy."""
    return datetime.now(UTC).isoformat()


def check_stage(review: ReviewFolder, stage: str) -> Stage:
    """The manifest's stage ``stage``, or a :class:`DecisionError` naming the known ones."""
    return review.manifest.stage(stage, DecisionError)


def check_reviewer(review: ReviewFolder, reviewer: str) -> None:
    """A :class:`DecisionError` unless ``reviewer`` is listed in the manifest."""
    review.manifest.reviewer(reviewer, DecisionError)


def check_reason(
    review: ReviewFolder, stage: Stage, decision: str | None, reason: str | None, *, what: str
) -> str | None:
    """Validate the reason that goes with ``decision`` at ``stage``; return it normalised."""
    if decision not in DECISIONS:
        raise DecisionError(
            f"{what}: decision must be one of {', '.join(DECISIONS)}, not {decision!r}"
        )
    reason = (reason or "").strip() or None
    reasons = review.manifest.exclusion_reasons
    if reason is not None:
        if decision != "exclude":
            raise DecisionError(f"{what}: a reason goes with 'exclude' only, not {decision!r}")
        if reason not in reasons:
            raise DecisionError(
                f"{what}: unknown exclusion reason {reason!r}; the manifest's "
                f"exclusion_reasons are: {', '.join(repr(r) for r in reasons) or 'none'}"
            )
    elif decision == "exclude" and stage.reasons_required:
        raise DecisionError(
            f"{what}: excluding at stage {stage.id!r} needs a reason, one of: "
            f"{', '.join(repr(r) for r in reasons) or 'none (add exclusion_reasons)'}"
        )
    return reason


def read_log(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, entry)`` for each readable line; a torn line warns (file, line), never fatal."""
    return read_jsonl(path)


def latest_valid(
    path: Path, key: str, allowed: Collection[str], what: str
) -> dict[str, dict[str, Any]]:
    """The latest line (by ``time``, see :func:`implmap.jsonl.in_time_order`) per record of an
    append-only log (resolutions, retrieval) whose ``key`` is one of ``allowed``; any other
    line warns with file and line (when the file is read) and is skipped. Cached like
    :func:`latest`; the caller gets its own copies."""
    def parse(p: Path) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for n, entry in in_time_order(read_log(p)):
            rid = entry.get("record")
            if isinstance(rid, str) and entry.get(key) in allowed:
                out[rid] = entry
            else:
                warnings.warn(f"{p}, line {n}: skipped {what} without a record ID or a valid "
                              f"{key} (a check of the review lists every such line)",
                              stacklevel=4)
        return out

    found = _cached(path, (key, *sorted(allowed)), parse)
    return {rid: dict(e) for rid, e in found.items()}


#: Parsed logs by (path, how parsed): (stat signature, entry in force per record).
_LATEST: dict[tuple[str, tuple[str, ...]], tuple[tuple[int, int, int, int],
                                                  dict[str, dict[str, Any]]]] = {}


def latest(path: Path) -> dict[str, dict[str, Any]]:
    """The entry in force for each record of one log (the latest line by time wins; withdrawn
    dropped).

    Parsed logs are cached until the file changes (device, inode, size, mtime), so reading an
    unchanged log again costs a ``stat``; the caller gets its own copies.
    """
    return {rid: dict(e) for rid, e in _cached(path, ("decision",), _parse_latest).items()}


def decided(path: Path) -> Collection[str]:
    """The records with a decision in force in one log (no copies: for membership tests)."""
    return _cached(path, ("decision",), _parse_latest).keys()


def _cached(path: Path, how: tuple[str, ...],
            parse: Callable[[Path], dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """``parse(path)``, again only when the file changed."""
    key = (str(path), how)
    sig = stat_signature(path)
    if sig is None:
        _LATEST.pop(key, None)
        return {}
    hit = _LATEST.get(key)
    if hit is None or hit[0] != sig:
        hit = (sig, parse(path))
        _LATEST[key] = hit
    return hit[1]


def _parse_latest(path: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for n, entry in in_time_order(read_log(path)):
        rid = entry.get("record")
        if not isinstance(rid, str):
            warnings.warn(f"{path}, line {n}: skipped a line without a record ID", stacklevel=3)
            continue
        if entry.get("decision") is None:
            out.pop(rid, None)
        else:
            out[rid] = entry
    return out


def reviewer_logs(review: ReviewFolder, stage: str) -> dict[str, Path]:
    """Every reviewer log file of ``stage``, by reviewer ID (sorted)."""
    d = review.stage_dir(stage)
    if not d.is_dir():
        return {}
    return {
        p.stem: p
        for p in sorted(d.glob("*.jsonl"))
        if review.is_reviewer_log(p) and not p.name.startswith(".")
    }


def decisions(
    review: ReviewFolder, stage: str, reviewer: str | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """The decisions in force at ``stage``: ``{reviewer: {record: entry}}``.

    Only reviewers listed in the manifest are read (``implmap check`` reports stray logs).
    With ``reviewer`` only that reviewer's log is read (the result has just that key).
    Blinding: this sees every reviewer; faces shown to a reviewer use :func:`reviewer_view`.
    """
    check_stage(review, stage)
    known = {r.id for r in review.manifest.reviewers}
    if reviewer is not None:
        check_reviewer(review, reviewer)
        return {reviewer: latest(review.decision_log(reviewer, stage))}
    return {
        rid: latest(path) for rid, path in reviewer_logs(review, stage).items() if rid in known
    }


def history(review: ReviewFolder, reviewer: str, stage: str) -> list[dict[str, Any]]:
    """Every line of one reviewer's log at ``stage``, oldest first (the full history)."""
    check_stage(review, stage)
    check_reviewer(review, reviewer)
    return [entry for _, entry in in_time_order(read_log(review.decision_log(reviewer, stage)))]


def _entry(reviewer: str, stage: str, record: str, decision: str | None,
           reason: str | None, note: str) -> dict[str, Any]:
    return {
        "decision": decision,
        "note": note or "",
        "reason": reason,
        "record": record,
        "reviewer": reviewer,
        "stage": stage,
        "time": now(),
    }


def decide(
    review: ReviewFolder,
    reviewer: str,
    stage: str,
    record: str,
    decision: str,
    reason: str | None = None,
    note: str = "",
) -> dict[str, Any]:
    """Record ``reviewer``'s decision on ``record`` at ``stage``; returns the entry written.

    ``decision`` is include, exclude or maybe; ``reason`` (one of the manifest's
    ``exclusion_reasons``) goes with exclude and is required at a stage with
    ``reasons_required`` (full text). Changing a decision appends a new line: the history stays.
    The line is on disk (fsynced) when this returns. Raises :class:`DecisionError` for an
    unknown reviewer, stage, record or reason, or a record not yet released to this reviewer.
    """
    from .queue import check_released

    check_reviewer(review, reviewer)
    st = check_stage(review, stage)
    what = f"record {record} at {stage}"
    reason = check_reason(review, st, decision, reason, what=what)
    if not isinstance(note, str):
        raise DecisionError(f"{what}: the note must be text")
    check_released(review, reviewer, stage, record)
    check_retrievable(review, stage, record, what)
    entry = _entry(reviewer, stage, record, decision, reason, note)
    append_line(review.decision_log(reviewer, stage), dump_json_line(entry))
    return entry


def check_retrievable(review: ReviewFolder, stage: str, record: str, what: str) -> None:
    """Refuse a full-text decision on a record whose full text is marked not retrieved: a
    report nobody could read cannot be assessed (and PRISMA counts it as not retrieved)."""
    from .retrieval import FULL_TEXT, retrieval

    if stage != FULL_TEXT or not review.retrieval_path.exists():
        return
    status = retrieval(review).get(record)
    if status is not None and status.get("status") == "not_retrieved":
        raise DecisionError(
            f"{what}: its full text is marked not retrieved (at {status.get('time', '?')}), so "
            "it cannot be assessed; if the full text was found after all, mark it retrieved "
            "first, then decide")


def _in_force(review: ReviewFolder, reviewer: str, stage: str, record: str
              ) -> dict[str, Any] | None:
    check_reviewer(review, reviewer)
    check_stage(review, stage)
    return latest(review.decision_log(reviewer, stage)).get(record)


def withdraw(review: ReviewFolder, reviewer: str, stage: str, record: str, note: str = ""
             ) -> dict[str, Any]:
    """Withdraw ``reviewer``'s decision on ``record`` at ``stage``: a line with ``"decision":
    null`` (and ``note``, say why) is appended; the earlier lines stay as the history. Returns
    the withdrawn entry. Raises :class:`DecisionError` when no decision is in force."""
    before = _in_force(review, reviewer, stage, record)
    if before is None:
        raise DecisionError(f"record {record} at {stage}: {reviewer} has no decision in force to "
                            "withdraw (see the reviewer's history for earlier ones)")
    if not isinstance(note, str):
        raise DecisionError(f"record {record} at {stage}: the note must be text")
    entry = _entry(reviewer, stage, record, None, None, note)
    append_line(review.decision_log(reviewer, stage), dump_json_line(entry))
    return before


def change(review: ReviewFolder, reviewer: str, stage: str, record: str, decision: str,
           reason: str | None = None, note: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    """Change ``reviewer``'s decision in force on ``record`` (appends the new one, checked as
    :func:`decide` checks it); returns ``(before, after)``. Raises :class:`DecisionError` when
    the record has no decision in force yet (decide it instead) or the new one is the same."""
    before = _in_force(review, reviewer, stage, record)
    if before is None:
        raise DecisionError(f"record {record} at {stage}: {reviewer} has no decision in force to "
                            "change; decide it instead")
    if (before.get("decision"), before.get("reason"), before.get("note") or "") == (
            decision, reason, note or ""):
        raise DecisionError(f"record {record} at {stage}: the decision in force is already "
                            f"{decision}" + (f" ({reason})" if reason else ""))
    return before, decide(review, reviewer, stage, record, decision, reason=reason, note=note)


def undo(
    review: ReviewFolder,
    reviewer: str,
    stage: str,
    record: str,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Take back a decision: append ``previous`` again (decision, reason, note), or, when there
    was none, a line withdrawing the decision (``"decision": null``). Returns the entry now in
    force (``None`` when the record is undecided again). Nothing is ever deleted."""
    check_reviewer(review, reviewer)
    check_stage(review, stage)
    if previous is None or previous.get("decision") is None:
        entry = _entry(reviewer, stage, record, None, None, "")
        append_line(review.decision_log(reviewer, stage), dump_json_line(entry))
        return None
    return decide(review, reviewer, stage, record, str(previous["decision"]),
                  reason=previous.get("reason"), note=str(previous.get("note") or ""))
