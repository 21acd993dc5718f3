"""Editing the review's theme codebook (``charting/themes.yaml``), with every reference kept in
step: :func:`add_theme`, :func:`rename_theme`, :func:`describe_theme`, :func:`change_theme_id`
and :func:`merge_themes`.

The codebook is written by hand (a header comment, folded descriptions), so it is edited by
its items: an unchanged theme keeps its lines as written, a new or changed theme is written as
block YAML (its description folded at 96 columns), and the result is parsed back and compared
with the intended codebook before it replaces the file (atomically); an unusual layout is
dumped whole instead, after the same header comment, so nothing is ever lost.

A theme's ID is referenced by each finding's agreed ``themes`` (study files), by the coders'
own tags in their logs (``charting/coding/<coder>.jsonl``) and, in older folders, by the tags
kept inside study files (a finding's ``coding``). :func:`merge_themes` and
:func:`change_theme_id` rewrite the agreed tags in the study files (each file atomically, only
the lines of the findings that change) and append one new line per affected coding to its
coder's log (one fsynced write per log), with a note saying what happened: the logs keep their
history. The files are written in an order that leaves a valid review at every step: the
references first, the codebook last (a theme that gets a new ID is added before, and removed
after, its references move).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import takewhile
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import Report, UsageError, ValidationFailed
from ..fsio import append_line, dump_json_line, write_atomic
from ..screening.log import now
from ..yamlio import SAFE_LOADER
from .coding import read_coding_log
from .model import ID_PATTERN, Theme
from .store import read_study
from .vocab import load_themes
from .yamledit import edit_finding

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = [
    "ThemeChange",
    "add_theme",
    "change_theme_id",
    "codebook_text",
    "describe_theme",
    "merge_themes",
    "rename_theme",
]

_WIDTH = 96


@dataclass
class ThemeChange:
    """What a codebook edit changed: the codebook as written, and the references moved.

    ``study_files``: study files rewritten; ``findings``: findings whose agreed tags (or tags
    kept in the study file) changed; ``log_lines``: lines appended to the coders' logs.
    """

    themes: list[Theme]
    study_files: list[str] = field(default_factory=list)
    findings: int = 0
    log_lines: int = 0


# ------------------------------------------------------------------------------ the YAML text
def _norm(item: Any) -> dict[str, Any] | None:
    """A parsed codebook item as a theme's fields (None when it is not a valid theme)."""
    try:
        return Theme.model_validate(item).model_dump()
    except ValueError:
        return None


def _theme_lines(theme: Theme) -> list[str]:
    """One theme as block YAML lines (``- id: …``), its description folded when long."""
    head = yaml.safe_dump([{"id": theme.id, "name": theme.name}], sort_keys=False,
                          allow_unicode=True, width=_WIDTH).splitlines()
    desc = theme.description
    if not desc:
        return head
    lines = head + ["  description: >-"] + [
        "    " + line for line in textwrap.wrap(desc, _WIDTH - 4, break_long_words=False,
                                                break_on_hyphens=False)]
    if _norm((yaml.load("\n".join(lines), Loader=SAFE_LOADER) or [None])[0]) == theme.model_dump():
        return lines
    plain = yaml.safe_dump({"description": desc}, allow_unicode=True, width=_WIDTH)
    return head + ["  " + line for line in plain.splitlines()]


def _item_spans(text: str) -> list[tuple[int, int]] | None:
    """The (first, end) line of each item of a block-list codebook (None for another layout).

    An item runs to the next item (comments between two items go with the first)."""
    root = yaml.compose(text, Loader=SAFE_LOADER)
    if not isinstance(root, yaml.SequenceNode) or root.flow_style:
        return None
    starts = [item.start_mark.line for item in root.value]
    ends = [*starts[1:], len(text.splitlines())]
    return list(zip(starts, ends, strict=True))


def codebook_text(text: str, themes: Sequence[Theme]) -> str:
    """The codebook file ``text`` holding ``themes`` (in that order) instead.

    Themes unchanged keep their lines as written, and the lines above the first theme (the
    header comment) are kept; see the module's docstring.
    """
    want = [t.model_dump() for t in themes]
    lines = text.splitlines()
    try:
        spans = _item_spans(text) if text.strip() else []
        data = yaml.load(text, Loader=SAFE_LOADER) if text.strip() else []
    except yaml.YAMLError:
        spans, data = None, None
    if spans is not None and isinstance(data, list):
        header = lines[:spans[0][0]] if spans else [x for x in lines if x.startswith("#")]
        old: dict[str, tuple[dict[str, Any], list[str]]] = {}
        for (start, end), item in zip(spans, data, strict=True):
            norm = _norm(item)
            if norm is not None:
                old.setdefault(norm["id"], (norm, lines[start:end]))
        body: list[str] = []
        for t in themes:
            have = old.get(t.id)
            body += have[1] if have is not None and have[0] == t.model_dump() else _theme_lines(t)
        out = "\n".join(header + body) + "\n"
        try:
            if [_norm(x) for x in yaml.load(out, Loader=SAFE_LOADER) or []] == want:
                return out
        except yaml.YAMLError:
            pass
    header = list(takewhile(lambda x: x.startswith("#"), lines))  # the leading comment
    dumped = yaml.safe_dump(want, sort_keys=False, allow_unicode=True, width=_WIDTH)
    return "\n".join([*header, dumped.rstrip("\n")]) + "\n"


def _write(review: ReviewFolder, themes: Sequence[Theme]) -> None:
    path = review.themes_path
    text = path.read_text("utf-8") if path.exists() else ""
    write_atomic(path, codebook_text(text, themes))


# --------------------------------------------------------------------------------- arguments
def _codebook(review: ReviewFolder) -> list[Theme]:
    """The codebook as it is, refused when it names an ID twice."""
    themes = load_themes(review)
    seen: set[str] = set()
    for t in themes:
        if t.id in seen:
            raise UsageError(f"{review.rel(review.themes_path)} names theme ID {t.id!r} twice; "
                             "fix the file by hand first (`implmap check` shows where)")
        seen.add(t.id)
    return themes


def _index(review: ReviewFolder, themes: Sequence[Theme], theme_id: str) -> int:
    for i, t in enumerate(themes):
        if t.id == theme_id:
            return i
    known = ", ".join(t.id for t in themes) or "none yet"
    raise UsageError(f"no theme with ID {theme_id!r} in {review.rel(review.themes_path)} "
                     f"(IDs: {known}); IDs are matched exactly")


def _new_id(themes: Sequence[Theme], theme_id: str) -> str:
    theme_id = theme_id.strip()
    if not re.match(ID_PATTERN, theme_id):
        raise UsageError(f"theme ID {theme_id!r} is not valid: use letters, digits, '.', '_' "
                         "or '-', starting with a letter or digit (e.g. 'trust-and-commitment')")
    if any(t.id == theme_id for t in themes):
        raise UsageError(f"the codebook already has a theme with ID {theme_id!r}; IDs must be "
                         "unique (choose another, or merge into that theme)")
    return theme_id


def _name(name: str) -> str:
    if not name.strip():
        raise UsageError("a theme needs a name (the display name, e.g. 'Trust and commitment')")
    return name.strip()


# --------------------------------------------------------------------------------- the edits
def add_theme(review: ReviewFolder, theme_id: str, name: str, description: str = "") -> Theme:
    """Add a theme at the end of the codebook (creating the file if needed); returns it.

    Raises :class:`UsageError` for an invalid or taken ID, or an empty name.
    """
    with review.lock("charting"):
        themes = _codebook(review)
        theme = Theme(id=_new_id(themes, theme_id), name=_name(name),
                      description=description.strip())
        _write(review, [*themes, theme])
    return theme


def rename_theme(review: ReviewFolder, theme_id: str, name: str) -> Theme:
    """Give a theme a new display name (its ID, and so every reference, stays)."""
    return _update(review, theme_id, name=_name(name))


def describe_theme(review: ReviewFolder, theme_id: str, description: str) -> Theme:
    """Replace a theme's description (an empty one removes it)."""
    return _update(review, theme_id, description=description.strip())


def _update(review: ReviewFolder, theme_id: str, **changes: str) -> Theme:
    with review.lock("charting"):
        themes = _codebook(review)
        i = _index(review, themes, theme_id)
        themes[i] = themes[i].model_copy(update=changes)
        _write(review, themes)
    return themes[i]


def merge_themes(review: ReviewFolder, source_ids: Iterable[str] | str, into_id: str
                 ) -> ThemeChange:
    """Merge the themes ``source_ids`` into the theme ``into_id`` and take them out of the
    codebook.

    Every finding's agreed ``themes`` and every coding in force that names a source theme
    gets ``into_id`` in its place (once, where it was); see the module's docstring for how
    each file is written. Raises :class:`UsageError` for an unknown ID, an ID given twice, or
    ``into_id`` among the sources.
    """
    sources = [source_ids] if isinstance(source_ids, str) else list(source_ids)
    if not sources:
        raise UsageError("name at least one theme to merge")
    if len(set(sources)) != len(sources):
        raise UsageError(f"a theme to merge is named twice: {', '.join(sources)}")
    if into_id in sources:
        raise UsageError(f"theme {into_id!r} cannot be merged into itself")
    with review.lock("charting"):
        themes = _codebook(review)
        for t in [*sources, into_id]:
            _index(review, themes, t)
        change = _move_refs(review, dict.fromkeys(sources, into_id),
                            "; ".join(f"theme {s} merged into {into_id}" for s in sources))
        change.themes = [t for t in themes if t.id not in sources]
        _write(review, change.themes)
    return change


def change_theme_id(review: ReviewFolder, old_id: str, new_id: str) -> ThemeChange:
    """Give a theme a new ID, and every reference to it with it (name and description stay).

    The codebook first holds both IDs, then the references move, then the old ID goes, so a
    run cut short leaves a valid review (finish it with :func:`merge_themes` of the old ID into
    the new one).
    """
    with review.lock("charting"):
        themes = _codebook(review)
        i = _index(review, themes, old_id)
        new = themes[i].model_copy(update={"id": _new_id(themes, new_id)})
        _write(review, [*themes[:i + 1], new, *themes[i + 1:]])
        change = _move_refs(review, {old_id: new.id},
                            f"theme ID {old_id} changed to {new.id}")
        change.themes = [*themes[:i], new, *themes[i + 1:]]
        _write(review, change.themes)
    return change


# ---------------------------------------------------------------------------- the references
def _moved(ids: Iterable[str], mapping: Mapping[str, str]) -> list[str] | None:
    """``ids`` with each mapped ID replaced (duplicates dropped); None when none is mapped."""
    ids = list(ids)
    if not any(t in mapping for t in ids):
        return None
    return list(dict.fromkeys(mapping.get(t, t) for t in ids))


def _move_refs(review: ReviewFolder, mapping: Mapping[str, str], note: str) -> ThemeChange:
    """Rewrite every reference to a key of ``mapping`` to its value (study files, then logs)."""
    change = ThemeChange(themes=[])
    report = Report()
    read = [(path, read_study(path, report, str(review.rel(path)))[0])
            for path in review.study_files()]
    if not report.valid:
        raise ValidationFailed(report)
    for path, study in read:
        if study is None:  # pragma: no cover - an invalid file makes the report invalid
            continue
        text = path.read_text("utf-8")
        changed = False
        for index, f in enumerate(study.findings):
            edits: dict[str, Any] = {}
            themes = _moved(f.themes, mapping)
            if themes is not None:
                edits["themes"] = themes
            if f.coding and any(_moved(c.themes, mapping) for c in f.coding.values()):
                edits["coding"] = {coder: {"domains": c.domains,
                                           "themes": _moved(c.themes, mapping) or c.themes}
                                   for coder, c in f.coding.items()}
            if edits:
                text = edit_finding(text, index, edits)
                change.findings += 1
                changed = True
        if changed:
            write_atomic(path, text)
            change.study_files.append(str(review.rel(path)))
    stamp = now()
    for log in review.coding_logs():
        lines = []
        for (study_id, finding), entry in read_coding_log(log).items():
            themes = _moved(entry.get("themes") or [], mapping)
            if themes is not None:
                lines.append(dump_json_line({
                    "study": study_id, "finding": finding, "tdf": entry.get("tdf"),
                    "themes": themes, "coder": entry.get("coder", log.stem), "time": stamp,
                    "note": note}).rstrip("\n"))
        if lines:
            append_line(log, "\n".join(lines))  # one fsynced write per log
            change.log_lines += len(lines)
    return change
