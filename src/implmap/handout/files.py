"""Writing the hand-out tables: CSV, RIS for reference managers, and one ``.xlsx`` workbook.

Cells are neutralised against formula injection: a text that starts with ``=``, ``+``, ``-``,
``@`` (or a tab or carriage return) gets a leading apostrophe, so a spreadsheet shows it as
text and never runs it (a title such as ``=HYPERLINK("http://evil")`` stays a title).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..errors import UsageError
from .tables import findings_table, included_table, records_table

if TYPE_CHECKING:
    import pandas as pd

    from ..folder import ReviewFolder

__all__ = [
    "FORMATS",
    "TABLES",
    "export",
    "neutralise",
    "neutralised",
    "table_csv",
    "workbook",
    "write_export",
]

Table = Literal["records", "included", "findings", "workbook"]
#: What can be exported, with the formats each one takes (the first is the default).
FORMATS: dict[str, tuple[str, ...]] = {
    "records": ("csv", "ris"),
    "included": ("ris", "csv"),
    "findings": ("csv",),
    "workbook": ("xlsx",),
}
#: The workbook's sheets, in order, and the table each one holds.
TABLES = {"records": records_table, "included": included_table, "findings": findings_table}
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(_RISKY) else value


def neutralised(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table of text with every cell passed through :func:`neutralise`."""
    return df.map(lambda v: neutralise(str(v)))


def table_csv(df: pd.DataFrame) -> str:
    """CSV text of a hand-out table (cells neutralised; read it back with ``dtype=str`` and
    ``keep_default_na=False``)."""
    return str(neutralised(df).to_csv(index=False, lineterminator="\n"))


def workbook(review: ReviewFolder) -> bytes:
    """An ``.xlsx`` workbook with one sheet per table of :data:`TABLES` (cells neutralised,
    every cell text)."""
    import pandas as pd

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, make in TABLES.items():
            neutralised(make(review)).to_excel(xl, sheet_name=name, index=False)
    return buf.getvalue()


def export(review: ReviewFolder, table: str, fmt: str | None = None) -> str | bytes:
    """One hand-out of ``review``: text for CSV and RIS, bytes for the workbook.

    Args:
        review: The review folder.
        table: ``"records"`` (every record, with its dedupe status and every reviewer's and
            the final decision and reason per stage; as RIS: every record as imported),
            ``"included"`` (the included studies' records: RIS from the tags they were
            imported with, for Zotero or EndNote, or CSV), ``"findings"`` (the coded findings,
            CSV) or ``"workbook"`` (all three tables as sheets of one ``.xlsx`` file).
        fmt: One of ``FORMATS[table]``; None for the first.
    """
    if table not in FORMATS:
        raise UsageError(f"unknown export {table!r}; use one of {', '.join(FORMATS)}")
    fmt = fmt or FORMATS[table][0]
    if fmt not in FORMATS[table]:
        raise UsageError(f"the {table} export is written as {' or '.join(FORMATS[table])}, "
                         f"not {fmt!r}")
    if table == "workbook":
        return workbook(review)
    if fmt == "ris":
        from ..records.export import records_to_ris

        if table == "records":
            return records_to_ris(review.record_dicts())
        from ..screening import included_records

        recs = {r["id"]: r for r in review.record_dicts()}
        return records_to_ris(recs[i] for i in included_records(review) if i in recs)
    return table_csv(TABLES[table](review))


def write_export(review: ReviewFolder, table: str, path: Path, fmt: str | None = None) -> Path:
    """Write :func:`export` to ``path`` (atomically; the format from ``fmt``, else from the
    file's suffix when it is one the table takes); returns the path."""
    from ..fsio import write_atomic

    suffix = path.suffix.lower().lstrip(".")
    if fmt is None and table in FORMATS and suffix in FORMATS[table]:
        fmt = suffix
    write_atomic(path, export(review, table, fmt))
    return path
