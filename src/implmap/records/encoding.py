"""Encodings of search exports: detect, check and decode, chunk by chunk.

A byte-order mark (UTF-8, UTF-16, UTF-32) is honoured; otherwise the file must be valid UTF-8,
or it is decoded as Windows-1252 (or Latin-1 when it holds bytes Windows-1252 does not define)
and a warning names the encoding used and the first line that was not UTF-8.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from ..errors import InputFormatError

__all__ = [
    "CHUNK",
    "decode",
    "detect_encoding",
    "encoding_label",
    "first_bad_utf8",
    "newline_mode",
]

CHUNK = 1 << 22  # bytes decoded at a time

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
]


def first_bad_utf8(raw: bytes | memoryview, start: int, limit: int | None = None
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
            if codec == "utf-8-sig":
                _no_nul(raw, name)
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
    _no_nul(raw, name)
    bad = first_bad_utf8(raw, 0, limit)
    if bad is None:
        return "utf-8", 0, []
    line = _line_of(raw, bad)
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


def _line_of(raw: bytes, offset: int) -> int:
    """The line (1-based) of byte ``offset``: by LF, or by CR in a file with CR line ends."""
    if b"\n" in raw[: offset + 1] or b"\r" not in raw[:offset]:
        return raw.count(b"\n", 0, offset) + 1
    return raw.count(b"\r", 0, offset) + 1


def _no_nul(raw: bytes, name: str) -> None:
    """Refuse a text file (one byte per ASCII character) holding a NUL byte anywhere, naming
    its line: the same answer for one in the first bytes (see the binary check) as later."""
    at = raw.find(0)
    if at < 0:
        return
    more = raw.count(0) - 1
    others = f" (and {more} more NUL byte{'s' if more > 1 else ''} after it)" if more else ""
    raise InputFormatError(
        f"a NUL byte (0x00) at byte {at + 1} of the file{others}: a text export never holds "
        "one, so the file is damaged or not a search export; export the search results again "
        "(or delete the NUL bytes from this line)", name, _line_of(raw, at))


def newline_mode(raw: bytes, codec: str) -> bool:
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
        cr_only = newline_mode(raw, codec)
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


def encoding_label(raw: bytes, codec: str) -> str:
    """How to name the encoding of ``raw`` decoded with ``codec`` in reports (``"utf-16-le
    (with byte-order mark)"``)."""
    label = codec
    if codec in ("utf-16", "utf-32"):
        label = next(lab for bom, c, lab in _BOMS if c == codec and raw.startswith(bom))
    if codec != "utf-8" and codec != label:
        label += " (with byte-order mark)"
    elif codec == "utf-8-sig":
        label = "utf-8 (with byte-order mark)"
    return label
