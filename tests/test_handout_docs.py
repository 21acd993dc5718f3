"""Every example in docs/guides/handouts.md runs on a copy of the bundled review, and writes
the files it says."""

from __future__ import annotations

import pandas as pd

from conftest import ROOT
from support.guides import guide_blocks, run_guide, work_in_copy

GUIDE = ROOT / "docs" / "guides" / "handouts.md"


def test_guide_has_both_paths() -> None:
    langs = [lang for lang, _ in guide_blocks(GUIDE)]
    assert langs.count("console") == langs.count("python") == 4


def test_cli_examples(tmp_path, monkeypatch) -> None:
    work_in_copy(tmp_path, monkeypatch, "evidence")
    run_guide(GUIDE, skip=lambda lang, _: lang == "python")
    assert (tmp_path / "included.ris").read_text().count("ER  -") == 4
    assert (tmp_path / "records.csv").read_text().startswith("id,search,")
    assert (tmp_path / "prisma.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "prisma.pdf").read_bytes().startswith(b"%PDF-")
    assert "Identification of studies via other methods" in (tmp_path / "prisma.svg").read_text()
    sheets = pd.read_excel(tmp_path / "review.xlsx", sheet_name=None)
    assert list(sheets) == ["records", "included", "findings"]


def test_python_examples(tmp_path, monkeypatch, capsys) -> None:
    work_in_copy(tmp_path, monkeypatch, "evidence")
    run_guide(GUIDE, skip=lambda lang, _: lang == "console")
    out = capsys.readouterr().out
    assert "['dedupe_status', 'duplicate_of', 'uncertain_with']" in out
    assert "4 included studies" in out
    assert "{'records': 5, 'included': 4, 'findings': 53}" in out
    assert "b'%PDF-'" in out
