"""``ReviewFolder``: the storage layer, and the only code that knows a review folder's layout.

Layout (see ``docs/reference/review-folder.md``)::

    implmap.yaml                               the manifest (format, question, reviewers, …)
    searches/<search>/search.yaml              provenance: database, date, query, file, sha256
    searches/<search>/<file>                   the export exactly as the database wrote it
    searches/<search>/records.jsonl            one parsed record per line, in file order
    dedupe/groups.jsonl                        duplicate groups (regenerated; not kept in git)
    dedupe/uncertain.jsonl                     pairs left for a person (regenerated; not in git)
    dedupe/decisions.jsonl                     people's merge / keep-apart decisions (append-only)
    dedupe/run.txt                             says that dedupe has run (kept in git)
    screening/<stage>/<reviewer>.jsonl         one reviewer's decisions (append-only)
    screening/<stage>/resolutions.jsonl        resolved conflicts (append-only)
    screening/full_text/retrieval.jsonl        full-text retrieval status (append-only)
    charting/studies/<study>.yaml              one charted study and its findings
    charting/themes.yaml                       the review's theme codebook
    charting/mappings.yaml                     overrides of the TDF → COM-B → BCW mappings
    charting/suggestions.yaml                  suggested tags (written on request)
    charting/coding/<coder>.jsonl              one coder's own, blinded tags (append-only)
    charting/extraction/<coder>.jsonl          one coder's added, edited, deleted findings
    .implmap/                                  scratch space (staging, locks); ignored by git
    .gitattributes, .gitignore                 git settings for team work (implmap.gitfiles)

Every capability package takes a :class:`ReviewFolder`; :class:`implmap.Review` is the
façade people call, and is one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from functools import cached_property
from pathlib import Path
from typing import Any, overload

import yaml

from .errors import ReviewFolderError, UnknownRecordError
from .fsio import locked, stat_signature, write_atomic
from .gitfiles import update_git_files
from .jsonl import read_jsonl
from .manifest import MANIFEST_NAME, Manifest, Reviewer
from .records.model import Record, Search

__all__ = ["DEDUPE_RAN", "SCRATCH", "ReviewFolder"]

SCRATCH = ".implmap"
DEDUPE_RAN = (
    "Deduplication has run on this review. groups.jsonl and uncertain.jsonl are not kept in "
    "git: implmap regenerates them from the records and decisions.jsonl whenever they are "
    "missing or out of date.\n"
)

SEARCHES = "searches"
SCREENING = "screening"
DEDUPE = "dedupe"
CHARTING = "charting"
RESOLUTIONS = "resolutions.jsonl"
RETRIEVAL = "retrieval.jsonl"
FULL_TEXT = "full_text"


class _Below:
    """A fixed path below the review folder, read as an attribute (``review.themes_path``)."""

    def __init__(self, *parts: str, doc: str) -> None:
        self.parts = parts
        self.__doc__ = doc

    @overload
    def __get__(self, folder: None, owner: type) -> _Below: ...
    @overload
    def __get__(self, folder: ReviewFolder, owner: type) -> Path: ...
    def __get__(self, folder: ReviewFolder | None, owner: type) -> Path | _Below:
        return self if folder is None else folder.root.joinpath(*self.parts)


class ReviewFolder:
    """A review folder on disk: its paths, manifest, locks and cached records.

    ``ReviewFolder(path)`` opens an existing folder; :meth:`create` makes a new one.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ReviewFolderError(f"{root}: no such folder")
        if not (self.root / MANIFEST_NAME).exists():
            raise ReviewFolderError(
                f"{root} is not a review folder: it has no {MANIFEST_NAME} "
                "(create one with 'implmap init DIR' or Review.init(DIR))"
            )

    @classmethod
    def create(cls, root: str | Path, manifest: Manifest) -> ReviewFolder:
        """Create a review folder holding ``manifest`` (the folder may exist, not its review)."""
        root = Path(root)
        if (root / MANIFEST_NAME).exists():
            raise ReviewFolderError(f"{root} already holds a review ({MANIFEST_NAME} exists)")
        root.mkdir(parents=True, exist_ok=True)
        (root / SEARCHES).mkdir(exist_ok=True)
        update_git_files(root)
        write_atomic(root / MANIFEST_NAME, manifest.to_yaml(), overwrite=False)
        return cls(root)

    def update_git_files(self) -> list[str]:
        """Write or complete the folder's ``.gitattributes`` and ``.gitignore`` for team work
        (for a review created by an older implmap; new folders have them). Idempotent; keeps a
        person's own lines. Returns what was done, one sentence each (empty: nothing to do).

        The regenerated dedupe files are ignored from now on; a repository that already tracks
        them should stop (``git rm --cached dedupe/groups.jsonl dedupe/uncertain.jsonl``).
        """
        done = [f"updated {name}" for name in update_git_files(self.root)]
        if self.dedupe_groups.exists() and not self.dedupe_ran.exists():
            write_atomic(self.dedupe_ran, DEDUPE_RAN)
            done.append(f"wrote {self.rel(self.dedupe_ran)} (dedupe has run)")
        return done

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.root)!r})"

    def rel(self, path: Path) -> Path:
        """``path`` relative to the folder (for messages that name a file)."""
        try:
            return path.relative_to(self.root)
        except ValueError:
            return path

    # ------------------------------------------------------------------ manifest and locks
    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST_NAME

    @cached_property
    def manifest(self) -> Manifest:
        """The validated manifest (read once; :meth:`save_manifest` refreshes it)."""
        return Manifest.load(self.manifest_path)

    def save_manifest(self, manifest: Manifest) -> None:
        """Write the manifest back (atomically)."""
        write_atomic(self.manifest_path, manifest.to_yaml())
        self.__dict__.pop("manifest", None)

    def reviewer(self, rid: str) -> Reviewer:
        """The manifest's reviewer ``rid`` (:class:`ReviewFolderError` naming the known ones)."""
        return self.manifest.reviewer(rid)

    @property
    def scratch(self) -> Path:
        """The folder's scratch space (staging, locks), ignored by git."""
        path = self.root / SCRATCH
        path.mkdir(exist_ok=True)
        return path

    def lock(self, name: str = "review") -> AbstractContextManager[None]:
        """An exclusive lock for read-modify-write sequences across processes."""
        return locked(self.scratch / f"{name}.lock")

    # ------------------------------------------------------------------------------ searches
    searches_dir = _Below(SEARCHES, doc="One folder per imported search (``searches/``).")

    def search_dir(self, search_id: str) -> Path:
        """The folder of one search (``searches/<search>``)."""
        return self.searches_dir / search_id

    def records_path(self, search_id: str) -> Path:
        """The parsed records of one search (``records.jsonl``)."""
        return self.search_dir(search_id) / "records.jsonl"

    def records_files(self) -> list[Path]:
        """Every search folder's ``records.jsonl``, in search ID order: listed, not read (what a
        cache of something derived from the records watches)."""
        return sorted(self.searches_dir.glob("*/records.jsonl"))

    def searches(self) -> list[Search]:
        """Every imported search, in ID order."""
        out: list[Search] = []
        if not self.searches_dir.is_dir():
            return out
        for d in sorted(self.searches_dir.iterdir()):
            meta = d / "search.yaml"
            if d.is_dir() and meta.exists():
                out.append(Search.model_validate(yaml.safe_load(meta.read_text("utf-8"))))
        return out

    # ------------------------------------------------------------------------------- records
    def iter_records(self) -> Iterator[Record]:
        """Every record of every search, in search then file order."""
        for s in self.searches():
            for _, obj in read_jsonl(self.records_path(s.id)):
                yield Record.model_validate(obj)

    def record_dicts(self) -> list[dict[str, Any]]:
        """Every record as a plain dict (faster than :meth:`iter_records` for big reviews).

        The parsed records are kept until a ``records.jsonl`` changes (path, size, mtime), so
        the several readers of one command parse them once; each call gets its own dicts.
        """
        return [dict(r) for r in self._parsed_records()]

    def record_ids(self) -> list[str]:
        """Every record ID, in search then file order."""
        return [r["id"] for r in self._parsed_records() if isinstance(r.get("id"), str)]

    def _parsed_records(self) -> list[dict[str, Any]]:
        paths = [self.records_path(s.id) for s in self.searches()]
        sig = [(str(path), stat_signature(path)) for path in paths]
        cached = self.__dict__.get("_records_cache")
        if cached is not None and cached[0] == sig:
            return cached[1]
        out: list[dict[str, Any]] = []
        for path in paths:
            out.extend(obj for _, obj in read_jsonl(path))
        self.__dict__["_records_cache"] = (sig, out)
        return out

    def record(self, rid: str) -> Record:
        """One record by ID."""
        for r in self.iter_records():
            if r.id == rid:
                return r
        raise UnknownRecordError(f"no record with ID {rid!r} in {self.root}")

    # ------------------------------------------------------------------------- deduplication
    dedupe_dir = _Below(DEDUPE, doc="The deduplication folder (``dedupe/``).")
    dedupe_groups = _Below(DEDUPE, "groups.jsonl", doc="Duplicate groups (regenerated).")
    dedupe_decisions = _Below(DEDUPE, "decisions.jsonl", doc="People's decisions (append-only).")
    dedupe_uncertain = _Below(DEDUPE, "uncertain.jsonl", doc="Pairs left for a person.")
    #: written by the first dedupe run and kept in git: the groups are regenerated wherever it is
    dedupe_ran = _Below(DEDUPE, "run.txt", doc="Marks that dedupe has run (kept in git).")

    def deduplicated(self) -> bool:
        """True once deduplication has run or a person has decided a pair."""
        return (self.dedupe_ran.exists() or self.dedupe_groups.exists()
                or self.dedupe_decisions.exists())

    # ----------------------------------------------------------------------------- screening
    screening_dir = _Below(SCREENING, doc="The screening folder (``screening/``).")

    def stage_dir(self, stage: str) -> Path:
        """Where the decision logs of ``stage`` are kept (``screening/<stage>``)."""
        return self.screening_dir / stage

    def decision_log(self, reviewer: str, stage: str) -> Path:
        """``reviewer``'s append-only decision log at ``stage``."""
        return self.stage_dir(stage) / f"{reviewer}.jsonl"

    def resolutions_path(self, stage: str) -> Path:
        """The append-only log of resolved conflicts at ``stage``."""
        return self.stage_dir(stage) / RESOLUTIONS

    retrieval_path = _Below(SCREENING, FULL_TEXT, RETRIEVAL, doc="The append-only log of "
                            "full-text retrieval statuses.")

    @staticmethod
    def is_reviewer_log(path: Path) -> bool:
        """True for a reviewer's decision log (not resolutions, not retrieval)."""
        return path.suffix == ".jsonl" and path.name not in (RESOLUTIONS, RETRIEVAL)

    # ------------------------------------------------------------------------------ charting
    charting_dir = _Below(CHARTING, doc="The charting folder (``charting/``).")
    studies_dir = _Below(CHARTING, "studies", doc="One YAML file per charted study.")

    def study_files(self) -> list[Path]:
        """The study files (``charting/studies/*.yaml``), in name order."""
        d = self.studies_dir
        if not d.is_dir():
            return []
        return sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())

    themes_path = _Below(CHARTING, "themes.yaml", doc="The review's theme codebook.")
    mappings_path = _Below(CHARTING, "mappings.yaml", doc="Overrides of the mappings.")
    suggestions_path = _Below(CHARTING, "suggestions.yaml", doc="Suggested tags.")
    #: the coders' own tags, one append-only log per coder
    coding_dir = _Below(CHARTING, "coding", doc="The coders' own tags (``charting/coding/``).")

    def coding_log(self, coder: str) -> Path:
        """``coder``'s append-only coding log (``charting/coding/<coder>.jsonl``)."""
        return self.coding_dir / f"{coder}.jsonl"

    def coding_logs(self) -> list[Path]:
        """Every coder's coding log, in name order (listed, not read)."""
        d = self.coding_dir
        return sorted(d.glob("*.jsonl")) if d.is_dir() else []

    #: the history of the findings people added, edited and deleted, one log per coder
    extraction_dir = _Below(CHARTING, "extraction", doc="The coders' extraction edits "
                            "(``charting/extraction/``).")

    def extraction_log(self, coder: str) -> Path:
        """``coder``'s append-only extraction log (``charting/extraction/<coder>.jsonl``)."""
        return self.extraction_dir / f"{coder}.jsonl"
