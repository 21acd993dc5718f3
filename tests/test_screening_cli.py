"""The screening commands: decide, conflicts, resolve-record, agreement, retrieval."""

from __future__ import annotations

import json

from click.testing import CliRunner

from implmap import screening
from implmap.cli import cli
from support.builders import screening_review

TA = "title_abstract"


def _run(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


def test_decide_conflicts_resolve_agreement(tmp_path):
    rev = screening_review(tmp_path / "r", n=4)
    r = ["-r", rev.root]
    ids = screening.records_to_screen(rev, TA)
    for rid in ids:
        assert _run("decide", rid, "include", "--reviewer", "ana", *r).exit_code == 0
    res = _run("decide", ids[0], "exclude", "--reviewer", "ben", "--note", "off topic", *r)
    assert res.exit_code == 0 and f"ben: {ids[0]} exclude at title_abstract" in res.output
    for rid in ids[1:]:
        _run("decide", rid, "maybe", "--reviewer", "ben", *r)
    res = _run("conflicts", *r)
    assert res.exit_code == 0 and ids[0] in res.output and "1 open" in res.output
    res = _run("conflicts", "--json", *r)
    (c,) = json.loads(res.output)
    assert c["record"] == ids[0] and [d["reviewer"] for d in c["decisions"]] == ["ana", "ben"]
    res = _run("resolve-record", ids[0], "include", "--by", "cam", "--note", "agreed", *r)
    assert res.exit_code == 0 and "third_reviewer" in res.output
    assert json.loads(_run("conflicts", "--json", *r).output) == []
    res = _run("agreement", *r)
    assert res.exit_code == 0 and "ana/ben" in res.output and "maybe counts as include" in (
        res.output)
    data = json.loads(_run("agreement", "--json", "--stage", TA, *r).output)
    assert data["pairs"][0]["n"] == 4 and data["pairs"][0]["percent"] == 0.75
    res = _run("screening", "retrieval", ids[1], "not_retrieved", *r)
    assert res.exit_code == 0, res.output


def test_errors_are_one_line(tmp_path):
    rev = screening_review(tmp_path / "r", n=2)
    res = _run("decide", "nope", "include", "--reviewer", "ana", "-r", rev.root)
    assert res.exit_code == 1 and "Error: record 'nope' is not screened" in res.output
    res = _run("decide", "x", "include", "--reviewer", "zed", "-r", rev.root)
    assert res.exit_code == 1 and "unknown reviewer 'zed'" in res.output
    rid = screening.records_to_screen(rev, TA)[0]
    res = _run("resolve-record", rid, "include", "--by", "cam", "-r", rev.root)
    assert res.exit_code == 1 and "no conflict to resolve" in res.output


def test_conflict_table_escapes_markup(tmp_path):
    from support.builders import add_search

    rev = screening_review(tmp_path / "r", n=0)
    (rid,) = add_search(rev, [{"title": "[bold red]x[/] [link=javascript:alert(1)]y[/link]"}])
    screening.decide(rev, "ana", TA, rid, "include")
    screening.decide(rev, "ben", TA, rid, "exclude")
    res = _run("conflicts", "-r", rev.root)
    assert "[bold red]x[/]" in res.output


def test_a_torn_log_line_is_a_warning_not_a_failure(tmp_path):
    rev = screening_review(tmp_path / "r", n=3)
    ids = screening.records_to_screen(rev, TA)
    screening.decide(rev, "ana", TA, ids[0], "include")
    with open(rev.root / "screening" / TA / "ana.jsonl", "a") as fh:
        fh.write('{"decision":"incl')
    res = CliRunner().invoke(cli, ["agreement", "-r", str(rev.root)])
    assert res.exit_code == 0
    assert "Warning:" in res.stderr and "ana.jsonl, line 2" in res.stderr
