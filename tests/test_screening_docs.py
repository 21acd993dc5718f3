"""Every example in docs/guides/screening.md runs: the Python path and the CLI path, each on a
fresh folder, and both end with the PRISMA counts the guide states."""

from __future__ import annotations

import json
import re
import shlex
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from implmap import Review, screening
from implmap.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guides" / "screening.md"
FENCE = re.compile(r"^([ \t]*)```(\w+)\n(.*?)^\1```", re.M | re.S)

EXPECTED = {
    "identified": 5, "duplicates_removed": 0, "records_screened": 5, "records_excluded": 2,
    "records_awaiting": 0, "reports_sought": 3, "reports_not_retrieved": 1,
    "reports_assessed": 2, "reports_excluded": 1,
    "reports_excluded_by_reason": {"wrong context": 1}, "reports_awaiting": 0,
    "reports_included": 1, "studies_included": 1, "identified_by_database": {"MEDLINE": 5},
}


def blocks(lang: str) -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return [textwrap.dedent(m.group(3)) for m in FENCE.finditer(text) if m.group(2) == lang]


def _exec(src: str, ns: dict) -> None:
    exec(compile(src, str(GUIDE), "exec"), ns)


def test_python_examples(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = blocks("python")
    assert len(code) >= 6, "the guide lost Python examples"
    ns: dict = {"__name__": "guide"}
    for src in code:
        _exec(src, ns)
    assert ns["counts"].to_dict() == EXPECTED
    out = capsys.readouterr().out
    assert "baa7a7db-2 decision {'ana': 'include', 'ben': 'exclude'}" in out
    assert "['baa7a7db-1']" in out  # included_records


def test_cli_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _exec(blocks("python")[0], {"__name__": "guide"})  # the setup script
    commands = [line for b in blocks("bash") for line in b.splitlines()
                if line.startswith("implmap ")]
    assert {c.split()[1] for c in commands} >= {
        "decide", "screening", "conflicts", "resolve-record", "agreement", "prisma", "check"}
    runner = CliRunner()
    for cmd in commands:
        res = runner.invoke(cli, shlex.split(cmd)[1:])
        assert res.exit_code == 0, f"{cmd}\n{res.output}"
    assert json.loads((tmp_path / "prisma.json").read_text()) == EXPECTED
    assert (tmp_path / "prisma.csv").read_text().startswith("box,label,count\n")
    review = Review(tmp_path / "evidence")
    assert screening.included_records(review) == ["baa7a7db-1"]
    assert review.check().valid


@pytest.mark.parametrize("word", ["maybe counts as include", "Covidence"])
def test_guide_says_how_maybe_counts(word):
    assert word in GUIDE.read_text(encoding="utf-8")
