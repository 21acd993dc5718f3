"""What a record and a search file are, as stored in a review folder."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RECORD_FIELDS", "ParsedFile", "ParsedRecord", "Record", "Search"]


class ParsedRecord(BaseModel):
    """One record as read from a file: every tag and every value, in file order.

    ``tags`` maps each tag (``"TI"``, ``"AU"``, an unknown ``"Z9"``…) to all of its values, in
    the order they appear; continuation lines are joined to their value. ``line`` is the 1-based
    line where the record starts in the decoded file.
    """

    model_config = ConfigDict(extra="forbid")

    line: int
    tags: dict[str, list[str]]


class ParsedFile(BaseModel):
    """A whole file as read: its format, the encoding used, warnings, and its records."""

    model_config = ConfigDict(extra="forbid")

    path: str
    format: str  # "ris" or "pubmed"
    encoding: str
    warnings: list[str] = Field(default_factory=list)
    records: list[ParsedRecord] = Field(default_factory=list)


class Record(BaseModel):
    """A bibliographic record in a review, with normalised fields and its raw tags.

    ``id`` is stable: it is derived from the search file's content hash and the record's position
    in it, so re-importing the same file gives the same IDs (and adds nothing).
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    search: str
    ordinal: int
    line: int
    type: str = ""
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    year: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    abstract: str = ""
    keywords: list[str] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    tags: dict[str, list[str]] = Field(default_factory=dict)


RECORD_FIELDS = [f for f in Record.model_fields if f != "tags"]


class Search(BaseModel):
    """Provenance of one imported search export (stored as ``searches/<id>/search.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    database: str
    file: str  # the original file name, kept byte for byte beside this
    sha256: str
    searched: str = ""  # ISO date of the search, when given
    query: str = ""
    imported: str  # ISO timestamp of the import
    format: str
    encoding: str
    records: int
    warnings: list[str] = Field(default_factory=list)
