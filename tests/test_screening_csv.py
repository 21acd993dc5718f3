"""Importing decisions made elsewhere from CSV: all or nothing, errors with file and line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from implmap import screening
from implmap.cli import cli
from implmap.errors import DecisionError, InputFormatError, UsageError
from support.builders import add_search, screening_review

TA, FT = "title_abstract", "full_text"


@pytest.fixture
def rev(tmp_path):
    return screening_review(tmp_path / "r", n=5)


def test_import_by_id_and_doi(rev, tmp_path):
    ids = screening.records_to_screen(rev, TA)
    f = tmp_path / "d.csv"
    f.write_text(
        "\ufeffRecord,DOI,Decision,Reason,Note\n"
        f"{ids[0]},,include,,looks right\n"
        ",https://doi.org/10.1000/X0.1,Exclude,Wrong Concept,\n"
        ",doi:10.1000/x0.2,maybe,,\n"
        "\n", encoding="utf-8")
    assert screening.import_csv(rev, f, "ana", TA) == 3
    mine = screening.decisions(rev, TA, "ana")["ana"]
    assert {r: (e["decision"], e["reason"], e["note"]) for r, e in mine.items()} == {
        ids[0]: ("include", None, "looks right"),
        ids[1]: ("exclude", "wrong concept", ""),
        ids[2]: ("maybe", None, ""),
    }
    assert screening.import_csv(rev, f, "ana", TA) == 0  # same file again: nothing new
    assert len(screening.history(rev, "ana", TA)) == 3


def test_one_bad_row_rejects_the_file_with_every_problem(rev, tmp_path):
    ids = screening.records_to_screen(rev, TA)
    f = tmp_path / "bad.csv"
    f.write_text(
        "record;doi;decision;reason\n"
        f"{ids[0]};;include;\n"
        "nope-9;;include;\n"
        ";10.9999/missing;exclude;\n"
        f"{ids[1]};;perhaps;\n"
        f"{ids[2]};;exclude;no reason like this\n"
        f"{ids[0]};;exclude;\n"
        ";;include;\n"
        f"{ids[3]};10.1000/x0.4;include;\n")
    with pytest.raises(DecisionError) as exc:
        screening.import_csv(rev, f, "ana", TA)
    msg = str(exc.value)
    assert "7 problem(s)" in msg and "nothing was imported" in msg
    assert f"{f}, line 3: unknown record ID 'nope-9'" in msg
    assert f"{f}, line 4: no record screened at 'title_abstract' has DOI '10.9999/missing'" in msg
    assert f"{f}, line 5: decision must be one of" in msg
    assert f"{f}, line 6: unknown exclusion reason 'no reason like this'" in msg
    assert f"{f}, line 7: record {ids[0]} is also on line 2" in msg
    assert f"{f}, line 8: neither a record ID nor a DOI" in msg
    assert f"{f}, line 9: record {ids[3]} has DOI '10.1000/x0.3', not '10.1000/x0.4'" in msg
    assert not (rev.root / "screening" / TA / "ana.jsonl").exists()


def test_full_text_rules_apply(rev, tmp_path):
    ids = screening.records_to_screen(rev, TA)
    screening.decide(rev, "ana", TA, ids[0], "include")
    screening.decide(rev, "ben", TA, ids[0], "include")
    f = tmp_path / "ft.csv"
    f.write_text(f"id,decision,reason\n{ids[0]},exclude,\n{ids[1]},include,\n")
    with pytest.raises(DecisionError) as exc:
        screening.import_csv(rev, f, "ana", FT)
    assert "line 2: excluding at stage 'full_text' needs a reason" in str(exc.value)
    assert "line 3" in str(exc.value) and "not screened at 'full_text'" in str(exc.value)


def test_ambiguous_doi_and_bad_header(rev, tmp_path):
    add_search(rev, [{"title": "Copy", "doi": "10.1000/x0.1"}], database="Embase")
    f = tmp_path / "amb.csv"
    f.write_text("doi,decision\n10.1000/x0.1,include\n")
    with pytest.raises(DecisionError, match=r"matches records .*give the record ID instead"):
        screening.import_csv(rev, f, "ana", TA)
    h = tmp_path / "h.csv"
    h.write_text("title,verdict\nx,include\n")
    with pytest.raises(DecisionError, match=r"line 1: the header must name"):
        screening.import_csv(rev, h, "ana", TA)


def test_cli(rev, tmp_path):
    ids = screening.records_to_screen(rev, TA)
    f = tmp_path / "d.csv"
    f.write_text(f"record,decision\n{ids[0]},include\n")
    args = ["screening", "import-csv", str(f), "--reviewer", "ben", "-r", str(rev.root)]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0 and "1 decision(s) of ben imported" in res.output
    f.write_text("record,decision\nzzz,include\n")
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1 and "unknown record ID 'zzz'" in res.output
    assert "Traceback" not in res.output


def test_unreadable_files_say_what_and_where(rev, tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        screening.import_csv(rev, tmp_path / "nope.csv", "ana", TA)
    with pytest.raises(UsageError, match="it is a folder"):
        screening.import_csv(rev, tmp_path, "ana", TA)
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("record,decision,note\nx,include,caf\u00e9\n".encode("latin-1"))
    with pytest.raises(InputFormatError, match=r"line 2: not UTF-8 text") as info:
        screening.import_csv(rev, bad, "ana", TA)
    assert (info.value.path, info.value.line) == (str(bad), 2)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputFormatError, match="the file is empty"):
        screening.import_csv(rev, empty, "ana", TA)
