"""Run a guide's examples: every ```console and ```python block of a docs page, in order.

A console block holds ``$ implmap …`` lines, each followed by lines its output must contain
(as a part of the output; a ``…`` at the start or end of an expected line stands for text that
differs between runs, such as a folder's full path). An expected line starting with ``Error:``
means the command must fail with exit code 1. Commands run in this process, with output
``COLUMNS=100`` wide. Python blocks share one namespace (``run_guide`` returns it) and print to
stdout, where a test can read them with ``capsys``.

Other blocks (```bash, ```text, ```yaml) are not run: keep in them what cannot run here (shell
commands other than implmap, servers that run until stopped), and test them separately.
"""

from __future__ import annotations

import re
import shlex
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from implmap.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def work_in_copy(tmp_path: Path, monkeypatch: Any, *folders: str) -> Path:
    """Copy each of ``folders`` (paths in the repository, such as ``evidence`` or
    ``docs/examples``) into ``tmp_path`` at the same relative path, and make ``tmp_path`` the
    working folder, as a reader running the guide from a clone would have it."""
    for rel in folders:
        shutil.copytree(ROOT / rel, tmp_path / rel, ignore=shutil.ignore_patterns(".implmap"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


_BLOCK = re.compile(r"^(?P<indent> *)```(?P<lang>console|python)\n(?P<body>.*?)^(?P=indent)```$",
                    re.M | re.S)


def guide_blocks(guide: Path) -> list[tuple[str, str]]:
    """``(language, body)`` of each console and python block of ``guide``."""
    return [(m.group("lang"), textwrap.dedent(m.group("body")))
            for m in _BLOCK.finditer(guide.read_text("utf-8"))]


def console_commands(body: str) -> list[tuple[str, list[str]]]:
    """``(command line, expected output lines)`` of each ``$ implmap …`` line of a block."""
    found: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            assert line.startswith("$ implmap "), f"only implmap runs here: {line}"
            found.append((line, []))
        else:
            assert found, f"output before any command: {line}"
            found[-1][1].append(line)
    return found


def run_console(body: str) -> None:
    """Run each ``$ implmap …`` line and check its exit code and expected output."""
    for line, expected in console_commands(body):
        args = shlex.split(line[len("$ implmap "):])
        result = CliRunner(env={"COLUMNS": "100"}).invoke(cli, args, catch_exceptions=False)
        want_error = any(e.startswith("Error:") for e in expected)
        assert result.exit_code == (1 if want_error else 0), (line, result.output)
        for e in expected:
            assert e.strip("…") in result.output, (line, e, result.output)


def run_guide(guide: Path, skip: Callable[[str, str], bool] | None = None) -> dict[str, Any]:
    """Run every block of ``guide`` in order, but those for which ``skip(language, body)``.

    Python blocks share one namespace, which is returned.
    """
    namespace: dict[str, Any] = {"__name__": "guide"}
    for lang, body in guide_blocks(guide):
        if skip is not None and skip(lang, body):
            continue
        if lang == "console":
            run_console(body)
        else:
            exec(compile(body, str(guide), "exec"), namespace)
    return namespace
