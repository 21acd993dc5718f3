"""Writing a review's records out as RIS (lossless) or CSV (normalised fields).

RIS is written with rispy's writer from each record's raw tags, so every tag and value read
from a RIS file comes back (unknown tags included, repeated tags in order, continuation lines
as continuation lines). Records read from PubMed/MEDLINE files are written with the RIS tags
that carry the same meaning (``TI``, ``AU``, ``PY``, ``JO``, ``DO``, ``AN`` for the PMID…) and
every other MEDLINE line as an ``N1`` note (``N1  - MHDA- 2020/01/01``), so nothing is lost.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from rispy import RisWriter

from ..errors import UsageError
from ..folder import ReviewFolder
from .model import RECORD_FIELDS

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CSV_COLUMNS",
    "export_records",
    "pubmed_to_ris",
    "records_frame",
    "records_to_csv",
    "records_to_ris",
]

TYPE_KEY = "type_of_reference"


class _TagWriter(RisWriter):
    """rispy's RIS writer where each label is a tag in lower case and every tag is a list tag;
    no ``1.`` record-number headers."""

    def __init__(self, tags: Iterable[str]):
        tags = sorted(set(tags) - {"TY"})
        mapping = {"TY": TYPE_KEY, **{t: t.lower() for t in tags}}
        super().__init__(mapping=mapping, list_tags=tags, delimiter_tags_mapping={})

    def set_header(self, count: int) -> str:
        return ""


_PUBMED_MAP = [  # MEDLINE tag -> RIS tag, for values kept as they are
    ("TI", "TI"), ("BTI", "BT"), ("AB", "AB"), ("JT", "JO"), ("TA", "JA"), ("VI", "VL"),
    ("IP", "IS"), ("PG", "SP"), ("DP", "DA"), ("LA", "LA"), ("AD", "AD"), ("PL", "CY"),
    ("OT", "KW"), ("MH", "KW"),
]


def pubmed_to_ris(tags: dict[str, list[str]], fields: dict[str, Any]) -> dict[str, list[str]]:
    """RIS tags for a record read from a PubMed/MEDLINE file (see the module docstring)."""
    out: dict[str, list[str]] = {"TY": [fields.get("type") or "JOUR"]}
    used = {"PMID", "FAU", "AU"}
    authors = tags.get("FAU") or tags.get("AU") or []
    if authors:
        out["AU"] = list(authors)
    if fields.get("year"):
        out["PY"] = [fields["year"]]
    for src, dst in _PUBMED_MAP:
        if src in tags:
            out.setdefault(dst, []).extend(tags[src])
            used.add(src)
    if fields.get("doi"):
        out["DO"] = [fields["doi"]]
    if fields.get("pmid"):
        out["AN"] = [fields["pmid"]]
        out["DB"] = ["PubMed"]
    notes = [f"{tag}- {v}" for tag, values in tags.items() if tag not in used for v in values]
    if "AU" in tags and "FAU" in tags:
        notes.extend(f"AU- {v}" for v in tags["AU"])
    if notes:
        out["N1"] = notes
    return out


def _ris_tags(rec: dict[str, Any]) -> dict[str, list[str]]:
    tags = rec.get("tags") or {}
    if "TY" in tags or "PMID" not in tags:
        return tags
    return pubmed_to_ris(tags, rec)


def records_to_ris(records: Iterable[dict[str, Any]]) -> str:
    """RIS text for records given as dicts with ``tags`` (and normalised fields)."""
    refs = []
    seen: set[str] = set()
    for rec in records:
        tags = _ris_tags(rec)
        ref: dict[str, Any] = {TYPE_KEY: (tags.get("TY") or [rec.get("type") or "GEN"])[0]}
        for tag, values in tags.items():
            if tag != "TY":
                ref[tag.lower()] = values
                seen.add(tag)
        refs.append(ref)
    if not refs:
        return ""
    return _TagWriter(seen).formats(refs)


CSV_COLUMNS = [*RECORD_FIELDS, "database"]
_LISTS = {"authors", "keywords", "urls"}


def records_to_csv(records: Iterable[dict[str, Any]], databases: dict[str, str]) -> str:
    """CSV of the normalised fields, one row per record; lists are joined with ``"; "``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for rec in records:
        row = []
        for col in CSV_COLUMNS:
            if col == "database":
                row.append(databases.get(rec.get("search", ""), ""))
            elif col in _LISTS:
                row.append("; ".join(rec.get(col) or []))
            else:
                row.append(rec.get(col, ""))
        w.writerow(row)
    return buf.getvalue()


def export_records(review: ReviewFolder, fmt: Literal["ris", "csv"] = "ris") -> str:
    """Every record of ``review`` as RIS or CSV text.

    Args:
        review: The review folder.
        fmt: ``"ris"`` (lossless: built from the raw tags; rispy and reference managers read
            it) or ``"csv"`` (the normalised fields plus the database, one row per record).
    """
    if fmt == "ris":
        return records_to_ris(review.record_dicts())
    if fmt == "csv":
        dbs = {s.id: s.database for s in review.searches()}
        return records_to_csv(review.record_dicts(), dbs)
    raise UsageError(f"unknown export format {fmt!r}; use 'ris' or 'csv'")


def records_frame(review: ReviewFolder) -> pd.DataFrame:
    """All records as a pandas DataFrame, one row per record, indexed by record ID.

    Columns: the normalised fields (title, authors, year, journal, doi, pmid, …) plus
    ``database``. List fields (authors, keywords, urls) stay lists.
    """
    import pandas as pd

    dbs = {s.id: s.database for s in review.searches()}
    cols = [*RECORD_FIELDS, "database"]
    df = pd.DataFrame(
        [{**{k: r.get(k) for k in RECORD_FIELDS}, "database": dbs[r["search"]]}
         for r in review.record_dicts()],
        columns=cols,
    )
    return df.set_index("id", drop=False)
