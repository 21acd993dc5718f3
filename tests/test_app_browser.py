"""The screening app in a real browser (Debian chromium via Playwright, real uvicorn server).

Few and fast: screening with the keyboard, hostile record text, and blinding seen from the page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import implmap.screening as core
from implmap.app import create_app
from implmap.jsonl import read_jsonl
from support.builders import app_review
from support.servers import running

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TOKEN = "browser-test-token"


def _ready(page) -> None:
    page.wait_for_selector("body[data-ready='1']", timeout=10_000)


def _expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def test_screen_with_the_keyboard_then_reload(tmp_path, page):
    rev = app_review(tmp_path / "rev", n=5)
    expect = _expect()
    with running(create_app(rev, "ana", token=TOKEN)) as base:
        page.goto(f"{base}/?token={TOKEN}")
        _ready(page)
        assert "token" not in page.url  # the token went into a cookie
        expect(page.locator("#progress-text")).to_have_text("0 / 5 screened by you")
        assert page.locator("mark.term-inc").count() > 0  # "barriers" highlighted
        exc = page.eval_on_selector_all("#record mark.term-exc",
                                        "els => els.map(e => e.textContent)")
        assert exc and set(exc) == {"rat"}  # "rat" highlighted, "rate" not
        first = page.inner_text("#record-id")
        page.keyboard.press("i")
        expect(page.locator("#status")).to_have_text("saved ✓")
        page.keyboard.press("e")
        expect(page.locator("#progress-text")).to_have_text("2 / 5 screened by you")
        page.keyboard.press("n")
        page.keyboard.type("unsure: mixed sample")
        page.keyboard.press("Enter")
        page.keyboard.press("m")
        expect(page.locator("#progress-text")).to_have_text("3 / 5 screened by you")
        page.keyboard.press("u")  # undo the maybe
        expect(page.locator("#progress-text")).to_have_text("2 / 5 screened by you")
        page.keyboard.press("Control+z")  # and the exclusion
        expect(page.locator("#progress-text")).to_have_text("1 / 5 screened by you")
        page.keyboard.press("k")
        expect(page.locator("#record-id")).to_have_text(first)
        expect(page.locator("#my-decision")).to_have_text("include")
        page.keyboard.press("j")
        page.keyboard.press("m")
        expect(page.locator("#progress-text")).to_have_text("2 / 5 screened by you")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screening-app.png"), full_page=True)

        page.reload()
        _ready(page)
        expect(page.locator("#progress-text")).to_have_text("2 / 5 screened by you")
        page.keyboard.press("k")
        page.keyboard.press("k")
        expect(page.locator("#record-id")).to_have_text(first)
        expect(page.locator("#my-decision")).to_have_text("include")

    log = [e for _, e in read_jsonl(rev.root / "screening/title_abstract/ana.jsonl")]
    mine = core.reviewer_view(rev, "ana", "title_abstract").decisions
    assert {v["decision"] for v in mine.values()} == {"include", "maybe"} and len(mine) == 2
    assert mine[first]["decision"] == "include"
    assert any(e.get("note") == "unsure: mixed sample" for e in log)


def test_hostile_record_text_stays_text(tmp_path, page):
    rev = app_review(tmp_path / "rev", n=0, evil=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with running(create_app(rev, "ana", token=TOKEN)) as base:
        page.goto(f"{base}/?token={TOKEN}")
        _ready(page)
        title = page.inner_text("#title")
        assert "<script>window.__pwned = 1" in title  # shown, literally
        assert "<img src=x onerror=" in page.inner_text("#abstract")
        assert page.locator("#record script, #record img, #record svg, #record b").count() == 0
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert not [h for h in hrefs if not h.startswith(("http://", "https://"))], hrefs
        assert not [h for h in hrefs if "javascript" in h.lower()]
        page.keyboard.press("i")
        _expect()(page.locator("#status")).to_have_text("saved ✓")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__pwned") is None
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screening-app-hostile.png"), full_page=True)
    assert dialogs == [] and errors == []


def test_blinding_every_response_of_reviewer_a(tmp_path, page):
    rev = app_review(tmp_path / "rev", n=6)
    marker = "BEN-NOTE-c0ffee-91"
    ids = sorted(r["id"] for r in rev.record_dicts())
    for i, rid in enumerate(ids):
        core.decide(rev, "ben", "title_abstract", rid, ("exclude", "include", "maybe")[i % 3],
                    note=f"{marker} {i}")
    bodies: list[tuple[str, bytes]] = []

    def keep(resp) -> None:
        try:
            bodies.append((resp.url, resp.body()))
        except Exception:  # redirects have no body
            bodies.append((resp.url, b""))

    page.on("response", keep)
    with running(create_app(rev, "ana", token=TOKEN)) as base:
        page.goto(f"{base}/?token={TOKEN}")
        _ready(page)
        for key in ("i", "e", "m", "u", "j", "k", "i"):
            page.keyboard.press(key)
        _expect()(page.locator("#progress-text")).to_have_text("3 / 6 screened by you")
        page.reload()
        _ready(page)
        import httpx

        with httpx.Client(base_url=base, headers={"X-Implmap-Token": TOKEN}) as http:
            for path in ("/", "/api/session", "/api/queue", f"/api/records?ids={','.join(ids)}",
                         "/static/app.js"):
                bodies.append((path, http.get(path).content))
    assert len(bodies) > 10
    ben_entries = [e for _, e in read_jsonl(rev.root / "screening/title_abstract/ben.jsonl")]
    for url, body in bodies:
        text = body.decode("utf-8", "replace")
        assert marker not in text, url
        assert '"ben"' not in text, url
        for e in ben_entries:  # not as a whole, nor ben's note
            assert json.dumps(e, sort_keys=True, separators=(",", ":")) not in text, url
            assert e["note"] not in text, url


def test_full_text_reason_keys_and_not_retrieved(tmp_path, page):
    rev = app_review(tmp_path / "rev", n=3)
    ids = sorted(r["id"] for r in rev.record_dicts())
    for who in ("ana", "ben"):
        for rid in ids:
            core.decide(rev, who, "title_abstract", rid, "include")
    expect = _expect()
    with running(create_app(rev, "ana", stage="full_text", token=TOKEN)) as base:
        page.goto(f"{base}/?token={TOKEN}")
        _ready(page)
        expect(page.locator("#reasons")).to_be_visible()
        first = page.inner_text("#record-id")
        page.keyboard.press("e")  # no reason yet: nothing is saved, the picker asks for one
        expect(page.locator("#message")).to_contain_text("reason")
        expect(page.locator("#progress-text")).to_have_text("0 / 3 screened by you")
        page.keyboard.press("2")  # picks "wrong concept" and saves the exclusion
        expect(page.locator("#progress-text")).to_have_text("1 / 3 screened by you")
        page.keyboard.press("r")
        expect(page.locator("#fulltext-status")).to_have_text("Marked not retrieved.")
    entry = core.reviewer_view(rev, "ana", "full_text").decisions[first]
    assert entry["decision"] == "exclude" and entry["reason"] == "wrong concept"


def test_resolve_mode_in_the_browser(tmp_path, page):
    rev = app_review(tmp_path / "rev", n=3)
    ids = sorted(r["id"] for r in rev.record_dicts())
    core.decide(rev, "ana", "title_abstract", ids[0], "include", note="<i>ana</i> says yes")
    core.decide(rev, "ben", "title_abstract", ids[0], "exclude", note="ben says no")
    expect = _expect()
    with running(create_app(rev, "cam", mode="resolve", token=TOKEN)) as base:
        page.goto(f"{base}/?token={TOKEN}")
        _ready(page)
        expect(page.locator("#others")).to_be_visible()
        expect(page.locator("#decision-list li")).to_have_count(2)
        expect(page.locator("#decision-list")).to_contain_text("<i>ana</i> says yes")
        expect(page.locator("#btn-undo")).to_be_hidden()
        page.keyboard.press("e")
        expect(page.locator("#progress-text")).to_have_text("1 / 1 resolved")
    final = core.resolutions(rev, "title_abstract")[ids[0]]
    assert final["decision"] == "exclude" and final["by"] == ["cam"]
    assert final["method"] == "third_reviewer"


def test_a_record_without_text_comes_first_and_says_why(tmp_path, page):
    from support.builders import add_search

    rev = app_review(tmp_path / "rev", n=5)
    add_search(rev, [{"authors": ["Nobody, N"], "journal": "Some Journal", "year": "2020",
                         "doi": "10.1000/no-text"}], database="Other")
    with running(create_app(rev, "ana", token=TOKEN)) as base:
        page.goto(f"{base}/?token={TOKEN}")
        _ready(page)
        _expect()(page.locator("#title")).to_have_text("(no title)")
        assert "ranking cannot judge this record" in page.inner_text("#abstract")
        assert page.inner_text("#journal") == "Some Journal"
