"""Read a search export: detect its format and encoding, decode it, and parse every record.

:func:`read_file` returns a :class:`~implmap.records.model.ParsedFile` with every record's tags
(every tag, every value, in order). :func:`stream_file` does the same work lazily, one record
at a time, for big files (this is what ``Review.import_file`` uses).

Formats: RIS (any database or reference manager; see :mod:`implmap.records.ris`) and
PubMed/MEDLINE (``.nbib`` or PubMed-format ``.txt``; see :mod:`implmap.records.pubmed`).
Anything else raises one :class:`~implmap.errors.InputFormatError` naming the file and saying
what it looks like.

Encodings: see :mod:`implmap.records.encoding`.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputFormatError
from .encoding import decode, detect_encoding, encoding_label, newline_mode
from .model import ParsedFile, ParsedRecord
from .pubmed import iter_pubmed_records
from .ris import LosslessRisParser

__all__ = [
    "StreamedFile",
    "estimate_records",
    "read_export_bytes",
    "read_file",
    "stream_file",
]

_QUICK_CHECK = 1 << 20  # bytes checked to be UTF-8 up front by stream_file(check_all=False)
_LISTED = 100  # warnings listed one by one before they are summarised



class _Warnings:
    """Collects warnings as ``"<file>, line <n>: <message>"``; summarises floods."""

    def __init__(self, name: str):
        self.name = name
        self.items: list[str] = []
        self.numbers: list[int] = []  # Ovid-style record numbers, reported together
        self.after_er: list[int] = []  # tag lines after ER kept with their record (Ovid NL)
        self.more = 0
        self.more_lines: list[int] = []

    def __call__(self, line: int | None, message: str) -> None:
        if message.startswith("skipped a record number"):
            if line is not None:
                self.numbers.append(line)
            return
        if message.startswith("kept a tag line"):
            if line is not None:
                self.after_er.append(line)
            return
        if len(self.items) < _LISTED:
            where = f"{self.name}, line {line}" if line is not None else self.name
            self.items.append(f"{where}: {message}")
        else:
            self.more += 1
            if line is not None:
                self.more_lines.append(line)

    def add(self, message: str) -> None:
        self.items.append(f"{self.name}: {message}")

    def finish(self) -> list[str]:
        out = list(self.items)
        if self.numbers:
            out.append(f"{self.name}: skipped {len(self.numbers)} record number line(s) outside "
                       f"records (Ovid style '1.'), at line(s) {_lines(self.numbers)}")
        if self.after_er:
            out.append(f"{self.name}: kept {len(self.after_er)} tag line(s) that came after "
                       "their record's 'ER' line (as Ovid writes 'NL' links) with that record, "
                       f"at line(s) {_lines(self.after_er)}")
        if self.more:
            lines = self.more_lines
            span = f" (lines {lines[0]} to {lines[-1]})" if lines else ""
            out.append(f"{self.name}: {self.more} more warning(s) like the ones above{span}, "
                       "not listed one by one")
        return out


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:20]))
    if len(numbers) > 20:
        shown += f", … (last at line {numbers[-1]})"
    return shown


# ------------------------------------------------------------------------------------- format
_RIS_START = re.compile(r"^TY {1,3}-", re.M)
_PUBMED_START = re.compile(r"^PMID- *\d", re.M)
_RIS_TAG = re.compile(r"^[A-Z][A-Z0-9] {1,3}- ", re.M)


def sniff(head: str, name: str) -> str:
    """``"ris"`` or ``"pubmed"`` from the start of the decoded text, or InputFormatError."""
    text = head.lstrip("\ufeff")
    if not text.strip():
        raise InputFormatError("the file is empty: it holds no records. Export the search "
                               "results again as RIS or PubMed format", name)
    pm, ris = _PUBMED_START.search(text), _RIS_START.search(text)
    if pm and (not ris or pm.start() < ris.start()):
        return "pubmed"
    if ris:
        return "ris"
    raise InputFormatError(_describe(text), name)


def _describe(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:200] if ln.strip()]
    first = lines[0].strip() if lines else ""
    shown = first if len(first) <= 60 else first[:57] + "..."
    todo = "; export the records again as RIS (or PubMed format) and import that file"
    if first.startswith(("FN ", "VR ")) or (
        any(re.match(r"PT [A-Z]\s*$", ln) for ln in lines)
        and any(ln.rstrip() == "ER" for ln in lines)
    ):
        return ("it looks like a Web of Science tagged export (FN/PT/ER lines), not RIS; in Web "
                "of Science export as 'RIS (other reference software)' and import that file")
    if first.startswith("<"):
        return f"it looks like XML or HTML (first line {shown!r}), not RIS or PubMed" + todo
    if first.startswith(("{", "[")):
        return f"it looks like JSON (first line {shown!r}), not RIS or PubMed" + todo
    if re.match(r"@\w+\s*[{(]", first):
        return "it looks like a BibTeX file (@article{...}), not RIS or PubMed" + todo
    if re.match(r"%[0A-Z] ", first):
        return "it looks like an EndNote/Refer tagged file (%0, %A lines), not RIS" + todo
    for sep, label in ((",", "CSV (comma-separated)"), ("\t", "tab-separated"),
                       (";", "semicolon-separated")):
        counts = [ln.count(sep) for ln in lines[:5]]
        if counts and counts[0] >= 2:
            return (f"it looks like a {label} table (first line {shown!r}), not RIS or PubMed"
                    + todo)
    m = _RIS_TAG.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        return (f"it has RIS-style tag lines (line {line}: {text[m.start():m.start() + 10]!r}) "
                "but no 'TY  - ' line starting a record; each RIS record must start with "
                "'TY  - ' and end with 'ER  - '" + todo)
    return ("no RIS record (a 'TY  - ' line) and no PubMed record (a 'PMID- ' line) found; "
            f"the first line is {shown!r}" + todo)


# ------------------------------------------------------------------------------------ reading
def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_export_bytes(path: str | Path) -> bytes:
    """The bytes of the export file ``path``, refusing anything but a regular file before
    reading it: a device (``/dev/zero`` never ends), a named pipe (waits forever), a socket.

    Raises ``FileNotFoundError`` and ``IsADirectoryError`` as :func:`open` does (callers word
    them), ``PermissionError`` for a file that may not be read, and
    :class:`~implmap.errors.InputFormatError` for anything that is not a regular file.
    """
    path = Path(path)
    # O_NONBLOCK: opening a named pipe must not wait for a writer (it has no effect on a file)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with open(fd, "rb", closefd=True) as fh:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(f"{path} is a folder")
        if not stat.S_ISREG(mode):
            raise InputFormatError(
                f"it is {_kind(mode)}, not a file, so it cannot be a search export; name the "
                "export file itself (save the search results to a file first)", str(path))
        return fh.read()


@dataclass
class StreamedFile:
    """A file being read lazily: its format and encoding, and an iterator of records.

    ``records`` yields ``(first_line, tags)``; :attr:`warnings` is complete once it is
    exhausted. A malformed record raises :class:`~implmap.errors.InputFormatError` with its
    line (and no path: the caller adds it).
    """

    path: str
    format: str
    encoding: str
    records: Iterator[tuple[int, dict[str, list[str]]]]
    _warnings: _Warnings = field(repr=False)

    @property
    def warnings(self) -> list[str]:
        return self._warnings.finish()


def stream_file(path: str | Path, data: bytes | None = None, *, check_all: bool = True
                ) -> StreamedFile:
    """Start reading ``path`` (or ``data``, its bytes): detect format and encoding now, parse
    records lazily. Raises :class:`~implmap.errors.InputFormatError` for bad input.

    With ``check_all=False`` only the first MB is checked to be UTF-8 before parsing (one
    pass fewer over a big file); iterating the records then raises ``UnicodeDecodeError`` if
    a later part is not, and the caller starts again with ``check_all=True``.
    """
    path = Path(path)
    name = path.name
    if data is None:
        try:
            data = read_export_bytes(path)
        except FileNotFoundError:
            raise InputFormatError("no such file", str(path)) from None
        except IsADirectoryError:
            raise InputFormatError("it is a folder; name the export file itself",
                                   str(path)) from None
        except PermissionError:
            raise InputFormatError("the file may not be read (permission denied); make it "
                                   "readable or copy it somewhere readable", str(path)) from None
    codec, skip, enc_warnings = detect_encoding(data, str(path),
                                                None if check_all else _QUICK_CHECK)
    warn = _Warnings(name)
    for w in enc_warnings:
        warn.items.append(w.replace(str(path), name, 1))
    cr_only = newline_mode(data, codec)
    try:
        head = next(decode(data, codec, skip, cr_only=cr_only, size=1 << 16))
    except UnicodeDecodeError as exc:  # a BOM that lies (or past the quick UTF-8 check)
        if not check_all and codec == "utf-8":
            raise
        raise InputFormatError(f"cannot be decoded as {codec}: {exc.reason}", str(path)) from None
    fmt = sniff(head, str(path))
    chunks = decode(data, codec, skip, cr_only=cr_only)
    if fmt == "ris":
        inner = LosslessRisParser().iter_records(chunks, warn)
    else:
        inner = iter_pubmed_records(chunks, warn)
    return StreamedFile(str(path), fmt, encoding_label(data, codec), inner, warn)


def estimate_records(raw: bytes, streamed: StreamedFile) -> int:
    """A quick estimate of the number of records in ``raw`` (for progress bars)."""
    codec = streamed.encoding.split(" ")[0]
    needle = "\nPMID-" if streamed.format == "pubmed" else "\nTY  -"
    try:
        pattern = needle.encode(codec)
    except LookupError:  # pragma: no cover
        return 0
    sample = 1 << 20
    if len(raw) <= 2 * sample:
        return raw.count(pattern) + 1
    return int(raw.count(pattern, 0, sample) * len(raw) / sample) + 1  # a sample is enough


def read_file(path: str | Path, data: bytes | None = None) -> ParsedFile:
    """Read one RIS or PubMed/MEDLINE export completely.

    Args:
        path: The file (its name is used in messages even when ``data`` is given).
        data: The file's bytes, when already read.

    Returns:
        A :class:`~implmap.records.model.ParsedFile`: format (``"ris"`` or ``"pubmed"``),
        encoding used, warnings (each naming file and line), and every record with every tag
        and value in file order.

    Raises:
        InputFormatError: the file is not RIS or PubMed (the message says what it looks like),
            or a record is malformed (the message names the line).
    """
    s = stream_file(path, data)
    try:
        records = [ParsedRecord.model_construct(line=n, tags=t) for n, t in s.records]
    except InputFormatError as exc:
        if exc.path is None:  # a malformed record: name the file
            raise InputFormatError(exc.reason, s.path, exc.line) from None
        raise
    if not records:
        raise InputFormatError("no records found: the file has no complete RIS or PubMed "
                               "record; export the search results again", s.path)
    return ParsedFile(path=s.path, format=s.format, encoding=s.encoding,
                      warnings=s.warnings, records=records)
