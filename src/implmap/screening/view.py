"""The blinded view one reviewer gets of a stage: the only thing the screening app reads.

:func:`reviewer_view` reads this reviewer's own log, the resolutions and the stage's record
list. It never reads another reviewer's log, so nothing in it (decisions, counts, order) can
depend on another reviewer's decision on an unresolved record. The one thing it shares is
whether the pilot round is complete, which depends on others' progress, not their decisions.

The record list of a later stage (full text) is the outcome of the stage before: a record
appears there once its title-and-abstract decision is final (agreed or resolved), which is the
point at which that earlier decision stops being blinded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = ["ReviewerView", "reviewer_view"]


@dataclass(frozen=True)
class ReviewerView:
    """What ``reviewer`` may see of ``stage``.

    * ``decisions``: this reviewer's own decision in force on each record they decided;
    * ``resolutions``: the final decision on each resolved record this reviewer has decided
      (resolution entries: decision, reason, note, by, method, time); a record resolved
      between other reviewers before this one screened it stays blind to them;
    * ``released``: the records this reviewer may screen now (pilot first, see
      :func:`released_records`), in search then file order (or seeded order in the pilot);
    * ``screened`` / ``total``: this reviewer's own progress over the released records;
    * ``pilot``: the pilot records (empty without a pilot), ``pilot_done`` how many of them
      this reviewer decided, ``pilot_complete`` whether everyone has finished the pilot.
    """

    reviewer: str
    stage: str
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    resolutions: dict[str, dict[str, Any]] = field(default_factory=dict)
    released: list[str] = field(default_factory=list)
    screened: int = 0
    total: int = 0
    pilot: list[str] = field(default_factory=list)
    pilot_done: int = 0
    pilot_complete: bool = True

    @property
    def remaining(self) -> list[str]:
        """Released records this reviewer has not decided yet."""
        return [r for r in self.released if r not in self.decisions]

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain data (copies)."""
        return asdict(self)


def reviewer_view(review: ReviewFolder, reviewer: str, stage: str) -> ReviewerView:
    """The blinded view of ``stage`` for ``reviewer`` (see :class:`ReviewerView`)."""
    from .conflicts import resolutions
    from .log import check_reviewer, check_stage, latest
    from .queue import pilot_complete, pilot_records, records_to_screen, released_records

    check_reviewer(review, reviewer)
    check_stage(review, stage)
    todo = set(records_to_screen(review, stage))
    mine = {r: e for r, e in latest(review.decision_log(reviewer, stage)).items() if r in todo}
    released = released_records(review, reviewer, stage)
    pilot = pilot_records(review, stage)
    # only for records this reviewer decided: a record they have yet to screen stays blind
    res = {r: e for r, e in resolutions(review, stage).items() if r in mine}
    return ReviewerView(
        reviewer=reviewer,
        stage=stage,
        decisions=mine,
        resolutions=res,
        released=released,
        screened=sum(1 for r in released if r in mine),
        total=len(released),
        pilot=pilot,
        pilot_done=sum(1 for r in pilot if r in mine),
        pilot_complete=pilot_complete(review, stage),
    )
