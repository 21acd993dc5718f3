"""The tables a review hands out, as pandas DataFrames of text: the records with their dedupe
status and every screening decision, the included studies, and the coded findings.

Every cell is text (lists joined with ``"; "``, a missing value is ``""``), so a table written
as CSV and read back equals the same table written to a workbook sheet and read back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..records.model import RECORD_FIELDS

if TYPE_CHECKING:
    import pandas as pd

    from ..folder import ReviewFolder

__all__ = [
    "DEDUPE_COLUMNS",
    "RECORD_COLUMNS",
    "findings_table",
    "included_table",
    "records_table",
]

#: The record columns of every record table (the normalised fields, then the database).
RECORD_COLUMNS = [*RECORD_FIELDS, "database"]
#: The dedupe columns of :func:`records_table`.
DEDUPE_COLUMNS = ["dedupe_status", "duplicate_of", "uncertain_with"]
PRIMARY, DUPLICATE, UNCERTAIN = "primary", "duplicate", "uncertain"


def _text(value: Any) -> str:
    """One cell as text: lists joined with ``"; "``, None as ``""``."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return "; ".join(_text(v) for v in value)
    return str(value)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([[_text(r.get(c)) for c in columns] for r in rows], columns=columns,
                        dtype=object)


def _record_rows(review: ReviewFolder, only: list[str] | None = None) -> list[dict[str, Any]]:
    """The records (``records_frame``: the fields and the database), all or ``only`` those."""
    from ..records.export import records_frame

    df = records_frame(review)
    if only is not None:
        df = df.loc[[i for i in only if i in df.index]]
    return list(df.to_dict("records"))


def _dedupe_status(review: ReviewFolder) -> dict[str, dict[str, str]]:
    """``{record: {dedupe_status, duplicate_of, uncertain_with}}`` from ``implmap.dedupe``."""
    from ..dedupe import load_groups, load_uncertain

    out: dict[str, dict[str, str]] = {}
    for g in load_groups(review):
        for m in g.removed:
            out[m] = {"dedupe_status": DUPLICATE, "duplicate_of": g.primary}
    partners: dict[str, list[str]] = {}
    for pair in load_uncertain(review):
        a, b = [*(pair.get("pair") or []), "", ""][:2]
        if a and b:
            partners.setdefault(a, []).append(b)
            partners.setdefault(b, []).append(a)
    for rec, others in partners.items():
        row = out.setdefault(rec, {"dedupe_status": UNCERTAIN})
        row["uncertain_with"] = "; ".join(sorted(set(others)))
    return out


def records_table(review: ReviewFolder) -> pd.DataFrame:
    """Every record with its dedupe status and its screening decisions, one row per record.

    Columns: :data:`RECORD_COLUMNS`, then ``dedupe_status`` (``primary``, ``duplicate`` or
    ``uncertain``: in a pair a person should decide), ``duplicate_of`` (the primary it is a
    duplicate of) and ``uncertain_with``; then, per stage of the manifest and per reviewer with
    a log there, ``<stage>_<reviewer>_decision`` and ``<stage>_<reviewer>_reason``, and the
    final decision of the stage (agreed or resolved) as ``<stage>_final_decision`` and
    ``<stage>_final_reason``. A record a reviewer has not decided has empty cells.
    """
    from ..screening import decisions, final_entries

    rows = _record_rows(review)
    status = _dedupe_status(review)
    columns = [*RECORD_COLUMNS, *DEDUPE_COLUMNS]
    for row in rows:
        row.update(status.get(row["id"], {"dedupe_status": PRIMARY}))
    for stage in (s.id for s in review.manifest.stages):
        per_reviewer = decisions(review, stage)
        for reviewer in sorted(per_reviewer):
            made = per_reviewer[reviewer]
            dc, rc = f"{stage}_{reviewer}_decision", f"{stage}_{reviewer}_reason"
            columns += [dc, rc]
            for row in rows:
                e = made.get(row["id"]) or {}
                row[dc], row[rc] = e.get("decision"), e.get("reason")
        finals = final_entries(review, stage)
        dc, rc = f"{stage}_final_decision", f"{stage}_final_reason"
        columns += [dc, rc]
        for row in rows:
            e = finals.get(row["id"]) or {}
            row[dc], row[rc] = e.get("decision"), e.get("reason")
    return _frame(rows, columns)


def included_table(review: ReviewFolder) -> pd.DataFrame:
    """The records finally included at the last stage (``implmap.screening.included_records``),
    one row each, columns :data:`RECORD_COLUMNS`."""
    from ..screening import included_records

    return _frame(_record_rows(review, included_records(review)), RECORD_COLUMNS)


def findings_table(review: ReviewFolder) -> pd.DataFrame:
    """Every charted finding with its codes (``implmap.charting.findings_frame``), one row per
    finding; list cells (domains, constructs, themes…) joined with ``"; "``."""
    from ..charting import findings_frame

    df = findings_frame(review)
    return _frame(df.to_dict("records"), [str(c) for c in df.columns])
