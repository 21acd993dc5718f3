from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from implmap import Review, ReviewFolderError
from implmap.cli import cli


def test_init_creates_a_valid_folder(tmp_path):
    review = Review.init(tmp_path / "r", title="T", question="Q?", reviewers=["ana"])
    assert (review.root / "implmap.yaml").exists()
    assert review.manifest.title == "T"
    assert review.manifest.format_version == 1
    assert review.check().valid


def test_init_refuses_to_overwrite(tmp_path):
    Review.init(tmp_path / "r")
    with pytest.raises(ReviewFolderError, match="already holds a review"):
        Review.init(tmp_path / "r")


def test_not_a_review_folder(tmp_path):
    with pytest.raises(ReviewFolderError, match="implmap init"):
        Review(tmp_path)


def test_check_reports_manifest_problems_with_lines(tmp_path):
    review = Review.init(tmp_path / "r")
    text = (review.root / "implmap.yaml").read_text()
    (review.root / "implmap.yaml").write_text(text + "colour: blue\nformat_version: 99\n")
    result = CliRunner().invoke(cli, ["check", str(review.root), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    fields = {p["field"] for p in report["problems"]}
    assert "colour" in fields and "format_version" in fields
    assert all(p["line"] for p in report["problems"])


def test_cli_error_is_one_line_not_a_traceback(tmp_path):
    result = CliRunner().invoke(cli, ["records", "--review", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "Traceback" not in result.output
