"""PRISMA 2020 / PRISMA-ScR counts: the flow of a small review, and inconsistencies."""

from __future__ import annotations

import csv
import io
import json
import sys
import tempfile
import types
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from implmap import screening
from implmap.cli import cli
from implmap.fsio import dump_json_line, write_atomic
from implmap.screening import PrismaCounts, PrismaError
from support.builders import REASONS, screening_review

TA, FT = "title_abstract", "full_text"


def _fake_dedupe(monkeypatch, rev, duplicates, removed=None):
    """Stand-in for implmap.dedupe.groups (another team's module) with a groups file."""
    mod = types.ModuleType("implmap.dedupe.groups")
    all_ids = [r["id"] for r in rev.record_dicts()]
    mod.primary_ids = lambda review: {r for r in all_ids if r not in duplicates}
    mod.duplicates_removed = lambda review: len(duplicates) if removed is None else removed
    monkeypatch.setitem(sys.modules, "implmap.dedupe.groups", mod)
    write_atomic(rev.root / "dedupe" / "groups.jsonl", "")


def _both(rev, stage, rid, a, b, reason=None):
    screening.decide(rev, "ana", stage, rid, a, reason=reason if a == "exclude" else None)
    screening.decide(rev, "ben", stage, rid, b, reason=reason if b == "exclude" else None)


@pytest.fixture
def flow(tmp_path, monkeypatch):
    rev = screening_review(tmp_path / "r", n=6, databases=2)
    by_search = {}
    for r in rev.record_dicts():
        by_search.setdefault(r["search"], []).append(r["id"])
    second = sorted(by_search)[1]
    _fake_dedupe(monkeypatch, rev, set(by_search[second][:2]))
    ids = screening.records_to_screen(rev, TA)
    assert len(ids) == 10
    for rid in ids[:4]:
        _both(rev, TA, rid, "exclude", "exclude")
    _both(rev, TA, ids[4], "include", "exclude")  # open conflict
    for rid in ids[5:]:
        _both(rev, TA, rid, "include", "maybe")
    return rev, ids


def test_counts_while_screening_and_when_done(flow):
    rev, ids = flow
    c = screening.prisma_counts(rev)
    assert (c.identified, c.duplicates_removed, c.records_screened) == (12, 2, 10)
    assert (c.records_excluded, c.records_awaiting, c.reports_sought) == (4, 1, 5)
    # none of the reports sought has been retrieved or read yet: none is assessed
    assert (c.reports_awaiting_assessment, c.reports_assessed, c.reports_awaiting) == (5, 0, 0)
    assert c.reports_included == 0 and c.studies_included == 0
    screening.resolve(rev, TA, ids[4], "exclude", by="cam")
    ft = ids[5:]
    screening.mark_retrieval(rev, ft[0], "not_retrieved")
    _both(rev, FT, ft[1], "exclude", "exclude", reason="wrong population")
    _both(rev, FT, ft[2], "include", "exclude", reason="wrong concept")
    screening.resolve(rev, FT, ft[2], "exclude", by="cam", reason="wrong concept")
    _both(rev, FT, ft[3], "include", "include")
    _both(rev, FT, ft[4], "include", "include")
    c = rev.prisma_counts()
    assert c.to_dict() == {
        "identified_by_database": {"MEDLINE": 6, "Embase": 6},
        "identified": 12,
        "duplicates_removed": 2,
        "records_screened": 10,
        "records_excluded": 5,
        "records_awaiting": 0,
        "reports_sought": 5,
        "reports_not_retrieved": 1,
        "reports_awaiting_assessment": 0,
        "reports_assessed": 4,
        "reports_excluded": 2,
        "reports_excluded_by_reason": {"wrong population": 1, "wrong concept": 1},
        "reports_awaiting": 0,
        "reports_included": 2,
        "studies_included": 2,
    }
    assert screening.included_records(rev) == [ft[3], ft[4]]
    # one study reported in two papers
    write_atomic(rev.root / "charting" / "studies" / "smith-2020.yaml",
                 yaml.safe_dump({"id": "smith-2020", "records": [ft[3], ft[4]]}))
    assert screening.prisma_counts(rev).studies_included == 1
    # a charted study whose report was not included is an inconsistency, named
    write_atomic(rev.root / "charting" / "studies" / "jones-2019.yaml",
                 yaml.safe_dump({"id": "jones-2019", "records": [ft[1]]}))
    with pytest.raises(PrismaError, match=f"jones-2019.yaml lists record.*{ft[1]}"):
        screening.prisma_counts(rev)


def test_duplicates_that_do_not_match_the_screened_records_raise(flow, monkeypatch):
    rev, _ = flow
    sys.modules["implmap.dedupe.groups"].duplicates_removed = lambda review: 3
    with pytest.raises(PrismaError, match=r"identified \(12\) - duplicates removed \(3\) = 9, "
                                          r"but records screened = 10"):
        screening.prisma_counts(rev)


def test_check_names_every_broken_sum():
    c = PrismaCounts(identified_by_database={"A": 5}, identified=5, records_screened=5,
                     records_excluded=2, reports_sought=2, reports_assessed=2,
                     reports_included=1, studies_included=1)
    with pytest.raises(PrismaError) as exc:
        c.check()
    msg = str(exc.value)
    assert "records screened (5) != excluded (2) + sought (2) + awaiting (0) = 4" in msg
    assert "reports assessed (2) != excluded (0) + included (1) + awaiting (0) = 1" in msg


def test_not_retrieved_report_with_a_decision_is_an_inconsistency(flow):
    rev, ids = flow
    _both(rev, FT, ids[5], "include", "include")
    with open(rev.root / "screening" / FT / "retrieval.jsonl", "a") as fh:
        fh.write(dump_json_line({"record": ids[5], "status": "not_retrieved",
                                 "time": "2026-01-01T00:00:00+00:00"}))
    with pytest.raises(PrismaError, match="marked not retrieved also have a final"):
        screening.prisma_counts(rev)


def test_without_dedupe_duplicates_are_zero(tmp_path):
    rev = screening_review(tmp_path / "r", n=4)
    c = screening.prisma_counts(rev)
    assert (c.identified, c.duplicates_removed, c.records_screened) == (4, 0, 4)
    assert c.records_awaiting == 4


def test_cli_prints_and_writes_json_and_csv(flow, tmp_path):
    rev, _ = flow
    out_json, out_csv = tmp_path / "p.json", tmp_path / "p.csv"
    res = CliRunner().invoke(cli, ["prisma", "-r", str(rev.root), "--json", str(out_json),
                                   "--csv", str(out_csv)])
    assert res.exit_code == 0, res.output
    assert "Records screened" in res.output and "10" in res.output
    assert json.loads(out_json.read_text())["records_screened"] == 10
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert {r["box"]: int(r["count"]) for r in rows}["identified:Embase"] == 6
    sys.modules["implmap.dedupe.groups"].duplicates_removed = lambda review: 5
    res = CliRunner().invoke(cli, ["prisma", "-r", str(rev.root)])
    assert res.exit_code == 1 and "Error: the PRISMA counts do not add up" in res.output


_dec = st.sampled_from(["include", "exclude", "maybe", None])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ta=st.lists(st.tuples(_dec, _dec), min_size=8, max_size=8),
       ft=st.lists(st.tuples(st.sampled_from(["include", "exclude", None]),
                             st.sampled_from(["include", "exclude", None]),
                             st.sampled_from(REASONS), st.sampled_from(REASONS),
                             st.sampled_from(["resolve", "leave", "lost"])),
                   min_size=8, max_size=8),
       resolve_ta=st.lists(st.sampled_from(["include", "exclude", "maybe", None]), min_size=8,
                           max_size=8))
def test_counts_always_add_up(ta, ft, resolve_ta):
    """Whatever state screening is in, the counts add up and agree with included_records."""
    with tempfile.TemporaryDirectory() as tmp:
        rev = screening_review(Path(tmp) / "r", n=8)
        ids = screening.records_to_screen(rev, TA)
        for rid, (a, b) in zip(ids, ta, strict=True):
            for who, d in (("ana", a), ("ben", b)):
                if d:
                    screening.decide(rev, who, TA, rid, d)
        open_ = {c.record for c in screening.conflicts(rev, TA)}
        for rid, d in zip(ids, resolve_ta, strict=True):
            if d and rid in open_:
                screening.resolve(rev, TA, rid, d, by="cam")
        for rid, (a, b, ra, rb, then) in zip(ids, ft, strict=True):
            if rid not in screening.records_to_screen(rev, FT):
                continue
            if then == "lost":
                screening.mark_retrieval(rev, rid, "not_retrieved")
                continue
            for who, d, r in (("ana", a, ra), ("ben", b, rb)):
                if d:
                    screening.decide(rev, who, FT, rid, d, reason=r if d == "exclude" else None)
            if then == "resolve" and rid in {c.record for c in screening.conflicts(rev, FT)}:
                screening.resolve(rev, FT, rid, "exclude", by="cam", reason=REASONS[0])
        c = screening.prisma_counts(rev)  # raises if anything does not add up
        assert c.records_screened == 8
        assert c.reports_included == len(screening.included_records(rev))
        assert c.reports_sought == len(screening.records_to_screen(rev, FT))
