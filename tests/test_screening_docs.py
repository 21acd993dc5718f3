"""Every example in docs/guides/screening.md runs: the command-line path and the Python path,
each on a fresh folder (a reader follows one of them), and both end with the PRISMA counts the
guide states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from implmap import Review, screening
from support.guides import console_commands, guide_blocks, run_guide

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guides" / "screening.md"

EXPECTED = {
    "identified": 5, "duplicates_removed": 0, "records_screened": 5, "records_excluded": 2,
    "records_awaiting": 0, "reports_sought": 3, "reports_not_retrieved": 1,
    "reports_awaiting_assessment": 0, "reports_assessed": 2, "reports_excluded": 1,
    "reports_excluded_by_reason": {"wrong context": 1}, "reports_awaiting": 0,
    "reports_included": 1, "studies_included": 1, "identified_by_database": {"MEDLINE": 5},
}


def setup_script() -> str:
    """The guide's first block: the Python script that builds the review both paths use."""
    lang, body = guide_blocks(GUIDE)[0]
    assert lang == "python" and "Review.init" in body
    return body


def test_guide_has_both_paths():
    langs = [lang for lang, _ in guide_blocks(GUIDE)]
    assert langs.count("python") >= 7 and langs.count("console") >= 7
    commands = [line for lang, body in guide_blocks(GUIDE) if lang == "console"
                for line, _ in console_commands(body)]
    assert {c.split()[2] for c in commands} >= {
        "decide", "screening", "conflicts", "resolve-record", "agreement", "prisma", "check"}


def test_python_examples(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    ns = run_guide(GUIDE, skip=lambda lang, _: lang == "console")
    assert ns["counts"].to_dict() == EXPECTED
    out = capsys.readouterr().out
    assert "baa7a7db-2 decision {'ana': 'include', 'ben': 'exclude'}" in out
    assert "['baa7a7db-1']" in out  # included_records


def test_cli_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    setup = setup_script()
    run_guide(GUIDE, skip=lambda lang, body: lang == "python" and body != setup)
    assert json.loads((tmp_path / "prisma.json").read_text()) == EXPECTED
    assert (tmp_path / "prisma.csv").read_text().startswith("box,label,count\n")
    review = Review(tmp_path / "evidence")
    assert screening.included_records(review) == ["baa7a7db-1"]
    assert review.check().valid


@pytest.mark.parametrize("word", ["maybe counts as include", "Covidence"])
def test_guide_says_how_maybe_counts(word):
    assert word in GUIDE.read_text(encoding="utf-8")
