"""The stopping estimate beside progress in the screening app: worded exactly, from the
reviewer's own decisions only (blind to everyone else), never on the way of a decision."""

from __future__ import annotations

import warnings

import pytest

import implmap.screening as core
from implmap.app import create_app
from support.builders import app_review
from support.servers import running

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TOKEN = "test-token-not-secret"
TA = "title_abstract"
CLAIM = ("at least 95% of the records you would include, with 95% confidence, under random "
         "sampling of the remaining records")


def _client(app) -> TestClient:
    return TestClient(app, headers={"X-Implmap-Token": TOKEN})


def test_the_estimate_is_worded_exactly_and_blind(tmp_path) -> None:
    rev = app_review(tmp_path / "rev", n=8)
    ids = core.records_to_screen(rev, TA)
    c = _client(create_app(rev, "ana", token=TOKEN))
    first = c.get("/api/estimate").json()
    assert first["found"] == 0 and "No relevant record found yet" in first["sentence"]
    for i, rid in enumerate(ids[:5]):
        c.post("/api/decide", json={"record": rid, "decision": "include" if i < 2 else "exclude"})
    mine = c.get("/api/estimate").json()
    assert mine["found"] == 2 and mine["screened"] == 5
    assert CLAIM in mine["sentence"] and mine["sentence"].startswith("Stopping estimate: ")
    assert "you would include" in mine["detail"]
    # ben screens everything, including what ana has not seen yet: ana's estimate does not move
    for rid in ids:
        core.decide(rev, "ben", TA, rid, "exclude" if rid in ids[:2] else "include")
    assert c.get("/api/estimate").json() == mine


def test_resolve_mode_has_no_estimate(tmp_path) -> None:
    rev = app_review(tmp_path / "rev", n=3)
    r = _client(create_app(rev, "cam", mode="resolve", token=TOKEN)).get("/api/estimate")
    assert r.status_code == 400 and "screen mode" in r.json()["error"]


@pytest.mark.browser
def test_the_page_shows_the_estimate_after_a_pause(tmp_path, browser) -> None:
    from playwright.sync_api import expect

    rev = app_review(tmp_path / "rev", n=5)
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        with running(create_app(rev, "ana", token=TOKEN)) as base:
            page.goto(f"{base}/?token={TOKEN}")
            page.wait_for_selector("body[data-ready='1']")
            expect(page.locator("#estimate")).to_contain_text("No relevant record found yet")
            page.keyboard.press("i")
            expect(page.locator("#progress-text")).to_have_text("1 / 5 screened by you")
            expect(page.locator("#estimate")).to_contain_text(CLAIM)
    finally:
        context.close()
