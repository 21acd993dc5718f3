"""What this machine's regenerated dedupe files were made from (``.implmap/dedupe-state.json``).

``dedupe/groups.jsonl`` and ``dedupe/uncertain.jsonl`` are not kept in git; each run notes the
signature (inode, size, modification time) of its inputs (every ``records.jsonl`` and
``dedupe/decisions.jsonl``) and of the two files it wrote. They are current while both
signatures still match: an import, a decision, a ``git pull`` or a deleted file makes them out
of date, and :func:`implmap.dedupe.groups.refresh` regenerates them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fsio import stat_signature, write_atomic

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = ["STATE", "inputs", "is_current", "outputs", "save"]

STATE = "dedupe-state.json"


def _signature(review: ReviewFolder, paths: list[Path]) -> list[list[Any]]:
    """Each path (relative) with its stat signature, as JSON keeps it (lists, not tuples)."""
    return [[str(review.rel(p)), list(sig) if (sig := stat_signature(p)) else None]
            for p in paths]


def inputs(review: ReviewFolder) -> list[list[Any]]:
    """The signature of what deduplication reads: the records and people's decisions."""
    return _signature(review, [*review.records_files(), review.dedupe_decisions])


def outputs(review: ReviewFolder) -> list[list[Any]]:
    """The signature of the two regenerated files."""
    return _signature(review, [review.dedupe_groups, review.dedupe_uncertain])


def save(review: ReviewFolder, read: list[list[Any]]) -> None:
    """Note that the files now on disk were made from inputs ``read`` (taken before reading)."""
    write_atomic(review.scratch / STATE, json.dumps({"inputs": read, "outputs": outputs(review)}))


def is_current(review: ReviewFolder) -> bool:
    """True when the groups and uncertain pairs on disk are those of the current records and
    decisions (written by this machine's last run, nothing changed since)."""
    try:
        saved = json.loads((review.scratch / STATE).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(saved, dict) and saved.get("inputs") == inputs(review)
            and saved.get("outputs") == outputs(review))
