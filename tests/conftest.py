"""Shared fixtures. Tests that read ../shared skip cleanly when it is absent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EVIDENCE = ROOT / "evidence"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def need_shared(*parts: str) -> Path:
    """Path under ../shared, or skip the test when ../shared (or that path) is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only beside developer checkouts and CI)")
    return path


@pytest.fixture
def shared_corpora() -> Path:
    return need_shared("corpora")


@pytest.fixture
def review(tmp_path: Path):
    """A fresh, empty review folder with two reviewers and a third."""
    from implmap import Review

    return Review.init(tmp_path / "rev", title="Test review", reviewers=["ana", "ben", "cam"])


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
