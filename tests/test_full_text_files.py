"""Full-text files stay inside the review folder (or the declared full-text library), are
checked, and the records still needing a full text are listed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from implmap import Review, screening
from implmap.cli import cli
from implmap.errors import UsageError
from implmap.fsio import append_line, dump_json_line
from support.builders import screening_review

TA, FT = "title_abstract", "full_text"


@pytest.fixture
def rev(tmp_path: Path) -> tuple[Review, list[str]]:
    review = screening_review(tmp_path / "r", n=4)
    ids = screening.records_to_screen(review, TA)
    for who in ("ana", "ben"):
        for rid in ids[:3]:
            screening.decide(review, who, TA, rid, "include")
    return review, ids[:3]


def test_a_file_inside_the_folder_is_stored_relative(rev: tuple[Review, list[str]]) -> None:
    review, ids = rev
    pdf = review.root / "pdfs" / "a.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(b"%PDF-1.4")
    entry = screening.mark_retrieval(review, ids[0], "retrieved", file=str(pdf))
    assert entry["file"] == "pdfs/a.pdf"
    assert screening.full_text_file(review, entry) == pdf.resolve()
    entry = screening.mark_retrieval(review, ids[0], "retrieved", file="pdfs/a.pdf")
    assert entry["file"] == "pdfs/a.pdf" and review.check().valid


@pytest.mark.parametrize("name", ["../../../etc/passwd", "/etc/passwd", "~/x.pdf"])
def test_a_path_out_of_the_folder_is_refused(rev: tuple[Review, list[str]], name: str) -> None:
    review, ids = rev
    with pytest.raises(UsageError, match="outside"):
        screening.mark_retrieval(review, ids[0], "retrieved", file=name)
    assert not review.retrieval_path.exists()


def test_a_link_pointing_out_and_a_missing_file_are_refused(
        rev: tuple[Review, list[str]], tmp_path: Path) -> None:
    review, ids = rev
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the app")
    os.symlink(secret, review.root / "link.pdf")
    with pytest.raises(UsageError, match="outside"):
        screening.mark_retrieval(review, ids[0], "retrieved", file="link.pdf")
    with pytest.raises(UsageError, match="does not exist"):
        screening.mark_retrieval(review, ids[0], "retrieved", file="pdfs/missing.pdf")


def test_the_declared_library_is_allowed(rev: tuple[Review, list[str]], tmp_path: Path) -> None:
    review, ids = rev
    library = tmp_path / "team-pdfs"
    (library / "2024").mkdir(parents=True)
    (library / "2024" / "b.pdf").write_bytes(b"%PDF-1.4")
    m = review.manifest.model_copy(deep=True)
    m.full_text_library = str(library)
    review.save_manifest(m)
    review = Review(review.root)
    entry = screening.mark_retrieval(review, ids[1], "retrieved",
                                     file=str(library / "2024" / "b.pdf"))
    assert entry["file"] == "2024/b.pdf"
    assert screening.full_text_file(review, entry) == (library / "2024" / "b.pdf").resolve()
    assert review.check().valid


def test_check_reports_missing_and_outside_files(rev: tuple[Review, list[str]]) -> None:
    review, ids = rev
    (review.root / "a.pdf").write_bytes(b"%PDF-1.4")
    screening.mark_retrieval(review, ids[0], "retrieved", file="a.pdf")
    (review.root / "a.pdf").unlink()
    # a line written by hand (or by an older version) that points out of the folder
    append_line(review.retrieval_path, dump_json_line({
        "record": ids[1], "status": "retrieved", "file": "../../../../etc/passwd",
        "time": "2026-01-01T00:00:00+00:00"}))
    report = review.check()
    found = {(p.code, p.record) for p in report.problems}
    assert ("full-text-missing", ids[0]) in found
    assert ("full-text-outside", ids[1]) in found
    assert not report.valid


def test_records_needing_a_full_text_are_listed(rev: tuple[Review, list[str]]) -> None:
    review, ids = rev
    assert screening.needs_full_text(review) == ids
    (review.root / "a.pdf").write_bytes(b"%PDF-1.4")
    screening.mark_retrieval(review, ids[0], "retrieved", file="a.pdf")
    screening.mark_retrieval(review, ids[1], "not_retrieved")
    screening.mark_retrieval(review, ids[2], "retrieved")  # neither file nor link yet
    assert screening.needs_full_text(review) == [ids[2]]
    out = CliRunner().invoke(cli, ["screening", "needs-full-text", "--review", str(review.root)])
    assert out.exit_code == 0 and ids[2] in out.output and "1 record(s)" in out.output
    screening.mark_retrieval(review, ids[2], "retrieved", url="https://example.org/c")
    assert screening.needs_full_text(review) == []


def test_the_cli_takes_a_path_from_the_working_folder(rev: tuple[Review, list[str]],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    review, ids = rev
    (review.root / "pdfs").mkdir()
    (review.root / "pdfs" / "c.pdf").write_bytes(b"%PDF-1.4")
    monkeypatch.chdir(review.root.parent)
    out = CliRunner().invoke(cli, ["screening", "retrieval", ids[0], "retrieved", "--file",
                                   f"{review.root.name}/pdfs/c.pdf", "--review",
                                   str(review.root)])
    assert out.exit_code == 0, out.output
    assert screening.retrieval(review)[ids[0]]["file"] == "pdfs/c.pdf"
    out = CliRunner().invoke(cli, ["screening", "retrieval", ids[1], "retrieved", "--file",
                                   "/etc/passwd", "--review", str(review.root)])
    assert out.exit_code == 1 and "outside" in out.output
