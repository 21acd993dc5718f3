"""Reading PubMed/MEDLINE exports (``.nbib``, PubMed's "PubMed format" ``.txt``).

Each line is a tag left-justified in four characters, ``"- "``, and the value (``PMID- 1234``,
``TI  - A title``, ``FAU - Smith, Ann``); long values continue on lines indented by six spaces,
which are joined to the value with one space (MEDLINE wraps text at spaces). A record starts at
its ``PMID-`` line; blank lines separate records. Every tag and every value is kept, in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from ..errors import InputFormatError
from .ris import LONG_LINE, long_line

__all__ = ["iter_pubmed_records"]

_LINE = re.compile(r"^(?:([A-Z][A-Z0-9]{1,3})( *)- ?)?(.*)$", re.M)

Warn = Callable[[int | None, str], None]


def iter_pubmed_records(
    chunks: Iterable[str], warn: Warn
) -> Iterator[tuple[int, dict[str, list[str]]]]:
    """Yield ``(first_line, tags)`` per record from chunks of whole ``"\\n"``-separated lines."""
    rec: dict[str, list[str]] | None = None
    last: list[str] | None = None
    start = 0
    n = 0
    for chunk in chunks:
        for tag, sp, val in _LINE.findall(chunk):
            n += 1
            if tag and len(tag) + len(sp) != 4:
                val = f"{tag}{sp}- {val}"
                tag = ""
            val = val.strip()
            if "\r" in val:
                val = " ".join(p.strip() for p in val.split("\r"))
            if not tag:
                if not val:
                    continue
                if last is None:
                    shown = val if len(val) <= 60 else val[:57] + "..."
                    warn(n, f"skipped text outside any record: {shown!r}")
                    continue
                if len(val) > LONG_LINE:
                    warn(n, long_line(val, start))
                last[-1] = f"{last[-1]} {val}" if last[-1] else val
                continue
            if tag == "PMID":
                if rec is not None:
                    yield start, rec
                last = [val]
                rec = {"PMID": last}
                start = n
            elif rec is None:
                raise InputFormatError(
                    f"a '{tag}-' line outside any record: each PubMed record must start with a "
                    "'PMID- ' line. Export the file from PubMed again (Save > Format: PubMed)",
                    line=n,
                )
            else:
                last = rec.setdefault(tag, [])
                last.append(val)
    if rec is not None:
        yield start, rec
