"""The one runner of the guides' examples: every docs test reads and runs a guide through it.

``run_guide`` runs every ```console and ```python block of a docs page, in order. A console
block holds ``$ implmap …`` lines, each followed by lines its output must contain (as a part of
the output; a ``…`` at the start or end of an expected line stands for text that differs between
runs, such as a folder's full path). An expected line starting with ``Error:`` means the command
must fail with exit code 1. Commands run in this process, with output ``COLUMNS=100`` wide.
Python blocks share one namespace (``run_guide`` returns it) and print to stdout, where a test
can read them with ``capsys``.

Other blocks (```bash, ```text, ```yaml) are not run: keep in them what cannot run here (shell
commands other than implmap, servers that run until stopped), and test them with the pieces
below: ``guide_blocks(guide, "yaml")`` reads them, ``bash_commands`` lists a guide's shell
lines, ``run_command`` runs one ``implmap …`` line, ``shown_after`` finds the ```text block
that shows what a block prints.
"""

from __future__ import annotations

import re
import shlex
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from implmap.cli import cli

from .paths import ROOT

__all__ = [
    "bash_commands",
    "console_commands",
    "guide_blocks",
    "run_command",
    "run_console",
    "run_guide",
    "shown_after",
    "work_in_copy",
]

RUN = ("console", "python")
"""The languages of the blocks that ``run_guide`` runs."""


def work_in_copy(tmp_path: Path, monkeypatch: Any, *folders: str) -> Path:
    """Copy each of ``folders`` (paths in the repository, such as ``evidence`` or
    ``docs/examples``) into ``tmp_path`` at the same relative path, and make ``tmp_path`` the
    working folder, as a reader running the guide from a clone would have it."""
    for rel in folders:
        shutil.copytree(ROOT / rel, tmp_path / rel, ignore=shutil.ignore_patterns(".implmap"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


_BLOCK = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>\w+)[ \t]*\n(?P<body>.*?)"
                    r"^(?P=indent)```[ \t]*$", re.M | re.S)


def _blocks(guide: Path) -> list[tuple[str, str, int, int]]:
    """``(language, body, start, end)`` of every fenced block of ``guide``, bodies dedented."""
    return [(m.group("lang"), textwrap.dedent(m.group("body")), m.start(), m.end())
            for m in _BLOCK.finditer(guide.read_text("utf-8"))]


def guide_blocks(guide: Path, *langs: str) -> list[tuple[str, str]]:
    """``(language, body)`` of each block of ``guide`` in one of ``langs`` (by default the
    blocks that ``run_guide`` runs: console and python), in order."""
    return [(lang, body) for lang, body, _, _ in _blocks(guide) if lang in (langs or RUN)]


def shown_after(guide: Path, lang: str, containing: str) -> str | None:
    """The ```text block right after the first ``lang`` block holding ``containing`` (only
    blank lines between them): what the guide shows that block prints; None if there is none."""
    text = guide.read_text("utf-8")
    blocks = _blocks(guide)
    end = next(e for lng, body, _, e in blocks if lng == lang and containing in body)
    for lng, body, start, _ in blocks:
        if start >= end and lng == "text" and not text[end:start].strip():
            return body
    return None


def bash_commands(guide: Path) -> list[str]:
    """Every line of the guide's ```bash blocks, without its ``# comment``."""
    return [line.split("#")[0].strip() for _, body in guide_blocks(guide, "bash")
            for line in body.splitlines()]


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


def run_command(line: str) -> Result:
    """Run one ``implmap …`` command line (``$ `` before it is allowed) in this process."""
    args = shlex.split(line.removeprefix("$ ").removeprefix("implmap "))
    return CliRunner(env={"COLUMNS": "100"}).invoke(cli, args, catch_exceptions=False)


def run_console(body: str) -> None:
    """Run each ``$ implmap …`` line and check its exit code and expected output."""
    for line, expected in console_commands(body):
        result = run_command(line)
        want_error = any(e.startswith("Error:") for e in expected)
        assert result.exit_code == (1 if want_error else 0), (line, result.output)
        for e in expected:
            assert e.strip("…") in result.output, (line, e, result.output)


def run_guide(guide: Path, skip: Callable[[str, str], bool] | None = None) -> dict[str, Any]:
    """Run every console and python block of ``guide`` in order, but those for which
    ``skip(language, body)``.

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
