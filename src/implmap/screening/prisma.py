"""PRISMA 2020 / PRISMA-ScR flow-diagram counts, computed from the review folder and checked.

The boxes (identification through databases; PRISMA-ScR uses the same flow):

* records identified, per database (the imported searches) and in all;
* duplicate records removed (``implmap.dedupe.groups.duplicates_removed``; 0 before dedupe);
* records screened (title and abstract) and records excluded, plus records still awaiting a
  final decision (undecided or in open conflict) while screening is under way;
* reports sought for retrieval (final include or maybe at title and abstract), reports not
  retrieved (``screening/full_text/retrieval.jsonl``), reports assessed for eligibility (a
  reviewer has a full-text decision on it in force, or it has a final one), and, while
  screening is under way, reports still awaiting retrieval or assessment;
* reports excluded, with the count per exclusion reason, and reports awaiting a final decision;
* reports included, and studies included: one study per ``charting/studies/*.yaml`` holding
  included reports, plus one per included report not yet charted.

The arithmetic is checked (identified - duplicates = screened; screened = excluded + sought +
awaiting; sought = not retrieved + assessed + awaiting assessment; assessed = excluded +
included + awaiting; the reasons add up to the reports excluded; studies <= reports). An
inconsistency raises :class:`PrismaError` naming the numbers: a wrong number is never printed.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import PrismaError

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = ["NO_REASON", "PrismaCounts", "PrismaError", "other_methods", "prisma_branches",
           "prisma_counts", "registers"]

NO_REASON = "no reason given"

#: The boxes in flow order with their labels (the per-database and per-reason rows go with
#: ``identified`` and ``reports_excluded``; the ``*_awaiting`` rows only when not zero).
_BOXES = (
    ("identified", "Records identified (all databases)"),
    ("duplicates_removed", "Duplicate records removed"),
    ("records_screened", "Records screened"),
    ("records_excluded", "Records excluded"),
    ("records_awaiting", "Records awaiting a final decision"),
    ("reports_sought", "Reports sought for retrieval"),
    ("reports_not_retrieved", "Reports not retrieved"),
    ("reports_awaiting_assessment", "Reports awaiting retrieval or assessment"),
    ("reports_assessed", "Reports assessed for eligibility"),
    ("reports_excluded", "Reports excluded"),
    ("reports_awaiting", "Reports awaiting a final decision"),
    ("reports_included", "Reports of included studies"),
    ("studies_included", "Studies included in review"),
)


class PrismaCounts(BaseModel):
    """The numbers of a PRISMA 2020 (or PRISMA-ScR) flow diagram."""

    model_config = ConfigDict(extra="forbid")

    identified_by_database: dict[str, int] = Field(default_factory=dict)
    identified: int = 0
    duplicates_removed: int = 0
    records_screened: int = 0
    records_excluded: int = 0
    records_awaiting: int = 0
    reports_sought: int = 0
    reports_not_retrieved: int = 0
    reports_awaiting_assessment: int = 0
    reports_assessed: int = 0
    reports_excluded: int = 0
    reports_excluded_by_reason: dict[str, int] = Field(default_factory=dict)
    reports_awaiting: int = 0
    reports_included: int = 0
    studies_included: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The counts as a plain dict (JSON-ready)."""
        return self.model_dump(mode="json")

    def check(self) -> None:
        """Raise :class:`PrismaError` naming the numbers when the flow does not add up."""
        bad: list[str] = []

        def need(ok: bool, text: str) -> None:
            if not ok:
                bad.append(text)

        def adds_up(box: str, total: int, **parts: int) -> None:
            s = sum(parts.values())
            terms = " + ".join(f"{k.replace('_', ' ')} ({n})" for k, n in parts.items())
            need(s == total, f"{box} ({total}) != {terms} = {s}")

        by_db = sum(self.identified_by_database.values())
        need(by_db == self.identified,
             f"records identified ({self.identified}) != sum over databases ({by_db})")
        need(self.identified - self.duplicates_removed == self.records_screened,
             f"identified ({self.identified}) - duplicates removed ({self.duplicates_removed}) "
             f"= {self.identified - self.duplicates_removed}, but records screened = "
             f"{self.records_screened}")
        adds_up("records screened", self.records_screened, excluded=self.records_excluded,
                sought=self.reports_sought, awaiting=self.records_awaiting)
        adds_up("reports sought", self.reports_sought, not_retrieved=self.reports_not_retrieved,
                assessed=self.reports_assessed,
                awaiting_assessment=self.reports_awaiting_assessment)
        adds_up("reports assessed", self.reports_assessed, excluded=self.reports_excluded,
                included=self.reports_included, awaiting=self.reports_awaiting)
        s = sum(self.reports_excluded_by_reason.values())
        need(s == self.reports_excluded,
             f"reports excluded ({self.reports_excluded}) != sum over reasons ({s})")
        need(self.studies_included <= self.reports_included,
             f"studies included ({self.studies_included}) > reports included "
             f"({self.reports_included})")
        need(self.studies_included > 0 or self.reports_included == 0,
             f"{self.reports_included} reports included but no study")
        for name, value in self.model_dump().items():
            if isinstance(value, int) and value < 0:
                bad.append(f"{name} is negative ({value})")
        if bad:
            raise PrismaError("the PRISMA counts do not add up: " + "; ".join(bad) + "; a "
                              "check of the review names the lines behind such a state")

    def rows(self) -> list[tuple[str, str, int]]:
        """``(key, label, count)`` rows in flow order (per database and per reason too)."""
        out = [(f"identified:{db}", f"Records identified from {db}", n)
               for db, n in sorted(self.identified_by_database.items())]
        for key, label in _BOXES:
            n = getattr(self, key)
            if "_awaiting" in key and not n:
                continue  # shown only while screening is under way
            out.append((key, label, n))
            if key == "reports_excluded":
                out += [(f"excluded:{reason}", f"  excluded: {reason}", k)
                        for reason, k in sorted(self.reports_excluded_by_reason.items())]
        return out

    def to_csv(self) -> str:
        """The rows as CSV text (``box,label,count``)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["box", "label", "count"])
        for key, label, n in self.rows():
            w.writerow([key, label.strip(), n])
        return buf.getvalue()


def _studies(review: ReviewFolder, included: list[str]) -> int:
    import yaml

    from ..yamlio import SAFE_LOADER

    inc = set(included)
    charted: set[str] = set()
    studies = 0
    problems: list[str] = []
    for path in review.study_files():
        rel = review.rel(path)
        try:
            data = yaml.load(path.read_text("utf-8"), Loader=SAFE_LOADER) or {}
        except yaml.YAMLError as exc:
            raise PrismaError(f"{rel}: not valid YAML ({exc}); fix it to count studies") from None
        records = data.get("records") if isinstance(data, dict) else None
        if not isinstance(records, list) or not records:
            raise PrismaError(f"{rel}: a study needs 'records' (the IDs of its reports)")
        out = [r for r in records if r not in inc]
        if out:
            problems.append(f"{rel} lists record(s) {', '.join(map(str, out))} that are not "
                            "included at full text")
        charted.update(r for r in records if r in inc)
        studies += 1
    if problems:
        raise PrismaError("the PRISMA counts do not add up: " + "; ".join(problems) + "; remove "
                          "those records from the study files, or include them at full text")
    return studies + len(inc - charted)


def prisma_counts(review: ReviewFolder) -> PrismaCounts:
    """Count every PRISMA box from the review folder; raises :class:`PrismaError` when they do
    not add up (see the module doc)."""
    counts = _count(review, None)
    counts.check()
    return counts


#: Words in a search's database name that mark records found by other methods than searching
#: databases and registers (the PRISMA 2020 "other methods" branch): supplied or seed
#: documents, citation searching, websites, organisations, hand searching, experts.
OTHER_METHOD_WORDS = ("other", "supplied", "seed", "citation", "website", "organisation",
                      "organization", "hand search", "handsearch", "reference list", "expert")
REGISTER_WORDS = ("register", "registry", "clinicaltrials", "ictrp")


def other_methods(review: ReviewFolder) -> list[str]:
    """The IDs of the searches that are "other methods" in PRISMA 2020: the database name holds
    one of :data:`OTHER_METHOD_WORDS` (``Supplied documents``, ``Other sources``, ``Seed
    documents``, ``Citation searching``…) or the query says ``No database search``."""
    out = []
    for s in review.searches():
        name = s.database.lower()
        if any(w in name for w in OTHER_METHOD_WORDS) or \
                s.query.lower().startswith("no database search"):
            out.append(s.id)
    return out


def registers(review: ReviewFolder) -> list[str]:
    """The database names that are study registers (``ClinicalTrials.gov``, ``WHO ICTRP``, a
    name with "register" or "registry" in it)."""
    return sorted({s.database for s in review.searches()
                   if any(w in s.database.lower() for w in REGISTER_WORDS)})


def prisma_branches(review: ReviewFolder, total: PrismaCounts | None = None
                    ) -> tuple[PrismaCounts, PrismaCounts | None]:
    """The counts of the two PRISMA 2020 branches: records from databases and registers, and
    records from other methods (:func:`other_methods`; None when the review has none).

    Each branch counts only its own records; its ``duplicates_removed`` is its records that
    deduplication set aside; ``studies_included`` is 0 (studies are counted once, for the
    review: :func:`prisma_counts`, which also checks the sums; ``total``: its result, when
    the caller has it already, so that the review is not counted twice).
    """
    if total is None:
        prisma_counts(review)
    other = set(other_methods(review))
    main = _count(review, {s.id for s in review.searches() if s.id not in other})
    return main, (_count(review, other) if other else None)


def _count(review: ReviewFolder, searches: set[str] | None) -> PrismaCounts:
    """The counts over the records of ``searches`` (None: every record, studies counted)."""
    from ..dedupe.groups import duplicates_removed
    from .conflicts import final_entries
    from .log import decisions
    from .queue import records_to_screen
    from .retrieval import retrieval

    stages = [s.id for s in review.manifest.stages]
    if len(stages) < 2:
        raise PrismaError("the PRISMA flow needs two stages (title_abstract and full_text) in "
                          "the manifest")
    first, last = stages[0], stages[-1]
    by_db: dict[str, int] = {}
    for s in review.searches():
        if searches is None or s.id in searches:
            by_db[s.database] = by_db.get(s.database, 0) + s.records
    if searches is None:
        def mine(ids: list[str]) -> list[str]:
            return ids
    else:
        origin = {r["id"]: r.get("search") for r in review.record_dicts()}

        def mine(ids: list[str]) -> list[str]:
            return [r for r in ids if origin.get(r) in searches]
    screened = mine(records_to_screen(review, first))
    finals = final_entries(review, first)
    excluded = sum(1 for r in screened if finals.get(r, {}).get("decision") == "exclude")
    sought = mine(records_to_screen(review, last))
    status = retrieval(review)
    not_retrieved = [r for r in sought if status.get(r, {}).get("status") == "not_retrieved"]
    gone = set(not_retrieved)
    ft = final_entries(review, last)
    read = set(ft).union(*(d.keys() for d in decisions(review, last).values()))
    assessed = [r for r in sought if r not in gone and r in read]
    both = [r for r in not_retrieved if r in ft]
    if both:
        raise PrismaError(
            f"the PRISMA counts do not add up: {len(both)} report(s) marked not retrieved also "
            f"have a final full-text decision ({', '.join(both[:5])}); a report that was "
            "assessed was retrieved: mark each retrieved (its latest line in "
            f"{review.rel(review.retrieval_path)} wins), or withdraw the full-text decisions "
            "and the resolution if it was never read"
        )
    reasons: dict[str, int] = {}
    included: list[str] = []
    for r in assessed:
        e = ft.get(r)
        if e is None:
            continue
        if e["decision"] == "exclude":
            key = e.get("reason") or NO_REASON
            reasons[key] = reasons.get(key, 0) + 1
        elif e["decision"] == "include":
            included.append(r)
    identified = sum(by_db.values())
    if searches is None:
        dups = duplicates_removed(review) if review.deduplicated() else 0
    else:
        dups = identified - len(screened)
    return PrismaCounts(
        identified_by_database=by_db,
        identified=identified,
        duplicates_removed=dups,
        records_screened=len(screened),
        records_excluded=excluded,
        records_awaiting=sum(1 for r in screened if r not in finals),
        reports_sought=len(sought),
        reports_not_retrieved=len(not_retrieved),
        reports_awaiting_assessment=len(sought) - len(not_retrieved) - len(assessed),
        reports_assessed=len(assessed),
        reports_excluded=sum(reasons.values()),
        reports_excluded_by_reason=reasons,
        reports_awaiting=sum(1 for r in assessed if r not in ft),
        reports_included=len(included),
        studies_included=_studies(review, included) if searches is None else 0,
    )
