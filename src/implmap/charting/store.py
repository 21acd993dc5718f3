"""Reading the study files of a review (``charting/studies/*.yaml``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from ..errors import InputFormatError, Report, UsageError, ValidationFailed
from ..fsio import stat_signature
from ..yamlio import SAFE_LOADER, Marks, load_yaml
from .model import Study
from .vocab import term_names

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = [
    "load_studies",
    "load_studies_cached",
    "loc_field",
    "read_study",
    "report_duplicate_keys",
    "study_path",
]



def loc_field(loc: tuple) -> str:
    """``('findings', 2, 'type')`` → ``'findings[2].type'``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def report_duplicate_keys(report: Report, rel: str, marks: Marks) -> None:
    """A ``duplicate-key`` problem for each key that ``marks`` saw given twice in file ``rel``."""
    for loc, line, first in marks.duplicates:
        report.add(rel, f"key {loc[-1]!r} is given twice (first on line {first}); YAML keeps "
                   "only the last value: remove one", line=line, field=loc_field(loc),
                   code="duplicate-key")


def read_study(path: Path, report: Report, rel: str | None = None
               ) -> tuple[Study | None, Marks | None, Any]:
    """Parse and shape-check one study file; add every problem to ``report``.

    Returns the study (None when it could not be read or does not fit the schema), the line
    marks of its nodes, and the parsed data (None after a syntax error).
    """
    rel = rel or str(path)
    try:
        data, marks = load_yaml(path, names=term_names())
    except InputFormatError as exc:
        report.add(rel, exc.reason, line=exc.line, code="yaml-syntax")
        return None, None, None
    report_duplicate_keys(report, rel, marks)
    if not isinstance(data, dict):
        report.add(rel, "a study file must be a mapping (id, records, citation, findings, …)",
                   line=1, code="invalid-study")
        return None, marks, data
    try:
        study = Study.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"]
            if err["type"] == "missing":
                msg = f"required field {loc[-1]!r} is missing"
            elif err["type"] == "literal_error":
                msg = f"{msg}; got {err.get('input')!r}"
            elif err["type"] == "extra_forbidden":
                msg = f"unknown field {loc[-1]!r} (check the spelling against the study schema)"
            code = "missing-type" if loc[-1] == "type" and err["type"] == "missing" \
                else "invalid-field"
            if loc[-1] in _TEXTS and (err["type"] in ("missing", "string_too_short") or (
                    err["type"] == "string_type" and err.get("input") is None)):
                msg, code = _TEXTS[str(loc[-1])], f"empty-{loc[-1]}"
            report.add(rel, msg, line=marks.line(loc), field=loc_field(loc),
                       record=_finding_id(data, loc), code=code)
        return None, marks, data
    return study, marks, data


#: the texts a study file must not leave empty, and what to write in them
_TEXTS = {
    "statement": "the finding's statement is missing or empty; write the barrier or "
                 "facilitator in your own words (a paraphrase, not a quotation)",
    "citation": "the study's citation is missing or empty; give its reference (authors, "
                "title, journal, year)",
}


def _finding_id(data: dict, loc: tuple) -> str | None:
    if len(loc) >= 2 and loc[0] == "findings" and isinstance(loc[1], int):
        try:
            fid = data["findings"][loc[1]].get("id")
        except (AttributeError, IndexError, KeyError, TypeError):
            return None
        return str(fid) if fid is not None else None
    return None


def _split_name_pattern() -> re.Pattern[str]:
    """Matches the first piece of a name with a comma, followed by its comma."""
    firsts = sorted({n.split(",")[0].strip() for n in term_names() if "," in n})
    return re.compile("|".join(re.escape(f) + r"\s*," for f in firsts) or "(?!)")


def load_studies(review: ReviewFolder, *, fast: bool = False) -> list[Study]:
    """Every study of the review, in file-name order.

    Raises :class:`~implmap.errors.ValidationFailed` (with the file and line of each problem)
    when a study file cannot be read or does not fit the schema.

    ``fast=True`` (the evidence map, on big reviews): each file is parsed with libyaml alone
    (no line marks, so a key given twice is not reported: YAML keeps the last value) and
    validated with the model; if any file does not parse or validate, every file is read
    again the full way, which raises the report.
    """
    files = review.study_files()
    if fast:
        out = []
        split = _split_name_pattern()
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
                if split.search(text):  # a name with a comma, perhaps in a flow list
                    data, _ = load_yaml(path, text, names=term_names())
                else:
                    data = yaml.load(text, Loader=SAFE_LOADER)
                out.append(Study.model_validate(data))
            except (yaml.YAMLError, UnicodeDecodeError, ValidationError, InputFormatError):
                break
        else:
            return out
    report = Report()
    studies = []
    for path in files:
        study, _, _ = read_study(path, report, str(review.rel(path)))
        if study is not None:
            studies.append(study)
    if not report.valid:
        raise ValidationFailed(report)
    return studies


#: Parsed study files by path: (stat signature, study); see :func:`load_studies_cached`.
_PARSED: dict[str, tuple[tuple[int, int, int, int], Study]] = {}


def load_studies_cached(review: ReviewFolder) -> list[Study]:
    """:func:`load_studies`, reading again only the files changed since the last call.

    A file counts as unchanged while its stat signature (device, inode, size, modification
    time in nanoseconds) is the same; an atomic rewrite gives it a new inode. For callers that
    look studies up on every call (saving one coding): the studies returned are shared between
    calls, so treat them as read-only. Raises as :func:`load_studies` does.
    """
    out = []
    for path in review.study_files():
        sig = stat_signature(path)
        hit = _PARSED.get(str(path))
        if hit is None or hit[0] != sig:
            report = Report()
            study, _, _ = read_study(path, report, str(review.rel(path)))
            if study is None or sig is None or not report.valid:  # a key given twice too
                _PARSED.pop(str(path), None)
                return load_studies(review)  # raises the report of every file
            hit = (sig, study)
            _PARSED[str(path)] = hit
        out.append(hit[1])
    return out


def study_path(review: ReviewFolder, study: str) -> Path:
    """The file of study ``study``: ``charting/studies/<study>.yaml``, or the file whose
    ``id`` it is; a :class:`UsageError` when there is none."""
    for path in review.study_files():
        if path.stem == study:
            return path
    for path in review.study_files():  # a file named other than its study ID
        data = yaml.safe_load(path.read_text("utf-8"))
        if isinstance(data, dict) and data.get("id") == study:
            return path
    raise UsageError(f"no study file for {study!r}")
