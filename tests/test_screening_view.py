"""Blinding: what reviewer A sees never depends on reviewer B's decisions."""

from __future__ import annotations

import pytest

from implmap import screening
from implmap.screening import log as logmod
from support.builders import screening_review

TA, FT = "title_abstract", "full_text"


def _view(rev, who, stage):
    return screening.reviewer_view(rev, who, stage).to_dict()


@pytest.mark.parametrize("stage", [TA, FT])
def test_a_sees_the_same_whether_or_not_b_screened(tmp_path, stage):
    rev = screening_review(tmp_path / "r", n=8)
    ids = screening.records_to_screen(rev, TA)
    if stage == FT:
        for rid in ids[:5]:
            screening.decide(rev, "ana", TA, rid, "include")
            screening.decide(rev, "ben", TA, rid, "include")
        ids = screening.records_to_screen(rev, FT)
    for rid in ids[:3]:
        screening.decide(rev, "ana", stage, rid, "include")
    alone = _view(rev, "ana", stage)
    assert alone["screened"] == 3 and alone["total"] == len(ids)
    views = []
    for decision, reason in (("exclude", "wrong concept"), ("include", None), ("maybe", None)):
        for rid in ids:  # B screens everything, then changes every decision
            if stage == FT and decision == "maybe":
                continue
            screening.decide(rev, "ben", stage, rid, decision, reason=reason)
        views.append(_view(rev, "ana", stage))
    assert all(v == alone for v in views)
    # a resolution is public: then (and only then) A sees the final decision
    rid = ids[0]
    screening.decide(rev, "ben", stage, rid, "exclude", reason="wrong concept")
    screening.resolve(rev, stage, rid, "include", by="cam")
    after = _view(rev, "ana", stage)
    assert list(after["resolutions"]) == [rid]
    assert {k: v for k, v in after.items() if k != "resolutions"} == {
        k: v for k, v in alone.items() if k != "resolutions"}


def test_view_never_reads_another_reviewers_log(tmp_path, monkeypatch):
    rev = screening_review(tmp_path / "r", n=4)
    ids = screening.records_to_screen(rev, TA)
    for rid in ids:
        screening.decide(rev, "ben", TA, rid, "exclude")
    screening.decide(rev, "ana", TA, ids[0], "include")
    read = []
    real = logmod.read_jsonl

    def spy(path):
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(logmod, "read_jsonl", spy)
    view = screening.reviewer_view(rev, "ana", TA)
    assert "ben.jsonl" not in read and "ana.jsonl" in read
    assert list(view.decisions) == [ids[0]] and view.remaining == ids[1:]


def test_pilot_release_depends_on_progress_not_decisions(tmp_path):
    rev = screening_review(tmp_path / "r", n=8, pilot=2)
    pilot = screening.pilot_records(rev, TA)
    for rid in pilot:
        screening.decide(rev, "ana", TA, rid, "include")
    waiting = _view(rev, "ana", TA)
    assert waiting["released"] == pilot and not waiting["pilot_complete"]
    assert waiting["pilot_done"] == 2
    screening.decide(rev, "ben", TA, pilot[0], "exclude")
    assert _view(rev, "ana", TA) == waiting  # B's decision shows nothing
    screening.decide(rev, "ben", TA, pilot[1], "exclude")
    open_a = _view(rev, "ana", TA)
    assert open_a["pilot_complete"] and open_a["total"] == 8
    for rid in pilot:
        screening.decide(rev, "ben", TA, rid, "include")
    assert _view(rev, "ana", TA) == open_a


def test_a_resolution_among_others_stays_hidden_until_i_decide(tmp_path):
    rev = screening_review(tmp_path / "r", n=3, reviewers=("ana", "ben", "dan"))
    rid = screening.records_to_screen(rev, TA)[0]
    screening.decide(rev, "ben", TA, rid, "include")
    screening.decide(rev, "dan", TA, rid, "exclude")
    screening.resolve(rev, TA, rid, "include", by="cam")
    assert screening.reviewer_view(rev, "ana", TA).resolutions == {}
    screening.decide(rev, "ana", TA, rid, "exclude")
    assert list(screening.reviewer_view(rev, "ana", TA).resolutions) == [rid]
