"""The dedupe guide's examples run: every ```console and ```python block of
docs/guides/dedupe.md, in order, in a temporary folder holding docs/examples/."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import shutil
import textwrap
from pathlib import Path

from click.testing import CliRunner

from implmap import Review
from implmap.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guides" / "dedupe.md"
_BLOCK = re.compile(r"^(?P<indent> *)```(?P<lang>console|python)\n(?P<body>.*?)^(?P=indent)```$",
                    re.M | re.S)


def blocks() -> list[tuple[str, str]]:
    return [(m.group("lang"), textwrap.dedent(m.group("body")))
            for m in _BLOCK.finditer(GUIDE.read_text("utf-8"))]


def run_console(body: str) -> None:
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        assert line.startswith("$ implmap "), line
        expected = []
        i += 1
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i])
            i += 1
        args = shlex.split(line[len("$ implmap "):])
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, (line, result.output)
        for e in expected:
            assert e in result.output, (line, e, result.output)


def test_guide_has_cli_and_python_side_by_side():
    langs = [lang for lang, _ in blocks()]
    assert langs.count("console") >= 3 and langs.count("python") >= 3


def test_guide_examples_run(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "docs" / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for lang, body in blocks():
        if lang == "console":
            run_console(body)
        else:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(body, str(GUIDE), "exec"), namespace)
    # the CLI and the Python examples leave the two folders in the same state
    cli_review = Review(tmp_path / "dedupe-review")
    py_review = Review(tmp_path / "dedupe-review-py")
    for name in ("groups.jsonl", "uncertain.jsonl"):
        assert (cli_review.root / "dedupe" / name).read_text() == \
            (py_review.root / "dedupe" / name).read_text()
    actions = [json.loads(x)["action"] for x in
               (py_review.root / "dedupe" / "decisions.jsonl").read_text().splitlines()]
    assert actions == ["merge", "keep_apart", "undo"]
    assert len(cli_review.primary_ids()) == 6
