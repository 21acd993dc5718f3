"""What one reviewer may learn from at a stage: their own decisions, and the resolved final
decisions of the records they decided.

This is the one place where ranking and the stopping estimate read screening logs, so that the
blinding rule lives in one function. It reads the contract files directly::

    screening/<stage>/<reviewer>.jsonl   the reviewer's own log (latest line per record counts;
                                         a line with ``"decision": null`` withdraws)
    screening/<stage>/resolutions.jsonl  final decisions on resolved conflicts (public once made)

It never opens another reviewer's log, so nothing it returns can depend on what another
reviewer decided on a record that is not resolved yet (blind by construction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .log import latest as _latest

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = ["BlindedLabels", "blinded_labels", "has_text", "record_text"]

#: Decisions that count as relevant for learning and for recall ("maybe" keeps a record in).
RELEVANT = frozenset({"include", "maybe"})


@dataclass
class BlindedLabels:
    """The labels ``reviewer`` may learn from at ``stage``.

    * ``sequence``: the records this reviewer decided, in the order they first decided them
      (the screening order the stopping estimate needs);
    * ``labels``: record -> 1 (include or maybe) or 0 (exclude); a resolved final decision
      overrides the reviewer's own (only on records this reviewer decided);
    * ``resolved``: records this reviewer decided that carry a resolved final decision.
    """

    reviewer: str
    stage: str
    sequence: list[str] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    resolved: set[str] = field(default_factory=set)


def blinded_labels(review: ReviewFolder, reviewer: str, stage: str) -> BlindedLabels:
    """Read ``reviewer``'s own log and the stage's resolutions (and nothing else)."""
    own = _latest(review.decision_log(reviewer, stage))
    res = _latest(review.resolutions_path(stage))
    out = BlindedLabels(reviewer=reviewer, stage=stage)
    for rid, entry in own.items():  # dict order: first decision first
        out.sequence.append(rid)
        out.labels[rid] = int(entry["decision"] in RELEVANT)
    for rid, entry in res.items():
        # a resolution teaches only where this reviewer decided the record too: learning from
        # one on a record they have not screened would move it (and its look-alikes) in their
        # queue, which tells them how the others decided (the blinded view's rule)
        if rid in own:
            out.labels[rid] = int(entry["decision"] in RELEVANT)
            out.resolved.add(rid)
    return out


def record_text(rec: dict[str, Any]) -> str:
    """The text the model reads: title, abstract and keywords."""
    kw = rec.get("keywords") or []
    if isinstance(kw, str):
        kw = [kw]
    parts = [rec.get("title") or "", rec.get("abstract") or "", " ".join(str(k) for k in kw)]
    return "\n".join(p for p in parts if p)


def has_text(rec: dict[str, Any]) -> bool:
    """Whether a record has a title or an abstract (records without either are not seeds)."""
    return bool((rec.get("title") or "").strip() or (rec.get("abstract") or "").strip())
