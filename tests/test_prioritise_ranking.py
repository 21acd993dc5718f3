"""Ranking: relevant first, blind to other reviewers, cold start, background refits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from implmap import Review
from implmap.fsio import append_line, dump_json_line
from implmap.prioritise.ranking import Ranker, order_for, textless_records
from support.builders import write_decisions
from support.wait import wait_until

TOY = Path(__file__).parent / "fixtures" / "prioritise" / "toy.ris"
TA = "title_abstract"


@pytest.fixture
def toy(review: Review) -> Review:
    review.import_file(TOY, database="Hand-made")
    return review


def _by_title(review: Review) -> dict[str, str]:
    return {r["id"]: (r.get("title") or "") for r in review.record_dicts()}


def _relevant(title: str) -> bool:
    return "osteoarthritis" in title.lower()


def _resolve(review: Review, rid: str, decision: str, stage: str = "title_abstract") -> None:
    entry = {"by": ["cam"], "decision": decision, "method": "third_reviewer", "note": "",
             "reason": None, "record": rid, "time": "2026-01-02T00:00:00+00:00"}
    append_line(review.root / "screening" / stage / "resolutions.jsonl", dump_json_line(entry))


def _seed(review: Review, reviewer: str) -> tuple[str, str]:
    titles = _by_title(review)
    rel = next(r for r, t in titles.items() if "first-line" in t)
    irr = next(r for r, t in titles.items() if "Crystal" in t)
    write_decisions(review, reviewer, TA, {rel: "include", irr: "exclude"})
    return rel, irr


def _ranked(review, order):
    """The order without the textless records (which always come first, for a look by hand)."""
    empty = set(textless_records(review))
    assert set(order[: len(empty)]) == empty
    return order[len(empty):]


def test_model_puts_relevant_records_first(toy):
    _seed(toy, "ana")
    ids = [r["id"] for r in toy.record_dicts()]
    order = order_for(toy, "ana", "title_abstract", ids)
    titles = _by_title(toy)
    assert sorted(order) == sorted(ids)
    top = [titles[r] for r in _ranked(toy, order)[:5]]
    assert all(_relevant(t) for t in top), top
    ranker = Ranker(toy, "ana")
    assert ranker.method == "model"


def test_ordering_for_a_is_identical_whether_or_not_b_screened(toy):
    _seed(toy, "ana")
    ids = [r["id"] for r in toy.record_dicts()]
    before = Ranker(toy, "ana").order()
    titles = _by_title(toy)
    # ben decides the opposite of the truth on everything: ana's order must not move
    write_decisions(toy, "ben", TA, {rid: "exclude" if _relevant(t) else "include"
                                     for rid, t in titles.items()})
    assert Ranker(toy, "ana").order() == before
    assert order_for(toy, "ana", "title_abstract", ids) == before
    # ...while a resolved final decision on a record ana decided is public and may change it
    flip = next(r for r, t in titles.items() if "Arctic" in t)
    write_decisions(toy, "ana", TA, {flip: "exclude"})
    decided = Ranker(toy, "ana").order()
    _resolve(toy, flip, "include")
    assert Ranker(toy, "ana").order() != decided


def test_resolutions_of_records_a_has_not_screened_do_not_move_a_queue(toy):
    """With three screeners, resolutions of records that ana has not decided must not train
    ana's ranking: they would move those records (and their look-alikes) in her queue."""
    _seed(toy, "ana")
    ids = [r["id"] for r in toy.record_dicts()]
    before = Ranker(toy, "ana").order()
    titles = _by_title(toy)
    mine = set(json.loads(line)["record"] for line in
               toy.decision_log("ana", TA).read_text("utf-8").splitlines())
    # others' resolutions (opposite to the truth, to move things as much as possible)
    for rid, title in titles.items():
        if rid not in mine:
            _resolve(toy, rid, "exclude" if _relevant(title) else "include")
    assert Ranker(toy, "ana").order() == before
    assert order_for(toy, "ana", "title_abstract", ids) == before
    from implmap.screening.labels import blinded_labels

    labels = blinded_labels(toy, "ana", TA)
    assert set(labels.labels) == mine and labels.resolved == set()


def test_cold_start_uses_include_terms(toy):
    m = toy.manifest.model_copy(update={"include_terms": ["osteoarthritis", "barriers"]})
    toy.save_manifest(m)
    ranker = Ranker(toy, "ana")
    assert ranker.method == "include_terms"
    titles = _by_title(toy)
    assert all(_relevant(titles[r]) for r in _ranked(toy, ranker.order())[:5])


def test_cold_start_without_terms_is_a_stable_seeded_order(toy):
    a, b = Ranker(toy, "ana"), Ranker(toy, "ana")
    assert a.method == "seeded"
    assert a.order() == b.order()
    assert Ranker(toy, "ben").order() != a.order()  # per reviewer


def test_one_class_of_labels_ranks_by_similarity(toy):
    titles = _by_title(toy)
    rel = next(r for r, t in titles.items() if "first-line" in t)
    write_decisions(toy, "ana", TA, {rel: "include"})
    ranker = Ranker(toy, "ana")
    assert ranker.method == "similarity"
    assert all(_relevant(titles[r]) for r in _ranked(toy, ranker.order())[:5])


def test_textless_records_are_listed_and_never_seeds(toy):
    empty = textless_records(toy)
    assert len(empty) == 1
    titles = _by_title(toy)
    rel = next(r for r, t in titles.items() if "first-line" in t)
    # only an include on a real record and an exclude on the empty one: the empty record is
    # not a seed, so the ranker has one class and falls back to similarity, not the model
    write_decisions(toy, "ana", TA, {rel: "include", empty[0]: "exclude"})
    ranker = Ranker(toy, "ana")
    assert ranker.textless == empty
    assert ranker.method == "similarity"


def test_textless_records_come_first_for_a_look_by_hand(toy):
    empty = textless_records(toy)
    assert Ranker(toy, "ana").order()[: len(empty)] == empty  # cold start
    _seed(toy, "ana")
    ranker = Ranker(toy, "ana")
    assert ranker.method == "model"
    order = ranker.order()
    assert order[: len(empty)] == empty and sorted(order) == sorted(ranker.ids)


def test_withdrawn_decision_is_not_a_label(toy):
    _rel, irr = _seed(toy, "ana")
    write_decisions(toy, "ana", TA, {irr: None})
    assert Ranker(toy, "ana").method == "similarity"


def test_notify_refits_in_the_background(toy):
    titles = _by_title(toy)
    ranker = Ranker(toy, "ana")
    first = ranker.order()
    assert ranker.method == "seeded"
    _seed(toy, "ana")
    ranker.notify()
    ranker.notify()  # coalesced with the first
    assert ranker.order()  # never blocks, always an answer
    assert ranker.wait(30)
    assert ranker.method == "model"
    assert ranker.refits >= 1
    assert ranker.order() != first
    assert all(_relevant(titles[r]) for r in _ranked(toy, ranker.order())[:5])
    ranker.close()


def test_unknown_record_ids_are_refused(toy):
    from implmap.errors import UnknownRecordError

    with pytest.raises(UnknownRecordError, match="nope"):
        order_for(toy, "ana", "title_abstract", ["nope"])


def test_torn_last_line_is_survived(toy):
    rel, _irr = _seed(toy, "ana")
    log = toy.root / "screening" / "title_abstract" / "ana.jsonl"
    with open(log, "a") as fh:
        fh.write(json.dumps({"record": rel})[:10])
    with pytest.warns(UserWarning, match="line 3"):
        ranker = Ranker(toy, "ana")
    assert ranker.method == "model"


# ---------------------------------------------------------------------- ranking worker process
def test_worker_process_ranks_like_order_for_and_closes(toy):
    from implmap.prioritise.ranking import RankingWorker

    _seed(toy, "ana")
    ids = [r["id"] for r in toy.record_dicts()]
    worker = RankingWorker(toy.root, "ana", "title_abstract")
    try:
        assert worker.order_for(ids) == order_for(toy, "ana", "title_abstract", ids)
        # the worker reads the log afresh each time
        write_decisions(toy, "ana", TA, {ids[-1]: "include"})
        assert worker.order_for(ids) == order_for(toy, "ana", "title_abstract", ids)
        with pytest.raises(RuntimeError, match="failed: UnknownRecordError"):
            worker.order_for(["no-such-record"])
        assert worker.order_for(ids)  # an error does not end the worker
    finally:
        worker.close()
    assert not worker.process.is_alive()
    with pytest.raises(RuntimeError, match="closed"):
        worker.order_for(ids)


def test_worker_process_ends_when_the_app_is_killed(toy, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    script = tmp_path / "app.py"
    script.write_text(
        "import sys, time\n"
        "from implmap.prioritise.ranking import RankingWorker\n"
        "w = RankingWorker(sys.argv[1], 'ana', 'title_abstract')\n"
        "print(w.process.pid, flush=True)\n"
        "time.sleep(120)\n", encoding="utf-8")
    src = str(Path(__file__).resolve().parent.parent / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    app = subprocess.Popen([sys.executable, str(script), str(toy.root)], env=env,
                           stdout=subprocess.PIPE, text=True)
    try:
        child = int(app.stdout.readline())
        os.kill(app.pid, signal.SIGKILL)
        app.wait(10)
        def gone() -> bool:  # it is not our child: init reaps it
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                return True
            return False

        if not wait_until(gone, timeout=30, interval=0.1):
            os.kill(child, signal.SIGKILL)
            pytest.fail("the ranking worker outlived the killed app")
        assert app.stdout.read() == ""  # the worker let go of the app's stdout
    finally:
        if app.poll() is None:
            app.kill()
        app.stdout.close()


def test_big_review_ranks_in_a_worker_process(toy, monkeypatch):
    import threading
    import warnings

    from implmap.app import create_app

    with warnings.catch_warnings():  # starlette 1.x prefers httpx2 for its TestClient
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from implmap.app import ordering

    _seed(toy, "ana")
    monkeypatch.setattr(ordering, "RANK_IN_WORKER_FROM", 1)
    app = create_app(toy, "ana", token="t" * 32)
    session = app.state.session
    try:
        c = TestClient(app, headers={"X-Implmap-Token": "t" * 32})
        q = c.get("/api/queue").json()
        # the app does not wait for the worker's first order: the seeded order until it comes
        assert q["ordering"] in ("ranking", "ranked")
        if q["ordering"] != "ranked":
            q = wait_until(lambda: c.get("/api/queue").json(),
                           lambda q: q["ordering"] == "ranked", timeout=30)
        assert q["ordering"] == "ranked"
        worker = session._worker
        assert worker is not None and worker.process.is_alive()
        ids = [r["id"] for r in toy.record_dicts()]
        expected = order_for(toy, "ana", "title_abstract", ids)
        undecided = [r for r in q["order"] if r not in q["decided"]]
        assert undecided == [r for r in expected if r not in q["decided"]]
        assert threading.active_count() < 50
    finally:
        session.close()
    assert not worker.process.is_alive()
