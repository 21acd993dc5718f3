"""Importing into a review folder: stable IDs, idempotence, progress, and surviving SIGKILL."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from implmap import Review
from implmap.errors import InputFormatError

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).resolve().parent / "fixtures" / "ris"


def snapshot(review: Review) -> dict[str, str]:
    """Every tracked file (everything but the .implmap/ scratch) with its content hash."""
    out = {}
    for p in sorted(review.root.rglob("*")):
        rel = p.relative_to(review.root)
        if rel.parts[0] == ".implmap" or not p.is_file():
            continue
        out[str(rel)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def test_import_stores_raw_file_records_and_provenance(review):
    result = review.import_file(FIX / "cp1252.ris", database="Embase", searched="2024-03-01",
                                query="exercise AND referral")
    s = result.search
    assert result.added and s.records == 1 and s.encoding == "cp1252"
    folder = review.searches_dir / s.id
    assert (folder / "cp1252.ris").read_bytes() == (FIX / "cp1252.ris").read_bytes()
    meta = yaml.safe_load((folder / "search.yaml").read_text("utf-8"))
    assert meta["searched"] == "2024-03-01" and meta["query"] == "exercise AND referral"
    assert meta["warnings"][0].startswith("cp1252.ris, line 2: ")
    (rec,) = review.iter_records()
    assert rec.title == "Patients’ views on self-management – a café-based survey"
    assert rec.tags["AU"] == ["Müller, Zoë"]
    assert rec.id == f"{s.sha256[:8]}-1" and rec.search == s.id and rec.line == 1
    assert review.check().valid


def test_same_file_twice_adds_nothing_and_ids_are_stable(review, tmp_path):
    first = review.import_file(FIX / "basic.ris", database="Scopus")
    before = snapshot(review)
    again = review.import_file(FIX / "basic.ris", database="Scopus")
    assert not again.added and again.search.id == first.search.id
    assert snapshot(review) == before
    # the same bytes under another name, in another review: the same record IDs
    copy = tmp_path / "renamed.ris"
    copy.write_bytes((FIX / "basic.ris").read_bytes())
    other = Review.init(tmp_path / "other")
    other.import_file(copy, database="Scopus")
    assert [r.id for r in other.iter_records()] == [r.id for r in review.iter_records()]


def test_bad_file_leaves_the_folder_untouched(review):
    before = snapshot(review)
    for name in ("wos_tagged.txt", "tag_before_record.ris", "empty.ris", "fake.pdf"):
        with pytest.raises(InputFormatError):
            review.import_file(FIX / name, database="X")
    assert snapshot(review) == before
    assert not list(review.scratch.glob("import-*"))


def test_progress_is_reported(review, tmp_path):
    big = tmp_path / "big.ris"
    big.write_text(_generated(2500), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    review.import_file(big, database="Gen", progress=lambda n, total: seen.append((n, total)))
    assert seen[-1] == (2500, 2500)
    assert [n for n, _ in seen] == sorted(n for n, _ in seen)
    assert all(total >= n for n, total in seen)
    assert len(seen) >= 2


def _generated(n: int) -> str:
    one = (FIX / "basic.ris").read_text("utf-8").split("ER  - \n")[0]
    return "".join(f"{one}ID  - gen-{i}\nER  - \n\n" for i in range(n))


_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from implmap import Review

    review_dir, source, point, arg = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "records":  # die after normalising `arg` records
        import implmap.records.normalise as norm
        real, count = norm.normalise, [0]
        def counting(tags):
            count[0] += 1
            if count[0] == arg:
                die()
            return real(tags)
        norm.normalise = counting
    elif point == "rename":  # die just before or just after the one atomic step
        real_rename = Path.rename
        def rename(self, target):
            if arg == 0:
                die()
            out = real_rename(self, target)
            die()
        Path.rename = rename
    elif point == "fsync":  # die at the arg-th fsync
        real_fsync, calls = os.fsync, [0]
        def fsync(fd):
            calls[0] += 1
            if calls[0] == arg:
                die()
            return real_fsync(fd)
        os.fsync = fsync
    print("ready", flush=True)
    Review(review_dir).import_file(source, database="Generated")
    """
)


def _run_child(review: Review, source: Path, point: str, arg: int, delay: float | None = None):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with subprocess.Popen([sys.executable, "-c", _CHILD, str(review.root), str(source), point,
                           str(arg)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
                          ) as proc:
        if delay is not None:
            assert proc.stdout is not None
            proc.stdout.readline()  # "ready": the import starts now
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err, err.decode()
    return proc.returncode


@pytest.mark.parametrize(
    ("point", "arg"),
    [("records", 1), ("records", 1500), ("records", 2999), ("fsync", 1), ("fsync", 2),
     ("rename", 0)],
)
def test_sigkill_during_import_leaves_the_folder_as_before(review, tmp_path, point, arg):
    review.import_file(FIX / "basic.ris", database="Earlier")
    source = tmp_path / "big.ris"
    source.write_text(_generated(3000), encoding="utf-8")
    before = snapshot(review)
    code = _run_child(review, source, point, arg)
    assert code == -signal.SIGKILL
    assert snapshot(review) == before
    # the next import cleans the leftover staging folder and succeeds
    review.import_file(source, database="Generated")
    assert not list(review.scratch.glob("import-*"))
    assert len(review.searches()) == 2 and review.check().valid


def test_sigkill_right_after_the_rename_gives_the_complete_import(review, tmp_path):
    source = tmp_path / "big.ris"
    source.write_text(_generated(300), encoding="utf-8")
    assert _run_child(review, source, "rename", 1) == -signal.SIGKILL
    (s,) = review.searches()
    assert s.records == 300 and review.check().valid
    assert len(list(review.iter_records())) == 300


@pytest.mark.parametrize("delay", [0.05, 0.4])
def test_sigkill_at_a_random_moment_gives_before_or_complete(review, tmp_path, delay):
    source = tmp_path / "big.ris"
    source.write_text(_generated(8000), encoding="utf-8")
    before = snapshot(review)
    _run_child(review, source, "none", 0, delay=delay)
    after = snapshot(review)
    if after != before:  # the import finished before the kill: it must be complete
        (s,) = review.searches()
        assert s.records == 8000 and review.check().valid
    review.import_file(source, database="Generated")
    assert not list(review.scratch.glob("import-*"))


def test_not_utf8_past_the_quick_check_is_read_again_as_windows_1252(review, monkeypatch):
    import implmap.records.encoding as encoding
    import implmap.records.reader as reader

    monkeypatch.setattr(reader, "_QUICK_CHECK", 64)  # only the first 64 bytes checked up front
    monkeypatch.setattr(encoding, "CHUNK", 4096)
    one = (FIX / "basic.ris").read_bytes().split(b"\n\n")[0].replace("ö".encode(), b"o")
    data = b"\n\n".join([one] * 150)  # past the 64 KB read up front to see the format
    assert len(data) > 1 << 16
    data += b"\n\n" + (FIX / "cp1252.ris").read_bytes()
    path = review.root.parent / "mixed.ris"
    path.write_bytes(data)
    s = review.import_file(path, database="X").search
    assert s.encoding == "cp1252" and "Windows-1252" in s.warnings[0]
    titles = [r.title for r in review.iter_records()]
    assert len(titles) == 151
    assert titles[-1] == "Patients’ views on self-management – a café-based survey"
    assert not list(review.scratch.glob("import-*"))
