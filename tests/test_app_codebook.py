"""The charting mode's codebook panel (app/chart_codebook.py, static/codebook.js): list the
themes with their counts of agreed findings, add, rename, describe and merge them; every
reference stays consistent, errors come back as 400, and the counts keep coding blind."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from implmap import Review
from implmap.app import create_app
from implmap.charting.coding import all_codings, code
from implmap.charting.reconcile import reconcile
from implmap.charting.store import load_studies
from support.builders import charting_review
from support.servers import running

with warnings.catch_warnings():  # starlette 1.x prefers httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TOKEN = "codebook-test-token"


@pytest.fixture
def rev(tmp_path: Path) -> Review:
    """The charting review with two findings agreed (study-a/f1: time, teamwork; study-b/f1:
    time)."""
    review, _ = charting_review(tmp_path / "rev")
    tdf = [{"domain": "Environmental Context and Resources"}]
    reconcile(review, "study-a", "f1", tdf, ["time", "teamwork"], by="ana")
    reconcile(review, "study-b", "f1", tdf, ["time"], by="ana")
    return review


def client(review: Review, reviewer: str = "ana") -> TestClient:
    app = create_app(review, reviewer, mode="chart", token=TOKEN)
    return TestClient(app, headers={"X-Implmap-Token": TOKEN})


def counts(c: TestClient) -> dict[str, int]:
    return {t["id"]: t["agreed"] for t in c.get("/api/chart/themes").json()["themes"]}


def test_the_listing_counts_agreed_findings(rev):
    c = client(rev)
    data = c.get("/api/chart/themes").json()
    assert [(t["id"], t["name"]) for t in data["themes"]] == [
        ("time", "Time and money"), ("teamwork", "Teamwork")]
    assert data["themes"][0]["description"].startswith("Workload")
    agreed = [f for s in load_studies(rev) for f in s.findings if f.agreed_by]
    assert data["agreed_findings"] == len(agreed)
    assert data["agreed_findings"] == 2 and counts(c) == {"time": 2, "teamwork": 1}


def test_add_rename_describe_and_the_picker_vocabulary(rev):
    c = client(rev)
    r = c.post("/api/chart/themes/add", json={"id": "staffing", "name": "Staffing",
                                              "description": "Too few staff."})
    assert r.status_code == 200, r.text
    assert r.json()["themes"][-1] == {"id": "staffing", "name": "Staffing",
                                      "description": "Too few staff.", "agreed": 0}
    r = c.post("/api/chart/themes/rename", json={"id": "staffing", "name": "Staff shortage"})
    assert r.status_code == 200 and r.json()["themes"][-1]["name"] == "Staff shortage"
    r = c.post("/api/chart/themes/describe", json={"id": "staffing", "description": ""})
    assert r.status_code == 200 and r.json()["themes"][-1]["description"] == ""
    vocab = c.get("/api/chart/vocabulary").json()["themes"]
    assert {"id": "staffing", "name": "Staff shortage", "definition": ""} in vocab
    assert "Staff shortage" in rev.themes_path.read_text("utf-8")
    # the new theme can be coded at once
    r = c.post("/api/chart/code", json={"study": "study-a", "finding": "f3", "tdf": [],
                                        "themes": ["staffing"]})
    assert r.status_code == 200, r.text
    assert rev.check().valid


def test_merge_keeps_every_reference_consistent(rev):
    c = client(rev)
    code(rev, "ben", "study-a", "f3", [], ["teamwork"])
    before = counts(c)
    r = c.post("/api/chart/themes/merge", json={"sources": ["teamwork"], "into": "time"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["merged"] == ["teamwork"] and "log_lines" not in body
    assert [t["id"] for t in body["themes"]] == ["time"]
    assert rev.check().valid
    refs = {t for s in load_studies(rev) for f in s.findings for t in f.themes}
    for coded in all_codings(rev).values():
        refs |= {t for e in coded.values() for t in e.get("themes") or []}
    assert "teamwork" not in refs
    assert all_codings(rev)["ben"][("study-a", "f3")]["themes"] == ["time"]
    agreed = [f for s in load_studies(rev) for f in s.findings if f.agreed_by]
    assert counts(c)["time"] == sum("time" in f.themes for f in agreed)
    assert before == {"time": 2, "teamwork": 1} and counts(c) == {"time": 2}
    f1 = next(f for f in load_studies(rev)[0].findings if f.id == "f1")
    assert f1.themes == ["time"]
    assert [t["id"] for t in c.get("/api/chart/vocabulary").json()["themes"]] == ["time"]


@pytest.mark.parametrize(("path", "body", "message"), [
    ("add", {"id": "time", "name": "Again"}, "already has a theme with ID 'time'"),
    ("add", {"id": "new", "name": "  "}, "a theme needs a name"),
    ("add", {"id": "bad id!", "name": "Bad"}, "is not valid"),
    ("rename", {"id": "nope", "name": "X"}, "no theme with ID 'nope'"),
    ("rename", {"id": "time", "name": ""}, "a theme needs a name"),
    ("describe", {"id": "nope", "description": "x"}, "no theme with ID 'nope'"),
    ("merge", {"sources": ["nope"], "into": "time"}, "no theme with ID 'nope'"),
    ("merge", {"sources": ["time"], "into": "time"}, "cannot be merged into itself"),
    ("merge", {"sources": "time", "into": "teamwork"}, "'sources' must be a list"),
    ("merge", {"sources": [], "into": "teamwork"}, "at least one theme"),
    ("add", {"id": 3, "name": "x"}, "'id' must be a string"),
])
def test_errors_are_400_with_the_message(rev, path, body, message):
    before = rev.themes_path.read_text("utf-8")
    r = client(rev).post(f"/api/chart/themes/{path}", json=body)
    assert r.status_code == 400 and message in r.json()["error"], r.text
    assert rev.themes_path.read_text("utf-8") == before


def test_the_counts_reveal_nothing_of_another_coders_own_tags(rev):
    c = client(rev)
    before = c.get("/api/chart/themes").json()
    for study, fid in (("study-a", "f3"), ("study-a", "f1"), ("study-b", "f1")):
        code(rev, "ben", study, fid, [], ["teamwork"])
    code(rev, "ben", "study-a", "f2", [], ["time"])
    assert c.get("/api/chart/themes").json() == before
    assert client(rev, "cam").get("/api/chart/themes").json() == before


# --------------------------------------------------------------------------- the page
def test_add_and_merge_a_theme_in_the_panel_then_the_picker_offers_it(browser, rev):
    from playwright.sync_api import expect

    app = create_app(rev, "ana", mode="chart", token=TOKEN)
    with running(app) as base:
        page = browser.new_page()
        page.goto(f"{base}/?token={TOKEN}")
        expect(page.locator("#f-statement")).not_to_be_empty()
        page.keyboard.press("c")
        expect(page.locator("#codebook")).to_be_visible()
        expect(page.locator("#cb-list tr")).to_have_count(2)
        page.locator("#cb-id").fill("staffing")
        page.locator("#cb-name").fill("Staffing <b>levels</b>")
        page.locator("#cb-name").press("Enter")
        expect(page.locator("#cb-list tr")).to_have_count(3)
        page.locator("#cb-id").fill("time")
        page.locator("#cb-name").fill("Again")
        page.locator("#cb-add").click()
        expect(page.locator("#cb-message")).to_contain_text("already has a theme")
        page.locator("#cb-merge-into").select_option("staffing")
        page.locator("#cb-merge-sources input[value='teamwork']").check()
        page.locator("#cb-merge").click()
        expect(page.locator("#cb-confirm")).to_contain_text("teamwork")
        page.locator("#cb-confirm-yes").click()
        expect(page.locator("#cb-list tr")).to_have_count(2)
        page.keyboard.press("Escape")
        expect(page.locator("#codebook")).to_be_hidden()
        page.keyboard.press("/")
        page.keyboard.type("staffing")
        expect(page.locator("#picker li").first).to_contain_text("theme: Staffing <b>levels</b>")
        page.locator("#picker-search").fill("teamwork")
        expect(page.locator("#picker li", has_text="theme: Teamwork")).to_have_count(0)
        page.locator("#picker-search").fill("staffing")
        page.keyboard.press("Enter")
        expect(page.locator("#tags li.theme")).to_contain_text(["theme: Staffing <b>levels</b>"])
        assert page.evaluate("window.__pwned") is None
    assert rev.check().valid
