"""``Review``: a review folder on disk, and the one door through which implmap reads and writes it.

Layout (see ``docs/review-folder.md``)::

    implmap.yaml                      the manifest (format version, question, criteria, reviewers…)
    searches/<search-id>/search.yaml  provenance: database, date, query, file name, sha256, counts
    searches/<search-id>/<file>       the export exactly as the database wrote it (byte for byte)
    searches/<search-id>/records.jsonl  one parsed record per line, in file order
    .implmap/                         scratch space (staging, locks); never tracked in git
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import DuplicateImportError, ImplmapError, Report, ReviewFolderError
from .fsio import dump_json_line, locked, read_jsonl, write_atomic
from .manifest import MANIFEST_NAME, Manifest, Reviewer
from .records.model import RECORD_FIELDS, Record, Search

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ImportResult", "Review"]

SCRATCH = ".implmap"
GITIGNORE = f"{SCRATCH}/\n"


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "search"


class ImportResult:
    """What one ``Review.import_file`` call did."""

    def __init__(self, search: Search, added: bool):
        self.search = search
        self.added = added

    def __repr__(self) -> str:
        state = "added" if self.added else "already imported"
        return f"<ImportResult {self.search.id}: {self.search.records} records, {state}>"


class Review:
    """A review folder. Open one with ``Review(path)``; create one with ``Review.init(path)``."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ReviewFolderError(f"{root}: no such folder")
        if not (self.root / MANIFEST_NAME).exists():
            raise ReviewFolderError(
                f"{root} is not a review folder: it has no {MANIFEST_NAME} "
                "(create one with 'implmap init DIR')"
            )

    # ------------------------------------------------------------------ creating and the manifest
    @classmethod
    def init(
        cls,
        root: str | Path,
        title: str = "Untitled review",
        question: str = "",
        reviewers: Sequence[str] = (),
    ) -> Review:
        """Create a new review folder (the folder may exist but must not hold a review)."""
        root = Path(root)
        if (root / MANIFEST_NAME).exists():
            raise ReviewFolderError(f"{root} already holds a review ({MANIFEST_NAME} exists)")
        root.mkdir(parents=True, exist_ok=True)
        manifest = Manifest(
            title=title,
            question=question,
            reviewers=[Reviewer(id=r) for r in reviewers],
        )
        (root / "searches").mkdir(exist_ok=True)
        if not (root / ".gitignore").exists():
            write_atomic(root / ".gitignore", GITIGNORE)
        write_atomic(root / MANIFEST_NAME, manifest.to_yaml(), overwrite=False)
        return cls(root)

    @cached_property
    def manifest(self) -> Manifest:
        """The validated manifest."""
        return Manifest.load(self.root / MANIFEST_NAME)

    def save_manifest(self, manifest: Manifest) -> None:
        """Write the manifest back (atomically)."""
        write_atomic(self.root / MANIFEST_NAME, manifest.to_yaml())
        self.__dict__.pop("manifest", None)

    @property
    def scratch(self) -> Path:
        """The folder's scratch space (staging, locks), ignored by git."""
        path = self.root / SCRATCH
        path.mkdir(exist_ok=True)
        return path

    def lock(self, name: str = "review"):  # type: ignore[no-untyped-def]
        """An exclusive lock for read-modify-write sequences across processes."""
        return locked(self.scratch / f"{name}.lock")

    # ------------------------------------------------------------------------------- searches
    @property
    def searches_dir(self) -> Path:
        return self.root / "searches"

    def searches(self) -> list[Search]:
        """Every imported search, in ID order."""
        out = []
        if not self.searches_dir.is_dir():
            return out
        for d in sorted(self.searches_dir.iterdir()):
            meta = d / "search.yaml"
            if d.is_dir() and meta.exists():
                out.append(Search.model_validate(yaml.safe_load(meta.read_text("utf-8"))))
        return out

    def import_file(
        self,
        path: str | Path,
        database: str,
        searched: str | date | None = None,
        query: str = "",
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportResult:
        """Import one RIS or PubMed/MEDLINE export, entirely or not at all.

        The file is kept byte for byte with its provenance. Importing the same bytes again adds
        nothing and returns the earlier search with ``added=False``. Raises
        :class:`~implmap.errors.InputFormatError` naming file and line when the file cannot be
        read as RIS or PubMed.
        """
        from .records.normalise import normalise
        from .records.reader import read_file

        path = Path(path)
        if not database.strip():
            raise ImplmapError("--database must name the database the file was exported from")
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ImplmapError(f"{path}: no such file") from None
        digest = hashlib.sha256(raw).hexdigest()
        for s in self.searches():
            if s.sha256 == digest:
                return ImportResult(s, added=False)
        parsed = read_file(path, data=raw)
        searched_s = searched.isoformat() if isinstance(searched, date) else (searched or "")
        if searched_s:
            try:
                date.fromisoformat(searched_s)
            except ValueError:
                raise ImplmapError(
                    f"--searched {searched_s!r} is not a date; write it as YYYY-MM-DD"
                ) from None
        sid = f"{_slug(database)}-{digest[:8]}"
        search = Search(
            id=sid,
            database=database,
            file=path.name,
            sha256=digest,
            searched=searched_s,
            query=query,
            imported=datetime.now(UTC).replace(microsecond=0).isoformat(),
            format=parsed.format,
            encoding=parsed.encoding,
            records=len(parsed.records),
            warnings=parsed.warnings,
        )
        total = len(parsed.records)
        lines: list[str] = []
        for n, pr in enumerate(parsed.records, start=1):
            rec = normalise(pr.tags)
            rec.update(id=f"{digest[:8]}-{n}", search=sid, ordinal=n, line=pr.line, tags=pr.tags)
            lines.append(dump_json_line(rec))
            if progress is not None and (n % 1000 == 0 or n == total):
                progress(n, total)
        with self.lock("import"):
            final = self.searches_dir / sid
            if final.exists():
                raise DuplicateImportError(f"{final} exists already; nothing was imported")
            staging = Path(tempfile.mkdtemp(prefix="import-", dir=self.scratch))
            try:
                (staging / path.name).write_bytes(raw)
                (staging / "records.jsonl").write_text("".join(lines), encoding="utf-8")
                meta = search.model_dump(mode="json")
                (staging / "search.yaml").write_text(
                    yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8"
                )
                for f in staging.iterdir():
                    with open(f, "rb") as fh:
                        import os

                        os.fsync(fh.fileno())
                self.searches_dir.mkdir(exist_ok=True)
                staging.rename(final)  # the one atomic step: the search appears whole or not
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        return ImportResult(search, added=True)

    def import_files(
        self,
        paths: Iterable[str | Path],
        database: str,
        searched: str | date | None = None,
        query: str = "",
    ) -> list[ImportResult]:
        """Import several files; each one is imported entirely or not at all."""
        return [self.import_file(p, database, searched, query) for p in paths]

    # -------------------------------------------------------------------------------- records
    def iter_records(self) -> Iterator[Record]:
        """Every record of every search, in search then file order."""
        for s in self.searches():
            for _, obj in read_jsonl(self.searches_dir / s.id / "records.jsonl"):
                yield Record.model_validate(obj)

    def record_dicts(self) -> list[dict[str, Any]]:
        """Every record as a plain dict (faster than :meth:`iter_records` for big reviews)."""
        out: list[dict[str, Any]] = []
        for s in self.searches():
            out.extend(obj for _, obj in read_jsonl(self.searches_dir / s.id / "records.jsonl"))
        return out

    def record(self, rid: str) -> Record:
        """One record by ID."""
        from .errors import UnknownRecordError

        for r in self.iter_records():
            if r.id == rid:
                return r
        raise UnknownRecordError(f"no record with ID {rid!r} in {self.root}")

    def records(self) -> pd.DataFrame:
        """All records as a pandas DataFrame, one row per record, indexed by record ID.

        Columns: the normalised fields (title, authors, year, journal, doi, pmid, …) plus
        ``database``. List fields (authors, keywords, urls) stay lists.
        """
        import pandas as pd

        dbs = {s.id: s.database for s in self.searches()}
        rows = self.record_dicts()
        cols = [*RECORD_FIELDS, "database"]
        df = pd.DataFrame(
            [{**{k: r.get(k) for k in RECORD_FIELDS}, "database": dbs[r["search"]]} for r in rows],
            columns=cols,
        )
        return df.set_index("id", drop=False)

    # ------------------------------------------------------------------------------ validation
    def check(self) -> Report:
        """Validate the whole folder; every problem is reported with file, line and field."""
        from .checks import check_review

        return check_review(self)

    def __repr__(self) -> str:
        return f"Review({str(self.root)!r})"

    # ------------------------------------------------------------------------------ screening
    # Thin doors to implmap.screening (decision logs, conflicts, agreement, PRISMA).
    def decide(self, reviewer: str, stage: str, record: str, decision: str,
               reason: str | None = None, note: str = "") -> dict[str, Any]:
        """Record a screening decision (see :func:`implmap.screening.decide`)."""
        from .screening import decide

        return decide(self, reviewer, stage, record, decision, reason=reason, note=note)

    def conflicts(self, stage: str, include_resolved: bool = False) -> list[Any]:
        """Conflicts at ``stage`` (see :func:`implmap.screening.conflicts`)."""
        from .screening import conflicts

        return conflicts(self, stage, include_resolved=include_resolved)

    def resolve(self, stage: str, record: str, decision: str, by: str | Sequence[str],
                method: str | None = None, reason: str | None = None,
                note: str = "") -> dict[str, Any]:
        """Resolve a conflict (see :func:`implmap.screening.resolve`)."""
        from .screening import resolve

        return resolve(self, stage, record, decision, by, method=method, reason=reason,
                       note=note)

    def final_decisions(self, stage: str) -> dict[str, str]:
        """Agreed or resolved decisions at ``stage`` (see
        :func:`implmap.screening.final_decisions`)."""
        from .screening import final_decisions

        return final_decisions(self, stage)

    def included_records(self) -> list[str]:
        """Records included at full text (see :func:`implmap.screening.included_records`)."""
        from .screening import included_records

        return included_records(self)

    def agreement(self, stage: str | None = None, pilot: bool = False) -> Any:
        """Agreement between reviewers (see :func:`implmap.screening.agreement`)."""
        from .screening import agreement

        return agreement(self, stage=stage, pilot=pilot)

    def prisma_counts(self) -> Any:
        """PRISMA flow counts, checked (see :func:`implmap.screening.prisma_counts`)."""
        from .screening import prisma_counts

        return prisma_counts(self)
