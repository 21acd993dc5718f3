"""The theme codebook (charting/codebook.py, ``implmap chart theme``): edits keep the file as a
person wrote it, IDs unique, and every reference in step (study files and coders' logs)."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner

from implmap import Review
from implmap.charting.codebook import (
    add_theme,
    change_theme_id,
    codebook_text,
    describe_theme,
    merge_themes,
    rename_theme,
)
from implmap.charting.coding import all_codings
from implmap.charting.model import Theme
from implmap.charting.store import load_studies
from implmap.cli import cli
from implmap.errors import UsageError
from support.paths import EVIDENCE


@pytest.fixture
def review(tmp_path) -> Review:
    root = tmp_path / "evidence"
    shutil.copytree(EVIDENCE, root, ignore=shutil.ignore_patterns(".implmap"))
    return Review(root)


def _refs(review: Review) -> set[str]:
    """Every theme ID a finding's agreed tags or a coding in force names."""
    out = {t for s in load_studies(review) for f in s.findings for t in f.themes}
    for coded in all_codings(review).values():
        out |= {t for e in coded.values() for t in e.get("themes") or []}
    return out


def test_merge_keeps_every_reference_consistent(review):
    logs = {p: p.read_text("utf-8") for p in review.coding_logs()}
    before = review.themes_path.read_text("utf-8")
    assert {"support", "trust-and-commitment"} <= _refs(review)
    agreed = {(s.id, f.id): f.themes for s in load_studies(review) for f in s.findings}
    change = merge_themes(review, ["support"], "trust-and-commitment")
    assert "support" not in _refs(review)
    assert review.check().valid
    assert "support" not in review.vocabulary().theme_ids
    # the agreed tags: the merged theme takes the source's place, once
    for s in load_studies(review):
        for f in s.findings:
            was = agreed[(s.id, f.id)]
            want = list(dict.fromkeys("trust-and-commitment" if t == "support" else t
                                      for t in was))
            assert f.themes == want
    assert change.findings == sum("support" in t for t in agreed.values())
    # the logs keep their history: old lines unchanged, one new line per affected coding
    added = 0
    for path, old in logs.items():
        new = path.read_text("utf-8")
        assert new.startswith(old)
        tail = [yaml.safe_load(x) for x in new[len(old):].splitlines()]
        assert all(e["note"] == "theme support merged into trust-and-commitment" for e in tail)
        added += len(tail)
    assert added == change.log_lines > 0
    # the codebook: the header and the other themes' lines as written
    after = review.themes_path.read_text("utf-8")
    assert after.startswith(before.split("- id:")[0])
    kept = before.split("- id: time-and-finance")[1]
    assert kept in after
    assert "id: support" not in after


def test_merge_refuses_unknown_repeated_and_self(review):
    text = review.themes_path.read_text("utf-8")
    with pytest.raises(UsageError, match="no theme with ID 'nope'"):
        merge_themes(review, ["support", "nope"], "trust-and-commitment")
    with pytest.raises(UsageError, match="named twice"):
        merge_themes(review, ["support", "support"], "trust-and-commitment")
    with pytest.raises(UsageError, match="into itself"):
        merge_themes(review, ["support"], "support")
    with pytest.raises(UsageError, match="no theme with ID 'nope'"):
        merge_themes(review, ["support"], "nope")
    assert review.themes_path.read_text("utf-8") == text


def test_add_rename_describe(review):
    before = review.themes_path.read_text("utf-8")
    long = "A theme added for the test, with a description long enough to fold " * 3
    t = add_theme(review, "new-theme", "New theme", long)
    after = review.themes_path.read_text("utf-8")
    assert after.startswith(before)  # appended: every line above stays
    assert "  description: >-\n" in after.split("- id: new-theme")[1]
    assert all(len(line) <= 96 for line in after.split("- id: new-theme")[1].splitlines())
    assert review.vocabulary().theme("new-theme") == t
    with pytest.raises(UsageError, match="already has a theme with ID 'new-theme'"):
        add_theme(review, "new-theme", "Other")
    with pytest.raises(UsageError, match="needs a name"):
        add_theme(review, "other", "  ")
    with pytest.raises(UsageError, match="not valid"):
        add_theme(review, "two words", "Two words")
    rename_theme(review, "support", "Support from others")
    describe_theme(review, "new-theme", "Short now.")
    v = review.vocabulary()
    assert v.theme_name("support") == "Support from others"
    assert v.theme("new-theme").description == "Short now."
    assert review.check().valid
    with pytest.raises(UsageError, match="no theme with ID"):
        rename_theme(review, "missing", "Name")
    with pytest.raises(UsageError, match="needs a name"):
        rename_theme(review, "support", "")


def test_change_id_moves_every_reference(review):
    name = review.vocabulary().theme_name("support")
    change = change_theme_id(review, "support", "social-support")
    assert change.findings > 0 and change.log_lines > 0
    refs = _refs(review)
    assert "support" not in refs and "social-support" in refs
    assert review.vocabulary().theme_name("social-support") == name
    assert review.vocabulary().theme_ids.index("social-support") == 2  # in place
    assert review.check().valid
    with pytest.raises(UsageError, match="already has"):
        change_theme_id(review, "social-support", "time-and-finance")


def test_codebook_text_keeps_comments_and_falls_back():
    text = "# our codebook\n- id: a\n  name: A  # a comment\n- id: b\n  name: B\n"
    themes = [Theme(id="a", name="A"), Theme(id="c", name="C", description="New.")]
    out = codebook_text(text, themes)
    assert out.startswith("# our codebook\n- id: a\n  name: A  # a comment\n")
    assert [Theme.model_validate(x) for x in yaml.safe_load(out)] == themes
    flow = "# flow\n[{id: a, name: A}]\n"
    out = codebook_text(flow, themes)
    assert out.startswith("# flow\n")
    assert [Theme.model_validate(x) for x in yaml.safe_load(out)] == themes
    assert codebook_text("", themes[:1]) == "- id: a\n  name: A\n"  # no empty description


def test_cli_theme_commands(review):
    r = str(review.root)
    res = CliRunner().invoke(cli, ["chart", "theme", "add", "x-theme", "X theme", "-r", r,
                                   "--description", "Something."])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["chart", "theme", "merge", "support", "x-theme",
                                   "--into", "trust-and-commitment", "-r", r])
    assert res.exit_code == 0, res.output
    assert "Merged support, x-theme into trust-and-commitment" in res.output
    assert review.check().valid
    res = CliRunner().invoke(cli, ["chart", "theme", "rename", "nope", "N", "-r", r])
    assert res.exit_code == 1 and "no theme with ID 'nope'" in res.output
