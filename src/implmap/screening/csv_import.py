"""Import screening decisions made elsewhere (a spreadsheet, another tool) from a CSV file.

The file has a header row naming its columns (any order, any case):

* ``record`` (or ``id``) — the implmap record ID, and/or ``doi`` — the record's DOI (with or
  without a ``https://doi.org/`` or ``doi:`` prefix);
* ``decision`` — include, exclude or maybe;
* ``reason`` — the exclusion reason (one of the manifest's ``exclusion_reasons``; required for
  exclude at a stage with ``reasons_required``), optional otherwise;
* ``note`` — optional.

Every row is checked before anything is written; one bad row (unknown ID or DOI, ambiguous DOI,
unknown decision or reason, a record twice) rejects the whole file with every problem listed by
file and line. The accepted decisions are then appended in one write to the reviewer's own log.
Rows equal to the decision already in force are skipped, so importing the same file twice
changes nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DecisionError, InputFormatError, UsageError
from ..fsio import append_line, dump_json_line
from ..records.normalise import normalise_doi

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = ["import_csv"]


def _doi_key(doi: str) -> str:
    """The DOI as :func:`implmap.records.normalise.normalise_doi` gives it (what a record
    holds); a cell that holds no DOI is kept as written, lower case, so that it never matches."""
    return normalise_doi(doi) or doi.strip().lower()


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    if not path.is_file():
        raise UsageError(f"{path}: no such file" + (" (it is a folder)" if path.is_dir() else ""))
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFormatError(f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the "
                               "CSV as UTF-8", path, line) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(), dialect)
    rows = list(reader)
    if not rows:
        raise InputFormatError("the file is empty; it needs a header row (record or doi, "
                               "decision, reason, note)", path)
    header = [h.strip().lower() for h in rows[0]]
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        out.append((n, {h: (row[i].strip() if i < len(row) else "") for i, h in
                        enumerate(header)}))
    return header, out


def import_csv(review: ReviewFolder, path: str | Path, reviewer: str, stage: str) -> int:
    """Import ``reviewer``'s decisions at ``stage`` from a CSV file, all or nothing.

    Returns how many decisions were written (rows equal to the decision in force are skipped).
    Raises :class:`DecisionError` listing every bad row by file and line.
    """
    from .log import DECISIONS, check_reason, check_reviewer, check_stage, decisions, now
    from .queue import records_to_screen, release_checker

    path = Path(path)
    check_reviewer(review, reviewer)
    st = check_stage(review, stage)
    header, rows = _read(path)
    id_col = "record" if "record" in header else ("id" if "id" in header else None)
    if (id_col is None and "doi" not in header) or "decision" not in header:
        raise DecisionError(f"{path}, line 1: the header must name a 'record' (or 'id') or "
                            f"'doi' column and a 'decision' column; it has: {', '.join(header)}")
    todo = records_to_screen(review, stage)
    check_released = release_checker(review, reviewer, stage)
    todo_set = set(todo)
    by_doi: dict[str, list[str]] = {}
    doi_of: dict[str, str] = {}
    for r in review.record_dicts():
        doi_of[r["id"]] = _doi_key(r.get("doi") or "")
        if r.get("doi") and r["id"] in todo_set:
            by_doi.setdefault(_doi_key(r["doi"]), []).append(r["id"])
    spelling = {x.lower(): x for x in review.manifest.exclusion_reasons}
    problems: list[str] = []
    seen: dict[str, int] = {}
    accepted: list[tuple[str, str, str | None, str]] = []
    for n, row in rows:
        where = f"{path}, line {n}"
        rid = row.get(id_col, "") if id_col else ""
        doi = row.get("doi", "")
        if rid:
            if rid not in doi_of:
                problems.append(f"{where}: unknown record ID {rid!r}")
                continue
            if doi and _doi_key(doi) != doi_of[rid]:
                problems.append(f"{where}: record {rid} has DOI {doi_of[rid] or 'none'!r}, "
                                f"not {doi!r}; check which record this row means")
                continue
        elif doi:
            hits = by_doi.get(_doi_key(doi), [])
            if not hits:
                problems.append(f"{where}: no record screened at {stage!r} has DOI {doi!r}")
                continue
            if len(hits) > 1:
                problems.append(f"{where}: DOI {doi!r} matches records {', '.join(hits)}; "
                                "give the record ID instead")
                continue
            rid = hits[0]
        else:
            problems.append(f"{where}: neither a record ID nor a DOI")
            continue
        decision = row.get("decision", "").lower()
        if decision not in DECISIONS:
            problems.append(f"{where}: decision must be one of {', '.join(DECISIONS)}, not "
                            f"{row.get('decision', '')!r}")
            continue
        try:
            given = row.get("reason") or ""
            given = spelling.get(given.strip().lower(), given)  # reasons match in any case
            reason = check_reason(review, st, decision, given, what=where)
            check_released(rid)
        except DecisionError as exc:
            problems.append(str(exc) if str(exc).startswith(where) else f"{where}: {exc}")
            continue
        if rid in seen:
            problems.append(f"{where}: record {rid} is also on line {seen[rid]}; keep one row "
                            "per record")
            continue
        seen[rid] = n
        accepted.append((rid, decision, reason, row.get("note", "")))
    if problems:
        more = f"\n… and {len(problems) - 30} more" if len(problems) > 30 else ""
        raise DecisionError(f"{len(problems)} problem(s) in {path}; nothing was imported:\n"
                            + "\n".join(problems[:30]) + more)
    mine = decisions(review, stage, reviewer)[reviewer]
    t = now()
    lines = []
    for rid, decision, reason, note in accepted:
        cur = mine.get(rid)
        if cur and (cur["decision"], cur.get("reason"), cur.get("note", "")) == (
                decision, reason, note):
            continue
        lines.append(dump_json_line({
            "decision": decision, "note": note, "reason": reason, "record": rid,
            "reviewer": reviewer, "stage": stage, "time": t,
        }))
    if lines:
        append_line(review.decision_log(reviewer, stage), "".join(lines))
    return len(lines)
