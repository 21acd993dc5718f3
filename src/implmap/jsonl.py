"""Reading JSON-lines logs: every line read on its own, nothing ever fatal.

* :func:`read_jsonl` reads a log, reporting (not raising on) a truncated last line; it reads
  bytes and decodes line by line, so a line cut inside a multi-byte UTF-8 character is one
  unreadable line like any other. :func:`scan_jsonl` is the same reading for checkers: it hands
  each unreadable line back as a :class:`BadLine` instead of warning.
* :func:`in_time_order` orders a log's lines by their ``time`` (a git union merge may put them
  out of order).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from orjson import loads as _loads  # several times faster; its errors are JSONDecodeErrors

__all__ = ["BadLine", "in_time_order", "read_jsonl", "scan_jsonl"]


class BadLine(NamedTuple):
    """A line of a JSON-lines file that could not be read (see :func:`scan_jsonl`): its
    number (1-based), what is wrong with it (e.g. ``not valid JSON (unexpected end of
    data)``), and whether it looks like a write cut short by a crash or a full disk (an object
    that does not end, or the file's last line without its newline)."""

    line: int
    problem: str
    cut: bool


def _problem(raw: bytes, msg: str) -> str:
    """Why ``raw`` (a line that orjson refused with ``msg``) is unreadable, in words."""
    if raw.startswith((b"<<<<<<<", b"=======", b">>>>>>>")):
        return ("a git conflict marker left by a merge: keep the lines of both sides and "
                "delete the markers")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        what = "cut inside a character" if exc.reason == "unexpected end of data" else \
            "an invalid byte"
        return f"not valid UTF-8 ({what} at byte {exc.start + 1} of the line)"
    return f"not valid JSON ({msg})"


def scan_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """Yield ``(line_number, object)`` for each non-blank line of a JSON-lines file, with a
    :class:`BadLine` in place of the object for a line that is not UTF-8, not JSON, or not an
    object. Nothing is raised for any content; a missing file yields nothing.

    The file is read as bytes and each line decoded on its own, so a cut at any byte (inside
    a multi-byte character too) spoils that one line only.
    """
    bad: list[BadLine] = []
    for n, obj in _read(Path(path), lambda n, raw: bad.append(_bad(n, raw))):
        yield from ((b.line, b) for b in bad)
        bad.clear()
        yield n, obj
    yield from ((b.line, b) for b in bad)


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each line of a JSON-lines log.

    A line that is not valid JSON or not valid UTF-8 (typically the last line of a log whose
    writer was killed mid-write or ran out of disk space, cut at any byte) is skipped with a
    :class:`UserWarning` naming file and line; it is never fatal and never silently dropped.
    """
    path = Path(path)

    def warn(n: int, raw: bytes) -> None:
        line = _bad(n, raw)
        why = ("it is probably a write cut short by a crash or a full disk; nothing after it "
               "is lost") if line.cut else "restore the file from git or delete the line"
        warnings.warn(f"{path}, line {n}: skipped an unreadable line ({line.problem}); {why}.",
                      stacklevel=3)

    return _read(path, warn)


def _read(path: Path, bad: Callable[[int, bytes], None]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The one loop over a JSON-lines file: yields each object; ``bad(n, raw)`` for any other
    non-blank line."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return
    with fh:
        for n, raw in enumerate(fh, start=1):
            try:
                obj = _loads(raw)
            except json.JSONDecodeError:
                if raw.strip():
                    bad(n, raw)
                continue
            if type(obj) is dict:
                yield n, obj
            else:
                bad(n, raw)


def _bad(n: int, raw: bytes) -> BadLine:
    """The :class:`BadLine` for line ``n`` (its bytes ``raw``): it is cut short when it looks
    like a write that stopped (an object that does not end, or the last line without its
    newline)."""
    try:
        _loads(raw)
    except json.JSONDecodeError as exc:
        body = raw.strip()
        cut = not raw.endswith(b"\n") or (body.startswith(b"{") and not body.endswith(b"}"))
        return BadLine(n, _problem(raw, exc.msg), cut)
    return BadLine(n, "not a JSON object", False)


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def in_time_order(
    lines: Iterable[tuple[int, dict[str, Any]]],
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, entry)`` pairs of an append-only log in the order of their ``"time"`` field.

    A git union merge of a log written on two machines puts one side's new lines after the
    other's whatever their times, so "the latest line" means the latest by time, not by
    position. The sort is stable: lines with the same time (or none, or an unreadable one, which
    keeps the place of the line before it) stay in file order.
    """
    numbers: list[int] = []
    entries: list[dict[str, Any]] = []
    for n, entry in lines:  # two flat lists, not a list of pairs: nothing for the GC to walk
        numbers.append(n)
        entries.append(entry)
    # fast path: the times implmap writes (ISO 8601, UTC, "+00:00") sort as text, so a log
    # already in order (the usual case: nothing merged) is returned without parsing a date
    times: list[Any] = [entry.get("time") for entry in entries]
    try:
        joined = "\n".join(times)  # TypeError when a time is missing or not text
    except TypeError:
        joined = ""
    if joined.count("+00:00") == len(times) == joined.count("T") and times == sorted(times):
        return zip(numbers, entries, strict=True)
    keys: list[datetime] = []
    last = datetime.min.replace(tzinfo=UTC)
    for entry in entries:
        t = _instant(entry.get("time"))
        if t is not None:
            last = t
        keys.append(last)
    order = sorted(range(len(entries)), key=keys.__getitem__)
    return ((numbers[i], entries[i]) for i in order)
