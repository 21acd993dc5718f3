"""Git merges of a review (issue #12, item 3): .gitattributes and .gitignore, the regenerated
dedupe files kept out of git, merge damage found by the check, logs read in time order."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from implmap import Review, screening
from implmap.cli import cli
from implmap.dedupe.groups import (
    decide,
    duplicates_removed,
    load_decisions,
    load_groups,
    primary_ids,
)
from implmap.fsio import append_line, dump_json_line
from support.builders import import_records, rec, screening_review

TA = "title_abstract"
UNION = ("screening/**/*.jsonl merge=union", "dedupe/decisions.jsonl merge=union")
IGNORED = (".implmap/", "dedupe/groups.jsonl", "dedupe/uncertain.jsonl")


def _line(reviewer: str, record: str, decision: str | None, time: str,
          stage: str = TA) -> str:
    return dump_json_line({"decision": decision, "note": "", "reason": None, "record": record,
                           "reviewer": reviewer, "stage": stage, "time": time})


def _codes(review: Review) -> dict[str, set[tuple[str, int | None, str]]]:
    out: dict[str, set[tuple[str, int | None, str]]] = {}
    for p in review.check().problems:
        out.setdefault(p.code, set()).add((p.file, p.line, p.severity))
    return out


# ---------------------------------------------------------------- .gitattributes and .gitignore
def test_init_writes_gitattributes_and_gitignore(tmp_path: Path) -> None:
    review = Review.init(tmp_path / "r")
    attributes = (review.root / ".gitattributes").read_text().splitlines()
    ignored = (review.root / ".gitignore").read_text().splitlines()
    assert set(UNION) <= set(attributes)
    assert set(IGNORED) <= set(ignored)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_reads_the_attributes_as_meant(tmp_path: Path) -> None:
    review = screening_review(tmp_path / "r", n=2)
    subprocess.run(["git", "init", "-q", str(review.root)], check=True)
    paths = ["screening/title_abstract/ana.jsonl", "screening/full_text/resolutions.jsonl",
             "screening/full_text/retrieval.jsonl", "dedupe/decisions.jsonl",
             "dedupe/groups.jsonl", "implmap.yaml"]
    out = subprocess.run(["git", "check-attr", "merge", "--", *paths], cwd=review.root,
                         check=True, capture_output=True, text=True).stdout
    merge = dict(line.split(": merge: ") for line in out.splitlines())
    assert merge == {**{p: "union" for p in paths[:4]}, "dedupe/groups.jsonl": "unspecified",
                     "implmap.yaml": "unspecified"}
    out = subprocess.run(["git", "check-ignore", "--", *paths, ".implmap/x.lock",
                          "dedupe/uncertain.jsonl"], cwd=review.root, capture_output=True,
                         text=True).stdout
    assert out.split() == ["dedupe/groups.jsonl", ".implmap/x.lock", "dedupe/uncertain.jsonl"]


def test_git_setup_completes_an_older_folder_and_keeps_user_lines(tmp_path: Path) -> None:
    review = screening_review(tmp_path / "r", n=2)
    (review.root / ".gitattributes").unlink()
    (review.root / ".gitignore").write_text(".implmap/\n*.pdf")  # an older implmap + a user line
    review.dedupe_dir.mkdir()
    review.dedupe_groups.write_text("")  # dedupe ran with an older implmap
    runner = CliRunner()
    first = runner.invoke(cli, ["git-setup", str(review.root)])
    assert first.exit_code == 0, first.output
    assert "updated .gitattributes" in first.output and "git rm --cached" in first.output
    ignored = (review.root / ".gitignore").read_text().splitlines()
    assert ignored[:2] == [".implmap/", "*.pdf"] and ignored.count(".implmap/") == 1
    assert set(IGNORED) <= set(ignored)
    assert set(UNION) <= set((review.root / ".gitattributes").read_text().splitlines())
    assert review.dedupe_ran.exists()
    texts = [(review.root / n).read_text() for n in (".gitattributes", ".gitignore")]
    again = runner.invoke(cli, ["git-setup", str(review.root)])
    assert again.exit_code == 0 and "up to date" in again.output
    assert [(review.root / n).read_text() for n in (".gitattributes", ".gitignore")] == texts
    assert review.update_git_files() == []


# ------------------------------------------------------------ regenerated dedupe files, untracked
T1 = "Barriers to implementing exercise therapy for knee osteoarthritis in general practice"
T2 = "Facilitators of guideline adherence among physiotherapists: a qualitative study"


def _dedupe_review(root: Path) -> tuple[Review, list[str], list[str]]:
    review = Review.init(root, reviewers=["ana", "ben"])
    a = import_records(review, [rec("", T1, ["Klausen MD"], "2019", "Implement Sci", "14", "2",
                                    "101-110", doi="10.1186/s13012-019-0001-x"),
                                rec("", T2, ["Olsen, Ida"], "2020", "Physiotherapy")],
                       "embase.ris", "Embase")
    b = import_records(review, [rec("", T1 + ".", ["Klausen, Mette Dahl"], "2019",
                                    "Implementation Science", "14", "2", "101-10"),
                                rec("", T2.upper(), ["Olsen I"], "2020", "Physiotherapy")],
                       "pubmed.ris", "PubMed")
    return review, a, b


def _clone(review: Review, to: Path) -> Review:
    """What a git clone holds: everything but the ignored files."""
    ignore = shutil.ignore_patterns(".implmap", "groups.jsonl", "uncertain.jsonl")
    shutil.copytree(review.root, to, ignore=ignore)
    return Review(to)


def test_a_clone_without_the_regenerated_files_sees_the_same_groups(tmp_path: Path) -> None:
    review, _, _ = _dedupe_review(tmp_path / "r")
    review.find_duplicates()
    want = (primary_ids(review), duplicates_removed(review))
    assert want[1] == 2
    clone = _clone(review, tmp_path / "clone")
    assert not clone.dedupe_groups.exists() and clone.deduplicated()
    assert (primary_ids(clone), duplicates_removed(clone)) == want
    assert clone.dedupe_groups.exists()  # regenerated on first read
    assert screening.records_to_screen(clone, TA) == screening.records_to_screen(review, TA)


def test_a_pulled_decision_regenerates_the_groups(tmp_path: Path) -> None:
    review, _, _ = _dedupe_review(tmp_path / "r")
    review.find_duplicates()
    other = _clone(review, tmp_path / "other")
    kept_apart = load_groups(other)[0].members
    decide(other, "keep_apart", kept_apart[0], kept_apart[1], by="ben")
    # the pull brings the decision line; nobody runs dedupe
    append_line(review.dedupe_decisions, other.dedupe_decisions.read_text())
    assert duplicates_removed(review) == duplicates_removed(other) == 1
    assert primary_ids(review) == primary_ids(other)


# ------------------------------------------------------------------------- merge damage, check
def test_check_finds_conflict_markers_in_logs_and_yaml(tmp_path: Path) -> None:
    review = screening_review(tmp_path / "r", n=2)
    ids = review.record_ids()
    log = review.decision_log("ana", TA)
    log.parent.mkdir(parents=True)
    log.write_text("<<<<<<< HEAD\n" + _line("ana", ids[0], "include", "2026-01-01T10:00:00+00:00")
                   + "=======\n" + _line("ana", ids[1], "exclude", "2026-01-01T11:00:00+00:00")
                   + ">>>>>>> origin/main\n")
    review.themes_path.parent.mkdir()
    review.themes_path.write_text("- id: access\n<<<<<<< HEAD\n  name: Access\n=======\n"
                                  "  name: Access to care\n>>>>>>> theirs\n")
    with pytest.warns(UserWarning, match="git conflict marker"):
        found = _codes(review)
    assert found["merge-conflict"] == {
        ("screening/title_abstract/ana.jsonl", 1, "error"),
        ("screening/title_abstract/ana.jsonl", 3, "error"),
        ("screening/title_abstract/ana.jsonl", 5, "error"),
        ("charting/themes.yaml", 2, "error"), ("charting/themes.yaml", 4, "error"),
        ("charting/themes.yaml", 6, "error"),
    }


def test_check_finds_a_line_written_twice(tmp_path: Path) -> None:
    review = screening_review(tmp_path / "r", n=3)
    ids = review.record_ids()
    same = _line("ana", ids[0], "include", "2026-01-01T10:00:00+00:00")
    later = _line("ana", ids[0], "exclude", "2026-01-01T11:00:00+00:00")
    log = review.decision_log("ana", TA)
    # a union merge of a line both sides had, and of ben's changed decision: harmless
    for line in (same, later, same):
        append_line(log, line)
    # two different decisions in one second, one of them repeated after the other: it counts
    tie = "2026-01-01T12:00:00+00:00"
    ben = review.decision_log("ben", TA)
    for line in (_line("ben", ids[1], "include", tie), _line("ben", ids[1], "exclude", tie),
                 _line("ben", ids[1], "include", tie)):
        append_line(ben, line)
    dd = {"action": "merge", "by": "ana", "note": "", "records": [ids[1], ids[2]],
          "time": "2026-01-01T10:00:00+00:00"}
    append_line(review.dedupe_decisions, dump_json_line(dd))
    append_line(review.dedupe_decisions, dump_json_line(dd))
    found = _codes(review)
    assert found["repeated-line"] == {
        ("screening/title_abstract/ana.jsonl", 3, "warning"),
        ("screening/title_abstract/ben.jsonl", 3, "error"),
        ("dedupe/decisions.jsonl", 2, "warning"),
    }
    # and the later decision counts, wherever the merge put it
    assert screening.decisions(review, TA, "ana")["ana"][ids[0]]["decision"] == "exclude"


# --------------------------------------------------------------------------- time, not position
def test_the_latest_line_by_time_counts_not_the_last_in_the_file(tmp_path: Path) -> None:
    review = screening_review(tmp_path / "r", n=3)
    a, b, c = review.record_ids()
    log = review.decision_log("ana", TA)
    # machine 2's lines (later) were merged in before machine 1's (earlier)
    for line in (_line("ana", a, "exclude", "2026-01-02T09:00:00+00:00"),
                 _line("ana", b, None, "2026-01-02T09:00:05+00:00"),
                 _line("ana", a, "include", "2026-01-01T09:00:00+00:00"),
                 _line("ana", b, "include", "2026-01-01T09:00:00+00:00"),
                 _line("ana", c, "maybe", "2026-01-01T09:00:00+00:00")):
        append_line(log, line)
    got = screening.decisions(review, TA, "ana")["ana"]
    assert {r: e["decision"] for r, e in got.items()} == {a: "exclude", c: "maybe"}
    assert [e["time"][:10] for e in screening.history(review, "ana", TA)] == [
        "2026-01-01"] * 3 + ["2026-01-02"] * 2
    res = review.resolutions_path(TA)
    for decision, time in (("exclude", "2026-01-03T00:00:00+00:00"),
                           ("include", "2026-01-02T00:00:00+00:00")):
        append_line(res, json.dumps({"by": ["cam"], "decision": decision, "method":
                                     "third_reviewer", "note": "", "reason": None,
                                     "record": a, "time": time}))
    assert screening.resolutions(review, TA)[a]["decision"] == "exclude"


def test_dedupe_decisions_count_in_time_order(tmp_path: Path) -> None:
    review, _, _ = _dedupe_review(tmp_path / "r")
    review.find_duplicates()
    pair = load_groups(review)[0].members
    for action, time in (("keep_apart", "2026-01-02T00:00:00+00:00"),
                         ("merge", "2026-01-01T00:00:00+00:00")):
        append_line(review.dedupe_decisions, dump_json_line(
            {"action": action, "by": "ana", "note": "", "records": pair, "time": time}))
    assert [d.action for d in load_decisions(review)] == ["merge", "keep_apart"]
    assert duplicates_removed(review) == 1
