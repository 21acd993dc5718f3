"""Screening: decision logs, conflicts, resolution, agreement, PRISMA counts.

Public API (stable; the screening app and the CLI use only these). Argument order: ``review``
first; ``reviewer`` before ``stage`` where both appear; ``stage`` before ``record``.

Writing (each call appends one fsynced line; nothing is ever rewritten):

* ``decide(review, reviewer, stage, record, decision, reason=None, note="") -> dict`` —
  decision is include | exclude | maybe; an exclude at a stage with ``reasons_required``
  (full text) needs a reason from the manifest's ``exclusion_reasons``. Returns the log entry.
* ``undo(review, reviewer, stage, record, previous=None) -> dict | None`` — put ``previous``
  (an entry) back in force, or withdraw the decision (a ``"decision": null`` line) when None.
* ``withdraw(review, reviewer, stage, record, note="") -> dict`` — withdraw the decision in
  force (a ``"decision": null`` line; returns the withdrawn entry);
  ``change(review, reviewer, stage, record, decision, reason=None, note="") -> (before, after)``
  — replace the decision in force. Both refuse when there is none; the history stays.
* ``resolve(review, stage, record, decision, by, method=None, reason=None, note="") -> dict``
  — final decision on a conflict; ``by`` a reviewer ID or list; method third_reviewer |
  consensus (default: third_reviewer for one person, consensus for several).
* ``mark_retrieval(review, record, status, url=None, file=None, reviewer=None) -> dict`` —
  full text retrieved | not_retrieved (not_retrieved is refused once the report was assessed;
  a full-text decision on a report marked not retrieved is refused too). A ``file`` must be
  inside the review folder or the manifest's ``full_text_library`` (``UsageError`` otherwise).
* ``needs_full_text(review) -> list[str]`` — records sought at full text still without one;
  ``full_text_file(review, entry) -> Path | None`` — the file a retrieval entry names.
* ``import_csv(review, path, reviewer, stage) -> int`` — decisions made elsewhere, all or nothing.

Reading, blinded (safe to show to ``reviewer``; never reads another reviewer's log):

* ``reviewer_view(review, reviewer, stage) -> ReviewerView`` — ``.decisions`` (own, {record:
  entry}), ``.resolutions`` ({record: resolution entry}, on records this reviewer decided),
  ``.released`` (record IDs this reviewer may screen now), ``.screened`` / ``.total`` (own
  progress), ``.remaining``, pilot.
* ``released_records(review, reviewer, stage) -> list[str]``
* ``records_to_screen(review, stage) -> list[str]`` — the stage's records (same for everyone).

Reading, unblinded (for resolving, reports, PRISMA; never show to a reviewer while screening):

* ``decisions(review, stage, reviewer=None) -> {reviewer: {record: entry}}``
* ``history(review, reviewer, stage) -> list[entry]`` — every line of one log.
* ``conflicts(review, stage, include_resolved=False) -> list[Conflict]``;
  ``conflict_dicts(review, stage, include_resolved=True) -> list[dict]`` (for the resolve app).
* ``resolutions(review, stage) -> {record: resolution entry}``
* ``final_decisions(review, stage) -> {record: decision}`` (agreed or resolved only);
  ``final_entries(review, stage)`` adds reason and how.
* ``included_records(review) -> list[str]`` — finally included at the last stage.
* ``retrieval(review) -> {record: entry}``
* ``agreement(review, stage=None, pilot=False) -> AgreementReport`` — Cohen's kappa, percentage
  agreement and PABAK per pair, Fleiss' kappa for more than two reviewers; maybe counts as
  include. Beside them, agreement as the conflicts count it (``conflict_percent``,
  ``conflict_kappa``, ``conflicts``): exclusion reasons compared where the stage requires them,
  a maybe at the last stage a disagreement.
* ``prisma_counts(review) -> PrismaCounts`` (pydantic; ``.to_dict()``, ``.rows()``).

Errors: :class:`~implmap.errors.DecisionError` for an unknown reviewer, stage, record or reason,
a missing reason, a record not released yet; :class:`PrismaError` when the counts do not add up.
"""

from __future__ import annotations

from .agreement import (
    AgreementReport,
    GroupAgreement,
    PairAgreement,
    agreement,
    cohen_kappa,
    fleiss_kappa,
    pabak,
    percent_agreement,
)
from .conflicts import (
    Conflict,
    conflict_dicts,
    conflicts,
    final_decisions,
    final_entries,
    included_records,
    resolutions,
    resolve,
)
from .csv_import import import_csv
from .log import DECISIONS, change, decide, decisions, history, undo, withdraw
from .prisma import PrismaCounts, PrismaError, prisma_counts
from .queue import (
    pilot_complete,
    pilot_records,
    records_to_screen,
    released_records,
    screeners,
)
from .retrieval import full_text_file, mark_retrieval, needs_full_text, retrieval
from .view import ReviewerView, reviewer_view

__all__ = [
    "DECISIONS",
    "AgreementReport",
    "Conflict",
    "GroupAgreement",
    "PairAgreement",
    "PrismaCounts",
    "PrismaError",
    "ReviewerView",
    "agreement",
    "change",
    "cohen_kappa",
    "conflict_dicts",
    "conflicts",
    "decide",
    "decisions",
    "final_decisions",
    "final_entries",
    "fleiss_kappa",
    "full_text_file",
    "history",
    "import_csv",
    "included_records",
    "mark_retrieval",
    "needs_full_text",
    "pabak",
    "percent_agreement",
    "pilot_complete",
    "pilot_records",
    "prisma_counts",
    "records_to_screen",
    "released_records",
    "resolutions",
    "resolve",
    "retrieval",
    "reviewer_view",
    "screeners",
    "undo",
    "withdraw",
]
