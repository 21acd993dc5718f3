"""``Review``: a review folder on disk, and the one door through which implmap reads and writes it.

Layout (see ``docs/review-folder.md``)::

    implmap.yaml                      the manifest (format version, question, criteria, reviewers…)
    searches/<search-id>/search.yaml  provenance: database, date, query, file name, sha256, counts
    searches/<search-id>/<file>       the export exactly as the database wrote it (byte for byte)
    searches/<search-id>/records.jsonl  one parsed record per line, in file order
    .implmap/                         scratch space (staging, locks); never tracked in git
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import (
    DuplicateImportError,
    ImplmapError,
    InputFormatError,
    Report,
    ReviewFolderError,
)
from .fsio import _fsync_dir, dump_json_line, locked, read_jsonl, write_atomic
from .manifest import MANIFEST_NAME, Manifest, Reviewer
from .records.model import RECORD_FIELDS, Record, Search

if TYPE_CHECKING:
    import pandas as pd

    from .charting.agreement import CodingAgreement
    from .charting.lookup import LookupResult
    from .charting.model import Study
    from .charting.suggest import Suggestion
    from .charting.vocab import Vocabulary
    from .records.dedupe import DedupeResult

__all__ = ["ImportResult", "Review"]

SCRATCH = ".implmap"
GITIGNORE = f"{SCRATCH}/\n"


_IOV_MAX = 1024  # buffers per writev call (the POSIX minimum of IOV_MAX is 16; Linux: 1024)


class _BackgroundWriter:
    """Writes and fsyncs files on one background thread, in the order asked.

    Writing and fsync release the GIL, so a big import spends its disk time while the main
    thread parses. :meth:`wait` returns when everything asked is on disk, or re-raises the
    first error.
    """

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="implmap-io")
        self._futures: list[Any] = []
        self._unsynced = 0
        self._open: list[Any] = []

    def _submit(self, fn: Callable[..., Any], *args: Any) -> None:
        self._futures.append(self._pool.submit(fn, *args))

    def write_file(self, path: Path, data: bytes) -> None:
        def run() -> None:
            with open(path, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())

        self._submit(run)

    def open(self, path: Path) -> Any:
        fh = open(path, "wb", buffering=0)  # noqa: SIM115 - closed by close() or shutdown()
        self._open.append(fh)
        return fh

    def append(self, fh: Any, chunks: list[bytes]) -> None:
        """Append ``chunks``; sync every few MB so that little is left to sync at the end."""
        if not chunks:
            return

        def run() -> None:
            # writev: no joined copy of the batch (no memcpy, no fresh pages to fault in)
            fd = fh.fileno()
            size = 0
            for i in range(0, len(chunks), _IOV_MAX):
                part = chunks[i : i + _IOV_MAX]
                want = sum(map(len, part))
                done = os.writev(fd, part)
                if done < want:  # a short write: write the rest plainly
                    view = memoryview(b"".join(part))[done:]
                    while view:
                        view = view[os.write(fd, view) :]
                size += want
            self._unsynced += size
            if self._unsynced > (8 << 20):
                os.fdatasync(fh.fileno())
                self._unsynced = 0

        self._submit(run)

    def close(self, fh: Any) -> None:
        def run() -> None:
            os.fsync(fh.fileno())
            fh.close()

        self._submit(run)

    def wait(self) -> None:
        try:
            for f in self._futures:
                f.result()
        finally:
            self._futures.clear()
            self._pool.shutdown(wait=True)

    def shutdown(self) -> None:
        """Stop after an error: cancel what has not started, close the files."""
        for f in self._futures:
            f.cancel()
        self._pool.shutdown(wait=True)
        for fh in self._open:
            fh.close()


def _json_line_encoder() -> Callable[[Any], bytes]:
    """``dump_json_line`` as UTF-8 bytes; orjson when installed (same bytes, ~6x faster)."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency
        return lambda obj: dump_json_line(obj).encode("utf-8")
    from functools import partial

    return partial(orjson.dumps, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)


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
        path = Path(path)
        if not database.strip():
            raise ImplmapError("--database must name the database the file was exported from")
        searched_s = searched.isoformat() if isinstance(searched, date) else (searched or "")
        if searched_s:
            try:
                date.fromisoformat(searched_s)
            except ValueError:
                raise ImplmapError(
                    f"--searched {searched_s!r} is not a date; write it as YYYY-MM-DD"
                ) from None
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ImplmapError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise ImplmapError(f"{path} is a folder; name the export file itself") from None
        if path.name in ("records.jsonl", "search.yaml"):
            raise ImplmapError(f"{path}: rename the file first ({path.name!r} is the name of a "
                               "file implmap keeps beside it)")
        digest = hashlib.sha256(raw).hexdigest()
        for s in self.searches():
            if s.sha256 == digest:
                return ImportResult(s, added=False)
        try:
            return self._import_bytes(path, raw, digest, database, searched_s, query, progress,
                                      check_all=False)
        except UnicodeDecodeError:  # not UTF-8 after all, past the part checked up front
            return self._import_bytes(path, raw, digest, database, searched_s, query, progress,
                                      check_all=True)

    def _import_bytes(
        self,
        path: Path,
        raw: bytes,
        digest: str,
        database: str,
        searched_s: str,
        query: str,
        progress: Callable[[int, int], None] | None,
        check_all: bool,
    ) -> ImportResult:
        from .records.normalise import normalise
        from .records.reader import estimate_records, stream_file

        # format and encoding errors are raised here
        stream = stream_file(path, data=raw, check_all=check_all)
        sid = f"{_slug(database)}-{digest[:8]}"
        prefix = digest[:8]
        estimate = estimate_records(raw, stream)
        with self.lock("import"):
            self._clean_staging()
            for s in self.searches():  # another process may have imported it meanwhile
                if s.sha256 == digest:
                    return ImportResult(s, added=False)
            final = self.searches_dir / sid
            if final.exists():
                raise DuplicateImportError(f"{final} exists already; nothing was imported")
            staging = Path(tempfile.mkdtemp(prefix="import-", dir=self.scratch))
            io = _BackgroundWriter()  # file writes and fsyncs overlap the parsing
            try:
                io.write_file(staging / path.name, raw)
                n = 0
                dump = _json_line_encoder()
                out = io.open(staging / "records.jsonl")
                batch: list[bytes] = []
                gc_was_on = gc.isenabled()
                gc.disable()  # records make no reference cycles; the collector only costs time
                try:
                    for n, (line, tags) in enumerate(stream.records, start=1):
                        rec = normalise(tags)
                        rec["id"] = f"{prefix}-{n}"
                        rec["search"] = sid
                        rec["ordinal"] = n
                        rec["line"] = line
                        rec["tags"] = tags
                        batch.append(dump(rec))
                        if n % 2000 == 0:
                            io.append(out, batch)
                            batch = []
                            if progress is not None:
                                progress(n, max(n, estimate))
                except InputFormatError as exc:
                    if exc.path is None:  # a malformed record: name the file
                        raise InputFormatError(exc.reason, str(path), exc.line) from None
                    raise
                finally:
                    if gc_was_on:
                        gc.enable()
                io.append(out, batch)
                io.close(out)
                io.wait()
                if n == 0:
                    raise InputFormatError("no records found: the file has no complete RIS or "
                                           "PubMed record; export the search results again",
                                           str(path))
                if progress is not None:
                    progress(n, n)
                search = Search(
                    id=sid,
                    database=database,
                    file=path.name,
                    sha256=digest,
                    searched=searched_s,
                    query=query,
                    imported=datetime.now(UTC).replace(microsecond=0).isoformat(),
                    format=stream.format,
                    encoding=stream.encoding,
                    records=n,
                    warnings=stream.warnings,
                )
                meta = search.model_dump(mode="json")
                (staging / "search.yaml").write_text(
                    yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8"
                )
                with open(staging / "search.yaml", "rb") as fh:
                    os.fsync(fh.fileno())
                _fsync_dir(staging)
                self.searches_dir.mkdir(exist_ok=True)
                staging.rename(final)  # the one atomic step: the search appears whole or not
                _fsync_dir(self.searches_dir)
            except BaseException:
                io.shutdown()
                shutil.rmtree(staging, ignore_errors=True)
                raise
        return ImportResult(search, added=True)

    def _clean_staging(self) -> None:
        """Remove staging folders left by imports that were killed (call under the lock)."""
        for d in self.scratch.glob("import-*"):
            shutil.rmtree(d, ignore_errors=True)

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
        """Every record as a plain dict (faster than :meth:`iter_records` for big reviews).

        The parsed records are kept until a ``records.jsonl`` changes (path, size, mtime), so
        the several readers of one command parse them once; each call gets its own dicts.
        """
        return [dict(r) for r in self._parsed_records()]

    def record_ids(self) -> list[str]:
        """Every record ID, in search then file order."""
        return [r["id"] for r in self._parsed_records() if isinstance(r.get("id"), str)]

    def _parsed_records(self) -> list[dict[str, Any]]:
        paths = [self.searches_dir / s.id / "records.jsonl" for s in self.searches()]
        sig = []
        for path in paths:
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            sig.append((str(path), st.st_ino, st.st_size, st.st_mtime_ns))
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

    # ------------------------------------------------------------------------------- charting
    def vocabulary(self) -> Vocabulary:
        """The charting vocabulary of this review: TDF v2, COM-B and intervention-function maps
        (with ``charting/mappings.yaml`` overrides) and the theme codebook."""
        from .charting.vocab import load_vocabulary

        return load_vocabulary(self)

    def studies(self) -> list[Study]:
        """Every charted study (``charting/studies/*.yaml``), in file-name order.

        Raises :class:`~implmap.errors.ValidationFailed` naming file and line when a study file
        does not fit the schema.
        """
        from .charting.store import load_studies

        return load_studies(self)

    def findings(self) -> pd.DataFrame:
        """Every charted finding as a DataFrame, one row per finding (see
        :func:`implmap.charting.lookup.findings_frame` for the columns)."""
        from .charting.lookup import findings_frame

        return findings_frame(self)

    def lookup(self, text: str | None = None, **filters: str | None) -> LookupResult:
        """Findings matching ``domain``, ``theme``, ``perspective``, ``level``, ``type`` and
        words of ``text``, grouped by (domain, theme, type) with their study counts (see
        :func:`implmap.charting.lookup.lookup`)."""
        from .charting.lookup import lookup

        return lookup(self, text, **filters)

    def coding_agreement(self) -> CodingAgreement:
        """Agreement of the dual coders per TDF domain and per theme (Cohen's kappa)."""
        from .charting.agreement import coding_agreement

        return coding_agreement(self)

    def suggest(self, top: int = 3, study: str | None = None) -> list[Suggestion]:
        """Suggested TDF domains and themes for findings not tagged yet (never written into
        the study files; see :func:`implmap.charting.suggest.suggest`)."""
        from .charting.suggest import suggest

        return suggest(self, top=top, study=study)

    def __repr__(self) -> str:
        return f"Review({str(self.root)!r})"

    # --------------------------------------------------------------------------- deduplication
    def find_duplicates(self) -> DedupeResult:
        """Group duplicate records across searches and write ``dedupe/groups.jsonl``.

        Nothing is deleted; people's decisions (:meth:`dedupe_decide`) always win. See
        :mod:`implmap.records.dedupe`.
        """
        from .records.dedupe import find_duplicates

        return find_duplicates(self)

    def dedupe_decide(
        self, action: str, a: str, b: str, by: str = "", note: str = ""
    ) -> DedupeResult | None:
        """Record a person's ``merge``, ``keep_apart`` or ``undo`` decision on two records
        (append-only) and re-run deduplication."""
        from .records.dedupe import decide

        return decide(self, action, a, b, by=by, note=note)

    def primary_ids(self) -> set[str]:
        """The records screening shows: group primaries and records without duplicates."""
        from .records.dedupe import primary_ids

        return primary_ids(self)

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

    # ---------------------------------------------------------------- prioritisation (ranking)
    def ranker(self, reviewer: str, stage: str = "title_abstract"):  # type: ignore[no-untyped-def]
        """A live :class:`~implmap.screening.ranking.Ranker` for ``reviewer`` at ``stage``."""
        from .screening.ranking import Ranker

        return Ranker(self, reviewer, stage)

    def screening_progress(  # type: ignore[no-untyped-def]
        self, reviewer: str, stage: str = "title_abstract", **kw: Any
    ):
        """``reviewer``'s blinded progress and stopping estimate (``implmap progress``)."""
        from .screening.progress import screening_progress

        return screening_progress(self, reviewer, stage, **kw)
