"""Bad input at import (issue #12): a read-only review folder, files that are not files, NUL
bytes, overlong lines, and a re-export of a search imported already."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import threading
from pathlib import Path

import pytest

from implmap.errors import InputFormatError, ReviewFolderError, UsageError
from implmap.records import read_file
from support.builders import ris_text

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _records(n: int, tag: str = "") -> list[dict]:
    return [{"title": f"Barriers to referral {i}{tag}", "doi": f"10.1000/b.{i}",
             "authors": ["Smith, A"], "year": "2020"} for i in range(n)]


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def _searches(review) -> list[str]:
    return sorted(p.name for p in review.searches_dir.iterdir()) \
        if review.searches_dir.is_dir() else []


# -- a review folder that cannot be written ------------------------------------------------------
@pytest.mark.skipif(ROOT, reason="root writes to read-only folders: chmod cannot test this")
def test_a_read_only_review_folder_is_a_clear_error(review, tmp_path):
    export = _write(tmp_path / "a.ris", ris_text(_records(3)))
    modes = {p: p.stat().st_mode for p in (review.root, review.searches_dir)}
    try:
        for p in modes:
            p.chmod(stat.S_IRUSR | stat.S_IXUSR)
        with pytest.raises(ReviewFolderError, match="not writable") as exc:
            review.import_file(export, "MEDLINE")
        assert str(review.root) in str(exc.value)
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    assert _searches(review) == []


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_a_write_refused_by_the_system_is_a_clear_error(review, tmp_path, monkeypatch, code):
    """The same when the check up front passes but a write fails (a read-only file system, a
    full disk; this runs as root too)."""
    export = _write(tmp_path / "a.ris", ris_text(_records(3)))

    def refused(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(review.scratch))

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    with pytest.raises(ReviewFolderError) as exc:
        review.import_file(export, "MEDLINE")
    assert ("disk is full" if code == errno.ENOSPC else "not writable") in str(exc.value)
    assert "nothing was imported" in str(exc.value)
    monkeypatch.undo()
    assert _searches(review) == []


# -- files that are not files --------------------------------------------------------------------
def _in_thread(fn, timeout: float = 10.0):
    """Run ``fn`` in a thread; fail (not hang) if it does not end within ``timeout``."""
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # handed to the test
            out["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "reading did not end: it waits on the file"
    return out


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_before_reading(review):
    for call in (lambda: review.import_file("/dev/zero", "MEDLINE"),
                 lambda: read_file("/dev/zero")):
        out = _in_thread(call)
        assert isinstance(out.get("error"), InputFormatError), out
        assert "a device" in str(out["error"]) and "/dev/zero" in str(out["error"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_is_refused_without_waiting(review, tmp_path):
    fifo = tmp_path / "export.ris"
    os.mkfifo(fifo)
    for call in (lambda: review.import_file(fifo, "MEDLINE"), lambda: read_file(fifo)):
        out = _in_thread(call)
        if "error" not in out:  # let a hung reader go, should this ever regress
            with open(fifo, "wb"):
                pass
        assert isinstance(out.get("error"), InputFormatError), out
        assert "a named pipe" in str(out["error"]) and str(fifo) in str(out["error"])
    assert _searches(review) == []


def test_a_folder_and_a_missing_file_are_still_usage_errors(review, tmp_path):
    with pytest.raises(UsageError, match="is a folder"):
        review.import_file(tmp_path, "MEDLINE")
    with pytest.raises(UsageError, match="no such file"):
        review.import_file(tmp_path / "nope.ris", "MEDLINE")


def test_a_big_regular_file_is_read(tmp_path):
    export = _write(tmp_path / "big.ris", ris_text(_records(3000)))
    assert export.stat().st_size > 200_000
    assert len(read_file(export).records) == 3000


# -- NUL bytes: refused wherever they are, naming the line ----------------------------------------
@pytest.mark.parametrize("where", ["start", "after-4kb"])
def test_a_nul_byte_is_refused_wherever_it_is_naming_the_line(review, tmp_path, where):
    text = ris_text(_records(80))
    lines = text.split("\n")
    at = 3 if where == "start" else next(
        i for i in range(len(lines)) if len("\n".join(lines[:i])) > 5000)
    lines[at] = lines[at] + "\x00"
    export = _write(tmp_path / "nul.ris", "\n".join(lines))
    for call in (lambda: read_file(export), lambda: review.import_file(export, "MEDLINE")):
        with pytest.raises(InputFormatError, match="NUL byte") as exc:
            call()
        assert exc.value.line == at + 1
        assert f"line {at + 1}" in str(exc.value)
    assert _searches(review) == []


def test_a_utf16_file_is_not_refused_for_its_nul_bytes(tmp_path):
    export = _write(tmp_path / "u16.ris", ris_text(_records(3)).encode("utf-16-le"))
    parsed = read_file(export)
    assert len(parsed.records) == 3 and parsed.encoding == "utf-16-le"


# -- overlong lines that are not tag lines --------------------------------------------------------
def test_a_very_long_continuation_line_warns_with_its_line(review, tmp_path):
    text = ris_text(_records(3))
    lines = text.split("\n")
    title = next(i for i, ln in enumerate(lines) if ln.startswith("TI  - Barriers to referral 1"))
    lines.insert(title + 1, "x" * 10_000)
    export = _write(tmp_path / "long.ris", "\n".join(lines))
    parsed = read_file(export)
    assert len(parsed.records) == 3
    hits = [w for w in parsed.warnings if "10,000 characters" in w]
    assert hits and f"long.ris, line {title + 2}:" in hits[0]
    result = review.import_file(export, "MEDLINE")
    assert any(f"line {title + 2}" in w and "10,000" in w for w in result.warnings)


def test_a_long_tag_line_is_fine(tmp_path):
    recs = _records(2)
    recs[0]["abstract"] = "word " * 4000
    parsed = read_file(_write(tmp_path / "ab.ris", ris_text(recs)))
    assert not [w for w in parsed.warnings if "characters" in w]


def test_a_very_long_pubmed_continuation_line_warns(tmp_path):
    text = ("PMID- 1\nTI  - A title\n      " + "y" * 9000 + "\nAU  - Smith A\n\n"
            "PMID- 2\nTI  - Another\n")
    parsed = read_file(_write(tmp_path / "pm.nbib", text))
    assert len(parsed.records) == 2
    assert any("pm.nbib, line 3:" in w and "9,000 characters" in w for w in parsed.warnings)


# -- a re-export of a search imported already -----------------------------------------------------
def test_a_near_identical_re_export_warns(review, tmp_path):
    records = _records(40)
    first = review.import_file(_write(tmp_path / "a.ris", ris_text(records)), "MEDLINE")
    assert first.added and not [w for w in first.warnings if "nearly the same" in w]
    # one byte different: the same records
    again = review.import_file(_write(tmp_path / "b.ris", ris_text(records) + "\n"), "MEDLINE")
    assert again.added
    near = [w for w in again.warnings if "nearly the same" in w]
    assert near and first.search.id in near[0] and "b.ris" in near[0]
    assert near[0] in again.search.warnings  # kept in the search's provenance too
    # 1 record of 40 changed (97.5 % the same): still near-identical
    changed = [dict(r) for r in records]
    changed[0] = {"title": "Something else", "doi": "10.1000/other"}
    third = review.import_file(_write(tmp_path / "c.ris", ris_text(changed)), "medline")
    assert [w for w in third.warnings if "nearly the same" in w]


def test_other_searches_do_not_warn(review, tmp_path):
    records = _records(40)
    review.import_file(_write(tmp_path / "a.ris", ris_text(records)), "MEDLINE")
    other_db = review.import_file(_write(tmp_path / "b.ris", ris_text(records) + "\n"), "Embase")
    assert not [w for w in other_db.warnings if "nearly the same" in w]
    fewer = review.import_file(_write(tmp_path / "c.ris", ris_text(records[:39])), "MEDLINE")
    assert not [w for w in fewer.warnings if "nearly the same" in w]
    different = [dict(r, title=f"Other {i}", doi=f"10.1000/o.{i}")
                 for i, r in enumerate(records)]
    new = review.import_file(_write(tmp_path / "d.ris", ris_text(different)), "MEDLINE")
    assert not [w for w in new.warnings if "nearly the same" in w]
    same_bytes = review.import_file(tmp_path / "a.ris", "MEDLINE")
    assert not same_bytes.added and same_bytes.warnings == []
