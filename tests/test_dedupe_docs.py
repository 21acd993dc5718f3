"""The dedupe guide's examples run: every ```console and ```python block of
docs/guides/dedupe.md, in order, in a temporary folder holding docs/examples/."""

from __future__ import annotations

import json
import re
from pathlib import Path

from implmap import Review
from support.guides import guide_blocks, run_guide, work_in_copy

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guides" / "dedupe.md"


def test_guide_has_cli_and_python_side_by_side():
    langs = [lang for lang, _ in guide_blocks(GUIDE)]
    assert langs.count("console") >= 3 and langs.count("python") >= 3


def test_guide_examples_run(tmp_path, monkeypatch):
    work_in_copy(tmp_path, monkeypatch, "docs/examples")
    run_guide(GUIDE)
    # the CLI and the Python examples leave the two folders in the same state
    cli_review = Review(tmp_path / "dedupe-review")
    py_review = Review(tmp_path / "dedupe-review-py")
    def state(review: Review, name: str) -> str:  # a merge's evidence names its time
        text = (review.root / "dedupe" / name).read_text()
        return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^ :]*", "TIME", text)

    for name in ("groups.jsonl", "uncertain.jsonl"):
        assert state(cli_review, name) == state(py_review, name)
    actions = [json.loads(x)["action"] for x in
               (py_review.root / "dedupe" / "decisions.jsonl").read_text().splitlines()]
    assert actions == ["merge", "keep_apart", "undo"]
    assert len(cli_review.primary_ids()) == 6
