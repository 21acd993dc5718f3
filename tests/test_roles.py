"""Reviewer roles (#12): a known role or a clear error; only the arbiter resolves alone and
opens resolve mode; ``implmap init --arbiter`` names one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from implmap import Review, screening
from implmap.app import create_app
from implmap.cli import cli
from implmap.errors import DecisionError, ReviewFolderError, UsageError
from implmap.manifest import ROLES, Manifest
from support.builders import screening_review

TA = "title_abstract"
ROOT = Path(__file__).resolve().parents[1]


def _run(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


def _misspell_role(root: Path) -> None:
    path = root / "implmap.yaml"
    path.write_text(path.read_text("utf-8").replace("role: reviewer", "role: reviwer", 1),
                    "utf-8")


def test_the_roles_are_those_the_code_knows_and_existing_folders_stay_valid():
    assert ROLES == ("reviewer", "third", "coder")
    roles = {r.id: r.role for r in Manifest.load(ROOT / "evidence" / "implmap.yaml").reviewers}
    assert roles == {"ana": "reviewer", "ben": "reviewer", "cam": "third"}
    assert Review(ROOT / "evidence").check().valid


def test_a_misspelt_role_is_refused_naming_file_field_and_the_roles(tmp_path):
    rev = screening_review(tmp_path / "r", n=2)
    _misspell_role(rev.root)
    with pytest.raises(ReviewFolderError) as err:
        Manifest.load(rev.root / "implmap.yaml")
    text = str(err.value)
    assert "implmap.yaml" in text and "reviewers.0.role" in text and "'reviwer'" in text
    assert all(role in text for role in ROLES)
    # implmap check reports it, with its code and line, rather than crashing
    res = _run("check", rev.root, "--json")
    assert res.exit_code == 1, res.output
    (problem,) = json.loads(res.output)["problems"]
    assert problem["code"] == "unknown-role" and problem["field"] == "reviewers.0.role"
    lines = (rev.root / "implmap.yaml").read_text("utf-8").splitlines()
    assert "reviwer" in lines[problem["line"] - 1]
    res = _run("check", rev.root)
    assert res.exit_code == 1 and "implmap.yaml" in res.output and "reviwer" in res.output


def _conflict(rev: Review) -> str:
    rid = screening.records_to_screen(rev, TA)[0]
    screening.decide(rev, "ana", TA, rid, "include")
    screening.decide(rev, "ben", TA, rid, "exclude", reason=_reasons(rev)[0])
    return rid


def _reasons(rev: Review) -> list[str]:
    return list(rev.manifest.exclusion_reasons)


def test_only_the_arbiter_resolves_alone(tmp_path):
    rev = screening_review(tmp_path / "r", n=4)
    rid = _conflict(rev)
    for who in ("ana", "ben"):  # a screener settling their own conflict alone
        with pytest.raises(DecisionError, match=rf"'{who}' is not the arbiter.*arbiter: cam"):
            screening.resolve(rev, TA, rid, "include", by=who)
        with pytest.raises(DecisionError, match="not the arbiter"):
            screening.resolve(rev, TA, rid, "include", by=[who], method="third_reviewer")
        with pytest.raises(DecisionError, match="every screener"):  # one alone is no consensus
            screening.resolve(rev, TA, rid, "include", by=[who], method="consensus")
    with pytest.raises(DecisionError, match="ben is missing"):
        screening.resolve(rev, TA, rid, "include", by=["ana", "cam"])
    assert screening.resolutions(rev, TA) == {}
    # a consensus of every screener, with or without the arbiter, and the arbiter alone
    assert screening.resolve(rev, TA, rid, "include", by=["ana", "ben"])["method"] == "consensus"
    assert screening.resolve(rev, TA, rid, "exclude", by=["ana", "ben", "cam"],
                             reason=_reasons(rev)[0])["method"] == "consensus"
    assert screening.resolve(rev, TA, rid, "include", by="cam")["method"] == "third_reviewer"


def test_resolve_mode_is_for_the_arbiter_only(tmp_path):
    rev = screening_review(tmp_path / "r", n=4)
    _conflict(rev)
    for who in ("ana", "ben"):
        with pytest.raises(DecisionError, match=rf"'{who}' may not resolve.*arbiter: cam"):
            create_app(rev, who, mode="resolve")
    assert create_app(rev, "cam", mode="resolve").state.session.mode == "resolve"
    create_app(rev, "ana")  # screening is still open to a screener
    # the command says how to start it for the arbiter
    res = _run("resolve", "--reviewer", "ana", "--no-browser", "-r", rev.root)
    assert res.exit_code == 1
    assert "may not resolve" in res.output and "--reviewer" in res.output


def test_init_names_the_arbiter(tmp_path):
    res = _run("init", tmp_path / "r", "--reviewer", "ana", "--reviewer", "ben",
               "--arbiter", "cam")
    assert res.exit_code == 0, res.output
    rev = Review(tmp_path / "r")
    assert [(r.id, r.role) for r in rev.manifest.reviewers] == [
        ("ana", "reviewer"), ("ben", "reviewer"), ("cam", "third")]
    assert screening.screeners(rev) == ["ana", "ben"]
    with pytest.raises(UsageError, match="named twice"):
        Review.init(tmp_path / "s", reviewers=["ana", "cam"], arbiters=["cam"])
    with pytest.raises(UsageError, match="invalid reviewer ID"):
        Review.init(tmp_path / "t", arbiters=["Cam"])
    assert not (tmp_path / "s").exists() and not (tmp_path / "t").exists()
