"""Full-text retrieval: ``screening/full_text/retrieval.jsonl``, append-only.

One line per event ``{"record", "status": "retrieved"|"not_retrieved", "url"|"file", "time"}``;
the latest line per record counts. A record whose full text could not be obtained is counted as
"reports not retrieved" in the PRISMA flow and is not assessed for eligibility.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DecisionError
from ..fsio import append_line, dump_json_line
from .log import latest_valid, now

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = ["STATUSES", "mark_retrieval", "retrieval"]

STATUSES = ("retrieved", "not_retrieved")
FULL_TEXT = "full_text"


def retrieval(review: ReviewFolder) -> dict[str, dict[str, Any]]:
    """The retrieval status in force for each record (latest line wins)."""
    return latest_valid(review.retrieval_path, "status", STATUSES, "a line")


def mark_retrieval(
    review: ReviewFolder,
    record: str,
    status: str,
    url: str | None = None,
    file: str | None = None,
    reviewer: str | None = None,
) -> dict[str, Any]:
    """Record whether the full text of ``record`` was obtained (and where); returns the entry.

    A full text cannot be marked not retrieved once it has been assessed: when ``reviewer``
    (who marks it) has a full-text decision on it in force, or when it has a resolved final
    full-text decision, :class:`DecisionError` says to withdraw the decision first. (Other
    reviewers' unresolved decisions are not consulted: that would reveal them.)
    """
    from .conflicts import resolutions
    from .log import latest
    from .queue import records_to_screen

    if status not in STATUSES:
        raise DecisionError(f"retrieval status must be one of {', '.join(STATUSES)}, "
                            f"not {status!r}")
    stages = [s.id for s in review.manifest.stages]
    if FULL_TEXT in stages and record not in set(records_to_screen(review, FULL_TEXT)):
        raise DecisionError(f"record {record!r} is not sought at full text (it has no final "
                            "include or maybe at title and abstract); resolve it there first")
    if status == "not_retrieved" and FULL_TEXT in stages:
        if reviewer is not None and record in latest(review.decision_log(reviewer, FULL_TEXT)):
            raise DecisionError(f"record {record!r}: {reviewer} has a full-text decision on it, "
                                "so its full text was read; withdraw that decision first if "
                                "the full text is really not available")
        if record in resolutions(review, FULL_TEXT):
            raise DecisionError(f"record {record!r} has a resolved full-text decision, so its "
                                "full text was read; resolve it again (or leave it) rather "
                                "than marking it not retrieved")
    entry: dict[str, Any] = {"record": record, "status": status, "time": now()}
    if url:
        entry["url"] = url
    if file:
        entry["file"] = file
    append_line(review.retrieval_path, dump_json_line(entry))
    return entry
