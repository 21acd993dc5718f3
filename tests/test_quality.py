"""The house rules that a machine can check: lint and the public surface."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys

import pytest

import implmap
from conftest import ROOT

PUBLIC = {
    "DecisionError",
    "DuplicateImportError",
    "ImplmapError",
    "ImportResult",
    "InputFormatError",
    "Manifest",
    "PrismaError",
    "Problem",
    "Record",
    "Report",
    "Review",
    "ReviewFolder",
    "ReviewFolderError",
    "Search",
    "UnknownRecordError",
    "UnknownTermError",
    "UsageError",
    "ValidationFailed",
    "__version__",
}


def test_public_surface_is_declared_once():
    """Changing the public surface must be deliberate: update PUBLIC here too."""
    assert set(implmap.__all__) == PUBLIC
    for name in implmap.__all__:
        assert hasattr(implmap, name), name


def test_every_error_derives_from_the_root():
    for name in implmap.__all__:
        obj = getattr(implmap, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, implmap.ImplmapError), name


def test_import_implmap_is_light():
    """`import implmap` must not pull in the heavy parts (sklearn, pandas, the web app)."""
    code = (
        "import sys, implmap; heavy = [m for m in ('sklearn', 'pandas', 'starlette', 'mkdocs',"
        " 'matplotlib') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_ruff_clean():
    out = subprocess.run(["ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_mypy_clean():
    """The library type-checks ([tool.mypy] in pyproject.toml)."""
    out = subprocess.run([sys.executable, "-m", "mypy", "src"], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_cli_reference_lists_every_command():
    """docs/reference/cli.md names every command and sub-command the CLI registers."""
    import click

    from implmap.cli import cli

    text = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    missing = []
    for name, cmd in cli.commands.items():
        if f"`implmap {name}" not in text:
            missing.append(name)
        if isinstance(cmd, click.Group):
            missing += [f"{name} {sub}" for sub in cmd.commands if f"{name} {sub}" not in text
                        and f"|{sub}" not in text and f"{sub}\\|" not in text]
    assert not missing, f"add these to docs/reference/cli.md: {missing}"
