"""The app as people run it: `implmap screen` in its own process, killed hard, run twice at once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import implmap.screening as core
from implmap.jsonl import read_jsonl
from support.builders import app_review
from support.wait import wait_until

SRC = Path(__file__).resolve().parent.parent / "src"
URL = re.compile(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)")


class Server:
    """``implmap screen``/``resolve`` in a subprocess; ``.base`` and ``.token`` once it listens."""

    def __init__(self, review: Path, reviewer: str, *extra: str, command: str = "screen",
                 worker_from: int | None = None):
        env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        setup = ("import implmap.app.ordering as s; "
                 f"s.RANK_IN_WORKER_FROM = {worker_from}; " if worker_from is not None else "")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", setup + "from implmap.cli import main; main()", command,
             "--reviewer", reviewer, "--review", str(review), "--no-browser", *extra],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
        )
        self.output = ""
        deadline = time.monotonic() + 30
        assert self.proc.stderr is not None
        while True:
            line = self.proc.stderr.readline()
            self.output += line
            m = URL.search(line)
            if m:
                self.base, self.token = m.group(1), m.group(2)
                break
            if (not line and self.proc.poll() is not None) or time.monotonic() > deadline:
                raise AssertionError(f"server did not start:\n{self.output}")
        # keep reading what the server says, so that a full pipe never blocks it
        threading.Thread(target=self._drain, daemon=True).start()
        self.http = httpx.Client(base_url=self.base, headers={"X-Implmap-Token": self.token},
                                 timeout=10)

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        try:
            for line in self.proc.stderr:
                self.output += line
        except ValueError:  # closed by stop()
            pass

    def stop(self) -> None:
        self.http.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


@pytest.fixture
def rev(tmp_path):
    return app_review(tmp_path / "rev", n=40)


def test_cli_prints_a_tokened_loopback_url(rev):
    srv = Server(rev.root, "ana")
    try:
        assert "ana" in srv.output and "40 records" in srv.output
        assert httpx.get(f"{srv.base}/api/session").status_code == 403
        assert srv.http.get("/api/session").json()["reviewer"] == "ana"
    finally:
        srv.stop()


def test_cli_errors_are_one_line(tmp_path, rev):
    from click.testing import CliRunner

    from implmap.cli import cli

    result = CliRunner().invoke(cli, ["screen", "--reviewer", "zed", "-r", str(rev.root),
                                      "--no-browser"])
    assert result.exit_code == 1 and "unknown reviewer 'zed'" in result.output
    assert "Traceback" not in result.output


def test_sigkill_right_after_ok_keeps_the_decision(rev):
    srv = Server(rev.root, "ana")
    try:
        rid = srv.http.get("/api/queue").json()["order"][0]
        r = srv.http.post("/api/decide", json={"record": rid, "decision": "exclude",
                                               "note": "killed"})
        if r.status_code == 200:
            os.kill(srv.proc.pid, signal.SIGKILL)
        assert r.status_code == 200
        srv.proc.wait(timeout=10)
        assert srv.proc.returncode == -signal.SIGKILL
    finally:
        srv.stop()
    log = [e for _, e in read_jsonl(rev.root / "screening/title_abstract/ana.jsonl")]
    assert [(e["record"], e["decision"], e["note"]) for e in log] == [(rid, "exclude", "killed")]


def test_two_reviewers_two_processes_lose_nothing(rev):
    a, b = Server(rev.root, "ana"), Server(rev.root, "ben")
    sent: dict[str, dict[str, str]] = {"ana": {}, "ben": {}}
    errors: list[str] = []

    def screen(srv: Server, who: str) -> None:
        order = srv.http.get("/api/queue").json()["order"]
        for i, rid in enumerate(order):
            decision = ("include", "exclude", "maybe")[(i + len(who)) % 3]
            r = srv.http.post("/api/decide", json={"record": rid, "decision": decision})
            if r.status_code != 200:
                errors.append(r.text)
            sent[who][rid] = decision

    try:
        threads = [threading.Thread(target=screen, args=(a, "ana")),
                   threading.Thread(target=screen, args=(b, "ben"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors
        assert a.http.get("/api/queue").json()["progress"] == {"done": 40, "total": 40}
    finally:
        a.stop()
        b.stop()
    for who in ("ana", "ben"):
        view = core.reviewer_view(rev, who, "title_abstract").decisions
        assert {k: v["decision"] for k, v in view.items()} == sent[who]
        assert len(list(read_jsonl(rev.root / f"screening/title_abstract/{who}.jsonl"))) == 40


def test_resolve_command_starts_resolve_mode(rev):
    srv = Server(rev.root, "cam", command="resolve")
    try:
        info = srv.http.get("/api/session").json()
        assert info["mode"] == "resolve" and info["reviewer"] == "cam"
    finally:
        srv.stop()


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_sigterm_stops_the_app_and_its_ranking_worker(rev):
    """SIGTERM ends the app like Ctrl+C: it says so, and its ranking worker process ends too."""
    srv = Server(rev.root, "ana", command="screen", worker_from=1)
    try:
        wait_until(lambda: srv.http.get("/api/queue").json()["ordering"] == "ranked")
        workers = [c for c in _children(srv.proc.pid)
                   if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert workers, "no ranking worker process"
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=20) == 0
        wait_until(lambda: not any(Path(f"/proc/{w}").exists() for w in workers), timeout=5)
        assert not any(Path(f"/proc/{w}").exists() for w in workers)
        wait_until(lambda: "stopped; every decision is on disk" in srv.output)
        assert "stopped; every decision is on disk" in srv.output
    finally:
        srv.stop()
