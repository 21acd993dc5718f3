"""Shared fixtures. Tests that read ../shared skip cleanly when it is absent.

The paths and ``need_shared`` live in ``support/paths.py`` (the builders and runners share them);
they are named here too for the tests that import them from conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.builders import make_review
from support.paths import CHROMIUM, CORPORA, EVIDENCE, FIXTURES, ROOT, SHARED, need_shared

__all__ = ["CHROMIUM", "CORPORA", "EVIDENCE", "FIXTURES", "ROOT", "SHARED", "need_shared"]


@pytest.fixture
def shared_corpora() -> Path:
    return need_shared("corpora")


@pytest.fixture
def review(tmp_path: Path):
    """A fresh, empty review folder with two reviewers and a third."""
    return make_review(tmp_path / "rev", reviewers=("ana", "ben", "cam"), third=None)


@pytest.fixture(scope="session")
def browser():
    """A headless Debian chromium driven by Playwright; skipped when it is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()
