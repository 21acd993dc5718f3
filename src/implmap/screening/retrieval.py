"""Full-text retrieval: ``screening/full_text/retrieval.jsonl``, append-only.

One line per event ``{"record", "status": "retrieved"|"not_retrieved", "url"|"file", "time"}``;
the latest line per record counts. A record whose full text could not be obtained is counted as
"reports not retrieved" in the PRISMA flow and is not assessed for eligibility.

A full-text ``file`` is kept inside the review folder, or inside the manifest's
``full_text_library`` (a shared folder of PDFs), and stored relative to it; anything else (a
path that leaves both folders, ``../../etc/passwd``, a link pointing out) is refused when it is
recorded, and ``implmap check`` reports one that went missing since.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DecisionError, UsageError
from ..fsio import append_line, dump_json_line
from .log import latest_valid, now

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = [
    "STATUSES",
    "full_text_file",
    "full_text_roots",
    "locate_full_text",
    "mark_retrieval",
    "needs_full_text",
    "retrieval",
]

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
        entry["file"] = _stored_name(review, file)
    append_line(review.retrieval_path, dump_json_line(entry))
    return entry


def full_text_roots(review: ReviewFolder) -> list[Path]:
    """The folders full-text files may be in: the review folder, then the manifest's
    ``full_text_library`` when it names one."""
    roots = [review.root]
    library = review.manifest.full_text_library
    if library:
        roots.append((review.root / Path(library).expanduser()).resolve())
    return roots


def locate_full_text(review: ReviewFolder, name: str) -> tuple[Path, Path] | None:
    """``(root, resolved path)`` of ``name`` inside one of the roots (links resolved), or None
    when it leaves all of them. The first root where the file exists wins."""
    found: list[tuple[Path, Path]] = []
    for root in full_text_roots(review):
        path = (root / Path(name).expanduser()).resolve()
        if path.is_relative_to(root):
            found.append((root, path))
    return next((f for f in found if f[1].is_file()), found[0] if found else None)


def _stored_name(review: ReviewFolder, name: str) -> str:
    where = locate_full_text(review, str(name))
    roots = " or ".join(str(r) for r in full_text_roots(review))
    if where is None:
        raise UsageError(f"full-text file {name!r} is outside {roots}; copy it into the review "
                         "folder (or declare the folder that holds it as full_text_library in "
                         "implmap.yaml)")
    root, path = where
    if not path.is_file():
        raise UsageError(f"full-text file {name!r} does not exist (looked in {roots}); give its "
                         "path relative to the review folder")
    return path.relative_to(root).as_posix()


def full_text_file(review: ReviewFolder, entry: dict[str, Any] | None) -> Path | None:
    """The local full-text file a retrieval entry names, when it exists inside the review
    folder or the full-text library (None otherwise: missing, or pointing out of them)."""
    name = (entry or {}).get("file")
    if not name:
        return None
    where = locate_full_text(review, str(name))
    return where[1] if where is not None and where[1].is_file() else None


def needs_full_text(review: ReviewFolder) -> list[str]:
    """The records sought at full text whose full text is still to find: no retrieval status
    yet, or retrieved with neither a usable file nor a link."""
    from .queue import records_to_screen

    if FULL_TEXT not in [s.id for s in review.manifest.stages]:
        return []
    status = retrieval(review)
    out = []
    for rid in records_to_screen(review, FULL_TEXT):
        entry = status.get(rid)
        if entry is None or (entry["status"] == "retrieved" and not entry.get("url")
                             and full_text_file(review, entry) is None):
            out.append(rid)
    return out
