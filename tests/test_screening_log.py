"""Decision logs: rules, history, crash tolerance, concurrent writers."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from implmap import screening
from implmap.errors import DecisionError, ReviewFolderError
from support.builders import screening_review, write_decisions

TA, FT = "title_abstract", "full_text"


@pytest.fixture
def rev(tmp_path):
    return screening_review(tmp_path / "rev", n=6)


def test_decision_is_written_in_the_contract_format(rev):
    rid = screening.records_to_screen(rev, TA)[0]
    entry = screening.decide(rev, "ana", TA, rid, "exclude", reason="wrong concept", note="n")
    path = rev.root / "screening" / TA / "ana.jsonl"
    text = path.read_text()
    assert text.endswith("\n") and text.count("\n") == 1
    assert list(json.loads(text)) == sorted(json.loads(text))  # sorted keys
    assert json.loads(text) == entry
    assert set(entry) == {"record", "decision", "reason", "note", "reviewer", "stage", "time"}
    assert entry["time"].endswith("+00:00")


def test_changed_decision_keeps_history_latest_counts(rev):
    rid = screening.records_to_screen(rev, TA)[0]
    screening.decide(rev, "ana", TA, rid, "include")
    screening.decide(rev, "ana", TA, rid, "exclude")
    screening.decide(rev, "ana", TA, rid, "maybe", note="unsure")
    assert [e["decision"] for e in screening.history(rev, "ana", TA)] == [
        "include", "exclude", "maybe"]
    assert screening.decisions(rev, TA)["ana"][rid]["decision"] == "maybe"


def test_undo_withdraws_or_restores(rev):
    rid = screening.records_to_screen(rev, TA)[0]
    first = screening.decide(rev, "ana", TA, rid, "include")
    screening.decide(rev, "ana", TA, rid, "exclude")
    assert screening.undo(rev, "ana", TA, rid, first)["decision"] == "include"
    assert screening.undo(rev, "ana", TA, rid, None) is None
    assert rid not in screening.decisions(rev, TA, "ana")["ana"]
    assert len(screening.history(rev, "ana", TA)) == 4  # nothing deleted
    assert rev.check().valid  # a withdrawal line ("decision": null) is part of the format


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("zed", TA, "REC", "include"), "unknown reviewer 'zed'"),
        (("ana", "abstracts", "REC", "include"), "unknown stage 'abstracts'"),
        ((TA, "ana", "REC", "include"), "is a stage: the reviewer comes before the stage"),
        (("ana", TA, "nope-1", "include"), "no record with this ID"),
        (("ana", TA, "REC", "yes"), "decision must be one of include, exclude, maybe"),
        (("ana", TA, "REC", "exclude", "bad reason"), "unknown exclusion reason 'bad reason'"),
        (("ana", TA, "REC", "include", "wrong concept"), "a reason goes with 'exclude' only"),
    ],
)
def test_clear_errors(rev, args, match):
    rid = screening.records_to_screen(rev, TA)[0]
    args = tuple(rid if a == "REC" else a for a in args)
    with pytest.raises(DecisionError, match=match):
        screening.decide(rev, *args)
    assert not (rev.root / "screening" / TA / "ana.jsonl").exists()


def test_full_text_exclusion_needs_a_reason(rev):
    rid = screening.records_to_screen(rev, TA)[0]
    for who in ("ana", "ben"):
        screening.decide(rev, who, TA, rid, "include")
    with pytest.raises(DecisionError, match="needs a reason, one of: 'wrong population'"):
        screening.decide(rev, "ana", FT, rid, "exclude")
    e = screening.decide(rev, "ana", FT, rid, "exclude", reason="wrong population")
    assert e["reason"] == "wrong population"
    # at title and abstract a reason is optional
    other = screening.records_to_screen(rev, TA)[1]
    assert screening.decide(rev, "ana", TA, other, "exclude")["reason"] is None


def test_truncated_last_line_is_reported_and_skipped(rev):
    ids = screening.records_to_screen(rev, TA)
    screening.decide(rev, "ana", TA, ids[0], "include")
    screening.decide(rev, "ana", TA, ids[1], "exclude")
    path = rev.root / "screening" / TA / "ana.jsonl"
    with open(path, "a") as fh:  # a crash mid-write: half a line, no newline
        fh.write('{"decision":"include","note":"","rea')
    with pytest.warns(UserWarning, match=r"ana\.jsonl, line 3: skipped an unreadable line"):
        mine = screening.decisions(rev, TA, "ana")["ana"]
    assert {r: e["decision"] for r, e in mine.items()} == {ids[0]: "include", ids[1]: "exclude"}
    # the next decision starts on a fresh line: nothing is swallowed by the torn one
    screening.decide(rev, "ana", TA, ids[2], "maybe")
    with pytest.warns(UserWarning, match="line 3"):
        mine = screening.decisions(rev, TA, "ana")["ana"]
    assert mine[ids[2]]["decision"] == "maybe"
    report = rev.check()
    torn = [p for p in report.problems if p.line == 3]
    assert torn and torn[0].severity == "warning" and "ana.jsonl" in torn[0].file


def test_concurrent_writers_lose_nothing(tmp_path):
    rev = screening_review(tmp_path / "rev", n=60)
    ids = screening.records_to_screen(rev, TA)
    ctx = multiprocessing.get_context("spawn")
    jobs = [
        ctx.Process(target=write_decisions, args=(str(rev.root), "ana", TA,
                                                  dict.fromkeys(ids[:30], "include"))),
        ctx.Process(target=write_decisions, args=(str(rev.root), "ana", TA, dict.fromkeys(
            ids[30:], ("exclude", "wrong concept")))),
        ctx.Process(target=write_decisions, args=(str(rev.root), "ben", TA,
                                                  dict.fromkeys(ids, "maybe"))),
    ]
    for j in jobs:
        j.start()
    for j in jobs:
        j.join(60)
        assert j.exitcode == 0
    got = screening.decisions(rev, TA)
    assert len(got["ana"]) == 60 and len(got["ben"]) == 60
    assert sum(1 for e in got["ana"].values() if e["decision"] == "include") == 30
    for name in ("ana", "ben"):
        lines = (rev.root / "screening" / TA / f"{name}.jsonl").read_text().splitlines()
        assert all(json.loads(x) for x in lines)  # every line whole
    assert rev.check().valid


def test_one_message_for_an_unknown_reviewer_or_stage(rev):
    """The manifest builds the message; screening raises it as a DecisionError."""
    for call in (lambda e: rev.manifest.reviewer("zed", e), lambda e: rev.manifest.stage("ana", e)):
        with pytest.raises(ReviewFolderError) as folder_error:
            call(ReviewFolderError)
        with pytest.raises(DecisionError) as decision_error:
            call(DecisionError)
        assert str(folder_error.value) == str(decision_error.value)
    with pytest.raises(DecisionError, match=r"'ana' is a reviewer: the stage comes after"):
        screening.history(rev, "ana", "ana")
    with pytest.raises(ReviewFolderError, match="unknown reviewer 'zed'"):
        rev.reviewer("zed")
