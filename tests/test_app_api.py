"""The screening app's HTTP API, driven in-process with starlette's TestClient."""

from __future__ import annotations

import json
import warnings

import pytest

import implmap.screening as core
from implmap.app import create_app
from implmap.fsio import append_line, dump_json_line
from implmap.jsonl import read_jsonl
from support.builders import app_review
from support.wait import wait_until

with warnings.catch_warnings():  # starlette 1.x prefers httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TOKEN = "test-token-not-secret"


def client(app, token: str | None = TOKEN) -> TestClient:
    headers = {"X-Implmap-Token": token} if token else {}
    return TestClient(app, headers=headers)


def own_log(review, stage: str, reviewer: str) -> list[dict]:
    return [e for _, e in read_jsonl(review.root / "screening" / stage / f"{reviewer}.jsonl")]


@pytest.fixture
def rev(tmp_path):
    return app_review(tmp_path / "rev", n=6)


# ------------------------------------------------------------------------------ the token
def test_every_route_needs_the_token(rev):
    app = create_app(rev, "ana", token=TOKEN)
    anon = client(app, token=None)
    for path in ("/", "/static/app.js", "/static/app.css", "/api/session", "/api/queue",
                 "/api/records?ids=x", "/full-text/x", "/nope"):
        assert anon.get(path).status_code == 403, path
    assert anon.post("/api/decide", json={}).status_code == 403
    wrong = client(app, token="wrong")
    assert wrong.get("/api/session").status_code == 403
    assert anon.get("/api/session?token=wrong").status_code == 403


def test_first_visit_sets_a_cookie_and_drops_the_token_from_the_url(rev):
    app = create_app(rev, "ana", token=TOKEN)
    browser = client(app, token=None)
    first = browser.get(f"/?token={TOKEN}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    name, value = cookie.split(";", 1)[0].split("=", 1)
    assert TOKEN not in cookie  # the cookie is not the token
    browser.cookies.set(name, value)
    page = browser.get("/")
    assert page.status_code == 200 and "<script src=\"/static/app.js\"" in page.text
    assert browser.get("/api/session").status_code == 200


def _cookie(app, base_url: str) -> tuple[str, str]:
    first = TestClient(app, base_url=base_url).get(f"/?token={TOKEN}", follow_redirects=False)
    return tuple(first.headers["set-cookie"].split(";", 1)[0].split("=", 1))  # type: ignore


def test_a_cookie_opens_the_server_that_issued_it_and_no_other(rev):
    # two servers on two ports, even with the same token: a browser sends server A's cookie
    # to server B too (cookies ignore ports), and B must not let it in
    a_url, b_url = "http://127.0.0.1:8765", "http://127.0.0.1:8766"
    app_a, app_b = create_app(rev, "ana", token=TOKEN), create_app(rev, "ben", token=TOKEN)
    name_a, value_a = _cookie(app_a, a_url)
    name_b, value_b = _cookie(app_b, b_url)
    assert "8765" in name_a and "8766" in name_b
    assert value_a != value_b and TOKEN not in value_a + value_b
    a, b = TestClient(app_a, base_url=a_url), TestClient(app_b, base_url=b_url)
    assert a.get("/api/session", headers={"cookie": f"{name_a}={value_a}"}).status_code == 200
    # A's cookie replayed to B, under its own name or under B's, opens nothing
    assert b.get("/api/session", headers={"cookie": f"{name_a}={value_a}"}).status_code == 403
    assert b.get("/api/session", headers={"cookie": f"{name_b}={value_a}"}).status_code == 403
    # nor does the token itself, sent as a cookie
    assert b.get("/api/session", headers={"cookie": f"{name_b}={TOKEN}"}).status_code == 403
    assert b.get("/api/session", headers={"cookie": f"{name_b}={value_b}"}).status_code == 200
    # a cookie of odd characters is refused, not an error
    odd = f"{name_b}=\u00e9t\u00e9".encode("latin-1")
    assert b.get("/api/session", headers={"cookie": odd}).status_code == 403


def test_security_headers_and_no_inline_script(rev):
    app = create_app(rev, "ana", token=TOKEN)
    page = client(app).get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text and "style=" not in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # no CDN, nothing remote


def test_foreign_host_and_cross_origin_posts_are_refused(rev):
    app = create_app(rev, "ana", token=TOKEN)
    c = client(app)
    assert c.get("/api/session", headers={"host": "evil.example:8000"}).status_code == 403
    rid = c.get("/api/queue").json()["order"][0]
    r = c.post("/api/decide", json={"record": rid, "decision": "include"},
               headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    assert own_log(rev, "title_abstract", "ana") == []


# ------------------------------------------------------------------------------ screening
def test_decisions_persist_and_survive_a_new_app(rev):
    c = client(create_app(rev, "ana", token=TOKEN))
    queue = c.get("/api/queue").json()
    assert queue["progress"] == {"done": 0, "total": 6}
    first, second = queue["order"][:2]
    r = c.post("/api/decide", json={"record": first, "decision": "include", "note": "fits"})
    assert r.status_code == 200 and r.json()["saved"] is True
    assert r.json()["progress"] == {"done": 1, "total": 6}
    c.post("/api/decide", json={"record": second, "decision": "exclude"})
    log = own_log(rev, "title_abstract", "ana")
    assert [(e["record"], e["decision"]) for e in log] == [(first, "include"), (second, "exclude")]
    assert log[0]["note"] == "fits" and log[0]["reviewer"] == "ana"

    again = client(create_app(rev, "ana", token=TOKEN))
    q2 = again.get("/api/queue").json()
    assert q2["decided"] == [first, second] or set(q2["decided"]) == {first, second}
    assert q2["progress"]["done"] == 2
    rec = again.get("/api/records", params={"ids": first}).json()["records"][0]
    assert rec["mine"]["decision"] == "include" and rec["mine"]["note"] == "fits"


def test_undo_restores_the_previous_state(rev):
    c = client(create_app(rev, "ana", token=TOKEN))
    a, b = c.get("/api/queue").json()["order"][:2]
    c.post("/api/decide", json={"record": a, "decision": "include"})
    c.post("/api/decide", json={"record": a, "decision": "exclude"})
    c.post("/api/decide", json={"record": b, "decision": "maybe"})
    r = c.post("/api/undo", json={}).json()
    assert r["record"] == b and r["entry"] is None and r["progress"]["done"] == 1
    r = c.post("/api/undo", json={}).json()
    assert r["record"] == a and r["entry"]["decision"] == "include"
    # what the disk says agrees with what the app says, also for a fresh app
    mine = core.reviewer_view(rev, "ana", "title_abstract").decisions
    assert {k: v["decision"] for k, v in mine.items()} == {a: "include"}
    fresh = client(create_app(rev, "ana", token=TOKEN)).get("/api/queue").json()
    assert fresh["progress"]["done"] == 1
    r = c.post("/api/undo", json={}).json()
    assert r["record"] == a and r["entry"] is None
    assert c.post("/api/undo", json={}).json()["record"] is None


def test_bad_requests_say_what_is_wrong(rev):
    c = client(create_app(rev, "ana", token=TOKEN))
    rid = c.get("/api/queue").json()["order"][0]
    r = c.post("/api/decide", json={"record": rid, "decision": "yes"})
    assert r.status_code == 400 and "include" in r.json()["error"]
    r = c.post("/api/decide", json={"record": "nope-1", "decision": "include"})
    assert r.status_code == 404 and "nope-1" in r.json()["error"]
    r = c.post("/api/decide", content=b"record=x", headers={"content-type": "text/plain"})
    assert r.status_code == 400 and "JSON" in r.json()["error"]
    assert c.get("/api/records", params={"ids": "nope-2"}).status_code == 404
    r = c.post("/api/resolve", json={"record": rid, "decision": "include"})
    assert r.status_code == 400 and "resolve" in r.json()["error"]
    assert own_log(rev, "title_abstract", "ana") == []


def test_records_are_payloads_with_safe_links_only(tmp_path):
    rev = app_review(tmp_path / "r", n=1, evil=True)
    c = client(create_app(rev, "ana", token=TOKEN))
    ids = c.get("/api/queue").json()["order"]
    recs = {r["title"][:7]: r for r in c.get("/api/records", params={"ids": ",".join(ids)})
            .json()["records"]}
    good = recs["Record "]
    assert good["doi_url"] == "https://doi.org/10.1000/test.0"
    evil = recs["Barrier"]
    assert evil["doi_url"] is None and evil["urls"] == []
    assert "<script>" in evil["title"]  # kept as text; the page puts it in with textContent


def test_session_info_carries_terms_and_reasons(rev):
    info = client(create_app(rev, "ana", token=TOKEN)).get("/api/session").json()
    assert info["reviewer"] == "ana" and info["reviewer_name"] == "Ana A."
    assert info["include_terms"] == ["barrier*", "physiotherap*"]
    assert info["exclude_terms"] == ["rat", "mice"]
    assert "wrong population" in info["exclusion_reasons"]
    assert info["mode"] == "screen" and info["stage_is_full_text"] is False


def test_seeded_order_is_stable_and_per_reviewer(rev, monkeypatch):
    def no_ranking(review, reviewer, stage, ids):
        raise RuntimeError("no ranking in this test")

    _fake_ranking(monkeypatch, no_ranking)  # the ranking fails: the seeded order stays
    order = lambda who: client(create_app(rev, who, token=TOKEN)).get("/api/queue").json()  # noqa: E731
    a1, a2, b = order("ana"), order("ana"), order("ben")
    assert a1["ordering"] == "seeded"
    assert a1["order"] == a2["order"]
    assert sorted(a1["order"]) == sorted(b["order"]) and a1["order"] != b["order"]


def test_unknown_reviewer_or_stage_is_a_clear_error(rev):
    from implmap import ReviewFolderError

    with pytest.raises(ReviewFolderError, match="unknown reviewer 'zed'"):
        create_app(rev, "zed")
    with pytest.raises(ReviewFolderError, match="unknown stage"):
        create_app(rev, "ana", stage="abstracts")


def test_own_log_written_elsewhere_is_picked_up(rev):
    """A second tab (or app) of the same reviewer: the app re-reads its own log when it grew."""
    c = client(create_app(rev, "ana", token=TOKEN))
    rid = c.get("/api/queue").json()["order"][3]
    other = client(create_app(rev, "ana", token=TOKEN))
    other.post("/api/decide", json={"record": rid, "decision": "maybe"})
    q = c.get("/api/queue").json()
    assert rid in q["decided"] and q["progress"]["done"] == 1


# ------------------------------------------------------------------------------ blinding
def _ben_decides_everything(rev, marker: str) -> list[str]:
    ids = [r["id"] for r in rev.record_dicts()]
    for i, rid in enumerate(ids):
        core.decide(rev, "ben", "title_abstract", rid, ("include", "exclude", "maybe")[i % 3],
                    note=f"{marker} note {i}")
    return ids


@pytest.mark.parametrize("ordering", ["seeded", "as installed"])
def test_screen_mode_reveals_nothing_of_another_reviewer(rev, monkeypatch, ordering):
    """Pages, API answers, order and counts of ana's app are the same whatever ben decided
    (with the seeded order, and with the ranking module when it is installed)."""
    import sys

    if ordering == "seeded":
        monkeypatch.setitem(sys.modules, "implmap.prioritise.ranking", None)
    before = client(create_app(rev, "ana", token=TOKEN)).get("/api/queue").json()
    marker = "BEN-SECRET-7f3a9"
    ids = _ben_decides_everything(rev, marker)
    c = client(create_app(rev, "ana", token=TOKEN))
    bodies = [c.get(p).text for p in ("/", "/api/session", "/api/queue")]
    bodies.append(c.get("/api/records", params={"ids": ",".join(ids)}).text)
    r = c.post("/api/decide", json={"record": ids[0], "decision": "include"})
    bodies += [r.text, c.post("/api/undo", json={}).text, c.get("/api/queue").text]
    for body in bodies:
        assert marker not in body
        assert '"ben"' not in body and "ben" not in json.dumps(body)
    after = c.get("/api/queue").json()
    assert after["order"] == before["order"] and after["progress"] == before["progress"]


# ------------------------------------------------------------------------------ full text
def _to_full_text(rev) -> list[str]:
    """Both reviewers include the first three records at title/abstract (agreed)."""
    ids = sorted(r["id"] for r in rev.record_dicts())[:3]
    for who in ("ana", "ben"):
        for rid in ids:
            core.decide(rev, who, "title_abstract", rid, "include")
    return ids


def test_full_text_needs_a_reason_to_exclude(rev):
    ids = _to_full_text(rev)
    c = client(create_app(rev, "ana", stage="full_text", token=TOKEN))
    info = c.get("/api/session").json()
    assert info["stage_is_full_text"] and info["reasons_required"]
    q = c.get("/api/queue").json()
    assert sorted(q["order"]) == ids
    r = c.post("/api/decide", json={"record": ids[0], "decision": "exclude"})
    assert r.status_code == 400 and "reason" in r.json()["error"]
    assert own_log(rev, "full_text", "ana") == []
    r = c.post("/api/decide", json={"record": ids[0], "decision": "exclude",
                                    "reason": "wrong context"})
    assert r.status_code == 200
    assert own_log(rev, "full_text", "ana")[0]["reason"] == "wrong context"


def test_full_text_links_files_and_not_retrieved(rev):
    ids = _to_full_text(rev)
    ft = rev.root / "screening" / "full_text"
    (ft / "files").mkdir(parents=True)
    (ft / "files" / "a.pdf").write_bytes(b"%PDF-1.4 fake")
    log = ft / "retrieval.jsonl"
    now = "2026-01-01T00:00:00+00:00"
    append_line(log, dump_json_line({"record": ids[0], "status": "retrieved",
                                     "file": "screening/full_text/files/a.pdf", "time": now}))
    append_line(log, dump_json_line({"record": ids[1], "status": "retrieved",
                                     "url": "javascript:alert(1)", "time": now}))
    append_line(log, dump_json_line({"record": ids[2], "status": "retrieved",
                                     "file": "../../../../etc/passwd", "time": now}))
    c = client(create_app(rev, "ana", stage="full_text", token=TOKEN))
    recs = {r["id"]: r for r in c.get("/api/records", params={"ids": ",".join(ids)})
            .json()["records"]}
    assert recs[ids[0]]["full_text"]["file_url"].startswith("/full-text/")
    got = c.get(recs[ids[0]]["full_text"]["file_url"])
    assert got.status_code == 200 and got.content == b"%PDF-1.4 fake"
    assert "url" not in recs[ids[1]]["full_text"]
    assert "file_url" not in recs[ids[2]]["full_text"]
    assert c.get(f"/full-text/{ids[2]}").status_code == 404
    r = c.post("/api/full-text/not-retrieved", json={"record": ids[1]})
    assert r.status_code == 200 and r.json()["full_text"]["status"] == "not_retrieved"
    last = list(read_jsonl(log))[-1][1]
    assert last["record"] == ids[1] and last["status"] == "not_retrieved"


# ------------------------------------------------------------------------------ resolving
def test_resolve_mode_shows_all_decisions_and_records_the_final_one(rev):
    ids = sorted(r["id"] for r in rev.record_dicts())
    x, y = ids[0], ids[1]
    core.decide(rev, "ana", "title_abstract", x, "include", note="ana thinks yes")
    core.decide(rev, "ben", "title_abstract", x, "exclude", note="ben thinks no")
    core.decide(rev, "ana", "title_abstract", y, "include")
    core.decide(rev, "ben", "title_abstract", y, "include")
    c = client(create_app(rev, "cam", mode="resolve", token=TOKEN))
    info = c.get("/api/session").json()
    assert info["mode"] == "resolve"
    q = c.get("/api/queue").json()
    assert q["order"] == [x] and q["progress"] == {"done": 0, "total": 1}
    rec = c.get("/api/records", params={"ids": x}).json()["records"][0]
    seen = {(d["reviewer"], d["decision"], d["note"]) for d in rec["decisions"]}
    assert seen == {("ana", "include", "ana thinks yes"), ("ben", "exclude", "ben thinks no")}
    assert rec["resolution"] is None
    assert c.post("/api/decide", json={"record": x, "decision": "include"}).status_code == 400
    r = c.post("/api/resolve", json={"record": x, "decision": "include", "note": "cam decides"})
    assert r.status_code == 200 and r.json()["progress"] == {"done": 1, "total": 1}
    assert core.final_decisions(rev, "title_abstract")[x] == "include"
    lines = [e for _, e in read_jsonl(rev.root / "screening/title_abstract/resolutions.jsonl")]
    assert lines[-1]["record"] == x and "cam" in lines[-1]["by"]
    again = client(create_app(rev, "cam", mode="resolve", token=TOKEN))
    rec = again.get("/api/records", params={"ids": x}).json()["records"][0]
    assert rec["resolution"]["decision"] == "include"


# ------------------------------------------------------------------------------ ranking
def _fake_ranking(monkeypatch, order_for):
    from implmap.prioritise import ranking

    monkeypatch.setattr(ranking, "order_for", order_for)


def test_records_come_in_the_ranking_order(rev, monkeypatch):
    calls = []

    def order_for(review, reviewer, stage, ids):
        calls.append((reviewer, stage, len(ids)))
        return [*sorted(ids, reverse=True), sorted(ids)[0], "not-a-record"]  # repeats, strays

    _fake_ranking(monkeypatch, order_for)
    q = client(create_app(rev, "ana", token=TOKEN)).get("/api/queue").json()
    assert q["ordering"] == "ranked" and calls == [("ana", "title_abstract", 6)]
    assert q["order"] == sorted(q["order"], reverse=True) and len(q["order"]) == 6


def test_a_slow_ranking_does_not_hold_up_the_first_record(rev, monkeypatch):
    import threading

    from implmap.app import ordering

    release = threading.Event()

    def order_for(review, reviewer, stage, ids):
        release.wait(10)
        return sorted(ids, reverse=True)

    _fake_ranking(monkeypatch, order_for)
    monkeypatch.setattr(ordering, "RANK_WAIT", 0.05)
    c = client(create_app(rev, "ana", token=TOKEN))
    first = c.get("/api/queue").json()
    assert first["ordering"] == "ranking" and len(first["order"]) == 6  # the seeded order
    release.set()
    q = wait_until(lambda: c.get("/api/queue").json(), lambda q: q["ordering"] == "ranked",
                   interval=0.02)
    assert q["ordering"] == "ranked" and q["order"] == sorted(q["order"], reverse=True)


# ------------------------------------------------------------------------------ pilot round
def test_pilot_round_first_then_everything(rev):
    m = rev.manifest.model_copy(deep=True)
    m.pilot_size = 2
    rev.save_manifest(m)
    c = client(create_app(rev, "ana", token=TOKEN))
    assert c.get("/api/session").json()["pilot"] is True
    q = c.get("/api/queue").json()
    assert len(q["order"]) == 2 and q["progress"] == {"done": 0, "total": 2}
    pilot = q["order"]
    others = sorted(set(r["id"] for r in rev.record_dicts()) - set(pilot))
    r = c.post("/api/decide", json={"record": others[0], "decision": "include"})
    assert r.status_code == 404  # not released yet
    for rid in pilot:
        assert c.post("/api/decide", json={"record": rid, "decision": "include"}).status_code == 200
        core.decide(rev, "ben", "title_abstract", rid, "exclude", note="ben pilot note")
    q = c.get("/api/queue").json()
    assert len(q["order"]) == 6 and q["progress"] == {"done": 2, "total": 6}
    assert c.get("/api/session").json()["pilot"] is False
    body = c.get("/api/records", params={"ids": ",".join(q["order"])}).text
    assert "ben pilot note" not in body


# ------------------------------------------------------------------------------ serve()
def test_serve_refuses_other_hosts_and_busy_ports(rev):
    import socket

    from implmap import ImplmapError
    from implmap.app import serve

    with pytest.raises(ImplmapError, match="loopback only"):
        serve(rev, "ana", host="0.0.0.0", open_browser=False)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(ImplmapError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve(rev, "ana", port=port, open_browser=False, announce=lambda text: None)


def test_an_inclusion_triggers_a_background_rerank(rev, monkeypatch):
    calls = []

    def order_for(review, reviewer, stage, ids):
        calls.append(len(ids))
        return sorted(ids)

    _fake_ranking(monkeypatch, order_for)
    c = client(create_app(rev, "ana", token=TOKEN))
    order = c.get("/api/queue").json()["order"]
    assert calls == [6]
    c.post("/api/decide", json={"record": order[0], "decision": "exclude"})
    c.get("/api/queue")
    assert calls == [6]  # an exclusion alone waits for RERANK_EVERY decisions
    c.post("/api/decide", json={"record": order[1], "decision": "include"})
    c.get("/api/queue")  # starts the re-ranking in the background
    wait_until(lambda: len(calls) == 2, interval=0.02)
    assert calls == [6, 6]


def test_callers_mistakes_are_usage_errors_that_name_no_cli_flag(rev):
    import socket

    from implmap.app import ScreeningSession, serve
    from implmap.errors import UsageError

    with pytest.raises(UsageError, match="unknown app mode 'sort'"):
        ScreeningSession(rev, "ana", mode="sort")
    with pytest.raises(UsageError, match="loopback only"):
        serve(rev, "ana", host="0.0.0.0", open_browser=False)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        with pytest.raises(UsageError, match="choose another port") as info:
            serve(rev, "ana", port=busy.getsockname()[1], open_browser=False,
                  announce=lambda text: None)
    assert "--" not in str(info.value)


def test_serve_keeps_the_token_off_the_browsers_command_line(rev, monkeypatch):
    import re
    import signal
    import stat
    import sys
    import threading
    import webbrowser
    from pathlib import Path
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    import uvicorn

    from implmap.app import serve

    opened: list[tuple[str, str, int]] = []
    done = threading.Event()

    def fake_open(url: str, *args, **kwargs) -> bool:
        page = Path(url2pathname(urlparse(url).path))
        opened.append((url, page.read_text("utf-8"), stat.S_IMODE(page.stat().st_mode)))
        done.set()
        return True

    def fake_run(self, sockets=None) -> None:
        self.started = True
        done.wait(10)

    monkeypatch.setattr(webbrowser, "open", fake_open)
    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    monkeypatch.setattr(sys, "setswitchinterval", lambda interval: None)
    said: list[str] = []
    serve(rev, "ana", announce=said.append)
    token = re.search(r"token=(\S+)", said[0]).group(1)
    [(arg, page, mode)] = opened
    assert token not in arg and arg.startswith("file://")
    assert "http://127.0.0.1:" in page and f"token={token}" in page  # it goes on to the app
    assert mode == 0o600
    assert Path(url2pathname(urlparse(arg).path)).parent == rev.root / ".implmap"
    assert not list((rev.root / ".implmap").glob("open-app-*"))  # removed when the app stops
