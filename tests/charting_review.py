"""A small hand-made review with charting, for the charting tests (not a test module)."""

from __future__ import annotations

import shutil
from pathlib import Path

from implmap import Review
from implmap.fsio import append_line, dump_json_line

HERE = Path(__file__).resolve().parent / "fixtures" / "charting"


def _log(review: Review, stage: str, who: str, record: str, decision: str) -> None:
    append_line(review.root / "screening" / stage / f"{who}.jsonl", dump_json_line({
        "record": record, "decision": decision, "reason": None if decision == "include"
        else "wrong concept", "note": "", "reviewer": who, "stage": stage,
        "time": "2025-01-01T00:00:00Z"}))


def make_review(root: Path) -> tuple[Review, list[str]]:
    """A review of three records: two included (charted by study-a and study-b), one excluded.

    Returns the review and the three record IDs.
    """
    review = Review.init(root, title="Charting test", reviewers=["ana", "ben", "cam"])
    review.import_file(HERE / "mini.ris", database="Handmade")
    ids = [r.id for r in review.iter_records()]
    for stage in ("title_abstract", "full_text"):
        for who in ("ana", "ben"):
            for rid in ids:
                excluded = stage == "full_text" and rid == ids[2]
                _log(review, stage, who, rid, "exclude" if excluded else "include")
    studies = review.root / "charting" / "studies"
    studies.mkdir(parents=True)
    shutil.copy(HERE / "themes.yaml", review.root / "charting" / "themes.yaml")
    for name, rid in (("study-a", ids[0]), ("study-b", ids[1])):
        text = (HERE / f"{name}.yaml").read_text("utf-8")
        (studies / f"{name}.yaml").write_text(text.replace("{r1}", rid).replace("{r2}", rid),
                                              "utf-8")
    return review, ids
