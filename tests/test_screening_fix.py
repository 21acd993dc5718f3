"""Mistakes can be fixed, and contradictory states are refused where they would be written.

A reviewer withdraws or changes a decision (logged, never deleting); a report marked not
retrieved cannot be assessed, and one that was assessed cannot be marked not retrieved; the
issue's case (both reviewers mark a report not retrieved in the app and exclude it, after which
PRISMA refused to run) cannot happen any more, and ``check`` explains folders where it did.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from implmap import Review, screening
from implmap.app import create_app
from implmap.cli import cli
from implmap.errors import DecisionError
from implmap.fsio import append_line, dump_json_line
from support.builders import screening_review

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TA, FT = "title_abstract", "full_text"
TOKEN = "test-token-not-secret"


@pytest.fixture
def rev(tmp_path: Path) -> Review:
    return screening_review(tmp_path / "r", n=4)


def _ids(review: Review) -> list[str]:
    return screening.records_to_screen(review, TA)


def _to_full_text(review: Review) -> list[str]:
    ids = _ids(review)
    for who in ("ana", "ben"):
        for rid in ids:
            screening.decide(review, who, TA, rid, "include")
    return ids


def _lines(review: Review, who: str, stage: str = TA) -> list[dict]:
    import json

    return [json.loads(x) for x in review.decision_log(who, stage).read_text().splitlines()]


def test_withdraw_and_change_append_and_keep_the_history(rev: Review) -> None:
    rid = _ids(rev)[0]
    with pytest.raises(DecisionError, match="no decision in force to withdraw"):
        screening.withdraw(rev, "ana", TA, rid)
    with pytest.raises(DecisionError, match="decide it instead"):
        screening.change(rev, "ana", TA, rid, "include")
    screening.decide(rev, "ana", TA, rid, "include")
    with pytest.raises(DecisionError, match="already include"):
        screening.change(rev, "ana", TA, rid, "include")
    before, after = screening.change(rev, "ana", TA, rid, "exclude", note="not GPs")
    assert before["decision"] == "include" and after["decision"] == "exclude"
    assert screening.withdraw(rev, "ana", TA, rid, note="oops")["decision"] == "exclude"
    assert rid not in screening.decisions(rev, TA, "ana")["ana"]
    assert [e["decision"] for e in _lines(rev, "ana")] == ["include", "exclude", None]
    assert _lines(rev, "ana")[-1]["note"] == "oops"
    with pytest.raises(DecisionError, match="unknown reviewer"):
        screening.withdraw(rev, "zed", TA, rid)


def test_the_cli_withdraws_and_changes(rev: Review) -> None:
    rid = _ids(rev)[1]
    run = CliRunner().invoke
    base = ["--reviewer", "ana", "--review", str(rev.root)]
    out = run(cli, ["withdraw", rid, *base])
    assert out.exit_code == 1 and "no decision in force" in out.output
    assert run(cli, ["decide", rid, "include", *base]).exit_code == 0
    out = run(cli, ["change", rid, "maybe", *base])
    assert out.exit_code == 0 and "include -> maybe" in out.output
    out = run(cli, ["withdraw", rid, "--note", "typo", *base])
    assert out.exit_code == 0 and "withdrew maybe" in out.output
    assert [e["decision"] for e in _lines(rev, "ana")] == ["include", "maybe", None]


def test_no_full_text_decision_on_a_report_not_retrieved(rev: Review) -> None:
    ids = _to_full_text(rev)
    screening.mark_retrieval(rev, ids[0], "not_retrieved")
    with pytest.raises(DecisionError, match=r"marked not retrieved.*mark it retrieved first"):
        screening.decide(rev, "ana", FT, ids[0], "exclude", reason="wrong concept")
    assert not rev.decision_log("ana", FT).exists()
    screening.mark_retrieval(rev, ids[0], "retrieved", url="https://example.org/a")
    screening.decide(rev, "ana", FT, ids[0], "include")


def test_an_assessed_report_cannot_be_marked_not_retrieved(rev: Review) -> None:
    ids = _to_full_text(rev)
    screening.decide(rev, "ana", FT, ids[0], "include")
    with pytest.raises(DecisionError, match="withdraw that decision first"):
        screening.mark_retrieval(rev, ids[0], "not_retrieved", reviewer="ana")
    # ben has not decided it: his marking is allowed (refusing it would reveal ana's decision)
    screening.decide(rev, "ana", FT, ids[1], "include")
    screening.decide(rev, "ben", FT, ids[1], "exclude", reason="wrong concept")
    screening.resolve(rev, FT, ids[1], "include", "cam")
    with pytest.raises(DecisionError, match="resolved full-text decision"):
        screening.mark_retrieval(rev, ids[1], "not_retrieved")


def test_the_issue_case_in_the_app_is_refused_and_prisma_runs(rev: Review) -> None:
    ids = _to_full_text(rev)
    for who in ("ana", "ben"):
        c = TestClient(create_app(rev, who, stage=FT, token=TOKEN),
                       headers={"X-Implmap-Token": TOKEN})
        r = c.post("/api/decide", json={"record": ids[0], "decision": "exclude",
                                        "reason": "wrong concept"})
        assert r.status_code == 200
        r = c.post("/api/full-text/not-retrieved", json={"record": ids[0]})
        assert r.status_code == 400 and "withdraw that decision first" in r.json()["error"]
        r = c.post("/api/full-text/not-retrieved", json={"record": ids[1]})
        assert r.status_code == 200
        r = c.post("/api/decide", json={"record": ids[1], "decision": "exclude",
                                        "reason": "wrong concept"})
        assert r.status_code == 400 and "marked not retrieved" in r.json()["error"]
    counts = screening.prisma_counts(rev)
    assert counts.reports_not_retrieved == 1 and counts.reports_excluded == 1
    assert rev.check().valid


def test_check_explains_a_contradiction_written_before(rev: Review) -> None:
    ids = _to_full_text(rev)
    for who in ("ana", "ben"):
        screening.decide(rev, who, FT, ids[0], "exclude", reason="wrong concept")
    append_line(rev.retrieval_path, dump_json_line(
        {"record": ids[0], "status": "not_retrieved", "time": "2026-02-01T00:00:00+00:00"}))
    problems = [p for p in rev.check().problems if p.code == "retrieval-contradiction"]
    assert [(p.file, p.record) for p in problems] == [
        ("screening/full_text/retrieval.jsonl", ids[0])]
    assert "mark it retrieved" in problems[0].message
    with pytest.raises(screening.PrismaError, match="mark each retrieved"):
        screening.prisma_counts(rev)
