"""Extracting findings: add, edit and delete a study's findings, with their history kept.

Each change is applied to the study file (``charting/studies/<study>.yaml``) atomically and
only where it changes (:mod:`implmap.charting.yamledit`: the file stays as a person wrote it,
hand-editable), and recorded as one line of the coder's append-only extraction log,
``charting/extraction/<coder>.jsonl`` (fsynced; merged as a union by git)::

    {"action": "edit", "after": {"id": "f4", "statement": "…", "type": "barrier", …},
     "before": {…}, "coder": "ana", "finding": "f4", "note": "", "study": "study-a",
     "time": "<ISO 8601 UTC>"}

``before`` is null for an added finding, ``after`` for a deleted one, so the log holds every
version of every finding people extracted. Everything is checked before anything is written
(an empty statement, an unknown type or level: :class:`~implmap.errors.UsageError` saying
what to write); the study file is written first and put back when the log line cannot be.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import UsageError
from ..fsio import append_line, dump_json_line, write_atomic
from ..gitfiles import update_git_files
from ..jsonl import in_time_order, read_jsonl
from ..screening.log import now
from ..yamlio import load_yaml
from .coding import find_finding
from .model import LEVELS, TYPES, Study
from .store import load_studies, loc_field, study_path
from .vocab import term_names
from .yamledit import append_finding, edit_finding, remove_finding

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = ["FIELDS", "add_finding", "change_finding", "delete_finding", "extraction_history"]

#: what a person extracts for a finding (its ID is given by implmap)
FIELDS = ("statement", "type", "perspective", "level", "source")


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` checked and normalised; a :class:`UsageError` that says what to write."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise UsageError(f"a finding has no field {', '.join(map(repr, unknown))} (its fields: "
                         f"{', '.join(FIELDS)})")
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "perspective":
            items = value.split(",") if isinstance(value, str) else value
            if not isinstance(items, list | tuple):
                raise UsageError("perspective: give a list of whose views (e.g. nurses)")
            out[key] = [str(p).strip() for p in items if str(p).strip()]
            continue
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{key}: give text, not {value!r}")
        text = (value or "").strip()
        if key == "statement" and not text:
            raise UsageError("the statement is empty: write the barrier or facilitator in your "
                             "own words (a paraphrase, not a quotation)")
        if key == "type" and text not in TYPES:
            raise UsageError(f"the type must be barrier or facilitator, not {text!r}")
        if key == "level" and text and text not in LEVELS:
            raise UsageError(f"the level must be one of {', '.join(LEVELS)} (or none), not "
                             f"{text!r}")
        out[key] = text
    return out


def _brief(finding: Any) -> dict[str, Any]:
    data = finding.model_dump(exclude_defaults=True) if hasattr(finding, "model_dump") \
        else dict(finding)
    return {k: data[k] for k in ("id", *FIELDS) if data.get(k) not in (None, "", [])}


def _write(review: ReviewFolder, coder: str, study: str, action: str,
           change: Any, note: str, finding: str | None = None) -> dict[str, Any]:
    """Apply ``change(text, study) -> (new text, finding ID, before, after)`` to the study
    file and log it, under the charting lock; nothing is written when the result is invalid.
    ``finding``: the finding the change needs (a :class:`UsageError` when there is none)."""
    review.manifest.reviewer(coder, UsageError)
    with review.lock("charting"):
        studies = load_studies(review)
        if finding is None:
            s = next((x for x in studies if x.id == study), None)
            if s is None:
                raise UsageError(f"no study {study!r} (studies: "
                                 f"{', '.join(x.id for x in studies) or 'none'})")
        else:
            s, _ = find_finding(review, study, finding, studies)
        path = study_path(review, s.id)
        old = path.read_text("utf-8")
        new, fid, before, after = change(old, s)
        data, _ = load_yaml(path, new, names=term_names())
        try:
            Study.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise UsageError(f"{loc_field(tuple(err['loc']))}: {err['msg']}") from None
        log = review.extraction_log(coder)
        if not log.exists():
            update_git_files(review.root)  # the logs merge as unions
        entry = {"action": action, "study": s.id, "finding": fid, "before": before,
                 "after": after, "coder": coder, "time": now(), "note": note}
        write_atomic(path, new)
        try:
            append_line(log, dump_json_line(entry))
        except OSError:
            write_atomic(path, old)  # nothing half-written
            raise
    return entry


def add_finding(review: ReviewFolder, coder: str, study: str, statement: str, type: str,
                perspective: Iterable[str] | str = (), level: str | None = None,
                source: str = "", note: str = "") -> dict[str, Any]:
    """Add a finding to ``study`` (the next free ID ``f<n>``), as ``coder`` extracted it.
    Returns the log line (``after`` is the finding as written)."""
    values = _clean({"statement": statement, "type": type, "perspective": list(perspective)
                     if not isinstance(perspective, str) else perspective,
                     "level": level, "source": source})

    def change(text: str, s: Study) -> tuple[str, str, None, dict[str, Any]]:
        taken = {f.id for f in s.findings}
        n = len(s.findings) + 1
        while f"f{n}" in taken:
            n += 1
        finding = _brief({"id": f"f{n}", **values})
        return append_finding(text, finding), f"f{n}", None, finding

    return _write(review, coder, study, "add", change, note)


def change_finding(review: ReviewFolder, coder: str, study: str, finding: str,
                   changes: Mapping[str, Any], note: str = "") -> dict[str, Any]:
    """Change some of a finding's extracted fields (:data:`FIELDS`); an empty level, source
    or perspective takes the field out. Its tags are left as they are."""
    values = _clean(changes)
    if not values:
        raise UsageError(f"say what to change in {study}/{finding} ({', '.join(FIELDS)})")

    def change(text: str, s: Study) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
        index = next(i for i, f in enumerate(s.findings) if f.id == finding)
        before = _brief(s.findings[index])
        set_ = {k: v for k, v in values.items() if v not in ("", [])}
        gone = [k for k, v in values.items() if v in ("", [])]
        after = _brief({**before, **set_, **dict.fromkeys(gone)})
        return edit_finding(text, index, set_, gone), finding, before, after

    return _write(review, coder, study, "edit", change, note, finding)


def delete_finding(review: ReviewFolder, coder: str, study: str, finding: str,
                   note: str = "") -> dict[str, Any]:
    """Take a finding out of its study file; the log keeps it (``before``). Coders' tags for
    it stay in their logs."""

    def change(text: str, s: Study) -> tuple[str, str, dict[str, Any], None]:
        index = next(i for i, f in enumerate(s.findings) if f.id == finding)
        return remove_finding(text, index), finding, _brief(s.findings[index]), None

    return _write(review, coder, study, "delete", change, note, finding)


def extraction_history(review: ReviewFolder, study: str | None = None,
                       finding: str | None = None) -> list[dict[str, Any]]:
    """Every extraction edit of every coder, in time order (optionally of one study or one
    finding)."""
    d = review.extraction_dir
    lines: list[tuple[int, dict[str, Any]]] = []
    for path in sorted(d.glob("*.jsonl")) if d.is_dir() else []:
        lines += read_jsonl(path)
    out = [e for _, e in in_time_order(lines)]
    return [e for e in out if (study is None or e.get("study") == study)
            and (finding is None or e.get("finding") == finding)]
