"""Deduplication on review folders: files, decisions that survive re-runs, the CLI, checks."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import need_shared
from implmap.cli import cli
from implmap.dedupe.groups import (
    dedupe_records,
    duplicates_removed,
    load_groups,
    primary_ids,
)
from implmap.errors import ImplmapError, UnknownRecordError
from support.builders import import_records, rec

T1 = "Barriers to implementing exercise therapy for knee osteoarthritis in general practice"
T2 = "Facilitators of guideline adherence among physiotherapists: a qualitative study"
T3 = "Organisational readiness for change in primary care teams"
T4 = "Stepped care for low back pain in primary care: a cluster randomised trial"


def embase():
    return [
        rec("", T1, ["Klausen MD", "Hansen P"], "2019", "Implement Sci", "14", "2", "101-110",
            doi="10.1186/s13012-019-0001-x"),
        rec("", T2, ["Olsen, Ida", "Berg, Ann"], "2020", "Physiotherapy", "106", "", "1-9"),
        rec("", T3, ["Smith, J"], "2018", "BMC Fam Pract", "19", "", "55"),
    ]


def pubmed():
    return [
        rec("", T1 + ".", ["Klausen, Mette Dahl", "Hansen, Peter"], "2019",
            "Implementation Science", "14", "2", "101-10", pmid="31000001"),
        rec("", T2.upper(), ["Olsen I", "Berg A"], "2020", "Physiotherapy", "106", "", "1-9"),
        rec("", T4, ["Jones, K"], "2017", "BMJ", "356", "", "j100"),
        # same title as T3, more than a year later, by other people: another paper
        rec("", T3, ["Brown, P"], "2022", "BMC Prim Care", "23", "", "80"),
    ]


@pytest.fixture
def two_searches(review):
    a = import_records(review, embase(), "embase.ris", "Embase")
    b = import_records(review, pubmed(), "pubmed.ris", "PubMed")
    return review, a, b


def test_groups_file_is_written_deterministically(two_searches):
    review, a, b = two_searches
    result = review.find_duplicates()
    assert result.duplicates_removed == 2
    text = review.dedupe_groups.read_text("utf-8")
    review.find_duplicates()
    assert review.dedupe_groups.read_text("utf-8") == text
    groups = [json.loads(line) for line in text.splitlines()]
    members = sorted(sorted(g["members"]) for g in groups)
    assert members == sorted([sorted([a[0], b[0]]), sorted([a[1], b[1]])])
    for g in groups:
        assert set(g) == {"primary", "members", "evidence"}
        assert g["primary"] in g["members"] and g["evidence"][0]["rule"]
    # the PubMed copy of T1 has a PMID on top of the same fields: it is the more complete
    assert next(g for g in groups if a[0] in g["members"])["primary"] in {a[0], b[0]}
    assert text.endswith("\n")


def test_primary_ids_and_duplicates_removed(two_searches):
    review, a, b = two_searches
    assert primary_ids(review) == set(a + b)  # before any run: every record
    assert duplicates_removed(review) == 0
    review.find_duplicates()
    shown = primary_ids(review)
    assert len(shown) == 5 and duplicates_removed(review) == 2
    assert a[2] in shown and b[3] in shown  # the same-title papers are both shown
    assert review.primary_ids() == shown


def test_keep_apart_and_merge_survive_reruns_and_new_imports(two_searches):
    review, a, b = two_searches
    review.find_duplicates()
    review.dedupe_decide("keep_apart", a[1], b[1], by="ana", note="different samples")
    review.dedupe_decide("merge", a[2], b[3], by="ben")
    for _ in range(2):
        groups = load_groups(review)
        assert not any({a[1], b[1]} <= set(g.members) for g in groups)
        g = next(g for g in groups if a[2] in g.members)
        assert b[3] in g.members and g.evidence[0]["rule"] == "decision-merge"
        review.find_duplicates()
    # a third search holds another copy of T2: it may join one of the two, never both
    c = import_records(review, [rec("", T2, ["Olsen I"], "2020", "Physiotherapy", "106", "",
                                    "1-9")], "cinahl.ris", "CINAHL")
    review.find_duplicates()
    groups = load_groups(review)
    assert not any({a[1], b[1]} <= set(g.members) for g in groups)
    assert any(c[0] in g.members for g in groups)
    assert any({a[2], b[3]} <= set(g.members) for g in groups)
    # undo: the rules decide again
    review.dedupe_decide("undo", a[2], b[3])
    assert not any({a[2], b[3]} <= set(g.members) for g in load_groups(review))
    lines = review.dedupe_decisions.read_text("utf-8").splitlines()
    assert [json.loads(x)["action"] for x in lines] == ["keep_apart", "merge", "undo"]


def test_decisions_on_unknown_records_are_refused(two_searches):
    review, a, _ = two_searches
    with pytest.raises(UnknownRecordError, match="nope"):
        review.dedupe_decide("merge", a[0], "nope")
    with pytest.raises(ImplmapError, match="unknown dedupe decision"):
        review.dedupe_decide("fuse", a[0], a[1])
    with pytest.raises(ImplmapError, match="two different records"):
        review.dedupe_decide("merge", a[0], a[0])


def test_conflicting_people_decisions_are_reported_not_applied():
    recs = [rec("x", T1), rec("y", T2), rec("z", T3)]
    from implmap.dedupe.groups import Decision

    ds = [Decision("merge", ("x", "y")), Decision("merge", ("y", "z")),
          Decision("keep_apart", ("x", "z"))]
    result = dedupe_records(recs, ds)
    assert len(result.groups) == 1 and result.warnings
    assert not {"x", "z"} <= set(result.groups[0].members)


def test_cli_run_explain_pending_and_decide(two_searches):
    review, a, b = two_searches
    run = CliRunner()
    r = str(review.root)
    out = run.invoke(cli, ["dedupe", "-r", r])
    assert out.exit_code == 0, out.output
    assert "2 duplicates set aside" in out.output
    out = run.invoke(cli, ["dedupe", "-r", r, "--explain", b[0]])
    assert out.exit_code == 0, out.output
    assert "same-title-authors-year" in out.output and a[0] in out.output
    assert "primary" in out.output
    info = json.loads(run.invoke(cli, ["dedupe", "-r", r, "--explain", b[0], "--json"]).output)
    assert info["group"]["evidence"][0]["pair"] == sorted([a[0], b[0]], key=(a + b).index)
    out = run.invoke(cli, ["dedupe", "-r", r, "--explain", a[2]])
    assert "Not in a group" in out.output
    out = run.invoke(cli, ["dedupe", "-r", r, "keep-apart", a[0], b[0], "--by", "ana"])
    assert out.exit_code == 0, out.output and "Recorded" in out.output
    out = run.invoke(cli, ["dedupe", "-r", r, "--explain", a[0]])
    assert "Decision: keep_apart" in out.output and "Not in a group" in out.output
    out = run.invoke(cli, ["dedupe", "-r", r, "merge", a[0], "missing-1"])
    assert out.exit_code == 1 and "Error:" in out.output and "missing-1" in out.output
    out = run.invoke(cli, ["dedupe", "-r", r, "--explain", "missing-1"])
    assert out.exit_code == 1 and "Traceback" not in out.output


def test_pending_lists_uncertain_pairs_until_a_person_decides(review):
    ids = import_records(review, [rec("", T1, ["Klausen MD"], "2019", "Implement Sci", "14",
                                      "", "101-110"),
                                  rec("", "", ["Klausen MD"], "2019", "Implement Sci", "14",
                                      "", "101-110")], "x.ris")
    run = CliRunner()
    out = run.invoke(cli, ["dedupe", "-r", str(review.root), "--pending"])
    assert out.exit_code == 0 and "no-title-same-source" in out.output
    assert f"implmap dedupe merge {ids[0]} {ids[1]}" in out.output
    out = run.invoke(cli, ["dedupe", "-r", str(review.root), "merge", ids[0], ids[1]])
    assert out.exit_code == 0 and "0 pairs for a person" in out.output
    out = run.invoke(cli, ["dedupe", "-r", str(review.root), "--pending"])
    assert "No pairs to decide" in out.output
    assert duplicates_removed(review) == 1


def test_check_reports_bad_dedupe_lines_with_file_and_line(two_searches):
    review, a, _ = two_searches
    review.find_duplicates()
    assert review.check().valid
    path = review.dedupe_groups
    path.write_text(path.read_text("utf-8") + "{not json\n" + json.dumps(
        {"primary": "ghost-1", "members": ["ghost-1", a[2]], "evidence": []}) + "\n")
    review.dedupe_decisions.write_text(json.dumps({"action": "fuse", "records": [a[0]]})
                                         + "\n")
    report = review.check()
    assert not report.valid
    msgs = {(p.file, p.line, p.field or p.record) for p in report.problems}
    assert ("dedupe/groups.jsonl", 3, None) in msgs
    assert ("dedupe/groups.jsonl", 4, "ghost-1") in msgs
    assert ("dedupe/decisions.jsonl", 1, "action") in msgs
    assert ("dedupe/decisions.jsonl", 1, "records") in msgs


def test_corpus_quality_on_cytology():
    """Quality (not speed) on a labelled set: sensitivity and specificity thresholds."""
    path = need_shared("corpora", "dedup", "cytology_screening_grouped.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    records, truth = [], []
    for row in df.to_dict("records"):
        records.append(rec(row["ID"], row["title"], [x.strip() for x in row["author"].split(
            " and ") if x.strip()], row["year"], row["journal"], row["volume"], row["number"],
            row["pages"]))
        truth.append(row["dup_group"] or row["ID"])
    result = dedupe_records(records)
    removed = {m for g in result.groups for m in g.removed}
    works: dict[str, list[bool]] = {}
    for r, t in zip(records, truth, strict=True):
        works.setdefault(t, []).append(r["id"] not in removed)
    tp = fp = fn = tn = 0
    for kept in works.values():
        k, n = sum(kept), len(kept)
        if k:
            tp, fn, tn = tp + n - k, fn + k - 1, tn + 1
        else:
            tp, fp = tp + n - 1, fp + 1
    assert tp / (tp + fn) >= 0.95
    assert tn / (tn + fp) >= 0.999


def test_cli_json_outputs(two_searches):
    review = two_searches[0]
    run = CliRunner()
    out = run.invoke(cli, ["dedupe", "-r", str(review.root), "--json"])
    assert json.loads(out.output) == {"records": 7, "groups": 2, "duplicates_removed": 2,
                                      "uncertain": 0, "warnings": []}
    out = run.invoke(cli, ["dedupe", "-r", str(review.root), "--pending", "--json"])
    assert json.loads(out.output) == []
