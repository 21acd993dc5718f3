"""The charting mode of the local app: blind coding, extraction, reconciling.

The API in-process (starlette's TestClient), then the whole flow in Debian chromium.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from implmap import Review
from implmap.app import create_app
from implmap.charting.coding import codings
from implmap.charting.extract import extraction_history
from implmap.cli import cli
from implmap.jsonl import read_jsonl
from support.builders import charting_review
from support.servers import running

with warnings.catch_warnings():  # starlette 1.x prefers httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TOKEN = "chart-test-token"
EVIL = "<img src=x onerror=window.__pwned=1> staff had no time"
SECRET = "ben-secret-note-7d3"
#: ben's distinctive coding of study-a/f3 (no one else codes it)
BEN_TAGS = {"tdf": [{"domain": "Optimism", "constructs": ["Unrealistic optimism"]}],
            "themes": ["teamwork"], "note": SECRET}


def with_arbiter(review: Review) -> Review:
    """The review with cam as its arbiter (role third)."""
    m = review.manifest.model_copy(deep=True)
    m.reviewers[-1].role = "third"
    review.save_manifest(m)
    return Review(review.root)


@pytest.fixture
def rev(tmp_path: Path) -> Review:
    review, _ = charting_review(tmp_path / "rev")
    return review


def client(review: Review, reviewer: str = "ana") -> TestClient:
    app = create_app(review, reviewer, mode="chart", token=TOKEN)
    return TestClient(app, headers={"X-Implmap-Token": TOKEN})


def finding(data: dict, study: str, fid: str) -> dict:
    s = next(x for x in data["studies"] if x["id"] == study)
    return next(f for f in s["findings"] if f["id"] == fid)


# --------------------------------------------------------------------------- the API
def test_studies_findings_and_the_picker_terms(rev):
    c = client(rev)
    data = c.get("/api/chart/studies").json()
    assert [s["id"] for s in data["studies"]] == ["study-a", "study-b"]
    f1 = finding(data, "study-a", "f1")
    assert f1["statement"].startswith("Nurses had no time") and f1["type"] == "barrier"
    assert f1["perspective"] == ["nurses"] and f1["level"] == "organisational"
    assert f1["source"] == "Results, p. 3"
    assert f1["mine"]["tdf"][0]["domain"] == "Environmental Context and Resources"
    vocab = c.get("/api/chart/vocabulary").json()
    assert len(vocab["domains"]) == 14 and all(d["definition"] for d in vocab["domains"])
    assert "Procedural knowledge" in vocab["domains"][0]["constructs"]
    # every construct has its own definition, not its domain's; one that recurs under two
    # domains is described for each
    for d in vocab["domains"]:
        assert set(d["construct_definitions"]) == set(d["constructs"])
        assert all(text and text != d["definition"] for text in d["construct_definitions"].values())
    conf = [d["construct_definitions"]["Professional confidence"] for d in vocab["domains"]
            if "Professional confidence" in d["constructs"]]
    assert len(conf) == 2 and conf[0] != conf[1]
    assert {t["id"] for t in vocab["themes"]} >= {"time", "teamwork"}
    s = c.get("/api/chart/suggestions", params={"study": "study-a", "finding": "f3"})
    assert s.status_code == 200 and set(s.json()) >= {"study", "finding"}
    assert c.get("/api/chart/session").json()["can_reconcile"] is True


def test_code_and_withdraw_write_this_coders_log(rev):
    c = client(rev)
    r = c.post("/api/chart/code", json={
        "study": "study-a", "finding": "f3", "tdf": [
            {"domain": "knowledge", "constructs": ["procedural knowledge"]}],
        "themes": ["Teamwork"], "note": "first pass"})
    assert r.status_code == 200, r.text
    assert r.json()["mine"]["tdf"] == [{"domain": "Knowledge",
                                        "constructs": ["Procedural knowledge"]}]
    assert codings(rev, "ana")[("study-a", "f3")]["themes"] == ["teamwork"]
    assert ("study-a", "f3") not in codings(rev, "ben")
    r = c.post("/api/chart/withdraw", json={"study": "study-a", "finding": "f3"})
    assert r.status_code == 200 and r.json()["mine"] is None
    assert ("study-a", "f3") not in codings(rev, "ana")
    lines = [e for _, e in read_jsonl(rev.coding_log("ana")) if e["finding"] == "f3"]
    assert [e["tdf"] is None for e in lines] == [False, True]


def test_an_unknown_domain_is_refused_with_a_message(rev):
    c = client(rev)
    size = rev.coding_log("ana").stat().st_size
    r = c.post("/api/chart/code", json={"study": "study-a", "finding": "f3",
                                        "tdf": [{"domain": "Astrology"}], "themes": []})
    assert r.status_code == 400 and "unknown TDF domain 'Astrology'" in r.json()["error"]
    r = c.post("/api/chart/code", json={"study": "study-a", "finding": "f3", "tdf": "x"})
    assert r.status_code == 400 and "'tdf' must be a list" in r.json()["error"]
    assert rev.coding_log("ana").stat().st_size == size


def test_extract_add_edit_delete_through_the_api(rev):
    c = client(rev)
    path = rev.studies_dir / "study-b.yaml"
    before = path.read_text("utf-8")
    r = c.post("/api/chart/extract", json={
        "action": "add", "study": "study-b", "statement": "GPs feared extra paperwork.",
        "type": "barrier", "perspective": "GPs, practice managers", "level": "individual",
        "source": "p. 5"})
    assert r.status_code == 200, r.text
    fid = r.json()["entry"]["finding"]
    f = finding(c.get("/api/chart/studies").json(), "study-b", fid)
    assert f["perspective"] == ["GPs", "practice managers"] and f["source"] == "p. 5"
    for bad, message in (({"statement": "  "}, "statement is empty"),
                         ({"type": "obstacle"}, "barrier or facilitator")):
        r = c.post("/api/chart/extract", json={"action": "edit", "study": "study-b",
                                               "finding": fid, **bad})
        assert r.status_code == 400 and message in r.json()["error"]
    r = c.post("/api/chart/extract", json={"action": "edit", "study": "study-b",
                                           "finding": fid, "type": "facilitator"})
    assert r.status_code == 200
    assert finding(c.get("/api/chart/studies").json(), "study-b", fid)["type"] == "facilitator"
    r = c.post("/api/chart/extract", json={"action": "delete", "study": "study-b",
                                           "finding": fid})
    assert r.status_code == 200
    assert path.read_text("utf-8") == before
    assert [e["action"] for e in extraction_history(rev, "study-b", fid)] == [
        "add", "edit", "delete"]
    r = c.post("/api/chart/extract", json={"action": "add", "study": "study-b",
                                           "statement": "", "type": "barrier"})
    assert r.status_code == 400 and "statement is empty" in r.json()["error"]


def _every_route(app, c: TestClient, review: Review) -> list[tuple[str, str]]:
    """Request every route of the app (GET, and POST with a sensible body); return
    (route, body) pairs."""
    studies = c.get("/api/chart/studies").json()["studies"]
    bodies = []
    paths = {getattr(r, "path", None) for r in app.routes} - {None}
    done = set()
    for path in ("/", "/favicon.ico", "/static/chart.js", "/static/chart.css",
                 "/static/common.js", "/static/app.css", "/static/codebook.js"):
        bodies.append((path, c.get(path).text))
    done |= {"/", "/favicon.ico", "/static"}
    for name in ("session", "studies", "vocabulary", "reconcile", "themes"):
        bodies.append((name, c.get(f"/api/chart/{name}").text))
        done.add(f"/api/chart/{name}")
    for s in studies:
        for f in s["findings"]:
            bodies.append(("suggestions", c.get("/api/chart/suggestions", params={
                "study": s["id"], "finding": f["id"]}).text))
    done.add("/api/chart/suggestions")
    key = {"study": "study-a", "finding": "f3"}
    posts = {
        "code": {**key, "tdf": [{"domain": "Knowledge"}], "themes": []},
        "withdraw": key,
        "extract": {"action": "edit", **key, "source": "p. 9"},
        "reconcile": {**key, "tdf": [{"domain": "Knowledge"}], "themes": []},
        # the codebook panel: a merge moves ben's own tags too, and answers none of them
        "themes/add": {"id": "staffing", "name": "Staffing"},
        "themes/rename": {"id": "staffing", "name": "Staff"},
        "themes/describe": {"id": "staffing", "description": "Too few."},
        "themes/merge": {"sources": ["teamwork"], "into": "time"},
    }
    for name, body in posts.items():
        bodies.append((f"POST {name}", c.post(f"/api/chart/{name}", json=body).text))
        done.add(f"/api/chart/{name}")
    assert paths <= done, f"routes not requested: {paths - done}"
    return bodies


@pytest.mark.parametrize("arbiter", [True, False])
def test_no_answer_to_ana_holds_bens_tags_before_reconciling(rev, arbiter):
    review = with_arbiter(rev) if arbiter else rev
    ben = client(review, "ben")
    assert ben.post("/api/chart/code", json={"study": "study-a", "finding": "f3",
                                             **BEN_TAGS}).status_code == 200
    app = create_app(review, "ana", mode="chart", token=TOKEN)
    c = TestClient(app, headers={"X-Implmap-Token": TOKEN})
    for route, body in _every_route(app, c, review):
        assert SECRET not in body, route
        assert "Unrealistic optimism" not in body or route == "vocabulary", route
        if arbiter:  # ana sees no reconcile view at all: ben's ID shows nowhere
            assert not re.search(r"\bben\b", body), route
        elif route == "reconcile" and body.startswith("{"):
            # ben's coding of a finding ana has not coded stays out of her reconcile view
            assert all(x["finding"] != "f3" or x["study"] != "study-a"
                       for x in json.loads(body)["findings"]), body
    mine = finding(c.get("/api/chart/studies").json(), "study-a", "f3")["mine"]
    assert mine is None or mine["tdf"] == [{"domain": "Knowledge", "constructs": []}]


def test_reconcile_is_for_the_arbiter_only(rev):
    review = with_arbiter(rev)
    ana, cam = client(review, "ana"), client(review, "cam")
    assert ana.get("/api/chart/session").json()["can_reconcile"] is False
    r = ana.get("/api/chart/reconcile")
    assert r.status_code == 403 and "cam (the arbiter) reconciles" in r.json()["error"]
    body = {"study": "study-a", "finding": "f1", "tdf": [{"domain": "Social Influences"}],
            "themes": ["time"]}
    assert ana.post("/api/chart/reconcile", json=body).status_code == 403
    view = cam.get("/api/chart/reconcile").json()["findings"]
    assert {(x["study"], x["finding"]) for x in view} >= {("study-a", "f1"), ("study-a", "f2")}
    assert not view[0]["agree"] and view[-1]["agree"]  # disagreements first
    assert {c["coder"] for c in view[0]["codings"]} == {"ana", "ben"}
    r = cam.post("/api/chart/reconcile", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["agreed"]["by"] == ["cam"] and r.json()["agreed"]["at"]
    agreed = finding(ana.get("/api/chart/studies").json(), "study-a", "f1")["agreed"]
    assert agreed["tdf"] == [{"domain": "Social Influences", "constructs": []}]


def test_the_command_needs_a_coder(rev):
    out = CliRunner().invoke(cli, ["chart", "app", "-r", str(rev.root)])
    assert out.exit_code != 0 and "--coder" in out.output
    out = CliRunner().invoke(cli, ["chart", "app", "--coder", "zed", "--no-browser",
                                   "-r", str(rev.root)])
    assert out.exit_code == 1 and "zed" in out.output


# --------------------------------------------------------------------------- the page
def _fits(page) -> bool:
    """Nothing on the page is wider than the window (no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
def test_two_coders_code_blind_and_the_arbiter_reconciles(rev, browser, tmp_path):
    from playwright.sync_api import expect

    from implmap.charting.lookup import findings_frame

    review = with_arbiter(rev)
    apps = {who: create_app(review, who, mode="chart", token=TOKEN)
            for who in ("ana", "ben", "cam")}
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        with running(apps["ana"]) as base:
            page.goto(f"{base}/?token={TOKEN}")
            page.wait_for_selector("body[data-ready='1']")
            expect(page.locator("#f-pos")).to_contain_text("study-a · f3")
            assert page.locator("#tab-reconcile").is_hidden()
            # extract a (hostile) finding: it is added to study-a and shown as text
            page.locator("#extract summary").click()
            page.fill("#x-statement", "")
            page.locator("[data-action='x-add']").click()
            expect(page.locator("#message")).to_contain_text("statement is empty")
            page.fill("#x-statement", EVIL)
            page.fill("#x-perspective", "nurses, managers")
            page.locator("[data-action='x-add']").click()
            expect(page.locator("#f-pos")).to_contain_text("study-a · f4")
            expect(page.locator("#f-statement")).to_have_text(EVIL)
            assert page.locator("#finding img, #finding-list img").count() == 0
            assert page.evaluate("typeof window.__pwned") == "undefined"
            # code it with the keyboard: search, Enter, Backspace, save
            page.keyboard.press("/")
            page.keyboard.type("optimism")
            page.keyboard.press("Enter")
            page.keyboard.type("teamw")
            page.keyboard.press("Enter")
            expect(page.locator("#tags li")).to_have_count(2)
            page.keyboard.press("Backspace")
            expect(page.locator("#tags li")).to_have_count(1)
            page.keyboard.type("teamw")
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
            page.keyboard.press("s")
            expect(page.locator("#status")).to_have_text("saved")
            page.keyboard.press("k")
            expect(page.locator("#f-pos")).to_contain_text("study-a · f3")
            page.keyboard.press("j")
            expect(page.locator("#f-pos")).to_contain_text("study-a · f4")
            page.screenshot(path=str(tmp_path / "chart-1400.png"), full_page=True)
            assert _fits(page)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(tmp_path / "chart-390.png"), full_page=True)
            assert _fits(page)
            page.set_viewport_size({"width": 1400, "height": 900})
        assert codings(review, "ana")[("study-a", "f4")]["tdf"] == [
            {"domain": "Optimism", "constructs": []}]
        with running(apps["ben"]) as base:
            page.goto(f"{base}/?token={TOKEN}")
            page.wait_for_selector("body[data-ready='1']")
            page.locator("button[data-key='study-a/f4']").click()
            expect(page.locator("#f-pos")).to_contain_text("study-a · f4")
            expect(page.locator("#tags li")).to_have_count(0)  # blind: ana's tags unseen
            assert "Optimism" not in page.locator("#finding").inner_text()
            page.keyboard.press("/")
            page.keyboard.type("social influences")
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
            page.keyboard.press("s")
            expect(page.locator("#status")).to_have_text("saved")
        with running(apps["cam"]) as base:
            page.goto(f"{base}/?token={TOKEN}")
            page.wait_for_selector("body[data-ready='1']")
            page.locator("#tab-reconcile").click()
            expect(page.locator("#code-view")).to_be_hidden()
            expect(page.locator("#rec-list > li.agree").first).to_be_visible()
            keys = page.eval_on_selector_all("#rec-list > li", "els => els.map(e => "
                                             "[e.dataset.key, e.className])")
            assert ["study-a/f4", "disagree"] in keys
            # disagreements first
            assert [k[1] for k in keys] == sorted((k[1] for k in keys), reverse=True)
            item = page.locator("#rec-list > li[data-key='study-a/f4']")
            expect(item.locator(".side .chips li")).to_have_count(3)  # ana 2, ben 1
            expect(item.locator(".statement")).to_have_text(EVIL)
            assert page.locator("#rec-list img").count() == 0
            assert _fits(page)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(tmp_path / "reconcile-390.png"), full_page=True)
            assert _fits(page)
            item.locator("button[data-accept='ana']").click()
            expect(page.locator("#status")).to_have_text("agreed tags saved")
            expect(page.locator("#rec-list > li[data-key='study-a/f4'] .badge")).to_have_text(
                "agreed by cam")
        assert page.evaluate("typeof window.__pwned") == "undefined"
    finally:
        context.close()
    frame = findings_frame(review)
    row = frame[(frame["study"] == "study-a") & (frame["finding"] == "f4")].iloc[0]
    assert list(row["domains"]) == ["Optimism"] and list(row["themes"]) == ["teamwork"]
