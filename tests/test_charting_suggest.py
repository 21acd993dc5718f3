"""Suggestions: proposed TDF domains and themes for untagged findings; study files untouched."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from implmap.charting.suggest import TagModel, loso_accuracy, suggest, suggest_texts
from implmap.cli import cli
from support.builders import charting_review


def _snapshot(review):
    return {p.name: p.read_bytes() for p in (review.root / "charting" / "studies").iterdir()}


def test_tag_model_learns_and_ranks_with_probabilities():
    model = TagModel(["time", "team"]).fit(
        ["no time in the schedule", "too busy, no time", "colleagues helped", "team support"],
        [["time"], ["time"], ["team"], ["team"]])
    ranked = model.rank(["there was no time"], top=2)[0]
    assert [label for label, _ in ranked] == ["time", "team"]
    assert 0.5 < ranked[0][1] <= 1 and 0 <= ranked[1][1] < 0.5


def test_suggestions_only_for_untagged_findings_and_files_untouched(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    before = _snapshot(review)
    out = suggest(review, top=3)
    assert {(s.study, s.finding) for s in out} == {("study-a", "f3")}
    domains = [s for s in out if s.kind == "domain"]
    themes = [s for s in out if s.kind == "theme"]
    assert [s.rank for s in domains] == [1, 2, 3] and len(themes) == 2  # only two themes
    assert all(0 <= s.confidence <= 1 for s in out)
    assert domains[0].confidence >= domains[1].confidence >= domains[2].confidence
    assert {s.label for s in domains} <= set(review.vocabulary().domain_names)
    assert _snapshot(review) == before


def test_suggest_cli_writes_a_separate_file_only(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    before = _snapshot(review)
    result = CliRunner().invoke(cli, ["suggest", "-r", str(review.root), "--write"])
    assert result.exit_code == 0, result.output
    assert "study-a/f3" in result.output and "confidence" in result.output
    data = yaml.safe_load((review.root / "charting" / "suggestions.yaml").read_text("utf-8"))
    entry = data["suggestions"][0]
    assert (entry["study"], entry["finding"]) == ("study-a", "f3")
    assert len(entry["domains"]) == 3 and "confidence" in entry["domains"][0]
    assert _snapshot(review) == before
    assert review.check().valid  # the suggestions file is not a study file
    again = CliRunner().invoke(cli, ["suggest", "-r", str(review.root), "--write"])
    assert again.exit_code == 0  # re-running is safe


def test_suggest_for_free_text_uses_the_review_as_training_data(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    res = suggest_texts(review, ["Nurses had no time in their schedule for it"], top=2)[0]
    assert res["domain"][0][0] == "Environmental Context and Resources"
    assert res["theme"][0][0] == "time"
    out = CliRunner().invoke(cli, ["suggest", "-r", str(review.root), "--json", "--text",
                                   "colleagues backed the pathway"])
    data = json.loads(out.output)
    assert data[0]["theme"][0]["label"] == "teamwork"


def test_suggest_with_nothing_to_do_and_unknown_study(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    result = CliRunner().invoke(cli, ["suggest", "-r", str(review.root), "--study", "study-b"])
    assert "nothing to suggest" in result.output
    one = CliRunner().invoke(cli, ["suggest", "-r", str(review.root), "--study",
                                   str(review.root / "charting/studies/study-a.yaml")])
    assert "study-a/f3" in one.output
    bad = CliRunner().invoke(cli, ["suggest", "-r", str(review.root), "--study", "nope"])
    assert bad.exit_code == 1 and "study-a" in bad.output


def test_leave_one_study_out_scores_every_tagged_finding(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    res = loso_accuracy(review.studies(), review.vocabulary(), "domain")
    assert set(res) == {"model", "majority", "vocabulary only"}
    for r in res.values():
        assert r["n"] == 3  # f3 has no tags, so it is not scored
        assert 0 <= r["top1"] <= r["top3"] <= 1


def test_review_suggest_for_one_study(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    assert review.suggest(study="study-b") == []
    assert {s.finding for s in review.suggest(top=1, study="study-a")} == {"f3"}
