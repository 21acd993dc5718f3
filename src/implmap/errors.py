"""The exception tree and the validation report.

Every error implmap raises on purpose derives from :class:`ImplmapError`, so callers can catch
everything of ours and nothing else::

    ImplmapError
    ├── UsageError             a call's arguments are wrong (an empty name, a bad date, a path
    │                          that is not a file); the message says what to pass instead
    ├── ReviewFolderError      the folder is not a review, or its manifest is unreadable
    ├── InputFormatError       an input file is not in a format implmap reads, or is malformed
    ├── DuplicateImportError   the same search file was imported already (nothing is added)
    ├── UnknownRecordError     a record ID (or DOI) that the review does not hold
    ├── DecisionError          a screening decision that breaks the review's rules
    ├── PrismaError            the PRISMA flow counts do not add up
    ├── UnknownTermError       a domain, theme or term the vocabulary does not hold
    └── ValidationFailed       `Review.check()` found problems (carries the report)

Validation never stops at the first problem: :class:`Report` gathers :class:`Problem` items,
each naming the file, line, record and field.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "DecisionError",
    "DuplicateImportError",
    "ImplmapError",
    "InputFormatError",
    "PrismaError",
    "Problem",
    "Report",
    "ReviewFolderError",
    "UnknownRecordError",
    "UnknownTermError",
    "UsageError",
    "ValidationFailed",
]


class ImplmapError(Exception):
    """The root of every error implmap raises on purpose."""


class UsageError(ImplmapError):
    """A call's arguments are wrong: an empty name, a date that is not a date, a path that is
    not a file, options that exclude each other. The message says what to pass instead."""


class ReviewFolderError(ImplmapError):
    """The folder is not a review folder, or its manifest cannot be read."""


class InputFormatError(ImplmapError):
    """An input file is not in a format implmap reads, or one of its records is malformed.

    ``path`` and ``line`` (1-based, when known) say where.
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path is not None:
            where = self.path + (f", line {line}" if line is not None else "") + ": "
        super().__init__(where + message)
        self.reason = message


class DuplicateImportError(ImplmapError):
    """The same file (same bytes) was imported into this review already."""


class UnknownRecordError(ImplmapError):
    """A record ID or DOI that the review does not hold."""


class DecisionError(ImplmapError):
    """A screening decision that the review's rules do not allow."""


class PrismaError(ImplmapError):
    """The PRISMA counts do not add up; the message names the numbers that disagree."""


class UnknownTermError(ImplmapError):
    """A domain, theme or other term that the vocabulary does not hold (or matches ambiguously)."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating: where it is and what to do about it."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None
    record: str | None = None
    code: str = "invalid"
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        bits = [where]
        if self.record:
            bits.append(f"record {self.record}")
        if self.field:
            bits.append(f"field {self.field!r}")
        return f"{' '.join(bits)}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """The outcome of a validation: every problem found, in a stable order."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings do not make a review invalid)."""
        return not self.errors

    def add(self, file: str | Path, message: str, *, code: str, **where: Any) -> None:
        """Add a problem; ``code`` must be registered in :mod:`implmap.problems`."""
        from .problems import describe

        describe(code)
        self.problems.append(Problem(file=str(file), message=message, code=code, **where))

    def extend(self, other: Report) -> None:
        self.problems.extend(other.problems)

    def sorted(self) -> Report:
        key = lambda p: (p.file, p.line or 0, p.record or "", p.field or "", p.message)  # noqa: E731
        return Report(sorted(self.problems, key=key))

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
        }


class ValidationFailed(ImplmapError):
    """Raised by callers that want an exception rather than a :class:`Report`."""

    def __init__(self, report: Report):
        self.report = report
        lines = "\n".join(str(p) for p in report.errors[:20])
        super().__init__(f"{len(report.errors)} problem(s):\n{lines}")
