"""One reviewer's screening progress and stopping estimate (blinded).

``screening_progress(review, reviewer, stage)`` counts only this reviewer's own decisions and
resolved final decisions, so it is safe to show to them while others are still screening.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..screening.labels import blinded_labels
from .ranking import stage_records, textless_records
from .stopping import RecallEstimate, recall_estimate

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = ["Progress", "screening_progress"]


@dataclass
class Progress:
    """Counts and the stopping estimate for one reviewer at one stage."""

    reviewer: str
    stage: str
    total: int
    screened: int
    included: int
    resolved: int
    estimate: RecallEstimate
    textless: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return self.total - self.screened

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain data (the estimate too), and ``remaining``."""
        return {**asdict(self), "remaining": self.remaining}


def screening_progress(
    review: ReviewFolder,
    reviewer: str,
    stage: str = "title_abstract",
    *,
    target: float = 0.95,
    confidence: float = 0.95,
) -> Progress:
    """``reviewer``'s progress at ``stage`` and the recall estimate from their own sequence.

    The sequence is the order in which this reviewer first decided each record; labels are
    their own (include and maybe count as relevant), replaced by resolved final decisions.
    """
    review.manifest.reviewer(reviewer)  # clear error for an unknown reviewer
    review.manifest.stage(stage)
    ids = stage_records(review, stage)
    wanted = set(ids)
    known = blinded_labels(review, reviewer, stage)
    seq = [r for r in known.sequence if r in wanted]
    labels = [known.labels[r] for r in seq]
    est = recall_estimate(labels, total=len(ids), target=target, confidence=confidence)
    return Progress(
        reviewer=reviewer,
        stage=stage,
        total=len(ids),
        screened=len(seq),
        included=sum(labels),
        resolved=sum(1 for r in seq if r in known.resolved),
        estimate=est,
        textless=textless_records(review, ids),
    )
