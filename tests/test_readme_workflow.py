"""The README's workflow, run as written (#12): every command of its fenced block, in order, in
a new folder, with only the input files swapped for small fixtures; the two commands that start
the web app run up to the point of serving."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from implmap.cli import cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# the README's input files -> fixtures (nothing else of a command is changed)
INPUTS = {"embase.ris": FIXTURES / "ris" / "dois.ris", "evidence": ROOT / "evidence"}


def workflow_commands() -> list[list[str]]:
    """The commands of the README's "The workflow" section, one argument list each."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## The workflow", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the workflow section has no ```bash block"
    commands: list[list[str]] = []
    for line in block.group(1).splitlines():
        lex = shlex.shlex(line, posix=True, punctuation_chars=";")
        lex.whitespace_split = True
        current: list[str] = []
        for token in lex:  # '#' starts a comment, ';' separates commands
            if token == ";":
                commands.append(current)
                current = []
            else:
                current.append(token)
        if current:
            commands.append(current)
    return [c for c in commands if c]


def test_the_readme_workflow_runs_as_written(tmp_path, monkeypatch):
    import webbrowser

    import uvicorn

    served: list[str] = []
    # the app commands start a server that runs until Ctrl+C: here it stops at once, after
    # the app was built for that reviewer (which is where a wrong reviewer is refused)
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: served.append("ok"))
    monkeypatch.setattr(webbrowser, "open", lambda *a, **k: True)
    monkeypatch.setattr("signal.signal", lambda *args: None)
    monkeypatch.setattr("sys.setswitchinterval", lambda interval: None)
    monkeypatch.chdir(tmp_path)
    commands = workflow_commands()
    assert [c[:2] for c in commands][:2] == [["implmap", "init"], ["implmap", "import"]]
    runner = CliRunner()
    for command in commands:
        assert command[0] == "implmap", command
        args = [str(INPUTS.get(a, a)) for a in command[1:]]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, f"{shlex.join(command)}\n{result.output}\n{result.exception}"
    assert len(served) == sum(c[1] in ("screen", "resolve") for c in commands) == 2
    assert (tmp_path / "my-review" / "implmap.yaml").exists()
