"""Where things are: the repository, the test fixtures, the bundled review and ../shared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

__all__ = ["CHROMIUM", "CORPORA", "EVIDENCE", "FIXTURES", "ROOT", "SHARED", "TESTS",
           "need_shared"]

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
FIXTURES = TESTS / "fixtures"
EVIDENCE = ROOT / "evidence"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def need_shared(*parts: str) -> Path:
    """Path under ../shared, or skip the test when ../shared (or that path) is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only beside developer checkouts and CI)")
    return path
