"""The charting schema: one :class:`Study` per included study, each with its :class:`Finding` s.

A study lives in ``charting/studies/<study-id>.yaml``; the review's theme codebook in
``charting/themes.yaml`` (a list of :class:`Theme`). The models check the *shape* of the files
(types, required fields, allowed values); whether a domain, construct or theme exists in the
review's vocabulary is checked by :mod:`implmap.charting.validate`, because the vocabulary can
be overridden per review.

``implmap schema`` prints :func:`json_schema` so editors can validate and autocomplete the YAML
files (``# yaml-language-server: $schema=...`` at the top of a file).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "LEVELS",
    "TYPES",
    "Coding",
    "Finding",
    "Participant",
    "Study",
    "TdfTag",
    "Theme",
    "json_schema",
    "json_schema_text",
]

TYPES = ("barrier", "facilitator")
LEVELS = ("individual", "organisational", "system")

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TdfTag(_Model):
    """One TDF domain given to a finding, with the constructs within it (optional)."""

    domain: str = Field(description="A TDF v2 domain name, e.g. 'Knowledge'.")
    constructs: list[str] = Field(
        default_factory=list, description="Constructs of that domain, e.g. 'Procedural knowledge'."
    )


class Coding(_Model):
    """One coder's own, independent tags for a finding (dual coding)."""

    domains: list[str] = Field(default_factory=list, description="TDF domain names.")
    themes: list[str] = Field(default_factory=list, description="Theme IDs of the codebook.")


class Finding(_Model):
    """A barrier or facilitator reported by a study, in the reviewer's own words.

    ``tdf`` and ``themes`` are the agreed (consensus) tags, with who agreed them and when
    (``agreed_by``, ``agreed_at``: written by :func:`implmap.charting.reconcile.reconcile`).
    Each coder's own, blinded tags live in their log ``charting/coding/<coder>.jsonl``
    (:mod:`implmap.charting.coding`); ``coding`` (each coder's tags inside the study file, seen
    by every coder) is the older layout, read until ``implmap chart migrate`` moves it.
    """

    id: str = Field(pattern=ID_PATTERN, description="Unique within the study, e.g. 'f01'.")
    statement: str = Field(min_length=1, description="The finding in the reviewer's own words.")
    type: Literal["barrier", "facilitator"] = Field(description="barrier or facilitator.")
    perspective: list[str] = Field(
        default_factory=list,
        description="Whose view: patients, general practitioners, physiotherapists, managers…",
    )
    level: Literal["individual", "organisational", "system"] | None = Field(
        default=None, description="individual, organisational or system."
    )
    tdf: list[TdfTag] = Field(default_factory=list, description="Agreed TDF domains/constructs.")
    themes: list[str] = Field(default_factory=list, description="Agreed theme IDs.")
    source: str = Field(default="", description="Where in the source: section, page, quote.")
    coded_by: list[str] = Field(default_factory=list, description="Reviewer IDs who coded it.")
    agreed_by: list[str] = Field(
        default_factory=list, description="Reviewer IDs who agreed the tags (consensus).")
    agreed_at: str | None = Field(
        default=None, description="When the tags were agreed (ISO 8601 UTC).")
    coding: dict[str, Coding] | None = Field(
        default=None, description="Older layout: each coder's own tags before consensus, "
        "{coder: {domains, themes}}; move them to the coders' logs with `implmap chart migrate`."
    )

    @property
    def domains(self) -> list[str]:
        """The agreed TDF domain names, in file order."""
        return [t.domain for t in self.tdf]

    @property
    def constructs(self) -> list[str]:
        """The agreed constructs (all domains), in file order."""
        return [c for t in self.tdf for c in t.constructs]


class Participant(_Model):
    """A group of participants and how many took part (``n`` may be unknown)."""

    group: str
    n: int | None = Field(default=None, ge=0)


class Study(_Model):
    """One included study and the barriers and facilitators charted from its reports."""

    id: str = Field(pattern=ID_PATTERN, description="The study ID; also the file name.")
    records: list[str] = Field(
        min_length=1, description="Record IDs of the study's reports (included at full text)."
    )
    citation: str = Field(min_length=1)
    doi: str | None = None
    year: int | None = None
    country: str = ""
    setting: str = ""
    design: str = ""
    participants: list[Participant] = Field(default_factory=list)
    implemented: str = Field(default="", description="What was being implemented.")
    aims: str = ""
    findings: list[Finding] = Field(default_factory=list)


class Theme(_Model):
    """A theme of the review's own codebook (``charting/themes.yaml``)."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    description: str = ""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a study file (``charting/studies/<id>.yaml``)."""
    schema = Study.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "implmap charting study"
    return schema


def json_schema_text() -> str:
    """:func:`json_schema` as sorted, indented JSON with a trailing newline."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
