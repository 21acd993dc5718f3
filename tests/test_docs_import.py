"""The import guide's examples run: every ```console and ```python block of
docs/guides/import.md, in order, in a temporary copy of docs/examples/."""

from __future__ import annotations

from pathlib import Path

from support.guides import guide_blocks, run_guide, work_in_copy

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guides" / "import.md"


def test_guide_has_cli_and_python_examples():
    langs = [lang for lang, _ in guide_blocks(GUIDE)]
    assert langs.count("console") >= 5 and langs.count("python") >= 5


def test_guide_examples_run(tmp_path, monkeypatch):
    work_in_copy(tmp_path, monkeypatch, "docs/examples")
    run_guide(GUIDE)
    # what the examples did is what the guide says
    from implmap import Review

    cli_review = Review(tmp_path / "my-review")
    assert [s.database for s in cli_review.searches()].count("Embase") == 1
    assert (tmp_path / "records.csv").exists() and (tmp_path / "all-records.ris").exists()
    assert {s.encoding for s in Review(tmp_path / "my-review-py").searches()} >= {"cp1252"}
