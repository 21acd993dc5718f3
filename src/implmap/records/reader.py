"""Read a search export: detect its format and encoding, decode it, and parse every record.

:func:`read_file` returns a :class:`~implmap.records.model.ParsedFile` with every record's tags
(every tag, every value, in order). :func:`stream_file` does the same work lazily, one record
at a time, for big files (this is what ``Review.import_file`` uses).

Formats: RIS (any database or reference manager; see :mod:`implmap.records.ris`) and
PubMed/MEDLINE (``.nbib`` or PubMed-format ``.txt``; see :mod:`implmap.records.pubmed`).
Anything else raises one :class:`~implmap.errors.InputFormatError` naming the file and saying
what it looks like.

Encodings: a byte-order mark (UTF-8, UTF-16, UTF-32) is honoured; otherwise the file must be
valid UTF-8, or it is decoded as Windows-1252 (or Latin-1 when it holds bytes Windows-1252
does not define) and a warning names the encoding used and the first line that was not UTF-8.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputFormatError
from .model import ParsedFile, ParsedRecord
from .pubmed import iter_pubmed_records
from .ris import LosslessRisParser

__all__ = [
    "StreamedFile",
    "decode",
    "detect_encoding",
    "estimate_records",
    "read_file",
    "stream_file",
]

CHUNK = 1 << 22  # bytes decoded at a time
_QUICK_CHECK = 1 << 20  # bytes checked to be UTF-8 up front by stream_file(check_all=False)
_LISTED = 100  # warnings listed one by one before they are summarised

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
]


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


# ----------------------------------------------------------------------------------- encoding
def _first_bad_utf8(raw: bytes | memoryview, start: int, limit: int | None = None
                    ) -> int | None:
    """Offset of the first byte that is not valid UTF-8, or None (checked chunk by chunk; only
    the first ``limit`` bytes when given)."""
    dec = codecs.getincrementaldecoder("utf-8")("strict")
    mv = memoryview(raw)
    end = len(mv) if limit is None else min(len(mv), limit)
    final = end == len(mv)
    for i in range(start, end, CHUNK):
        buffered = len(dec.getstate()[0])
        try:
            dec.decode(mv[i : min(i + CHUNK, end)], final=final and i + CHUNK >= end)
        except UnicodeDecodeError as exc:
            return max(start, i - buffered + exc.start)
    return None


# every byte but the C0 control characters that text files do not hold (NUL, BEL, ESC…)
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 32 and b not in b"\t\n\r\x0c\x0b"))


def detect_encoding(raw: bytes, name: str = "<data>", limit: int | None = None
                    ) -> tuple[str, int, list[str]]:
    """Return ``(codec, bom_length, warnings)`` for ``raw``.

    With ``limit``, only that many bytes are checked to be UTF-8: decoding the rest then
    raises ``UnicodeDecodeError`` if it is not, and the caller reads again with no limit.
    Raises :class:`~implmap.errors.InputFormatError` for binary data (PDF, ZIP, NUL bytes).
    """
    for bom, codec, _label in _BOMS:
        if raw.startswith(bom):
            return codec, 0 if codec in ("utf-8-sig", "utf-16", "utf-32") else len(bom), []
    head = raw[:4096]
    if head.startswith(b"%PDF"):
        raise InputFormatError("it looks like a PDF document, not a search export; export the "
                               "search results from the database as RIS or PubMed format", name)
    if head.startswith(b"PK\x03\x04"):
        raise InputFormatError("it looks like a ZIP archive (an Excel or Word file?), not a "
                               "search export; export the records as RIS or PubMed format", name)
    if head.count(0) * 50 > len(head):  # more than 2 % NUL bytes: UTF-16 or binary
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 3 and even < len(head) // 50:
            return "utf-16-le", 0, [f"{name}: no byte-order mark, but the file looks like "
                                    "UTF-16 (little endian); decoded as utf-16-le"]
        if even > len(head) // 3 and odd < len(head) // 50:
            return "utf-16-be", 0, [f"{name}: no byte-order mark, but the file looks like "
                                    "UTF-16 (big endian); decoded as utf-16-be"]
        raise InputFormatError("it looks like a binary file (it contains NUL bytes), not a "
                               "text export; export the records as RIS or PubMed format", name)
    if len(head.translate(None, _NOT_CONTROL)) * 20 > len(head):  # over 5 % control bytes
        raise InputFormatError("it looks like a binary file (it is full of control bytes), not "
                               "a text export; export the records as RIS or PubMed format", name)
    bad = _first_bad_utf8(raw, 0, limit)
    if bad is None:
        return "utf-8", 0, []
    line = raw.count(b"\n", 0, bad) + 1 if b"\n" in raw[: bad + 1] else \
        raw.count(b"\r", 0, bad) + 1
    byte = raw[bad]
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", 0, [
            f"{name}, line {line}: the file is not UTF-8 (byte 0x{byte:02x} here) nor "
            "Windows-1252; decoded as Latin-1 (ISO-8859-1). Check accented letters; if they look "
            "wrong, export the file again as UTF-8"
        ]
    same = not re.search(rb"[\x80-\x9f]", raw)
    note = " (for this file Windows-1252 and Latin-1 give the same text)" if same else ""
    return "cp1252", 0, [
        f"{name}, line {line}: the file is not UTF-8 (byte 0x{byte:02x} here); decoded as "
        f"Windows-1252 (cp1252){note}. Check accented letters; if they look wrong, export the "
        "file again as UTF-8"
    ]


def _newline_mode(raw: bytes, codec: str) -> bool:
    """True when the file uses bare CR line ends only (no LF anywhere)."""
    if codec in ("utf-8", "utf-8-sig", "cp1252", "latin-1"):
        return b"\n" not in raw and b"\r" in raw
    if codec in ("utf-16", "utf-32"):
        for bom, c, label in _BOMS:
            if c == codec and raw.startswith(bom):
                codec = label
                break
    lf, cr = "\n".encode(codec), "\r".encode(codec)
    return lf not in raw and cr in raw


def decode(raw: bytes, codec: str, start: int = 0, *, cr_only: bool | None = None,
           size: int | None = None) -> Iterator[str]:
    """Decode ``raw`` piece by piece into chunks of whole lines joined by ``"\\n"``.

    Each chunk ends just before a line break (the break itself is dropped), so that the chunks
    joined with ``"\\n"`` give the whole text with CR-only line ends turned into LF.
    """
    if cr_only is None:
        cr_only = _newline_mode(raw, codec)
    if size is None:
        size = CHUNK
    if codec in _ONE_BYTE_NEWLINE:
        yield from _decode_cut(raw, codec, start, cr_only, size)
        return
    dec = codecs.getincrementaldecoder(codec)("strict")
    mv = memoryview(raw)
    end = len(mv)
    carry = ""
    for i in range(start, end, size):
        text = dec.decode(mv[i : i + size], final=i + size >= end)
        if cr_only:
            text = text.replace("\r", "\n")
        if carry:
            text = carry + text
        cut = text.rfind("\n")
        if cut < 0:
            carry = text
            continue
        yield text[:cut]
        carry = text[cut + 1 :]
    yield carry


_ONE_BYTE_NEWLINE = {"utf-8", "utf-8-sig", "cp1252", "latin-1"}


def _decode_cut(raw: bytes, codec: str, start: int, cr_only: bool, size: int) -> Iterator[str]:
    """Cut the bytes at line breaks, then decode each piece (one copy, no joining)."""
    if codec == "utf-8-sig":
        codec = "utf-8"
        if raw.startswith(codecs.BOM_UTF8, start):
            start += len(codecs.BOM_UTF8)
    nl = b"\r" if cr_only else b"\n"
    mv = memoryview(raw)
    end = len(raw)
    i = start
    while True:
        if end - i <= size:
            cut = end
        else:
            cut = raw.rfind(nl, i, i + size)
            if cut < 0:
                cut = raw.find(nl, i + size)
                if cut < 0:
                    cut = end
        text = str(mv[i:cut], codec)
        if cr_only:
            text = text.replace("\r", "\n")
        yield text
        if cut >= end:
            return
        i = cut + 1


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
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputFormatError("no such file", str(path)) from None
    codec, skip, enc_warnings = detect_encoding(data, str(path),
                                                None if check_all else _QUICK_CHECK)
    warn = _Warnings(name)
    for w in enc_warnings:
        warn.items.append(w.replace(str(path), name, 1))
    cr_only = _newline_mode(data, codec)
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
    label = codec
    if codec in ("utf-16", "utf-32"):
        label = next(lab for bom, c, lab in _BOMS if c == codec and data.startswith(bom))
    if codec != "utf-8" and codec != label:
        label += " (with byte-order mark)"
    elif codec == "utf-8-sig":
        label = "utf-8 (with byte-order mark)"
    return StreamedFile(str(path), fmt, label, inner, warn)


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
