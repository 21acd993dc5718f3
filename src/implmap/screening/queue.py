"""Which records are screened at each stage, the pilot round, and what a reviewer may see.

* The first stage (``title_abstract``) screens the dedupe primaries when deduplication has run
  (``implmap.dedupe.groups.primary_ids``), else every record.
* Each later stage (``full_text``) screens the records whose final decision at the stage before
  is include or maybe; a record with an open conflict has no final decision, so it waits.
* Pilot (``pilot_size: N`` in the manifest): the first N records of the first stage, in an
  order seeded by ``screening_seed``, are screened by every reviewer first; nothing else is
  released to anyone until every reviewer (role ``reviewer``) has decided all of them. Import
  and deduplicate before screening starts: the pilot is drawn from the records there are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DecisionError
from ..fsio import stat_signature

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = [
    "is_screened",
    "pilot_complete",
    "pilot_records",
    "records_to_screen",
    "released_records",
    "screeners",
]

_CACHE: dict[tuple[str, str], tuple[Any, list[str], frozenset[str]]] = {}


def _signature(paths: list[Path]) -> tuple[Any, ...]:
    return tuple((str(p), stat_signature(p)) for p in paths)


def _inputs(review: ReviewFolder, stage: str) -> list[Path]:
    """The files ``records_to_screen(review, stage)`` depends on (for the cache)."""
    paths = [review.manifest_path]
    paths += review.records_files()
    paths += [review.dedupe_groups, review.dedupe_decisions, review.dedupe_ran]
    ids = [s.id for s in review.manifest.stages]
    for before in ids[: ids.index(stage)]:
        d = review.stage_dir(before)
        if d.is_dir():
            paths += sorted(d.glob("*.jsonl"))
    return paths


def _primaries(review: ReviewFolder, ids: list[str]) -> list[str]:
    from ..dedupe.groups import primary_ids

    if not review.deduplicated():
        return ids
    keep = primary_ids(review)
    return [r for r in ids if r in keep]


_PILOT: dict[tuple[str, str], tuple[list[str], tuple[int, int], list[str]]] = {}


def records_to_screen(review: ReviewFolder, stage: str) -> list[str]:
    """The record IDs screened at ``stage``, in search then file order (see the module doc)."""
    return list(_screened(review, stage)[0])


def is_screened(review: ReviewFolder, stage: str, record: str) -> bool:
    """True when ``record`` is screened at ``stage`` (a set lookup, cached like
    :func:`records_to_screen`)."""
    return record in _screened(review, stage)[1]


def _screened(review: ReviewFolder, stage: str) -> tuple[list[str], frozenset[str]]:
    """``records_to_screen`` and its set, cached until one of the input files changes."""
    from .conflicts import final_decisions
    from .log import check_stage

    check_stage(review, stage)
    key = (str(review.root), stage)
    sig = _signature(_inputs(review, stage))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == sig:
        return hit[1], hit[2]
    ids = [s.id for s in review.manifest.stages]
    pos = ids.index(stage)
    if pos == 0:
        out = _primaries(review, review.record_ids())
    else:
        before = ids[pos - 1]
        finals = final_decisions(review, before)
        out = [r for r in records_to_screen(review, before) if finals.get(r) in
               ("include", "maybe")]
    _CACHE[key] = (sig, out, frozenset(out))
    return out, frozenset(out)


def screeners(review: ReviewFolder) -> list[str]:
    """The reviewers who screen (role ``reviewer``), in manifest order."""
    return [r.id for r in review.manifest.reviewers if r.role == "reviewer"]


def pilot_records(review: ReviewFolder, stage: str) -> list[str]:
    """The pilot round: the first ``pilot_size`` records of the first stage in an order seeded
    by ``screening_seed`` (each record ranked by a hash of seed and ID, so the draw does not
    depend on file order). Later stages have no pilot: their records arrive one by one."""
    m = review.manifest
    if m.pilot_size <= 0 or stage != m.stages[0].id:
        return []
    ids, _ = _screened(review, stage)
    key = (str(review.root), stage)
    hit = _PILOT.get(key)
    if hit is None or hit[0] is not ids or hit[1] != (m.screening_seed, m.pilot_size):
        # cached while the screened list is the same object (held here, so never reused)

        def rank(rid: str) -> str:
            return hashlib.sha256(f"implmap-pilot:{m.screening_seed}:{rid}".encode()).hexdigest()

        hit = (ids, (m.screening_seed, m.pilot_size), sorted(ids, key=rank)[: m.pilot_size])
        _PILOT[key] = hit
    return list(hit[2])


def pilot_complete(review: ReviewFolder, stage: str) -> bool:
    """Whether every reviewer has decided every pilot record of ``stage`` (True: no pilot)."""
    from .log import decided

    pilot = pilot_records(review, stage)
    if not pilot:
        return True
    for rid in screeners(review):
        mine = decided(review.decision_log(rid, stage))
        if any(r not in mine for r in pilot):
            return False
    return True


def released_records(review: ReviewFolder, reviewer: str, stage: str) -> list[str]:
    """The records ``reviewer`` may screen now at ``stage``.

    Without a pilot, or once every reviewer has completed it: every record of the stage (in
    search then file order). During the pilot: the pilot records only, in the seeded order.
    What this returns depends on others' progress through the pilot, never on their decisions.
    """
    from .log import check_reviewer, check_stage

    check_reviewer(review, reviewer)
    check_stage(review, stage)
    if pilot_complete(review, stage):
        return records_to_screen(review, stage)
    return pilot_records(review, stage)


def release_checker(review: ReviewFolder, reviewer: str, stage: str) -> Callable[[str], None]:
    """A function that raises :class:`DecisionError` unless a record is screened at ``stage``
    and released to ``reviewer`` (computed once: for checking many records)."""
    _, todo = _screened(review, stage)
    gated = not pilot_complete(review, stage)
    pilot = frozenset(pilot_records(review, stage)) if gated else frozenset()

    def check(record: str) -> None:
        if record not in todo:
            ids = [s.id for s in review.manifest.stages]
            pos = ids.index(stage)
            if record not in set(review.record_ids()):
                why = "the review holds no record with this ID"
            elif pos == 0:
                why = "it is a duplicate (deduplication kept another record of its group)"
            else:
                why = (f"it has no final include or maybe at {ids[pos - 1]!r} (excluded, not "
                       "yet decided by every reviewer, or its conflict is still open)")
            raise DecisionError(f"record {record!r} is not screened at {stage!r}: {why}")
        if gated and record not in pilot:
            raise DecisionError(
                f"record {record!r} is not released to {reviewer!r} yet: every reviewer must "
                f"first complete the pilot round ({review.manifest.pilot_size} records)"
            )

    return check


def check_released(review: ReviewFolder, reviewer: str, stage: str, record: str) -> None:
    """A :class:`DecisionError` unless ``record`` is screened at ``stage`` and released."""
    release_checker(review, reviewer, stage)(record)
