"""Conflicts, resolution, final decisions and full-text gating."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from implmap import screening
from implmap.errors import DecisionError
from implmap.screening.conflicts import assess
from support.builders import REASONS, screening_review, write_decisions

TA, FT = "title_abstract", "full_text"


@pytest.fixture
def rev(tmp_path):
    return screening_review(tmp_path / "rev", n=6)


def _both(rev, stage, rid, a, b, ra=None, rb=None):
    screening.decide(rev, "ana", stage, rid, a, reason=ra)
    screening.decide(rev, "ben", stage, rid, b, reason=rb)


def test_conflict_kinds(rev):
    ids = screening.records_to_screen(rev, TA)
    _both(rev, TA, ids[0], "include", "exclude")
    _both(rev, TA, ids[1], "maybe", "exclude")
    _both(rev, TA, ids[2], "include", "maybe")  # both pass it on: agreement
    _both(rev, TA, ids[3], "exclude", "exclude", "wrong concept", "wrong population")  # fine at TA
    screening.decide(rev, "ana", TA, ids[4], "exclude")  # one decision: pending
    assert [(c.record, c.kind) for c in screening.conflicts(rev, TA)] == [
        (ids[0], "decision"), (ids[1], "decision")]
    finals = screening.final_decisions(rev, TA)
    assert finals == {ids[2]: "maybe", ids[3]: "exclude"}
    # full text: different reasons conflict, and a maybe is not a final answer
    for rid in ids[:2]:
        screening.resolve(rev, TA, rid, "include", by="cam")
    ft = screening.records_to_screen(rev, FT)
    assert ft == [ids[0], ids[1], ids[2]]
    _both(rev, FT, ids[0], "exclude", "exclude", "wrong concept", "wrong population")
    _both(rev, FT, ids[1], "exclude", "exclude", "wrong concept", "wrong concept")
    _both(rev, FT, ids[2], "include", "maybe")
    kinds = {c.record: c.kind for c in screening.conflicts(rev, FT)}
    assert kinds == {ids[0]: "reason", ids[2]: "maybe"}
    assert screening.final_entries(rev, FT) == {
        ids[1]: {"decision": "exclude", "reason": "wrong concept", "how": "agreed"}}


def test_resolution_is_recorded_apart_and_never_alters_the_logs(rev):
    ids = screening.records_to_screen(rev, TA)
    _both(rev, TA, ids[0], "include", "exclude")
    logs = {p.name: p.read_bytes() for p in (rev.root / "screening" / TA).glob("*.jsonl")}
    entry = screening.resolve(rev, TA, ids[0], "include", by="cam", note="fits the concept")
    assert set(entry) == {"record", "decision", "reason", "note", "by", "method", "time"}
    assert entry["by"] == ["cam"] and entry["method"] == "third_reviewer"
    line = (rev.root / "screening" / TA / "resolutions.jsonl").read_text()
    assert json.loads(line) == entry
    for name, raw in logs.items():
        assert (rev.root / "screening" / TA / name).read_bytes() == raw
    assert screening.conflicts(rev, TA) == []
    assert screening.conflicts(rev, TA, include_resolved=True)[0].resolution == entry
    assert screening.final_entries(rev, TA)[ids[0]]["how"] == "resolved"
    # consensus by the two reviewers, re-resolving: latest counts
    again = screening.resolve(rev, TA, ids[0], "exclude", by=["ana", "ben"])
    assert again["method"] == "consensus"
    assert screening.final_decisions(rev, TA)[ids[0]] == "exclude"


def test_resolve_errors(rev):
    ids = screening.records_to_screen(rev, TA)
    _both(rev, TA, ids[0], "include", "include")
    with pytest.raises(DecisionError, match=r"no conflict to resolve.*in agreement"):
        screening.resolve(rev, TA, ids[0], "exclude", by="cam")
    screening.decide(rev, "ana", TA, ids[1], "include")
    with pytest.raises(DecisionError, match="still incomplete"):
        screening.resolve(rev, TA, ids[1], "exclude", by="cam")
    _both(rev, TA, ids[2], "include", "exclude")
    with pytest.raises(DecisionError, match="unknown reviewer 'zed'"):
        screening.resolve(rev, TA, ids[2], "exclude", by="zed")
    with pytest.raises(DecisionError, match="method must be one of"):
        screening.resolve(rev, TA, ids[2], "exclude", by="cam", method="vote")
    with pytest.raises(DecisionError, match="made by one reviewer"):
        screening.resolve(rev, TA, ids[2], "exclude", by=["cam", "ana"],
                          method="third_reviewer")
    screening.resolve(rev, TA, ids[2], "include", by="cam")
    _both(rev, FT, ids[2], "include", "exclude", rb="wrong concept")
    with pytest.raises(DecisionError, match="needs a reason"):
        screening.resolve(rev, FT, ids[2], "exclude", by="cam")
    with pytest.raises(DecisionError, match="not maybe"):
        screening.resolve(rev, FT, ids[2], "maybe", by="cam")


def test_full_text_gating(rev):
    ids = screening.records_to_screen(rev, TA)
    _both(rev, TA, ids[0], "include", "include")
    _both(rev, TA, ids[1], "include", "exclude")  # open conflict: waits
    _both(rev, TA, ids[2], "exclude", "exclude")
    screening.decide(rev, "ana", TA, ids[3], "include")  # one reviewer only: waits
    assert screening.records_to_screen(rev, FT) == [ids[0]]
    with pytest.raises(DecisionError, match=r"not screened at .full_text.*conflict is still open"):
        screening.decide(rev, "ana", FT, ids[1], "include")
    screening.resolve(rev, TA, ids[1], "maybe", by="cam")
    assert screening.records_to_screen(rev, FT) == [ids[0], ids[1]]
    _both(rev, FT, ids[0], "include", "include")
    _both(rev, FT, ids[1], "include", "exclude", rb="wrong population")
    assert screening.included_records(rev) == [ids[0]]  # ids[1]'s conflict is open
    screening.resolve(rev, FT, ids[1], "include", by="cam")
    assert screening.included_records(rev) == [ids[0], ids[1]]
    # a later change of heart at title/abstract takes the record out of full text again
    screening.resolve(rev, TA, ids[1], "exclude", by="cam")
    assert screening.included_records(rev) == [ids[0]]


def test_single_reviewer_review_needs_one_decision(tmp_path):
    rev = screening_review(tmp_path / "solo", n=3, reviewers=("ana",), third=None)
    rid = screening.records_to_screen(rev, TA)[0]
    screening.decide(rev, "ana", TA, rid, "include")
    assert screening.final_decisions(rev, TA) == {rid: "include"}


# ----------------------------------------------------------------------- properties
_decision = st.sampled_from(["include", "exclude", "maybe"])
_reason = st.sampled_from(REASONS)


@st.composite
def _logs(draw):
    """Random logs of three reviewers over six records, with repeated (changed) decisions."""
    out = {}
    for who in ("ana", "ben", "dan"):
        lines = draw(st.lists(st.tuples(st.integers(0, 5), _decision, _reason), max_size=10))
        out[who] = lines
    return out


def _write_logs(rev, logs, stage, order):
    ids = screening.records_to_screen(rev, TA)
    shutil.rmtree(rev.stage_dir(stage), ignore_errors=True)  # the logs written afresh
    for who in order:  # file creation order differs between runs
        # raw: the same lines (times too) every time they are written
        write_decisions(rev, who, stage, [(ids[i], (dec, r if dec == "exclude" else None))
                                          for i, dec, r in logs[who]], raw=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs=_logs(), seed=st.integers(0, 1000))
def test_conflicts_and_agreement_do_not_depend_on_read_order(logs, seed):
    from implmap.screening import log as logmod

    results = []
    real = logmod.reviewer_logs
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as monkeypatch:
        rev = screening_review(Path(tmp) / "r", n=6, reviewers=("ana", "ben", "dan"))
        for k in range(2):
            order = ["ana", "ben", "dan"]
            random.Random(seed + k).shuffle(order)
            _write_logs(rev, logs, TA, order)

            def shuffled(review, stage, order=order):
                found = real(review, stage)
                return {who: found[who] for who in order if who in found}

            monkeypatch.setattr(logmod, "reviewer_logs", shuffled)
            results.append((
                [c.to_dict() for c in screening.conflicts(rev, TA)],
                screening.final_decisions(rev, TA),
                screening.agreement(rev, TA).to_dict(),
            ))
    assert results[0] == results[1]


@given(entries=st.dictionaries(st.sampled_from(["a", "b", "c", "d"]),
                               st.tuples(_decision, _reason), max_size=4),
       required=st.integers(1, 3), last=st.booleans(), reasons=st.booleans(),
       seed=st.integers(0, 100))
def test_assess_is_order_free(entries, required, last, reasons, seed):
    e = {k: {"decision": d, "reason": r if d == "exclude" else None}
         for k, (d, r) in entries.items()}
    keys = list(e)
    random.Random(seed).shuffle(keys)
    shuffled = {k: e[k] for k in keys}
    kw = {"required": required, "last_stage": last, "reasons_required": reasons}
    assert assess(e, **kw) == assess(shuffled, **kw)


@settings(max_examples=20, deadline=None)
@given(logs=_logs(), picks=st.lists(st.tuples(st.integers(0, 5), _decision, st.booleans()),
                                    max_size=6))
def test_resolving_never_changes_a_reviewers_entries(logs, picks):
    with tempfile.TemporaryDirectory() as tmp:
        rev = screening_review(Path(tmp) / "r", n=6, reviewers=("ana", "ben", "dan"))
        _write_logs(rev, logs, TA, ["ana", "ben", "dan"])
        before = {p.name: p.read_bytes() for p in (rev.root / "screening" / TA).glob("*.jsonl")}
        decisions_before = screening.decisions(rev, TA)
        ids = screening.records_to_screen(rev, TA)
        open_ = {c.record for c in screening.conflicts(rev, TA)}
        for i, dec, consensus in picks:
            by = ["ana", "ben", "dan"] if consensus else "cam"  # a consensus: every screener
            if ids[i] in open_ or ids[i] in screening.resolutions(rev, TA):
                screening.resolve(rev, TA, ids[i], dec, by=by)
            else:
                with pytest.raises(DecisionError):
                    screening.resolve(rev, TA, ids[i], dec, by=by)
        after = {p.name: p.read_bytes() for p in (rev.root / "screening" / TA).glob("*.jsonl")
                 if p.name != "resolutions.jsonl"}
        assert after == before
        assert screening.decisions(rev, TA) == decisions_before
