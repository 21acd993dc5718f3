"""A lossless, tolerant RIS reader built on rispy's parser class.

rispy's :class:`rispy.RisParser` maps tags to names, keeps only the first value of a repeated
single-value tag, drops a final record without ``ER`` and reads only ``XX  - `` lines.
:class:`LosslessRisParser` keeps its interface (``parse_line``, ``parse_lines``, so
``rispy.load(f, implementation=LosslessRisParser)`` works) but maps every tag to itself, keeps
every value of every tag in order, and reads the spacing variants real exports use.

Rules (see ``docs/guides/import.md``):

* a tag line is ``XX  - value`` (any two-character tag, a letter then a letter or digit, or
  ``PMID``); for tags RIS defines, ``XX - value``, ``XX  -value`` and ``XX   - value`` too;
* a record runs from a ``TY`` line to an ``ER`` line, the next ``TY`` line, or the end of the
  file (the last two are reported as warnings);
* any other non-blank line inside a record continues the previous value: it is appended after a
  line break (blank lines between continuation lines are kept as empty lines);
* values are stripped of surrounding white space; a bare carriage return inside a line (Web of
  Science) is a line break inside the value;
* tag lines after a record's ``ER`` and before the next ``TY`` (Ovid's ``NL`` link lines) stay
  with that record (reported); a non-empty ``ER`` value is kept as an ``ER`` tag;
* text outside records (preambles, Ovid record numbers such as ``2.`` after a blank line) is
  skipped, and every skipped line is reported with its line number; a tag line before the
  first record is an error.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import ClassVar, cast

import rispy
from rispy.config import TAG_KEY_MAPPING

from ..errors import InputFormatError

__all__ = ["KNOWN_TAGS", "LONG_LINE", "LosslessRisParser", "is_tag_line", "long_line"]

#: Tags RIS defines (rispy's table plus common extras). Non-standard spacing (``TY - X``) is
#: accepted only for these, so that a wrapped abstract line like ``US - Mexico`` stays text.
KNOWN_TAGS: frozenset[str] = frozenset(TAG_KEY_MAPPING) | frozenset(
    {
        "A5", "A6", "AE", "AI", "AT", "BN", "BT", "C1", "C2", "CP", "CR", "CT", "DI", "DS", "ED",
        "EF", "ET", "FN", "H1", "H2", "IP", "IS", "J1", "JP", "L3", "M2", "N3", "NV", "OL", "PMID",
        "PP", "PT", "RD", "RT", "SF", "SL", "SR", "SV", "TT", "U1", "U2", "U3", "U4", "U5", "UK",
        "VO", "Y3", "Y4", "YR",
    }
)

# One match per line (the text is split on "\n" only: "." also matches a bare "\r").
# Groups: tag, spaces before the dash, space after the dash, rest of the line.
_LINE = re.compile(r"^(?:([A-Z][A-Z0-9]|PMID)( {1,3})-( ?))?(.*)$", re.M)
_STANDARD = "  "
_TWO_CHAR_TAGS = frozenset(
    a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)
_TY_HEAD = re.compile(r"TY {1,3}- ?")
_SPLIT_TAGS = re.compile(r"\n([A-Z][A-Z0-9])  - ?")


def _continued(value: str) -> str | None:
    """A stripped value with its continuation lines joined as the line-by-line reading joins
    them, or None when a line needs that reading (a tag line, an Ovid number, a bare CR)."""
    lines = value.split("\n")
    stripped = list(map(str.strip, lines))
    if max(map(len, stripped[1:]), default=0) > LONG_LINE:
        return None  # the line-by-line reading reports it
    # the usual case: no blank line and nothing that may be a tag line: join in C
    if "" not in stripped[1:] and _TAGGISH.search(value) is None:
        out = "\n".join(stripped)
        if "\r" not in out:
            return out
    out = stripped[0]
    pending = 0
    for line in lines[1:]:
        text = line.strip()
        if not text:
            pending += 1
            continue
        if (
            "\r" in text
            or ("A" <= text[0] <= "Z" and "-" in text[2:8] and is_tag_line(line))
            or (pending and _RECORD_NUMBER.fullmatch(text))
        ):
            return None
        out += "\n" * (pending + 1) + text
        pending = 0
    return out


def _only_crlf(block: str) -> bool:
    """True when every CR in ``block`` ends a line (CRLF), so that stripping values is enough."""
    return _BARE_CR.search(block.rstrip("\r")) is None


_TAGGISH = re.compile(r"\n(?:[A-Z][A-Z0-9]|PMID) {1,3}-")  # a superset of is_tag_line's lines
_BARE_CR = re.compile(r"\r(?!\n)")
_RECORD_NUMBER = re.compile(r"\d+\.?")

Warn = Callable[[int | None, str], None]

#: A line longer than this (in characters) that is not a tag line is still added to the value
#: before it, with a warning naming the line: a line break is probably missing.
LONG_LINE = 5000


def long_line(text: str, start: int) -> str:
    """The warning for a continuation line of ``len(text)`` characters (see LONG_LINE)."""
    shown = text[:40] + "..."
    return (f"a line of {len(text):,} characters that is not a tag line ({shown!r}) was added "
            f"to the value before it, in the record that starts at line {start}; check the "
            "file there (a missing line break or tag?)")


def _clean(value: str) -> str:
    value = value.strip()
    if "\r" in value:  # a bare CR inside a line: a line break inside the value
        value = "\n".join(part.strip() for part in value.split("\r"))
    return value


def is_tag_line(line: str) -> bool:
    """True when ``line`` would be read as a tag line (used by writers to avoid ambiguity)."""
    m = _LINE.match(line)
    assert m is not None
    tag, sp = m.group(1), m.group(2)
    return bool(tag) and (sp == _STANDARD or tag in KNOWN_TAGS)


class LosslessRisParser(rispy.RisParser):
    """rispy's parser, made lossless and tolerant.

    ``parse_lines``/``parse`` (rispy's interface) return one dict per record mapping each tag
    to the list of all its values. :meth:`iter_records` does the same on text chunks and also
    yields each record's first line number and reports what it skipped.
    """

    PATTERN: ClassVar[str] = _LINE.pattern
    DEFAULT_MAPPING: ClassVar[dict] = {t: t for t in KNOWN_TAGS}
    DEFAULT_LIST_TAGS: ClassVar[list[str]] = sorted(KNOWN_TAGS)
    DEFAULT_DELIMITER_MAPPING: ClassVar[dict] = {}

    def parse_line(self, line: str) -> tuple[str, str] | tuple[None, str]:
        """Split one line into ``(tag, value)``, or ``(None, text)`` for a non-tag line."""
        m = _LINE.match(line.rstrip("\n"))
        assert m is not None
        tag, sp, _, val = m.groups()
        if tag and (sp == _STANDARD or tag in KNOWN_TAGS):
            return tag, _clean(val)
        return None, _clean(line)

    def parse_lines(self, lines: Iterable[str]) -> list[dict]:
        """rispy's interface: every record as ``{tag: [values]}`` (warnings are dropped)."""
        text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
        return [tags for _, tags in self.iter_records([text.rstrip("\n")], lambda n, m: None)]

    def parse(self, text: str) -> list[dict]:
        """rispy's interface, on a whole string."""
        return [tags for _, tags in self.iter_records([text], lambda n, m: None)]

    def iter_records(
        self, chunks: Iterable[str], warn: Warn
    ) -> Iterator[tuple[int, dict[str, list[str]]]]:
        """Yield ``(first_line, tags)`` for each record.

        ``chunks`` are pieces of the decoded text, each made of whole lines separated by
        ``"\\n"``, without the line break that ends the piece. ``warn(line, message)`` is called
        for every skipped line and every record closed without ``ER``.
        """
        known = KNOWN_TAGS
        number = _RECORD_NUMBER.fullmatch
        valid = _TWO_CHAR_TAGS
        match = _LINE.match
        rec: dict[str, list[str]] | None = None  # the current record (or the last one, closed)
        is_open = False  # False once its ER line has been read
        had_er = False  # its ER line has been read (it may have been reopened since)
        start = 0
        last: list[str] | None = None  # the value list of the last tag seen in this record
        pending = 0  # blank lines seen since the last non-blank line of the record
        n = 0  # number of the line being read
        split_tags = _SPLIT_TAGS.split
        strip = str.strip
        ty_head = _TY_HEAD.match
        for chunk in chunks:
            end = len(chunk)
            pos = 0
            while pos <= end:
                # Fast path: a whole record of plain "XX  - value" lines, "TY" to "ER", with
                # no continuation or blank line inside: split it in one go.
                if chunk.startswith("TY  - ", pos):
                    head_end = pos + 6
                elif chunk.startswith("TY", pos):
                    head = ty_head(chunk, pos)
                    head_end = head.end() if head is not None else -1
                else:
                    head_end = -1
                if head_end >= 0:
                    er = chunk.find("\nER  -", pos)
                    if er > 0:
                        eol = chunk.find("\n", er + 1)
                        if eol < 0:
                            eol = end
                        block = chunk[head_end:er]
                        parts = split_tags(block)
                        names = parts[1::2]
                        newlines = block.count("\n")
                        values: list[str] | None = None
                        if (
                            not chunk[er + 6 : eol].strip()
                            and "TY" not in names  # no "\nTY  -" line inside
                            and ("\r" not in block or _only_crlf(block))
                        ):
                            if newlines * 2 + 1 == len(parts):
                                ty = parts[0].strip()
                                values = list(map(strip, parts[2::2]))
                            else:
                                # continuation or blank lines inside: join them, unless one
                                # needs the line-by-line reading (a tag with odd spacing…)
                                ty = _continued(parts[0])
                                joined = [_continued(v) if "\n" in v else v.strip()
                                          for v in parts[2::2]]
                                if ty is not None and None not in joined:
                                    values = cast("list[str]", joined)
                        if values is not None:
                            if rec is not None:
                                if not had_er:
                                    warn(start, "record has no 'ER  -' line; it ends where the "
                                         f"next record starts (line {n + 1})")
                                yield start, rec
                            # one value per tag (the usual case): build the lists in C
                            rec = {"TY": [ty]}
                            rec.update(zip(names, map(list, zip(values)), strict=True))
                            if len(rec) <= len(names):  # a repeated tag (TY is not in names)
                                rec = {"TY": [ty]}
                                for t in dict.fromkeys(names):
                                    rec[t] = []
                                # append each value to its tag's list, in order, in C
                                deque(map(list.append, map(rec.__getitem__, names), values), 0)
                            start = n + 1
                            n += newlines + 2
                            is_open = False
                            had_er = True
                            last = None
                            pending = 0
                            pos = eol + 1
                            # the blank line that usually follows, as the slow path reads it
                            if chunk.startswith("\n", pos, end):
                                pos += 1
                                n += 1
                                pending = 1
                            elif chunk.startswith("\r\n", pos, end):
                                pos += 2
                                n += 1
                                pending = 1
                            continue
                # Slow path: one line.
                eol = chunk.find("\n", pos)
                if eol < 0:
                    eol = end
                line = chunk[pos:eol]
                pos = eol + 1
                n += 1
                if not line or line == "\r":  # a blank line (between records, usually)
                    pending += 1
                    continue
                if line[2:5] == "  -" and line[:2] in valid:  # the usual "XX  - value"
                    tag, val = line[:2], line[5:]
                else:
                    tag, sp, _, val = match(line).groups()  # type: ignore[union-attr]
                    if tag and sp != _STANDARD and tag not in known:
                        tag = None
                    if not tag:
                        val = line
                if not tag:
                    text = val.strip()
                    if not text:
                        pending += 1
                        continue
                    if "\r" in text:
                        text = _clean(text)
                    if last is None or (pending and text[0].isdigit() and number(text)):
                        warn(n, _outside(text))
                        continue
                    if len(text) > LONG_LINE:
                        warn(n, long_line(text, start))
                    last[-1] = last[-1] + "\n" * (pending + 1) + text
                    pending = 0
                    continue
                pending = 0
                val = val.strip()
                if "\r" in val:
                    val = _clean(val)
                if tag == "TY":
                    if rec is not None:
                        if not had_er:
                            warn(start, "record has no 'ER  -' line; it ends where the next "
                                 f"record starts (line {n})")
                        yield start, rec
                    last = [val]
                    rec = {"TY": last}
                    start = n
                    is_open = True
                    had_er = False
                elif tag == "ER":
                    if rec is None:
                        warn(n, "skipped an 'ER' line that ends no record"
                             + (f": {val!r}" if val else ""))
                    elif val:  # e.g. "ER  - End of Reference": keep the text
                        rec.setdefault("ER", []).append(val)
                    elif not is_open:
                        warn(n, "skipped a second 'ER' line")
                    is_open = False
                    had_er = True
                    last = None
                elif rec is None:
                    raise InputFormatError(
                        f"a '{tag}  - ' line before the first record: each record must start "
                        "with a 'TY  - ' line and end with 'ER  - '. Fix the file (add the "
                        "missing 'TY  - ' line) or export it again",
                        line=n,
                    )
                else:
                    if not is_open:
                        is_open = True
                        warn(n, f"kept a tag line ('{tag}') that comes after the 'ER' line of "
                             f"the record that starts at line {start} with that record")
                    last = rec.get(tag)
                    if last is None:
                        last = rec[tag] = [val]
                    else:
                        last.append(val)
        if rec is not None:
            if not had_er:
                warn(start, "the last record has no 'ER  -' line; it was kept, ending at the "
                     "end of the file")
            yield start, rec


def _outside(text: str) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    if _RECORD_NUMBER.fullmatch(text):
        return f"skipped a record number outside any record (Ovid style): {shown!r}"
    return f"skipped text outside any record: {shown!r}"

