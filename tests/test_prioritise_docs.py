"""Every example in docs/guides/prioritisation.md runs, on a copy of the bundled review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.guides import console_commands, guide_blocks, run_guide, work_in_copy

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guides" / "prioritisation.md"
EVIDENCE = ROOT / "evidence"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    if not EVIDENCE.is_dir():
        pytest.skip("the bundled review evidence/ is absent")
    return work_in_copy(tmp_path, monkeypatch, "evidence")


def test_guide_has_both_paths():
    blocks = guide_blocks(GUIDE)
    assert [lang for lang, _ in blocks].count("python") >= 4, "the guide lost Python examples"
    commands = [line for lang, body in blocks if lang == "console"
                for line, _ in console_commands(body)]
    assert {c.split()[2] for c in commands} >= {"progress", "simulate"}


def test_python_examples(workdir, capsys):
    ns = run_guide(GUIDE, skip=lambda lang, _: lang == "console")
    out = capsys.readouterr().out
    assert ns["ranker"].method in {"model", "similarity", "include_terms", "seeded"}
    assert ns["progress"].screened == 5
    assert "recall" in out
    assert ns["estimate"].reached is False
    assert ns["estimate"].estimated_total == 31
    assert "False 0.164 0.774" in out  # what the guide's comment says it prints
    assert ns["later"].reached_single_check is True and ns["later"].reached is False
    assert "True False 0.041" in out
    assert (workdir / "simulation" / "recall.png").exists()
    assert (workdir / "simulation" / "recall.svg").exists()
    assert ns["result"].inclusions == 4


def test_guide_examples_run(workdir):
    # in the guide's order: the command line simulates the CSV that the Python example writes
    run_guide(GUIDE)
    assert (workdir / "labelled.csv").exists()
    assert json.loads((workdir / "simulation" / "simulation.json").read_text())


def test_guide_names_both_wss_definitions_and_the_method():
    text = GUIDE.read_text(encoding="utf-8")
    for phrase in ("asreview-insights definition", "classic (Cohen et al. 2006)",
                   "Callaghan and", "Assumptions and honest limits"):
        assert phrase in text
    assert "BENCH-TABLE" not in text, "the benchmark table was not filled in"
