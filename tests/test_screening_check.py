"""`implmap check` on screening logs: every problem with file, line, record and field."""

from __future__ import annotations

import json

from click.testing import CliRunner

from implmap import screening
from implmap.cli import cli
from implmap.fsio import dump_json_line
from support.builders import screening_review

TA, FT = "title_abstract", "full_text"


def test_a_clean_review_is_valid(tmp_path):
    rev = screening_review(tmp_path / "r", n=3)
    ids = screening.records_to_screen(rev, TA)
    screening.decide(rev, "ana", TA, ids[0], "include")
    screening.decide(rev, "ben", TA, ids[0], "exclude")
    screening.resolve(rev, TA, ids[0], "include", by="cam")
    screening.mark_retrieval(rev, ids[0], "retrieved", url="https://example.org/a")
    assert rev.check().valid, rev.check().problems


def test_every_problem_is_named(tmp_path):
    rev = screening_review(tmp_path / "r", n=3)
    ids = screening.records_to_screen(rev, TA)
    d = rev.root / "screening" / TA
    d.mkdir(parents=True)
    good = {"record": ids[0], "decision": "include", "reason": None, "note": "",
            "reviewer": "ana", "stage": TA, "time": "2026-01-01T00:00:00+00:00"}
    lines = [
        dump_json_line(good),
        "this is not json\n",
        dump_json_line({**good, "record": "ghost-1"}),
        dump_json_line({**good, "decision": "yes"}),
        dump_json_line({**good, "decision": "exclude", "reason": "too long"}),
        dump_json_line({**good, "reviewer": "ben"}),
        dump_json_line({k: v for k, v in good.items() if k != "time"}),
        dump_json_line({**good, "time": "yesterday"}),
    ]
    (d / "ana.jsonl").write_text("".join(lines))
    (d / "zed.jsonl").write_text(dump_json_line({**good, "reviewer": "zed"}))
    (d / "resolutions.jsonl").write_text(dump_json_line(
        {"record": ids[1], "decision": "include", "reason": None, "note": "", "by": ["nobody"],
         "method": "coin", "time": "2026-01-01T00:00:00+00:00"}))
    (rev.root / "screening" / "abstracts").mkdir()
    (rev.root / "screening" / FT).mkdir()
    (rev.root / "screening" / FT / "ana.jsonl").write_text(dump_json_line(
        {**good, "stage": FT, "decision": "exclude"}))
    res = CliRunner().invoke(cli, ["check", str(rev.root), "--json"])
    assert res.exit_code == 1
    problems = json.loads(res.output)["problems"]
    got = {(p["file"].split("screening/")[-1], p["line"], p["field"]): p["message"]
           for p in problems}
    codes = {(p["file"].split("screening/")[-1], p["line"], p["field"]): p["code"]
             for p in problems}
    assert "invalid" not in codes.values()  # every problem carries its own registered code
    assert codes[("title_abstract/ana.jsonl", 5, "reason")] == "unknown-reason"
    assert codes[("full_text/ana.jsonl", 1, "reason")] == "reason-required"
    f = "title_abstract/ana.jsonl"
    assert "not valid JSON" in got[(f, 2, None)]
    assert "unknown record 'ghost-1'" in got[(f, 3, "record")]
    assert "decision 'yes'" in got[(f, 4, "decision")]
    assert "unknown exclusion reason 'too long'" in got[(f, 5, "reason")]
    assert "reviewer 'ben' in the log of 'ana'" in got[(f, 6, "reviewer")]
    assert "missing field 'time'" in got[(f, 7, "time")]
    assert "not an ISO 8601" in got[(f, 8, "time")]
    assert "unknown reviewer 'zed'" in got[("title_abstract/zed.jsonl", None, None)]
    assert "unknown reviewer 'nobody'" in got[("title_abstract/resolutions.jsonl", 1, "by")]
    assert "method 'coin'" in got[("title_abstract/resolutions.jsonl", 1, "method")]
    assert "unknown stage 'abstracts'" in got[("abstracts", None, None)]
    assert "needs a reason" in got[("full_text/ana.jsonl", 1, "reason")]
