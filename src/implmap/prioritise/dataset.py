"""Labelled data sets for simulations: a CSV of records with the decision people made.

The CSV has the columns ``record_id``, ``title``, ``abstract`` and ``label_included`` (1 =
included, 0 = excluded), one record a row. :func:`read_labelled_csv` reports every problem with
file and line, all at once.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFormatError, UsageError

__all__ = ["REQUIRED", "LabelledSet", "read_labelled_csv"]

REQUIRED = ("record_id", "title", "abstract", "label_included")


@dataclass
class LabelledSet:
    """A labelled data set: IDs, texts, 0/1 labels and whether each record has any text."""

    path: str
    ids: list[str]
    texts: list[str]
    labels: list[int]
    has_text: list[bool]


def read_labelled_csv(path: str | Path) -> LabelledSet:
    """Read a labelled CSV; every problem is reported with file and line (all at once)."""
    path = Path(path)
    try:
        fh = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a CSV file") from None
    problems: list[str] = []
    ids: list[str] = []
    texts: list[str] = []
    labels: list[int] = []
    text_ok: list[bool] = []
    with fh:
        try:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputFormatError(f"cannot read the header as CSV ({exc})", path, 1) from None
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputFormatError(
                f"missing column(s) {', '.join(missing)}; a labelled set needs "
                f"{', '.join(REQUIRED)} (label_included: 1 = included, 0 = excluded)",
                path,
                1,
            )
        seen: dict[str, int] = {}
        try:
            for row in reader:
                line = reader.line_num
                rid = (row.get("record_id") or "").strip()
                raw = (row.get("label_included") or "").strip()
                if not rid:
                    problems.append(f"{path}, line {line}: empty record_id")
                elif rid in seen:
                    problems.append(
                        f"{path}, line {line}: record_id {rid!r} repeats line {seen[rid]}"
                    )
                else:
                    seen[rid] = line
                if raw in ("0", "1", "0.0", "1.0"):
                    lab = int(float(raw))
                else:
                    problems.append(
                        f"{path}, line {line}: label_included must be 0 or 1, not {raw!r}"
                    )
                    lab = 0
                title = (row.get("title") or "").strip()
                abstract = (row.get("abstract") or "").strip()
                ids.append(rid)
                texts.append(f"{title}\n{abstract}".strip())
                labels.append(lab)
                text_ok.append(bool(title or abstract))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputFormatError(f"not readable as CSV ({exc})", path,
                                   reader.line_num) from None
    if problems:
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise InputFormatError(
            f"{len(problems)} problem(s){more}:\n" + "\n".join(problems[:20]), path
        )
    if not ids:
        raise InputFormatError("no records (only a header)", path)
    pos = [i for i, lab in enumerate(labels) if lab == 1]
    if not pos:
        raise InputFormatError(
            "no record has label_included = 1: a simulation needs at least one inclusion", path
        )
    if not any(text_ok[i] for i in pos):
        raise InputFormatError("no included record has a title or an abstract to start from",
                               path)
    if not any(text_ok[i] and labels[i] == 0 for i in range(len(ids))):
        raise InputFormatError("no excluded record has a title or an abstract to start from",
                               path)
    return LabelledSet(str(path), ids, texts, labels, text_ok)
