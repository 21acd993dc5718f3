"""The import guide's examples run: every ```console and ```python block of
docs/guides/import.md, in order, in a temporary copy of docs/examples/."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
import textwrap
from pathlib import Path

from click.testing import CliRunner

from implmap.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guides" / "import.md"
_BLOCK = re.compile(r"^(?P<indent> *)```(?P<lang>console|python)\n(?P<body>.*?)^(?P=indent)```$",
                    re.M | re.S)


def blocks() -> list[tuple[str, str]]:
    out = []
    for m in _BLOCK.finditer(GUIDE.read_text("utf-8")):
        body = textwrap.dedent(m.group("body"))
        out.append((m.group("lang"), body))
    return out


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
        want_error = any(e.startswith("Error:") for e in expected)
        assert result.exit_code == (1 if want_error else 0), (line, result.output)
        for e in expected:
            assert e in result.output, (line, e, result.output)


def test_guide_has_cli_and_python_examples():
    langs = [lang for lang, _ in blocks()]
    assert langs.count("console") >= 5 and langs.count("python") >= 5


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
    # what the examples did is what the guide says
    from implmap import Review

    cli_review = Review(tmp_path / "my-review")
    assert [s.database for s in cli_review.searches()].count("Embase") == 1
    assert (tmp_path / "records.csv").exists() and (tmp_path / "all-records.ris").exists()
    assert {s.encoding for s in Review(tmp_path / "my-review-py").searches()} >= {"cp1252"}
