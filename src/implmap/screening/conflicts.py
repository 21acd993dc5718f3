"""Conflicts between reviewers, their resolution, and the final decision on each record.

A record's decisions at a stage (each reviewer's latest) give one of three states:

* **pending**: fewer reviewers than required have decided it (two when the manifest lists two
  or more reviewers of role ``reviewer``, else one);
* **conflict**: include or maybe against exclude (kind ``decision``); at a stage whose
  exclusions need reasons, excludes with different reasons (kind ``reason``); at the last stage
  a maybe, which is not a final answer (kind ``maybe``);
* **agreed**: otherwise; the final decision is the shared one (include and maybe together give
  maybe, except that a maybe at the last stage is a conflict).

A resolution (``screening/<stage>/resolutions.jsonl``, latest line per record counts) records
the final decision on a conflict, by the third reviewer (the arbiter: role ``third`` in the
manifest; nobody else resolves alone) or by consensus of all the screeners. It never
alters the reviewers' own logs. A record with an open conflict has no final decision: it does
not reach the next stage and is not counted as included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import DecisionError
from ..fsio import append_line, dump_json_line
from .log import (
    DECISIONS,
    check_reason,
    check_retrievable,
    check_reviewer,
    check_stage,
    decisions,
    latest_valid,
    now,
)

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = [
    "METHODS",
    "Conflict",
    "Outcome",
    "assess",
    "conflict_dicts",
    "conflicts",
    "final_decisions",
    "final_entries",
    "included_records",
    "resolutions",
    "resolve",
]

METHODS = ("third_reviewer", "consensus")


@dataclass(frozen=True)
class Outcome:
    """The state of one record at one stage, from its reviewers' decisions alone."""

    state: str  # "pending" | "conflict" | "agreed"
    kind: str | None = None  # conflict kind: "decision" | "reason" | "maybe"
    decision: str | None = None  # the agreed decision
    reason: str | None = None  # the agreed exclusion reason


def assess(
    entries: Mapping[str, Mapping[str, Any]],
    *,
    required: int = 2,
    reasons_required: bool = False,
    last_stage: bool = False,
) -> Outcome:
    """Classify one record from ``{reviewer: entry}`` (pure; the order of reviewers is
    irrelevant)."""
    votes = sorted(str(e["decision"]) for e in entries.values())
    if len(votes) < required:
        return Outcome("pending")
    passes = {v for v in votes if v in ("include", "maybe")}
    if passes and "exclude" in votes:
        return Outcome("conflict", kind="decision")
    if not passes:
        reasons = sorted({e.get("reason") or "" for e in entries.values()})
        if len(reasons) > 1 and reasons_required:
            return Outcome("conflict", kind="reason")
        reason = reasons[0] if len(reasons) == 1 and reasons[0] else None
        return Outcome("agreed", decision="exclude", reason=reason)
    if "maybe" in passes:
        if last_stage:
            return Outcome("conflict", kind="maybe")
        return Outcome("agreed", decision="maybe")
    return Outcome("agreed", decision="include")


@dataclass(frozen=True)
class Conflict:
    """A record whose reviewers disagree at a stage; ``resolution`` is set once resolved."""

    record: str
    stage: str
    kind: str
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    resolution: dict[str, Any] | None = None

    @property
    def open(self) -> bool:
        return self.resolution is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "stage": self.stage,
            "kind": self.kind,
            "decisions": [self.decisions[r] for r in sorted(self.decisions)],
            "resolution": self.resolution,
        }


def _rules(review: ReviewFolder, stage: str) -> dict[str, Any]:
    from .queue import screeners

    st = check_stage(review, stage)
    return {
        "required": 2 if len(screeners(review)) >= 2 else 1,
        "reasons_required": st.reasons_required,
        "last_stage": review.manifest.stages[-1].id == stage,
    }


def _by_record(review: ReviewFolder, stage: str) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for reviewer, mine in decisions(review, stage).items():
        for rid, entry in mine.items():
            out.setdefault(rid, {})[reviewer] = entry
    return out


def resolutions(review: ReviewFolder, stage: str) -> dict[str, dict[str, Any]]:
    """The resolution in force for each resolved record at ``stage`` (latest line wins)."""
    check_stage(review, stage)
    return latest_valid(review.resolutions_path(stage), "decision", DECISIONS, "a resolution")


def _outcomes(
    review: ReviewFolder, stage: str
) -> tuple[list[str], dict[str, dict[str, dict[str, Any]]], dict[str, Outcome]]:
    from .queue import records_to_screen

    rules = _rules(review, stage)
    todo = records_to_screen(review, stage)
    by_record = _by_record(review, stage)
    return todo, by_record, {
        rid: assess(by_record.get(rid, {}), **rules) for rid in todo
    }


def conflicts(review: ReviewFolder, stage: str, include_resolved: bool = False) -> list[Conflict]:
    """The conflicts at ``stage`` (open ones only, unless ``include_resolved``), in record
    order. Shows every reviewer's decision: it is for resolving, not for a blinded reviewer."""
    todo, by_record, outcomes = _outcomes(review, stage)
    res = resolutions(review, stage)
    out = []
    for rid in todo:
        o = outcomes[rid]
        if o.state != "conflict":
            continue
        if rid in res and not include_resolved:
            continue
        out.append(Conflict(rid, stage, o.kind or "decision", dict(by_record.get(rid, {})),
                            res.get(rid)))
    return out


def conflict_dicts(
    review: ReviewFolder, stage: str, include_resolved: bool = True
) -> list[dict[str, Any]]:
    """:func:`conflicts` as plain dicts (resolved ones included by default, for the resolve
    app): ``{"record", "stage", "kind", "decisions": [entries by reviewer], "resolution"}``."""
    return [c.to_dict() for c in conflicts(review, stage, include_resolved=include_resolved)]


def final_entries(review: ReviewFolder, stage: str) -> dict[str, dict[str, Any]]:
    """The final decision on each record of ``stage`` that has one, with how it was reached:
    ``{record: {"decision", "reason", "how": "agreed"|"resolved"}}``."""
    todo, _, outcomes = _outcomes(review, stage)
    res = resolutions(review, stage)
    out: dict[str, dict[str, Any]] = {}
    for rid in todo:
        if rid in res:
            r = res[rid]
            out[rid] = {"decision": r["decision"], "reason": r.get("reason"), "how": "resolved"}
        elif outcomes[rid].state == "agreed":
            o = outcomes[rid]
            out[rid] = {"decision": o.decision, "reason": o.reason, "how": "agreed"}
    return out


def final_decisions(review: ReviewFolder, stage: str) -> dict[str, str]:
    """``{record: decision}`` for every record of ``stage`` whose decision is final (agreed by
    its reviewers, or resolved). Records pending or in open conflict are absent."""
    return {rid: e["decision"] for rid, e in final_entries(review, stage).items()}


def included_records(review: ReviewFolder) -> list[str]:
    """The records finally included at the last stage (full text), in record order."""
    last = review.manifest.stages[-1].id
    finals = final_decisions(review, last)
    from .queue import records_to_screen

    return [r for r in records_to_screen(review, last) if finals.get(r) == "include"]


def _check_authority(review: ReviewFolder, people: list[str], method: str, what: str) -> None:
    """Only the arbiter (role ``third``) resolves alone; a consensus takes every screener (role
    ``reviewer``; an arbiter may join them), and nobody else."""
    from .queue import screeners

    named = review.manifest.arbiters
    who = ", ".join(named) or "none is named"
    if method == "third_reviewer":
        if people[0] not in named:
            raise DecisionError(
                f"{what}: {people[0]!r} is not the arbiter; only a reviewer whose role is "
                f"'third' in the manifest resolves a conflict alone (the arbiter: {who}); the "
                "screeners may settle it together, all of them, by consensus"
            )
        return
    team = screeners(review)
    missing = [r for r in team if r not in people]
    if missing:
        raise DecisionError(
            f"{what}: a consensus is reached by every screener ({', '.join(team)}); "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"
        )
    outsiders = [p for p in people if p not in team and p not in named]
    if outsiders:
        raise DecisionError(
            f"{what}: {', '.join(outsiders)} neither screen(s) nor resolve(s) conflicts as the "
            f"arbiter (the arbiter: {who}), so cannot join a consensus"
        )


def resolve(
    review: ReviewFolder,
    stage: str,
    record: str,
    decision: str,
    by: str | Sequence[str],
    method: str | None = None,
    reason: str | None = None,
    note: str = "",
) -> dict[str, Any]:
    """Record the final decision on a conflicting record; returns the entry written.

    ``by`` is the reviewer (or reviewers) deciding; ``method`` is ``"third_reviewer"`` or
    ``"consensus"`` (default: third_reviewer for one person, consensus for several). Only the
    arbiter (a reviewer whose role is ``third``) resolves alone; a consensus is made by every
    screener (role ``reviewer``; an arbiter may join them). A record may be resolved again
    (latest counts). Raises :class:`DecisionError` when the record has no conflict, or the
    decision, reason or reviewers are not allowed.
    """
    st = check_stage(review, stage)
    people = [by] if isinstance(by, str) else list(by)
    if not people:
        raise DecisionError("resolve: say who resolved it (by=...)")
    for p in people:
        check_reviewer(review, p)
    if method is None:
        method = "third_reviewer" if len(people) == 1 else "consensus"
    if method not in METHODS:
        raise DecisionError(f"resolve: method must be one of {', '.join(METHODS)}, "
                            f"not {method!r}")
    if method == "third_reviewer" and len(people) != 1:
        raise DecisionError("resolve: a third-reviewer resolution is made by one reviewer")
    what = f"resolving record {record} at {stage}"
    _check_authority(review, people, method, what)
    reason = check_reason(review, st, decision, reason, what=what)
    if decision == "maybe" and review.manifest.stages[-1].id == stage:
        raise DecisionError(f"{what}: the final decision at the last stage is include or "
                            "exclude, not maybe")
    if not isinstance(note, str):
        raise DecisionError(f"{what}: the note must be text")
    from .queue import is_screened

    if not is_screened(review, stage, record):
        raise DecisionError(f"{what}: the record is not screened at this stage")
    check_retrievable(review, stage, record, what)
    entries = {who: mine[record] for who, mine in decisions(review, stage).items()
               if record in mine}
    outcome = assess(entries, **_rules(review, stage))
    if outcome.state != "conflict" and record not in resolutions(review, stage):
        state = outcome.state
        raise DecisionError(f"{what}: there is no conflict to resolve (its decisions are "
                            + ("still incomplete: wait for every screener's decision)"
                               if state == "pending" else "in agreement: nothing to do)"))
    entry = {
        "by": people,
        "decision": decision,
        "method": method,
        "note": note,
        "reason": reason,
        "record": record,
        "time": now(),
    }
    append_line(review.resolutions_path(stage), dump_json_line(entry))
    return entry
