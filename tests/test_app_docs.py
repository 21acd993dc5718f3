"""Every example in docs/guides/screening-app.md runs, on a copy of the bundled review.

The script example runs through tests/support/guides.py. The examples that start the app run
until stopped, so they run here in a process of their own: each must print what the guide
shows, with a URL whose token opens a session for the right reviewer and mode; then it is
stopped.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from implmap import Review
from implmap.jsonl import read_jsonl
from support.guides import console_commands, guide_blocks, run_guide, work_in_copy

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guides" / "screening-app.md"
URL = re.compile(r"(http://127\.0\.0\.1:\d+)/\?token=([\w…-]+)")


def starts_app(lang: str, body: str) -> bool:
    """Whether a block starts the app (and so runs until it is stopped)."""
    return "--no-browser" in body if lang == "console" else "serve(" in body


@pytest.fixture
def evidence(tmp_path, monkeypatch):
    return work_in_copy(tmp_path, monkeypatch, "evidence") / "evidence"


def _run_until_url(argv: list[str], cwd: Path) -> tuple[str, dict]:
    """Start ``argv``, wait for the URL it prints; its output so far and its session."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}"
           f"{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stderr=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        out = ""
        assert proc.stderr is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            out += line
            m = URL.search(line)
            if m:
                r = httpx.get(f"{m.group(1)}/api/session",
                              headers={"X-Implmap-Token": m.group(2)}, timeout=10)
                return out, r.json()
            if not line and proc.poll() is not None:
                break
        raise AssertionError(f"{argv} printed no URL:\n{out}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for f in (proc.stderr, proc.stdout):
            if f:
                f.close()


def test_guide_has_both_paths():
    blocks = guide_blocks(GUIDE)
    assert sum(starts_app(lang, body) for lang, body in blocks if lang == "console") == 2
    assert sum(starts_app(lang, body) for lang, body in blocks if lang == "python") == 2
    assert any(lang == "python" and not starts_app(lang, body) for lang, body in blocks)


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_script_example_runs(evidence, capsys):
    before = len(list(read_jsonl(evidence / "screening/title_abstract/ana.jsonl")))
    run_guide(GUIDE, skip=starts_app)
    out = capsys.readouterr().out
    titles = [r["title"] for r in Review(evidence).record_dicts()]
    # a record's title (which one depends on the ranking at that moment) and ana's progress
    assert any(out.startswith(f"{title} ") for title in titles) and "'done': 5" in out, out
    log = [e for _, e in read_jsonl(evidence / "screening/title_abstract/ana.jsonl")]
    assert len(log) == before + 2  # the decision, then its undo
    decided, undone = log[-2:]
    assert decided["decision"] == "maybe" and decided["note"] == "check"
    earlier = [e for e in log[:-2] if e["record"] == decided["record"]][-1]
    assert undone["record"] == decided["record"]
    assert undone["decision"] == earlier["decision"]  # the undo restores ana's decision


@pytest.mark.parametrize("index", range(2))
def test_serve_examples_run(evidence, index):
    code = [body for lang, body in guide_blocks(GUIDE) if lang == "python"
            and starts_app(lang, body)]
    _, info = _run_until_url([sys.executable, "-c", code[index]], evidence.parent)
    assert info["reviewer"] == ("ana", "cam")[index]


@pytest.mark.parametrize("index", range(2))
def test_cli_examples_run_and_print_what_the_guide_shows(evidence, index):
    commands = [c for lang, body in guide_blocks(GUIDE) if starts_app(lang, body)
                and lang == "console" for c in console_commands(body)]
    line, expected = commands[index]
    argv = shlex.split(line)[2:]
    out, info = _run_until_url(
        [sys.executable, "-c", "from implmap.cli import main; main()", *argv], evidence.parent
    )
    assert info["mode"] == ("screen", "resolve")[index] == argv[0]
    assert info["reviewer"] == ("ana", "cam")[index]
    for e in expected:
        if "token=" in e:  # the URL differs every run: its form is what must match
            assert URL.search(e) and URL.search(out), (line, e, out)
        else:
            assert e.strip("…") in out, (line, e, out)
