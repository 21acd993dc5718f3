"""What a review hands out: its tables as CSV, RIS and an ``.xlsx`` workbook.

* ``export(review, table, fmt=None) -> str | bytes`` and ``write_export(review, table, path,
  fmt=None)`` — ``table`` is ``records`` (with dedupe status and every decision), ``included``
  (RIS or CSV), ``findings`` (CSV) or ``workbook`` (xlsx, one sheet per table);
* ``records_table``, ``included_table``, ``findings_table`` — the same tables as DataFrames;
* ``neutralise`` — the guard against spreadsheet formula injection every cell goes through.
"""

from __future__ import annotations

from .files import (
    FORMATS,
    TABLES,
    export,
    neutralise,
    neutralised,
    table_csv,
    workbook,
    write_export,
)
from .tables import DEDUPE_COLUMNS, RECORD_COLUMNS, findings_table, included_table, records_table

__all__ = [
    "DEDUPE_COLUMNS",
    "FORMATS",
    "RECORD_COLUMNS",
    "TABLES",
    "export",
    "findings_table",
    "included_table",
    "neutralise",
    "neutralised",
    "records_table",
    "table_csv",
    "workbook",
    "write_export",
]
