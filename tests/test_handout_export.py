"""What a review hands out: the records with their decisions, the included studies (RIS that
re-imports, CSV), the findings, and one workbook whose sheets equal the CSVs; a hostile title
stays text in every table."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from implmap import Review, dedupe, screening
from implmap.cli import cli
from implmap.errors import UsageError
from implmap.handout import (
    TABLES,
    export,
    neutralise,
    records_table,
    write_export,
)
from support.builders import import_records, make_review, write_decisions
from support.paths import EVIDENCE

TA, FT = "title_abstract", "full_text"
HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A2)"]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Review:
    root = tmp_path_factory.mktemp("handout") / "evidence"
    shutil.copytree(EVIDENCE, root, ignore=shutil.ignore_patterns(".implmap"))
    return Review(root)


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_included_ris_reimports_with_the_same_records(bundled: Review, tmp_path: Path) -> None:
    path = write_export(bundled, "included", tmp_path / "included.ris")
    fresh = Review.init(tmp_path / "fresh")
    fresh.import_file(path, "Included studies")
    keep = ["title", "doi", "authors", "year", "journal"]
    mine = {r["id"]: r for r in bundled.record_dicts()}
    want = [{k: mine[i][k] for k in keep} for i in screening.included_records(bundled)]
    got = [{k: r[k] for k in keep} for r in fresh.record_dicts()]
    assert len(want) == 4 and got == want


def test_workbook_sheets_equal_the_csvs(bundled: Review, tmp_path: Path) -> None:
    path = write_export(bundled, "workbook", tmp_path / "review.xlsx")
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    assert list(sheets) == list(TABLES) == ["records", "included", "findings"]
    for name in TABLES:
        text = export(bundled, name, "csv")
        assert isinstance(text, str)
        pd.testing.assert_frame_equal(sheets[name], _csv(text), check_dtype=False)
    assert len(sheets["findings"]) == 53 and len(sheets["included"]) == 4


def test_records_carry_dedupe_status_and_every_decision(bundled: Review) -> None:
    df = records_table(bundled).set_index("id")
    assert set(df["dedupe_status"]) == {"primary"}
    for col in ("title_abstract_ana_decision", "title_abstract_ben_reason",
                "full_text_final_decision", "full_text_final_reason"):
        assert col in df.columns
    finals = screening.final_entries(bundled, FT)
    for rid, e in finals.items():
        assert df.loc[rid, "full_text_final_decision"] == e["decision"]
        assert df.loc[rid, "full_text_final_reason"] == (e.get("reason") or "")
    excluded = df[df["full_text_final_decision"] == "exclude"]
    assert len(excluded) and all(excluded["full_text_final_reason"] != "")


def test_duplicates_name_their_primary(tmp_path: Path) -> None:
    review = make_review(tmp_path / "r")
    same = {"title": "Barriers to physiotherapy referral in general practice",
            "authors": ["Smith, A"], "year": "2020", "doi": "10.1000/dup"}
    a = import_records(review, [same, {"title": "Another study entirely", "year": "2019"}],
                       "a.ris", "MEDLINE")
    b = import_records(review, [same], "b.ris", "Embase")
    dedupe.find_duplicates(review)
    df = records_table(review).set_index("id")
    (group,) = dedupe.load_groups(review)
    assert sorted(group.members) == sorted([a[0], b[0]])
    (removed,) = group.removed
    assert df.loc[removed, "dedupe_status"] == "duplicate"
    assert df.loc[removed, "duplicate_of"] == group.primary
    assert df.loc[group.primary, "dedupe_status"] == "primary"
    assert df.loc[a[1], "dedupe_status"] == "primary" and df.loc[a[1], "duplicate_of"] == ""


def _hostile_review(root: Path) -> tuple[Review, list[str]]:
    review = make_review(root, exclusion_reasons=["wrong concept"])
    ids = import_records(review, [{"title": t, "year": "2020", "authors": [t]}
                                  for t in HOSTILE], "evil.ris")
    for stage in (TA, FT):
        for who in ("ana", "ben"):
            write_decisions(review, who, stage, {i: "include" for i in ids})
    return review, ids


def test_a_hostile_title_stays_text(tmp_path: Path) -> None:
    review, _ = _hostile_review(tmp_path / "r")
    for table in ("records", "included"):
        df = _csv(str(export(review, table, "csv")))
        assert list(df["title"]) == ["'" + t for t in HOSTILE]
        assert not any(str(v).startswith(("=", "+", "-", "@")) for v in df.to_numpy().ravel())
    path = write_export(review, "workbook", tmp_path / "evil.xlsx")
    book = openpyxl.load_workbook(path)
    for name in ("records", "included"):
        sheet = book[name]
        head = [c.value for c in sheet[1]]
        col = head.index("title") + 1
        cells = [sheet.cell(row=r, column=col) for r in range(2, 2 + len(HOSTILE))]
        assert [c.value for c in cells] == ["'" + t for t in HOSTILE]
        assert {c.data_type for c in cells} == {"s"}  # text, never a formula ("f")


def test_neutralise() -> None:
    assert neutralise("=1+1") == "'=1+1" and neutralise("\tx") == "'\tx"
    assert neutralise("Barriers") == "Barriers" and neutralise("") == ""


def test_wrong_table_or_format_is_a_usage_error(bundled: Review) -> None:
    with pytest.raises(UsageError, match="unknown export"):
        export(bundled, "studies")
    with pytest.raises(UsageError, match="written as csv"):
        export(bundled, "findings", "ris")


def test_cli_exports(bundled: Review, tmp_path: Path) -> None:
    run = CliRunner().invoke
    r = ["-r", str(bundled.root)]
    old = run(cli, ["export", "--format", "ris", *r])
    assert old.exit_code == 0 and old.output.startswith("TY  - ")
    assert old.output.count("ER  -") == 5
    assert run(cli, ["export", "--format", "csv", *r]).output.startswith("id,search,")
    inc = run(cli, ["export", "included", *r])
    assert inc.exit_code == 0 and inc.output.count("ER  -") == 4
    rec = run(cli, ["export", "records", *r])
    assert "dedupe_status" in rec.output.splitlines()[0]
    no_file = run(cli, ["export", "workbook", *r])
    assert no_file.exit_code == 1 and "--output" in no_file.output
    out = tmp_path / "w.xlsx"
    done = run(cli, ["export", "workbook", "-o", str(out), *r])
    assert done.exit_code == 0 and out.read_bytes()[:2] == b"PK"
