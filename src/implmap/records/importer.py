"""Importing a search export into a review folder: entirely or not at all.

The export is parsed (:mod:`implmap.records.reader`) and normalised
(:mod:`implmap.records.normalise`) into a staging folder under the review's scratch space while
a background thread writes and fsyncs; one ``rename`` then makes the search appear whole. A
killed import leaves only staging, which the next import removes.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from ..errors import DuplicateImportError, InputFormatError, ReviewFolderError, UsageError
from ..folder import SCRATCH, ReviewFolder
from ..fsio import BackgroundWriter, fsync_dir, json_line_encoder, make_temp_dir
from .model import Search

__all__ = ["ImportResult", "import_file", "import_files"]

Progress = Callable[[int, int], None]


class ImportResult:
    """What one :func:`import_file` call did.

    ``warnings`` (each naming the file, and the line when there is one) are the reading
    warnings of a file just added, and a warning when it is nearly the same as a search
    imported before (the same database and almost all the same records: a re-export?);
    empty when nothing was added.
    """

    def __init__(self, search: Search, added: bool):
        self.search = search
        self.added = added
        self.warnings = list(search.warnings) if added else []

    def __repr__(self) -> str:
        state = "added" if self.added else "already imported"
        return f"<ImportResult {self.search.id}: {self.search.records} records, {state}>"


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "search"


def import_file(
    folder: ReviewFolder,
    path: str | Path,
    database: str,
    searched: str | date | None = None,
    query: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Import one RIS or PubMed/MEDLINE export into ``folder``, entirely or not at all.

    The file is kept byte for byte with its provenance. Importing the same bytes again adds
    nothing and returns the earlier search with ``added=False``. Raises
    :class:`~implmap.errors.InputFormatError` naming file and line when the file cannot be
    read as RIS or PubMed, and :class:`~implmap.errors.UsageError` for a missing database name,
    a date that is not a date, or a path that is not a file.
    """
    from .reader import read_export_bytes

    path = Path(path)
    if not database.strip():
        raise UsageError("the database name is empty: name the database the file was "
                         "exported from")
    searched_s = searched.isoformat() if isinstance(searched, date) else (searched or "")
    if searched_s:
        try:
            date.fromisoformat(searched_s)
        except ValueError:
            raise UsageError(
                f"search date {searched_s!r} is not a date; write it as YYYY-MM-DD"
            ) from None
    try:
        raw = read_export_bytes(path)  # refuses a device, a named pipe… before reading
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder; name the export file itself") from None
    except PermissionError:
        raise UsageError(f"{path}: the file may not be read (permission denied); make it "
                         "readable or copy it somewhere readable") from None
    _check_writable(folder)
    if path.name in ("records.jsonl", "search.yaml"):
        raise UsageError(f"{path}: rename the file first ({path.name!r} is the name of a "
                         "file implmap keeps beside it)")
    digest = hashlib.sha256(raw).hexdigest()
    for s in folder.searches():
        if s.sha256 == digest:
            return ImportResult(s, added=False)
    args = (folder, path, raw, digest, database, searched_s, query, progress)
    try:
        try:
            return _write_search(*args, check_all=False)
        except UnicodeDecodeError:  # not UTF-8 after all, past the part checked up front
            return _write_search(*args, check_all=True)
    except OSError as exc:
        clear = _write_error(folder, exc)
        if clear is None:
            raise
        raise clear from None


def import_files(
    folder: ReviewFolder,
    paths: Iterable[str | Path],
    database: str,
    searched: str | date | None = None,
    query: str = "",
) -> list[ImportResult]:
    """Import several files; each one is imported entirely or not at all."""
    return [import_file(folder, p, database, searched, query) for p in paths]


def _write_search(
    folder: ReviewFolder,
    path: Path,
    raw: bytes,
    digest: str,
    database: str,
    searched_s: str,
    query: str,
    progress: Progress | None,
    check_all: bool,
) -> ImportResult:
    """Parse, normalise and write one search under the import lock (see :func:`import_file`)."""
    from .normalise import normalise
    from .reader import estimate_records, stream_file

    # format and encoding errors are raised here
    stream = stream_file(path, data=raw, check_all=check_all)
    estimate = estimate_records(raw, stream)

    sid = f"{_slug(database)}-{digest[:8]}"
    prefix = digest[:8]
    keys: list[str] = []
    with folder.lock("import"):
        _clean_staging(folder)
        for s in folder.searches():  # another process may have imported it meanwhile
            if s.sha256 == digest:
                return ImportResult(s, added=False)
        final = folder.search_dir(sid)
        if final.exists():
            raise DuplicateImportError(f"{final} exists already; nothing was imported")
        staging = make_temp_dir("import-", folder.scratch)
        io = BackgroundWriter()  # file writes and fsyncs overlap the parsing
        try:
            io.write_file(staging / path.name, raw)
            n = 0
            dump = json_line_encoder()
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
                    keys.append(_record_key(rec))
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
            warnings = stream.warnings
            near = _near_identical(folder, database, keys, path.name)
            if near is not None:
                warnings.append(near)
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
                warnings=warnings,
            )
            meta = search.model_dump(mode="json")
            (staging / "search.yaml").write_text(
                yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8"
            )
            with open(staging / "search.yaml", "rb") as fh:
                os.fsync(fh.fileno())
            fsync_dir(staging)
            folder.searches_dir.mkdir(exist_ok=True)
            staging.rename(final)  # the one atomic step: the search appears whole or not
            fsync_dir(folder.searches_dir)
        except BaseException:
            io.shutdown()
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return ImportResult(search, added=True)


def _check_writable(folder: ReviewFolder) -> None:
    """A :class:`ReviewFolderError` before any work when the review folder cannot be written."""
    for d in (folder.root, folder.searches_dir, folder.root / SCRATCH):
        if d.is_dir() and not os.access(d, os.W_OK):
            raise ReviewFolderError(_not_writable(folder, d))


def _not_writable(folder: ReviewFolder, where: Path) -> str:
    return (f"{where}: the review folder is not writable (read-only, or owned by someone "
            "else), so nothing was imported; make the folder writable for you, or import into "
            f"a copy of {folder.root}")


_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)
_FULL = (errno.ENOSPC, errno.EDQUOT)


def _write_error(folder: ReviewFolder, exc: OSError) -> ReviewFolderError | None:
    """The clear error for a failed write into the review folder, or None for another one."""
    where = Path(exc.filename) if exc.filename else folder.root
    if exc.errno in _READ_ONLY:
        return ReviewFolderError(_not_writable(folder, where))
    if exc.errno in _FULL:
        return ReviewFolderError(f"{where}: the disk is full, so nothing was imported; free "
                                 "space and import the file again")
    return None


# ------------------------------------------------------------------------ near-identical files
_NEAR = 0.95  # the share of records an earlier search must share to be called near-identical


def _record_key(rec: dict[str, object]) -> str:
    """What identifies a record cheaply: its DOI, else its title (case-folded)."""
    doi = rec.get("doi")
    if isinstance(doi, str) and doi:
        return "doi:" + doi.lower()
    title = rec.get("title")
    return "ti:" + " ".join(title.casefold().split()) if isinstance(title, str) else ""


def _near_identical(folder: ReviewFolder, database: str, keys: list[str],
                    name: str) -> str | None:
    """A warning when an earlier search of ``database`` holds the same number of records and
    at least 95 % the same ones (by DOI or title): a re-export of a file imported already."""
    from collections import Counter

    from ..jsonl import read_jsonl

    mine = Counter(k for k in keys if k)
    if not mine:
        return None
    for s in folder.searches():
        if s.database.strip().casefold() != database.strip().casefold() or \
                s.records != len(keys):
            continue
        theirs = Counter(_record_key(o) for _, o in read_jsonl(folder.records_path(s.id)))
        same = sum((mine & theirs).values())
        if same >= _NEAR * len(keys):
            return (f"{name}: nearly the same as search {s.id} (file {s.file!r}, imported "
                    f"{s.imported}): {same} of its {s.records} records are the same (by DOI or "
                    "title). If it is a re-export of that search, remove one of the two "
                    "searches; if it is a new search, nothing needs doing")
    return None


def _clean_staging(folder: ReviewFolder) -> None:
    """Remove staging folders left by imports that were killed (call under the lock)."""
    for d in folder.scratch.glob("import-*"):
        shutil.rmtree(d, ignore_errors=True)
