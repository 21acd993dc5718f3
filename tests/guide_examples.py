"""Run a guide's examples: every ```console and ```python block of a docs page, in order.

A console block holds ``$ implmap …`` lines, each followed by lines its output must contain;
an expected line starting with ``Error:`` means the command must fail with exit code 1.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import textwrap
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from implmap.cli import cli

_BLOCK = re.compile(r"^(?P<indent> *)```(?P<lang>console|python)\n(?P<body>.*?)^(?P=indent)```$",
                    re.M | re.S)


def guide_blocks(guide: Path) -> list[tuple[str, str]]:
    """``(language, body)`` of each console and python block of ``guide``."""
    return [(m.group("lang"), textwrap.dedent(m.group("body")))
            for m in _BLOCK.finditer(guide.read_text("utf-8"))]


def run_console(body: str) -> None:
    """Run each ``$ implmap …`` line and check its exit code and expected output."""
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


def run_guide(guide: Path) -> dict[str, Any]:
    """Run every block of ``guide`` in order (python blocks share one namespace, returned)."""
    namespace: dict[str, Any] = {}
    for lang, body in guide_blocks(guide):
        if lang == "console":
            run_console(body)
        else:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(body, str(guide), "exec"), namespace)
    return namespace
