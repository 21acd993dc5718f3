"""A JSON-lines log cut short at any byte (a full disk, a crash) never bricks the review.

Issue #12: a decision log whose last line ended inside the two bytes of "é" made the app fail to
start and conflicts, agreement, PRISMA and progress crash with a UnicodeDecodeError naming no
file. Every reader must skip the cut line with a warning naming file and line, and
``Review.check()`` must report it (code ``malformed-line``).
"""

from __future__ import annotations

import errno
import os
import warnings
from pathlib import Path

import pytest

from implmap import prioritise, screening
from implmap.app import create_app
from implmap.fsio import append_line
from implmap.jsonl import read_jsonl
from support.builders import screening_review, write_decisions

with warnings.catch_warnings():  # starlette 1.x prefers httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TOKEN = "test-token-not-secret"
STAGE = "title_abstract"
NOTE = "café – naïve 日本 ✓"


@pytest.fixture(scope="module")
def torn(tmp_path_factory):
    """A review with two reviewers' logs; ana's last line holds multi-byte characters."""
    review = screening_review(tmp_path_factory.mktemp("torn") / "rev", n=6)
    ids = review.record_ids()
    write_decisions(review, "ben", STAGE, {rid: "include" for rid in ids[:4]})
    write_decisions(review, "ana", STAGE, {ids[0]: "include", ids[1]: "exclude",
                                           ids[2]: "include"})
    screening.decide(review, "ana", STAGE, ids[3], "include", note=NOTE)
    log = review.decision_log("ana", STAGE)
    data = log.read_bytes()
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    assert NOTE.encode("utf-8") in data[start:]
    return review, log, data, start


def _run_everything(review) -> tuple[list[str], object]:
    """Every reader of the logs, the check and the app; returns the warnings and the report."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        screening.conflicts(review, STAGE)
        screening.agreement(review, STAGE)
        screening.prisma_counts(review)
        prioritise.screening_progress(review, "ana", STAGE)
        report = review.check()
        _app_starts(review, STAGE)
    return [str(w.message) for w in caught], report


def _app_starts(review, stage: str) -> None:
    """The app for ana at ``stage`` loads and answers its first two requests."""
    app = create_app(review, reviewer="ana", stage=stage, token=TOKEN)
    try:
        c = TestClient(app, headers={"X-Implmap-Token": TOKEN})
        assert c.get("/api/session").status_code == 200
        assert c.get("/api/queue").status_code == 200
    finally:
        app.state.session.close()


def test_a_log_cut_at_any_byte_of_its_last_line_is_reported_and_skipped(torn):
    review, log, data, start = torn
    rel = "screening/title_abstract/ana.jsonl"
    last = len(data) - start  # the last line's length, its newline included
    line_no = data.count(b"\n")
    cuts = list(range(1, last - 1))  # last - 1: the whole object without its newline
    assert any(not _decodes(data[start:start + k]) for k in cuts)  # some cut splits a char
    try:
        for k in cuts:
            log.write_bytes(data[:start + k])
            messages, report = _run_everything(review)
            where = [p for p in report.problems if p.file == rel]
            assert [(p.line, p.code, p.severity) for p in where] == [
                (line_no, "malformed-line", "warning")], (k, where)
            assert any(f"ana.jsonl, line {line_no}" in m for m in messages), (k, messages)
    finally:
        log.write_bytes(data)


def test_a_damaged_line_in_the_middle_is_an_error_and_the_rest_is_read(torn):
    review, log, data, _ = torn
    first_end = data.index(b"\n") + 1
    # a complete first line with an invalid byte in its note: damage, not a cut
    first = data[:first_end].replace(b'"note":""', b'"note":"\xff"')
    assert first != data[:first_end]
    broken = first + data[first_end:]
    try:
        log.write_bytes(broken)
        messages, report = _run_everything(review)
        where = [p for p in report.problems if p.file.endswith("ana.jsonl")]
        assert [(p.line, p.code, p.severity) for p in where] == [(1, "malformed-line", "error")]
        assert any("ana.jsonl, line 1" in m for m in messages)
        with pytest.warns(UserWarning, match=r"ana\.jsonl, line 1: .*not valid UTF-8"):
            assert len(screening.history(review, "ana", STAGE)) == 3
    finally:
        log.write_bytes(data)


def test_read_jsonl_skips_undecodable_lines_naming_file_and_line(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": "caf\xc3\n{"c": "\xff"}\n{"d": 4}\n{"e": "caf\xc3')
    with pytest.warns(UserWarning) as caught:
        got = list(read_jsonl(path))
    assert got == [(1, {"a": 1}), (4, {"d": 4})]
    text = " ".join(str(w.message) for w in caught)
    for n in (2, 3, 5):
        assert f"{path}, line {n}" in text


def test_records_jsonl_cut_inside_a_character_is_reported(tmp_path):
    review = screening_review(tmp_path / "rev", n=3)
    recs = review.records_files()[0]
    data = recs.read_bytes()
    cut = data.rstrip(b"\n") + b'"x":"caf\xc3'
    recs.write_bytes(cut)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = review.check()
    bad = [p for p in report.problems if p.code == "malformed-line"]
    assert bad and bad[0].file.endswith("records.jsonl") and bad[0].line == 3


def test_dedupe_log_cut_inside_a_character_is_reported(tmp_path):
    review = screening_review(tmp_path / "rev", n=3)
    ids = review.record_ids()
    review.dedupe_dir.mkdir(parents=True, exist_ok=True)
    review.dedupe_decisions.write_bytes(
        b'{"action":"keep_apart","records":["%s","%s"],"note":"caf\xc3' % (
            ids[0].encode(), ids[1].encode()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = review.check()
    bad = [p for p in report.problems if p.code == "malformed-line"]
    assert [(p.file, p.line, p.severity) for p in bad] == [
        ("dedupe/decisions.jsonl", 1, "warning")]


def _decodes(b: bytes) -> bool:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# -- a full disk while appending ----------------------------------------------------------------
def test_append_line_leaves_no_partial_line_when_the_disk_fills(tmp_path, monkeypatch):
    path = tmp_path / "log.jsonl"
    append_line(path, '{"a": 1}')
    before = path.read_bytes()
    real_write = os.write

    def short_then_full(fd, data):
        if len(data) > 3:
            return real_write(fd, bytes(data[:3]))  # a partial write, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("implmap.fsio.os.write", short_then_full)
    with pytest.raises(OSError):
        append_line(path, '{"b": "café"}')
    monkeypatch.undo()
    assert path.read_bytes() == before
    append_line(path, '{"c": 3}')
    assert [o for _, o in read_jsonl(path)] == [{"a": 1}, {"c": 3}]


def test_the_app_says_the_disk_is_full_and_nothing_was_saved(tmp_path, monkeypatch):
    review = screening_review(tmp_path / "rev", n=3)
    app = create_app(review, reviewer="ana", token=TOKEN)
    try:
        c = TestClient(app, headers={"X-Implmap-Token": TOKEN}, raise_server_exceptions=False)
        rid = c.get("/api/queue").json()["order"][0]

        def full(fd, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr("implmap.fsio.os.write", full)
        r = c.post("/api/decide", json={"record": rid, "decision": "include"})
        monkeypatch.undo()
        assert r.status_code == 507
        assert "disk is full" in r.json()["error"] and "NOT saved" in r.json()["error"]
        assert not Path(review.decision_log("ana", STAGE)).exists() or \
            review.decision_log("ana", STAGE).read_bytes() == b""
        ok = c.post("/api/decide", json={"record": rid, "decision": "include"})
        assert ok.status_code == 200
        assert c.get("/api/queue").status_code == 200
    finally:
        app.state.session.close()


# ---------------------------------------------------------------- every other append-only log
@pytest.fixture(scope="module")
def all_logs(tmp_path_factory):
    """A review at full text with a resolution, a retrieval line and a dedupe decision, the
    last line of each holding multi-byte characters."""
    review = screening_review(tmp_path_factory.mktemp("all") / "rev", n=6)
    ids = screening.records_to_screen(review, STAGE)
    for rid in ids[:3]:
        screening.decide(review, "ana", STAGE, rid, "include")
        screening.decide(review, "ben", STAGE, rid, "include" if rid != ids[2] else "exclude")
    screening.resolve(review, STAGE, ids[2], "include", "cam", note=NOTE)
    screening.mark_retrieval(review, ids[0], "retrieved", url="https://example.org/é/日本")
    from implmap import dedupe

    dedupe.decide(review, "keep_apart", ids[4], ids[5], by="ana", note=NOTE)
    return review, ids


def _run_all_stages(review) -> tuple[list[str], object]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for stage in (STAGE, "full_text"):
            screening.conflicts(review, stage)
            screening.agreement(review, stage)
            prioritise.screening_progress(review, "ana", stage)
        screening.prisma_counts(review)
        screening.needs_full_text(review)
        from implmap import dedupe

        dedupe.primary_ids(review)
        report = review.check()
        _app_starts(review, "full_text")
    return [str(w.message) for w in caught], report


@pytest.mark.parametrize("which", ["resolutions", "retrieval", "dedupe decisions"])
def test_every_log_cut_at_any_byte_of_its_last_line_is_reported(all_logs, which):
    review, _ = all_logs
    log = {"resolutions": review.resolutions_path(STAGE), "retrieval": review.retrieval_path,
           "dedupe decisions": review.dedupe_decisions}[which]
    data = log.read_bytes()
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    rel = str(review.rel(log))
    line_no = data.count(b"\n")
    try:
        for k in range(1, len(data) - start - 1):
            log.write_bytes(data[:start + k])
            messages, report = _run_all_stages(review)
            where = [(p.line, p.code) for p in report.problems if p.file == rel]
            assert (line_no, "malformed-line") in where, (which, k, report.problems)
            assert any(f"{log.name}, line {line_no}" in m for m in messages), (which, k)
    finally:
        log.write_bytes(data)
