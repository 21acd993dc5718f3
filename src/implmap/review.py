"""``Review``: the façade people call. It is a :class:`~implmap.folder.ReviewFolder` (the
storage layer) with one door to each capability: import, deduplication, screening,
prioritisation and charting. Each door calls one function of a capability package, which takes
the folder; nothing below this module imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .errors import Report, UsageError
from .folder import ReviewFolder
from .manifest import Manifest, Reviewer
from .records.importer import ImportResult

if TYPE_CHECKING:
    import pandas as pd

    from .charting.agreement import CodingAgreement
    from .charting.desk import ChartDesk
    from .charting.lookup import LookupResult
    from .charting.model import Study
    from .charting.suggest import Suggestion
    from .charting.vocab import Vocabulary
    from .dedupe.groups import DedupeResult
    from .prioritise.progress import Progress
    from .prioritise.ranking import Ranker
    from .screening.agreement import AgreementReport
    from .screening.conflicts import Conflict
    from .screening.prisma import PrismaCounts

__all__ = ["ImportResult", "Review"]


class Review(ReviewFolder):
    """A review folder. Open one with ``Review(path)``; create one with ``Review.init(path)``."""

    # ------------------------------------------------------------------ creating and importing
    @classmethod
    def init(
        cls,
        root: str | Path,
        title: str = "Untitled review",
        question: str = "",
        reviewers: Sequence[str] = (),
        arbiters: Sequence[str] = (),
    ) -> Review:
        """Create a new review folder (the folder may exist but must not hold a review).

        ``reviewers`` screen (role ``reviewer``); ``arbiters`` resolve their conflicts (role
        ``third``: they may open resolve mode and resolve alone). Raises :class:`UsageError`
        when an ID is named twice.
        """
        ids = [*reviewers, *arbiters]
        twice = sorted({r for r in ids if ids.count(r) > 1})
        if twice:
            raise UsageError(
                f"each reviewer is named once, as a screener or as an arbiter: {', '.join(twice)} "
                f"{'is' if len(twice) == 1 else 'are'} named twice"
            )
        try:
            people = [Reviewer(id=r) for r in reviewers]
            people += [Reviewer(id=r, role="third") for r in arbiters]
        except ValidationError as exc:
            raise UsageError(f"invalid reviewer ID: {exc.errors()[0]['msg']}") from None
        manifest = Manifest(title=title, question=question, reviewers=people)
        return cls(cls.create(root, manifest).root)

    def import_file(
        self,
        path: str | Path,
        database: str,
        searched: str | date | None = None,
        query: str = "",
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportResult:
        """Import one RIS or PubMed/MEDLINE export, entirely or not at all (see
        :func:`implmap.records.importer.import_file`)."""
        from .records.importer import import_file

        return import_file(self, path, database, searched, query, progress)

    def import_files(
        self,
        paths: Iterable[str | Path],
        database: str,
        searched: str | date | None = None,
        query: str = "",
    ) -> list[ImportResult]:
        """Import several files; each one is imported entirely or not at all."""
        from .records.importer import import_files

        return import_files(self, paths, database, searched, query)

    def records(self) -> pd.DataFrame:
        """All records as a pandas DataFrame, one row per record, indexed by record ID (see
        :func:`implmap.records.export.records_frame`)."""
        from .records.export import records_frame

        return records_frame(self)

    # ------------------------------------------------------------------------------ validation
    def check(self) -> Report:
        """Validate the whole folder; every problem is reported with file, line and field."""
        from .checks import check_review

        return check_review(self)

    # ------------------------------------------------------------------------------- charting
    def vocabulary(self) -> Vocabulary:
        """The charting vocabulary of this review: TDF v2, COM-B and intervention-function maps
        (with ``charting/mappings.yaml`` overrides) and the theme codebook."""
        from .charting.vocab import load_vocabulary

        return load_vocabulary(self)

    def studies(self) -> list[Study]:
        """Every charted study (``charting/studies/*.yaml``), in file-name order.

        Raises :class:`~implmap.errors.ValidationFailed` naming file and line when a study file
        does not fit the schema.
        """
        from .charting.store import load_studies

        return load_studies(self)

    def findings(self) -> pd.DataFrame:
        """Every charted finding as a DataFrame, one row per finding (see
        :func:`implmap.charting.lookup.findings_frame` for the columns)."""
        from .charting.lookup import findings_frame

        return findings_frame(self)

    def lookup(self, text: str | None = None, **filters: str | None) -> LookupResult:
        """Findings matching ``domain``, ``theme``, ``perspective``, ``level``, ``type`` and
        words of ``text``, grouped by (domain, theme, type) with their study counts (see
        :func:`implmap.charting.lookup.lookup`)."""
        from .charting.lookup import lookup

        return lookup(self, text, **filters)

    def coding_agreement(self) -> CodingAgreement:
        """Agreement of the dual coders per TDF domain and per theme (Cohen's kappa)."""
        from .charting.agreement import coding_agreement

        return coding_agreement(self)

    def chart(self, coder: str) -> ChartDesk:
        """``coder``'s charting desk: extract findings, code them blind, withdraw, reconcile
        (:class:`~implmap.charting.desk.ChartDesk`; the same operations as ``implmap chart``)."""
        from .charting.desk import ChartDesk

        self.manifest.reviewer(coder, UsageError)
        return ChartDesk(self, coder)

    def suggest(self, top: int = 3, study: str | None = None) -> list[Suggestion]:
        """Suggested TDF domains and themes for findings not tagged yet (never written into
        the study files; see :func:`implmap.charting.suggest.suggest`)."""
        from .charting.suggest import suggest

        return suggest(self, top=top, study=study)

    # --------------------------------------------------------------------------- deduplication
    def find_duplicates(self) -> DedupeResult:
        """Group duplicate records across searches and write ``dedupe/groups.jsonl``.

        Nothing is deleted; people's decisions (:meth:`dedupe_decide`) always win. See
        :mod:`implmap.dedupe.groups`.
        """
        from .dedupe.groups import find_duplicates

        return find_duplicates(self)

    def dedupe_decide(
        self, action: str, a: str, b: str, by: str = "", note: str = ""
    ) -> DedupeResult | None:
        """Record a person's ``merge``, ``keep_apart`` or ``undo`` decision on two records
        (append-only) and re-run deduplication."""
        from .dedupe.groups import decide

        return decide(self, action, a, b, by=by, note=note)

    def primary_ids(self) -> set[str]:
        """The records screening shows: group primaries and records without duplicates."""
        from .dedupe.groups import primary_ids

        return primary_ids(self)

    # ------------------------------------------------------------------------------ screening
    # Thin doors to implmap.screening (decision logs, conflicts, agreement, PRISMA).
    def decide(self, reviewer: str, stage: str, record: str, decision: str,
               reason: str | None = None, note: str = "") -> dict[str, Any]:
        """Record a screening decision (see :func:`implmap.screening.decide`)."""
        from .screening import decide

        return decide(self, reviewer, stage, record, decision, reason=reason, note=note)

    def conflicts(self, stage: str, include_resolved: bool = False) -> list[Conflict]:
        """Conflicts at ``stage`` (see :func:`implmap.screening.conflicts`)."""
        from .screening import conflicts

        return conflicts(self, stage, include_resolved=include_resolved)

    def resolve(self, stage: str, record: str, decision: str, by: str | Sequence[str],
                method: str | None = None, reason: str | None = None,
                note: str = "") -> dict[str, Any]:
        """Resolve a conflict (see :func:`implmap.screening.resolve`)."""
        from .screening import resolve

        return resolve(self, stage, record, decision, by, method=method, reason=reason,
                       note=note)

    def final_decisions(self, stage: str) -> dict[str, str]:
        """Agreed or resolved decisions at ``stage`` (see
        :func:`implmap.screening.final_decisions`)."""
        from .screening import final_decisions

        return final_decisions(self, stage)

    def included_records(self) -> list[str]:
        """Records included at full text (see :func:`implmap.screening.included_records`)."""
        from .screening import included_records

        return included_records(self)

    def agreement(self, stage: str | None = None, pilot: bool = False) -> AgreementReport:
        """Agreement between reviewers (see :func:`implmap.screening.agreement`)."""
        from .screening import agreement

        return agreement(self, stage=stage, pilot=pilot)

    def prisma_counts(self) -> PrismaCounts:
        """PRISMA flow counts, checked (see :func:`implmap.screening.prisma_counts`)."""
        from .screening import prisma_counts

        return prisma_counts(self)

    def prisma_figure(self, fmt: str = "svg") -> str | bytes:
        """The PRISMA 2020 flow diagram as SVG text or PNG/PDF bytes (see
        :func:`implmap.site.prisma_figure`)."""
        from .site.figure import prisma_figure

        return prisma_figure(self, fmt)

    # ---------------------------------------------------------------- hand-outs
    def export(self, table: str, fmt: str | None = None) -> str | bytes:
        """A table as CSV or RIS text, or the workbook as bytes (see
        :func:`implmap.handout.export`)."""
        from .handout import export

        return export(self, table, fmt)

    def write_export(self, table: str, path: str | Path, fmt: str | None = None) -> Path:
        """Write a table or the workbook to ``path`` (see :func:`implmap.handout.write_export`)."""
        from .handout import write_export

        return write_export(self, table, Path(path), fmt)

    # ---------------------------------------------------------------- prioritisation (ranking)
    def ranker(self, reviewer: str, stage: str = "title_abstract") -> Ranker:
        """A live :class:`~implmap.prioritise.ranking.Ranker` for ``reviewer`` at ``stage``."""
        from .prioritise.ranking import Ranker

        return Ranker(self, reviewer, stage)

    def screening_progress(
        self, reviewer: str, stage: str = "title_abstract", **kw: Any
    ) -> Progress:
        """``reviewer``'s blinded progress and stopping estimate (``implmap progress``)."""
        from .prioritise.progress import screening_progress

        return screening_progress(self, reviewer, stage, **kw)
