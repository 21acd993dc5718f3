"""Every example in docs/guides/screening-app.md runs, on a review folder named `evidence`."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import httpx
import pytest

from app_support import make_review
from implmap.fsio import read_jsonl

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guides" / "screening-app.md"
FENCE = re.compile(r"^([ \t]*)```(\w+)\n(.*?)^\1```", re.M | re.S)
URL = re.compile(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)")


def blocks(lang: str) -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return [textwrap.dedent(m.group(3)) for m in FENCE.finditer(text) if m.group(2) == lang]


@pytest.fixture
def evidence(tmp_path, monkeypatch):
    make_review(tmp_path / "evidence", n=4)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run_until_url(argv: list[str], cwd: Path) -> dict:
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
                return r.json()
            if not line and proc.poll() is not None:
                break
        raise AssertionError(f"{argv} printed no URL:\n{out}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for f in (proc.stderr, proc.stdout):
            if f:
                f.close()


def test_python_examples_run(evidence, capsys):
    code = [b for b in blocks("python") if "serve(" not in b]
    assert code, "the guide lost its Python example"
    for src in code:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # starlette's TestClient prefers httpx2
            exec(compile(src, str(GUIDE), "exec"), {"__name__": "guide"})
    out = capsys.readouterr().out
    assert "Record" in out and "'done': 1" in out  # it printed the title and the counts
    log = [e for _, e in read_jsonl(evidence / "evidence/screening/title_abstract/ana.jsonl")]
    assert log[0]["decision"] == "maybe" and log[0]["note"] == "check"
    assert len(log) == 2  # the decision, then its undo


@pytest.mark.parametrize("index", range(2))
def test_serve_examples_run(evidence, index):
    code = [b for b in blocks("python") if "serve(" in b]
    assert len(code) == 2
    info = _run_until_url([sys.executable, "-c", code[index]], evidence)
    assert info["reviewer"] in ("ana", "cam")


def test_cli_examples_run(evidence):
    commands = [line for b in blocks("bash") for line in b.splitlines()
                if line.startswith("implmap ")]
    assert {c.split()[1] for c in commands} == {"screen", "resolve"}
    for cmd in commands:
        argv = shlex.split(cmd)[1:]
        info = _run_until_url(
            [sys.executable, "-c", "from implmap.cli import main; main()", *argv], evidence
        )
        assert info["mode"] == ("resolve" if argv[0] == "resolve" else "screen")
