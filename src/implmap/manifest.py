"""The review manifest (``implmap.yaml``): what the review is and how it is screened."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from .errors import ImplmapError, Report, ReviewFolderError

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST_NAME",
    "ROLES",
    "Eligibility",
    "Manifest",
    "Reviewer",
    "Role",
    "Stage",
]

FORMAT_VERSION = 1
MANIFEST_NAME = "implmap.yaml"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


Role = Literal["reviewer", "third", "coder"]
"""What a reviewer does: ``reviewer`` screens (two or more of them make screening double),
``third`` is the arbiter who resolves conflicts, ``coder`` charts and does not screen."""
ROLES: tuple[str, ...] = get_args(Role)
_ROLE_HELP = "reviewer (screens), third (the arbiter: resolves conflicts), coder (charts)"


class Reviewer(_Model):
    """A person who screens, resolves or codes. ``id`` is what they type with ``--reviewer``;
    ``role`` is one of :data:`ROLES`."""

    id: str
    name: str = ""
    role: Role = "reviewer"

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _SLUG.match(v):
            raise ValueError("must be lower-case letters, digits, '-' or '_' (e.g. 'mdk')")
        return v

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, v: Any) -> Any:
        if v not in ROLES:  # say what is allowed, and what each role does
            raise PydanticCustomError(
                "unknown_role", "unknown role {role}; the role is one of: {allowed}",
                {"role": repr(v), "allowed": _ROLE_HELP},
            )
        return v


class Stage(_Model):
    """A screening stage: ``title_abstract`` or ``full_text``."""

    id: str
    name: str = ""
    reasons_required: bool = False


class Eligibility(_Model):
    """Eligibility criteria, as the review protocol states them."""

    population: list[str] = Field(default_factory=list)
    concept: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


class Manifest(_Model):
    """Everything the review folder says about itself; stored as ``implmap.yaml``."""

    format_version: int = FORMAT_VERSION
    title: str
    question: str = ""
    authors: list[str] = Field(default_factory=list)
    eligibility: Eligibility = Field(default_factory=Eligibility)
    reviewers: list[Reviewer] = Field(default_factory=list)
    stages: list[Stage] = Field(
        default_factory=lambda: [
            Stage(id="title_abstract", name="Title and abstract"),
            Stage(id="full_text", name="Full text", reasons_required=True),
        ]
    )
    exclusion_reasons: list[str] = Field(
        default_factory=lambda: [
            "wrong population",
            "wrong concept",
            "wrong context",
            "wrong publication type",
            "not primary research",
            "duplicate",
        ]
    )
    include_terms: list[str] = Field(default_factory=list)
    exclude_terms: list[str] = Field(default_factory=list)
    screening_seed: int = 0
    pilot_size: int = 0
    #: a folder outside the review where the team keeps full texts (a shared drive, a
    #: reference manager's storage); relative to the review folder or absolute. Full-text
    #: files must be inside the review folder or inside this folder.
    full_text_library: str | None = None

    @field_validator("format_version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v > FORMAT_VERSION:
            raise ValueError(
                f"format version {v} is newer than this implmap understands ({FORMAT_VERSION}); "
                "upgrade implmap"
            )
        return v

    @property
    def arbiters(self) -> list[str]:
        """The IDs of the arbiters: the reviewers whose role is ``third``."""
        return [r.id for r in self.reviewers if r.role == "third"]

    def reviewer(self, rid: str, error: type[ImplmapError] = ReviewFolderError) -> Reviewer:
        """The reviewer ``rid``; otherwise ``error`` (:class:`ReviewFolderError` unless the
        caller says which) naming the reviewers the manifest lists."""
        for r in self.reviewers:
            if r.id == rid:
                return r
        known = ", ".join(r.id for r in self.reviewers) or "none"
        hint = ""
        if any(s.id == rid for s in self.stages):
            hint = f" ({rid!r} is a stage: the reviewer comes before the stage)"
        raise error(
            f"unknown reviewer {rid!r} (the manifest lists: {known}); add them under 'reviewers' "
            f"in {MANIFEST_NAME}{hint}"
        )

    def stage(self, sid: str, error: type[ImplmapError] = ReviewFolderError) -> Stage:
        """The stage ``sid``; otherwise ``error`` (:class:`ReviewFolderError` unless the caller
        says which) naming the stages the manifest lists."""
        for s in self.stages:
            if s.id == sid:
                return s
        known = ", ".join(s.id for s in self.stages)
        hint = ""
        if any(r.id == sid for r in self.reviewers):
            hint = f" ({sid!r} is a reviewer: the stage comes after the reviewer)"
        raise error(f"unknown stage {sid!r} (the manifest lists: {known}){hint}")

    def to_yaml(self) -> str:
        data = self.model_dump(mode="json")
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)

    @classmethod
    def load(cls, path: Path, report: Report | None = None) -> Manifest:
        """Read and validate a manifest. Problems go to ``report`` when one is given."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ReviewFolderError(
                f"{path.parent} is not a review folder: it has no {MANIFEST_NAME} "
                "(create one with 'implmap init DIR' or Review.init(DIR))"
            ) from None
        try:
            data: Any = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            raise ReviewFolderError(
                f"{path}{'' if line is None else f', line {line + 1}'}: not valid YAML: {exc}"
            ) from None
        if not isinstance(data, dict):
            raise ReviewFolderError(f"{path}: the manifest must be a mapping of fields")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            lines = _yaml_lines(text)
            msgs = []
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                line = _yaml_line(text, err["loc"])
                if line is None and err["loc"]:
                    line = lines.get(str(err["loc"][0]))
                msgs.append((loc, line, err["msg"]))
                if report is not None:
                    code = "unknown-role" if err["type"] == "unknown_role" else "invalid-manifest"
                    report.add(path.name, err["msg"], line=line, field=loc, code=code)
            detail = "; ".join(
                f"{loc}{'' if ln is None else f' (line {ln})'}: {m}" for loc, ln, m in msgs
            )
            raise ReviewFolderError(f"{path}: invalid manifest: {detail}") from None


def _yaml_line(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the field at ``loc`` (keys and list indexes) in a YAML text, when
    it is there (the line of its key in a mapping, of its item in a list)."""
    try:
        node: Any = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = [(k, v) for k, v in node.value if getattr(k, "value", None) == str(part)]
            if not found:
                return line
            key, node = found[0]
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _yaml_lines(text: str) -> dict[str, int]:
    """Map each top-level key of a YAML text to its 1-based line number."""
    out: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if m:
            out.setdefault(m.group(1), n)
    return out
