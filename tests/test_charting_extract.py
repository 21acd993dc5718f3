"""Extracting findings: add, edit and delete, applied to the study file and logged per coder."""

from __future__ import annotations

import pytest

from implmap.charting.extract import (
    add_finding,
    change_finding,
    delete_finding,
    extraction_history,
)
from implmap.charting.store import load_studies
from implmap.errors import UsageError
from implmap.jsonl import read_jsonl
from support.builders import charting_review


def _study(review, sid="study-a"):
    return next(s for s in load_studies(review) if s.id == sid)


def test_add_edit_delete_keep_the_file_readable_and_the_history(tmp_path):
    review, _ = charting_review(tmp_path / "rev")
    path = review.studies_dir / "study-a.yaml"
    before = path.read_text("utf-8")
    e = add_finding(review, "ana", "study-a", "  Managers gave no protected time: none. ",
                    "barrier", ["managers", "nurses"], "organisational", "Table 2")
    assert e["finding"] == "f4" and e["before"] is None
    text = path.read_text("utf-8")
    assert text.startswith(before.rstrip("\n"))  # the file as written, one finding added
    f = _study(review).findings[-1]
    assert (f.id, f.statement, f.type, f.perspective, f.level, f.source) == (
        "f4", "Managers gave no protected time: none.", "barrier", ["managers", "nurses"],
        "organisational", "Table 2")
    change_finding(review, "ben", "study-a", "f4", {"type": "facilitator", "source": ""})
    f = _study(review).findings[-1]
    assert f.type == "facilitator" and f.source == "" and f.statement.startswith("Managers")
    delete_finding(review, "ana", "study-a", "f4", note="a duplicate of f1")
    assert [f.id for f in _study(review).findings] == ["f1", "f2", "f3"]
    assert path.read_text("utf-8") == before
    history = extraction_history(review, "study-a", "f4")
    assert [h["action"] for h in history] == ["add", "edit", "delete"]
    assert history[1]["before"]["type"] == "barrier" and history[1]["after"]["type"] == \
        "facilitator"
    assert history[2]["before"]["statement"].startswith("Managers") and history[2]["after"] \
        is None
    assert [h["coder"] for h in history] == ["ana", "ben", "ana"]
    assert len(list(read_jsonl(review.extraction_log("ana")))) == 2
    assert "charting/extraction/*.jsonl merge=union" in (
        review.root / ".gitattributes").read_text()


@pytest.mark.parametrize(("values", "message"), [
    ({"statement": "  ", "type": "barrier"}, "statement is empty"),
    ({"statement": "x", "type": "obstacle"}, "barrier or facilitator"),
    ({"statement": "x", "type": "barrier", "level": "national"}, "level must be one of"),
])
def test_bad_input_writes_nothing(tmp_path, values, message):
    review, _ = charting_review(tmp_path / "rev")
    path = review.studies_dir / "study-a.yaml"
    before = path.read_text("utf-8")
    with pytest.raises(UsageError, match=message):
        add_finding(review, "ana", "study-a", **values)
    with pytest.raises(UsageError, match=message):
        change_finding(review, "ana", "study-a", "f1", values)
    assert path.read_text("utf-8") == before
    assert not review.extraction_log("ana").exists()


def test_unknown_study_finding_or_coder(tmp_path):
    review, _ = charting_review(tmp_path / "rev")
    with pytest.raises(UsageError, match="no study"):
        add_finding(review, "ana", "nope", "x", "barrier")
    with pytest.raises(UsageError, match="no finding"):
        delete_finding(review, "ana", "study-a", "f9")
    with pytest.raises(UsageError):
        add_finding(review, "zed", "study-a", "x", "barrier")
