"""The dedupe mode of the local app: pairs side by side, people's decisions, two people.

The API in-process (starlette's TestClient), then the page in Debian chromium (Playwright).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from implmap import Review
from implmap.app import create_app
from implmap.app.dedupe import FIELDS
from implmap.cli import cli
from implmap.dedupe import groups
from implmap.dedupe.state import is_current
from implmap.jsonl import read_jsonl
from support.builders import add_search, make_review
from support.servers import running
from support.wait import wait_until

with warnings.catch_warnings():  # starlette 1.x prefers httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TOKEN = "dedupe-test-token"
EVIL = "<img src=x onerror=window.__pwned=1> and <script>window.__pwned=2</script> referral"


def dedupe_review(root: Path) -> Review:
    """Four pairs that dedupe leaves to a person (same title and year, little else; one year
    apart; a hostile title; a short generic title) and one record without a twin."""
    review = make_review(root, title="Dedupe app review")
    add_search(review, [
        {"title": "Referral barriers in physiotherapy", "year": "2019", "authors": ["Smith, J"]},
        {"title": "Falls prevention in care homes", "year": "2020", "authors": ["Jones, K"],
         "journal": "Age Ageing"},
        {"title": EVIL, "year": "2021"},
        {"title": "Exercise on prescription", "year": "2018", "authors": ["Lee, A"]},
        {"title": "A record without a twin", "year": "2015"},
    ], database="MEDLINE")
    add_search(review, [
        {"title": "Referral barriers in physiotherapy", "year": "2019",
         "journal": "Physiotherapy", "abstract": "Physiotherapists described barriers."},
        {"title": "Falls prevention in care homes", "year": "2021", "authors": ["Jones, K"]},
        {"title": EVIL, "year": "2021"},
        {"title": "Exercise on prescription", "year": "2019", "authors": ["Lee, A"]},
    ], database="Embase")
    return Review(review.root)


@pytest.fixture
def rev(tmp_path: Path) -> Review:
    review = dedupe_review(tmp_path / "rev")
    assert not review.deduplicated()  # the app runs dedupe first
    return review


@pytest.fixture
def apps() -> Iterator[list]:
    """Apps made by a test; their background re-runs stop when it ends."""
    made: list = []
    yield made
    for app in made:
        app.state.session.close()


def make_app(apps: list, review: Review, reviewer: str = "ana"):
    """A dedupe app (its background re-runs stop when the test ends)."""
    app = create_app(review, reviewer, mode="dedupe", token=TOKEN)
    apps.append(app)
    return app


def client(apps: list, review: Review, reviewer: str = "ana") -> TestClient:
    return TestClient(make_app(apps, review, reviewer), headers={"X-Implmap-Token": TOKEN})


def log(review: Review) -> list[dict]:
    return [d for _, d in read_jsonl(review.dedupe_decisions)]


def test_pairs_listed_with_their_fields_and_rule(rev, apps):
    c = client(apps, rev)
    assert groups.load_uncertain(rev)  # the app ran dedupe; people have pairs to decide
    listing = c.get("/api/dedupe/pairs").json()
    assert listing["progress"] == {"done": 0, "settled": 0, "mine": 0, "total": 4}
    assert listing["start"] == 0
    assert {p["rule"] for p in listing["pairs"]} >= {"same-title-little-else", "year-apart"}
    titles = {}
    for p in listing["pairs"]:
        pair = c.get(f"/api/dedupe/pairs/{p['n']}").json()
        fields = {f["name"]: f for f in pair["fields"]}
        assert [f["name"] for f in pair["fields"]] == [name for name, _ in FIELDS]
        assert pair["rule"] == p["rule"] and pair["reason"]
        assert not fields["title"]["differ"]
        titles[fields["title"]["a"]] = fields
    barriers = titles["Referral barriers in physiotherapy"]
    assert barriers["journal"]["differ"] and barriers["authors"]["differ"]
    assert not barriers["year"]["differ"]
    assert {barriers["database"]["a"].split()[0], barriers["database"]["b"].split()[0]} == {
        "MEDLINE", "Embase"}
    assert titles["Falls prevention in care homes"]["year"]["differ"]
    assert c.get("/api/dedupe/pairs/99").status_code == 404
    assert c.get("/api/dedupe/session").json()["blinded"] is False
    anon = TestClient(apps[0])
    assert anon.get("/api/dedupe/pairs").status_code == 403
    assert anon.post("/api/dedupe/decide", json={}).status_code == 403


def test_a_decision_is_one_line_by_the_reviewer_and_survives_reruns(rev, apps):
    c = client(apps, rev)
    first = c.get("/api/dedupe/pairs").json()["pairs"][0]
    answer = c.post("/api/dedupe/decide", json={"a": first["a"], "b": first["b"],
                                                "action": "merge", "note": "same study"})
    assert answer.status_code == 200 and answer.json()["saved"] is True
    pair = answer.json()["pair"]
    assert pair["mine"] == "merge" and pair["in_force"] == "merge"
    assert pair["progress"] == {"done": 1, "settled": 0, "mine": 1, "total": 4}
    [line] = log(rev)
    assert line["action"] == "merge" and line["by"] == "ana" and line["note"] == "same study"
    assert sorted(line["records"]) == sorted([first["a"], first["b"]])
    # the background re-run brings the groups up to date, without being asked
    assert wait_until(lambda: is_current(rev), timeout=20)
    result = groups.find_duplicates(rev)
    assert any({first["a"], first["b"]} <= set(g.members) for g in result.groups)
    assert len(log(rev)) == 1
    # a new app after the re-run still lists the pair, decided
    again = client(apps, rev).get("/api/dedupe/pairs").json()
    assert again["progress"] == {"done": 1, "settled": 0, "mine": 1, "total": 4}
    assert again["pairs"][0]["in_force"] == "merge" and again["start"] == 1
    assert c.post("/api/dedupe/decide", json={"a": first["a"], "b": first["b"],
                                              "action": "maybe"}).status_code == 400
    assert c.post("/api/dedupe/decide", json={"a": first["a"], "b": "nope",
                                              "action": "merge"}).status_code == 404
    assert c.post("/api/dedupe/rerun").json()["run"]["groups"] == 1


def test_undo_withdraws_or_restores_this_sessions_last_decision(rev, apps):
    c = client(apps, rev)
    p = c.get("/api/dedupe/pairs").json()["pairs"][1]
    body = {"a": p["a"], "b": p["b"]}
    assert c.post("/api/dedupe/undo").json()["pair"] is None  # nothing to undo yet
    c.post("/api/dedupe/decide", json={**body, "action": "merge"})
    c.post("/api/dedupe/decide", json={**body, "action": "keep_apart"})
    back = c.post("/api/dedupe/undo").json()["pair"]
    assert back["mine"] == "merge"  # the earlier decision is back
    gone = c.post("/api/dedupe/undo").json()["pair"]
    assert gone["mine"] is None and gone["in_force"] is None
    assert gone["progress"]["done"] == 0
    assert [(d["action"], d["by"]) for d in log(rev)] == [
        ("merge", "ana"), ("keep_apart", "ana"), ("merge", "ana"), ("undo", "ana")]
    groups.find_duplicates(rev)
    assert {p["a"], p["b"]} == set(next(u["pair"] for u in groups.load_uncertain(rev)
                                        if p["a"] in u["pair"]))


def test_two_people_see_each_others_decisions_and_disagreements(rev, apps):
    ana, ben = client(apps, rev, "ana"), client(apps, rev, "ben")
    p = ana.get("/api/dedupe/pairs").json()["pairs"][2]
    body = {"a": p["a"], "b": p["b"]}
    ana.post("/api/dedupe/decide", json={**body, "action": "merge"})
    seen = ben.get(f"/api/dedupe/pairs/{p['n']}").json()
    assert [(d["by"], d["action"]) for d in seen["decisions"]] == [("ana", "merge")]
    assert seen["mine"] is None and not seen["disagree"]
    ben.post("/api/dedupe/decide", json={**body, "action": "keep_apart"})
    for c in (ana, ben):  # ana's app notices ben's line behind its back
        pair = c.get(f"/api/dedupe/pairs/{p['n']}").json()
        assert pair["disagree"] is True and pair["in_force"] == "keep_apart"
        assert {(d["by"], d["action"]) for d in pair["decisions"]} == {
            ("ana", "merge"), ("ben", "keep_apart")}
        assert c.get("/api/dedupe/pairs").json()["pairs"][p["n"]]["disagree"] is True
    assert ana.get("/api/dedupe/pairs").json()["progress"] == {"done": 1, "settled": 0,
                                                               "mine": 1, "total": 4}


def clique_review(root: Path) -> Review:
    """Three copies of one work that dedupe leaves to a person pair by pair (it lists two of
    the three pairs), then one more pair."""
    review = make_review(root, title="Clique review")
    add_search(review, [{"title": "Referral barriers in physiotherapy", "year": "2019"}] * 3
               + [{"title": "Exercise on prescription", "year": "2018", "authors": ["Lee, A"]},
                  {"title": "Exercise on prescription", "year": "2019", "authors": ["Lee, A"]}],
               database="MEDLINE")
    return Review(review.root)


def test_a_pair_brought_up_by_a_rerun_joins_the_end_and_one_joined_by_others_is_settled(
        tmp_path, apps):
    review = clique_review(tmp_path / "clique")
    c = client(apps, review)
    listing = c.get("/api/dedupe/pairs").json()
    ab, ac, other = listing["pairs"]  # b-c is not listed: a-b and a-c would join it anyway
    assert ab["a"] == ac["a"] and listing["progress"]["total"] == 3
    c.post("/api/dedupe/decide", json={"a": ab["a"], "b": ab["b"], "action": "keep_apart"})
    c.post("/api/dedupe/rerun")  # now b-c is needed: it joins the end of the list
    listing = c.get("/api/dedupe/pairs").json()
    assert [(p["a"], p["b"]) for p in listing["pairs"][:3]] == [
        (p["a"], p["b"]) for p in (ab, ac, other)]
    bc = listing["pairs"][3]
    assert {bc["a"], bc["b"]} == {ab["b"], ac["b"]} and listing["start"] == 1
    # ana changes her mind: a-b and a-c are one work; b-c is then settled, at once
    c.post("/api/dedupe/decide", json={"a": ab["a"], "b": ab["b"], "action": "merge"})
    pair = c.post("/api/dedupe/decide", json={"a": ac["a"], "b": ac["b"],
                                              "action": "merge"}).json()["pair"]
    assert pair["settled_pairs"] == [3]
    assert pair["progress"] == {"done": 3, "settled": 1, "mine": 2, "total": 4}
    listing = c.get("/api/dedupe/pairs").json()
    assert [p["settled"] for p in listing["pairs"]] == [False, False, False, True]
    assert listing["start"] == 2  # the first pair that still needs a decision
    assert len(log(review)) == 3  # settling writes nothing
    # a keep-apart in force on the settled pair is its own decision again
    c.post("/api/dedupe/decide", json={"a": bc["a"], "b": bc["b"], "action": "keep_apart"})
    assert c.get("/api/dedupe/pairs").json()["pairs"][3]["settled"] is False


@pytest.mark.browser
def test_the_page_shows_a_pair_a_rerun_brought_up_and_skips_a_settled_one(tmp_path, apps,
                                                                          browser):
    from playwright.sync_api import expect

    review = clique_review(tmp_path / "clique")
    app = make_app(apps, review)
    session = app.state.session
    with opened(app, browser) as page:
        position = page.locator("#position")
        page.keyboard.press("a")  # a-b kept apart: the background re-run brings up b-c
        expect(position).to_have_text("Pair 2 of 3")
        assert wait_until(lambda: len(session.pairs) == 4, timeout=20)
        page.keyboard.press("s")  # a-c merged; on to the other work's pair
        expect(position).to_have_text("Pair 3 of 4")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        expect(position).to_have_text("Pair 1 of 4")
        page.keyboard.press("s")  # a-b merged after all: b-c is settled and skipped
        expect(position).to_have_text("Pair 3 of 4")
        expect(page.locator("#progress-text")).to_have_text(
            "3 of 4 pairs decided (2 by you; 1 settled by other pairs' decisions)")
        page.keyboard.press("ArrowRight")
        expect(position).to_have_text("Pair 4 of 4")
        expect(page.locator("#in-force")).to_have_text(
            "settled: one group through other pairs' decisions")


def test_the_command_needs_a_reviewer(rev):
    out = CliRunner().invoke(cli, ["dedupe", "review", "--app", "-r", str(rev.root)])
    assert out.exit_code == 1 and "--reviewer" in out.output


# --------------------------------------------------------------------------- the page
@contextmanager
def opened(app, browser) -> Iterator:
    """The app served, and a page on it in a fresh browser context, ready for keys."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        with running(app) as base:
            page.goto(f"{base}/?token={TOKEN}")
            page.wait_for_selector("body[data-ready='1']")
            yield page
    finally:
        context.close()


@pytest.mark.browser
def test_decide_pairs_with_the_keyboard(rev, apps, browser):
    from playwright.sync_api import expect

    app = make_app(apps, rev)
    pairs = app.state.session.pairs
    with opened(app, browser) as page:
        text = page.locator("#progress-text")
        expect(text).to_have_text("0 of 4 pairs decided (0 by you)")
        assert page.locator("#field-rows tr").count() == len(FIELDS)
        assert page.locator("#field-rows tr.differ").count() > 0
        expect(page.locator("#rule")).not_to_be_empty()
        page.keyboard.press("s")
        expect(text).to_have_text("1 of 4 pairs decided (1 by you)")
        expect(page.locator("#position")).to_have_text("Pair 2 of 4")
        page.keyboard.press("a")
        expect(text).to_have_text("2 of 4 pairs decided (2 by you)")
        page.keyboard.press("k")
        expect(page.locator("#position")).to_have_text("Pair 4 of 4")
        page.keyboard.press("ArrowLeft")
        expect(page.locator("#position")).to_have_text("Pair 3 of 4")
        page.keyboard.press("u")  # withdraws the keep-apart, back on pair 2
        expect(text).to_have_text("1 of 4 pairs decided (1 by you)")
        expect(page.locator("#position")).to_have_text("Pair 2 of 4")
        expect(page.locator("#in-force")).to_have_text("no decision in force")
        page.keyboard.press("Space")
        expect(page.locator("#position")).to_have_text("Pair 3 of 4")
    got = [(d["action"], tuple(sorted(d["records"])), d["by"]) for d in log(rev)]
    assert got == [("merge", pairs[0], "ana"), ("keep_apart", pairs[1], "ana"),
                   ("undo", pairs[1], "ana")]


@pytest.mark.browser
def test_a_hostile_title_stays_text(rev, apps, browser):
    from playwright.sync_api import expect

    app = make_app(apps, rev)
    session = app.state.session
    n = next(i for i, (a, _) in enumerate(session.pairs) if session.records[a]["title"] == EVIL)
    with opened(app, browser) as page:
        for _ in range(n):
            page.keyboard.press("ArrowRight")
        expect(page.locator("#position")).to_have_text(f"Pair {n + 1} of 4")
        title = page.locator("#field-rows tr[data-field='title'] td")
        expect(title.first).to_have_text(EVIL)
        expect(title.last).to_have_text(EVIL)
        assert page.locator("#fields img, #fields script").count() == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"


def test_the_reviewer_must_be_listed_when_the_manifest_lists_reviewers(rev):
    from implmap.errors import ReviewFolderError

    with pytest.raises(ReviewFolderError, match="unknown reviewer 'zed'"):
        create_app(rev, "zed", mode="dedupe")
