"""Blinded dual coding: per-coder logs, reconciliation, migration, and git merges."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from implmap import Review
from implmap.charting.coding import all_codings, code, codings, withdraw_code
from implmap.charting.reconcile import migrate_coding, reconcile
from implmap.charting.vocab import UnknownTermError
from implmap.cli import cli
from implmap.errors import UsageError
from support.builders import charting_review

MEMORY = "Memory, Attention and Decision Processes"


@pytest.fixture
def review(tmp_path: Path) -> Review:
    return charting_review(tmp_path / "r")[0]


def test_coding_writes_one_fsynced_line(review, monkeypatch):
    import os

    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    log = review.coding_log("cam")
    code(review, "cam", "study-a", "f1", [{"domain": "Knowledge"}], ["time"], note="first")
    lines = log.read_text("utf-8").splitlines()
    assert len(lines) == 1 and synced
    entry = json.loads(lines[0])
    assert entry["coder"] == "cam" and entry["tdf"] == [{"domain": "Knowledge",
                                                         "constructs": []}]
    assert (entry["study"], entry["finding"], entry["themes"]) == ("study-a", "f1", ["time"])
    assert entry["time"].endswith("+00:00") and "." in entry["time"]


def test_a_coders_read_never_holds_another_coders_tags(review):
    code(review, "cam", "study-a", "f1", ["Knowledge"])
    mine = codings(review, "cam")
    assert {e["coder"] for e in mine.values()} == {"cam"}
    assert set(all_codings(review)) == {"ana", "ben", "cam"}
    for coder, entries in all_codings(review).items():
        assert all(e["coder"] == coder for e in entries.values())
    assert "Knowledge" not in json.dumps(list(codings(review, "ana").values()))


def test_latest_by_time_wins_and_withdraw(review):
    log = review.coding_log("cam")
    code(review, "cam", "study-a", "f1", ["Knowledge"])
    code(review, "cam", "study-a", "f1", ["Optimism"])
    # a union merge may put an older line last: time decides, not position
    older = json.loads(log.read_text("utf-8").splitlines()[0])
    older["time"] = "2000-01-01T00:00:00.000001+00:00"
    older["tdf"] = [{"domain": "Skills", "constructs": []}]
    with log.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(older) + "\n")
    assert codings(review, "cam")[("study-a", "f1")]["tdf"][0]["domain"] == "Optimism"
    withdraw_code(review, "cam", "study-a", "f1")
    assert ("study-a", "f1") not in codings(review, "cam")
    assert len(log.read_text("utf-8").splitlines()) == 4  # the history stays
    with pytest.raises(UsageError, match="no coding"):
        withdraw_code(review, "cam", "study-a", "f1")


@pytest.mark.parametrize("tdf, themes, message", [
    (["Knowlege"], [], "unknown TDF domain 'Knowlege'"),
    ([{"domain": "Knowledge", "constructs": ["Money"]}], [], "unknown construct 'Money'"),
    ([{"domain": "Knowledge", "constructs": ["Social support"]}], [],
     "belongs to 'Social Influences'"),
    (["Knowledge"], ["no-such-theme"], "unknown theme 'no-such-theme'"),
])
def test_unknown_terms_are_refused_with_a_clear_message(review, tdf, themes, message):
    with pytest.raises(UnknownTermError, match=message):
        code(review, "cam", "study-a", "f1", tdf, themes)
    assert not review.coding_log("cam").exists()


def test_wrong_coder_study_or_finding_is_refused(review):
    with pytest.raises(UsageError, match="unknown reviewer 'zed'"):
        code(review, "zed", "study-a", "f1", ["Knowledge"])
    with pytest.raises(UsageError, match="no study 'nope'"):
        code(review, "cam", "nope", "f1", ["Knowledge"])
    with pytest.raises(UsageError, match="has no finding 'f9'"):
        code(review, "cam", "study-a", "f9", ["Knowledge"])


def test_a_domain_with_a_comma_is_one_domain(review):
    result = CliRunner().invoke(cli, ["chart", "code", "study-a", "f1", "--coder", "cam",
                                      "--domain", MEMORY, "--construct", "Decision making",
                                      "--theme", "time", "-r", str(review.root)])
    assert result.exit_code == 0, result.output
    entry = codings(review, "cam")[("study-a", "f1")]
    assert entry["tdf"] == [{"domain": MEMORY, "constructs": ["Decision making"]}]


def test_reconcile_writes_the_agreed_tags_and_keeps_the_logs(review):
    before = {p.name: p.read_bytes() for p in review.coding_logs()}
    study = review.studies_dir / "study-a.yaml"
    text = study.read_text("utf-8")
    f = reconcile(review, "study-a", "f1", [{"domain": "Knowledge",
                                             "constructs": ["Procedural knowledge"]}],
                  ["time"], by=["ana", "ben"])
    assert f.agreed_by == ["ana", "ben"] and f.agreed_at
    assert f.domains == ["Knowledge"] and f.themes == ["time"]
    assert {p.name: p.read_bytes() for p in review.coding_logs()} == before
    new = study.read_text("utf-8")
    # only the finding's tags changed: the other lines are as they were
    assert text.splitlines()[:5] == new.splitlines()[:5]
    assert "agreed_by: [ana, ben]" in new
    assert review.check().valid
    with pytest.raises(UsageError, match="unknown reviewer"):
        reconcile(review, "study-a", "f1", ["Knowledge"], by="zed")


def test_migration_moves_every_tag_and_is_idempotent(tmp_path):
    review, _ = charting_review(tmp_path / "r", migrated=False)
    originals = {}
    for path in review.study_files():
        data = yaml.safe_load(path.read_text("utf-8"))
        for f in data["findings"]:
            for coder, c in (f.get("coding") or {}).items():
                originals[(coder, data["id"], f["id"])] = (c.get("domains", []),
                                                          c.get("themes", []))
    assert originals
    warned = [p for p in review.check().problems if p.code == "coding-in-study-file"]
    assert warned and all(p.severity == "warning" for p in warned)
    assert "implmap chart migrate" in warned[0].message
    n = migrate_coding(review)
    assert n == len(originals)
    moved = {(c, s, f): ([t["domain"] for t in e["tdf"]], e["themes"])
             for c, entries in all_codings(review, legacy=False).items()
             for (s, f), e in entries.items()}
    assert moved == originals
    assert all("coding" not in p.read_text("utf-8") for p in review.study_files())
    sizes = [p.stat().st_size for p in review.coding_logs()]
    assert migrate_coding(review) == 0
    assert [p.stat().st_size for p in review.coding_logs()] == sizes
    report = review.check()
    assert report.valid and not [p for p in report.problems
                                 if p.code == "coding-in-study-file"]
    result = CliRunner().invoke(cli, ["chart", "migrate", "-r", str(review.root)])
    assert result.exit_code == 0 and "Nothing to move" in result.output


def test_agreement_is_the_same_before_and_after_migration(tmp_path):
    old, _ = charting_review(tmp_path / "old", migrated=False)
    new, _ = charting_review(tmp_path / "new")
    assert old.coding_agreement().to_dict() == new.coding_agreement().to_dict()


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                          cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_two_coders_on_two_branches_merge_without_conflict(review):
    root = review.root
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "start")
    assert "charting/coding/*.jsonl merge=union" in (root / ".gitattributes").read_text()
    _git(root, "checkout", "-qb", "ana")
    code(review, "ana", "study-a", "f1", ["Knowledge"])
    _git(root, "commit", "-qam", "ana codes")
    _git(root, "checkout", "-q", "main")
    _git(root, "checkout", "-qb", "ben")
    code(review, "ben", "study-a", "f1", ["Skills"])
    code(review, "ana", "study-b", "f1", ["Optimism"])  # ana again, on another machine
    _git(root, "commit", "-qam", "ben codes")
    _git(root, "merge", "-q", "--no-edit", "ana")
    assert "<<<<<<<" not in review.coding_log("ana").read_text("utf-8")
    ana = codings(review, "ana")
    assert ana[("study-a", "f1")]["tdf"][0]["domain"] == "Knowledge"
    assert ana[("study-b", "f1")]["tdf"][0]["domain"] == "Optimism"
    assert Review(root).check().valid


def test_code_sees_study_files_changed_since_the_last_save(tmp_path):
    from implmap.errors import ValidationFailed

    review, _ = charting_review(tmp_path / "r")
    code(review, "cam", "study-b", "f1", ["Knowledge"])  # parses and keeps the study files
    path = review.studies_dir / "study-b.yaml"
    path.write_text(path.read_text("utf-8") + "- id: f9\n  statement: Added later.\n"
                    "  type: barrier\n", "utf-8")
    assert code(review, "cam", "study-b", "f9", ["Knowledge"])["finding"] == "f9"
    (review.studies_dir / "study-b.yaml").unlink()
    with pytest.raises(UsageError, match="no study 'study-b'"):
        code(review, "cam", "study-b", "f1", ["Knowledge"])
    a = review.studies_dir / "study-a.yaml"
    a.write_text(a.read_text("utf-8").replace("type: barrier", "type: hurdle", 1), "utf-8")
    with pytest.raises(ValidationFailed):
        code(review, "cam", "study-a", "f1", ["Knowledge"])
