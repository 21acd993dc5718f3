"""Every example in docs/guides/charting.md and lookup.md runs on (a copy of) the bundled review,
and the output the guides show is what the commands print. The console and Python blocks run
through tests/support/guides.py; the blocks it does not run (the error listing, the mappings
snippet, the benchmark's figures) are checked here."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from conftest import ROOT
from support.builders import charting_review
from support.guides import guide_blocks, run_guide, shown_after, work_in_copy

GUIDES = [ROOT / "docs" / "guides" / "charting.md", ROOT / "docs" / "guides" / "lookup.md"]
def assert_shown(shown: str, output: str) -> None:
    """Every line the guide shows is a line of the output ("…x": a line ending in x)."""
    have = {line.strip() for line in output.splitlines()}
    for line in shown.splitlines():
        want = line.strip()
        if not want:
            continue
        ok = any(h.endswith(want[1:]) for h in have) if want.startswith("…") else want in have
        assert ok, f"the guide shows {want!r}; got:\n{output}"


@pytest.fixture
def evidence(tmp_path, monkeypatch):
    return work_in_copy(tmp_path, monkeypatch, "evidence") / "evidence"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.name)
def test_guide_examples_run(guide, evidence, capsys):
    langs = [lang for lang, _ in guide_blocks(guide)]
    assert langs.count("console") >= 3 and langs.count("python") >= 3
    run_guide(guide)
    out = capsys.readouterr().out
    assert out.strip()  # the Python examples print what they found
    if guide.name == "charting.md":
        assert (evidence / "charting.schema.json").exists()
    if guide.name == "lookup.md":
        assert "back-pain-cohort-dk-2022/f23" in out  # the waiting barrier, by study and ID


def test_the_error_example_is_what_check_prints(tmp_path):
    guide = GUIDES[0]
    shown = next(c for _, c in guide_blocks(guide, "text") if "study-a" in c)
    review, _ = charting_review(tmp_path / "r")
    a = review.root / "charting" / "studies" / "study-a.yaml"
    text = a.read_text("utf-8")
    text = (text.replace("domain: Environmental", "domain: Enviromental", 1)
            .replace("[Social support]", "[Social support, Incentives]")
            .replace("  type: barrier\n  perspective: [nurses]\n  level: individual\n  tdf: []",
                     "  perspective: [nurses]\n  level: individual\n  tdf: []"))
    a.write_text(text, "utf-8")
    printed = "\n".join(str(p) for p in review.check().problems)
    assert printed.strip() == shown.strip()


def test_the_mappings_example_overrides_the_default(tmp_path):
    snippet = next(c for _, c in guide_blocks(GUIDES[0], "yaml") if c.startswith("tdf_to_comb"))
    review, _ = charting_review(tmp_path / "r")
    (review.root / "charting" / "mappings.yaml").write_text(snippet, "utf-8")
    assert review.check().valid
    expected = yaml.safe_load(snippet)["tdf_to_comb"]["Knowledge"]
    assert review.vocabulary().comb("Knowledge") == expected


def test_the_bench_figures_in_the_guide_are_current():
    guide = GUIDES[0]
    shown = shown_after(guide, "bash", "bench/suggest.py")
    assert shown is not None
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "suggest.py")],
                         capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}).stdout
    assert_shown(shown, out)
