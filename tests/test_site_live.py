"""`implmap site serve` with a broken review, Ctrl+C, and the methods page's searches."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from implmap.site import build_pages
from support.pages import parse
from support.servers import free_port
from support.wait import wait_until

REVIEW = FIXTURES / "site-review"
HOSTILE = FIXTURES / "site-hostile"
BROKEN = "id: wu-2022\nfindings: [not, a, finding\n"  # not even YAML


def _get(url: str) -> tuple[int, str] | None:
    """(status, body) of ``url``, or None while nothing answers there."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None


def test_serve_shows_a_build_error_in_the_page_and_stops_on_ctrl_c(tmp_path: Path):
    review = tmp_path / "rev"
    shutil.copytree(REVIEW, review)
    study = review / "charting/studies/wu-2022.yaml"
    good = study.read_text("utf-8")
    study.write_text(BROKEN + "# <script>alert(1)</script>\n", "utf-8")
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "implmap", "site", "serve", str(review), "--port", str(port)],
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            stdout=subprocess.DEVNULL, stderr=err,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        got = wait_until(lambda: _get(url), lambda r: (r is not None and r[0] != 503)
                         or proc.poll() is not None, timeout=60, interval=0.1)
        assert got is not None, log.read_text()
        status, page = got
        assert status == 500, page
        assert "Cannot build the evidence map" in page and "wu-2022" in page
        assert "<script>alert(1)" not in page  # the file's text shows escaped
        # fixed: the map is back, at the same address
        study.write_text(good, "utf-8")
        got = wait_until(lambda: _get(url), lambda r: r is not None and r[0] == 200,
                         timeout=60, interval=0.1)
        assert got is not None and got[0] == 200, log.read_text()
        assert "implmap-live" in got[1]  # the page reloads itself after the next build
        # broken again, then Ctrl+C
        study.write_text(BROKEN, "utf-8")
        got = wait_until(lambda: _get(url), lambda r: r is not None and r[0] == 500,
                         timeout=60, interval=0.1)
        assert got is not None and got[0] == 500, log.read_text()
        proc.send_signal(signal.SIGINT)
        assert wait_until(lambda: proc.poll(), lambda rc: rc is not None, timeout=5,
                          interval=0.05) is not None, log.read_text()
        assert "Traceback" not in log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_ctrl_c_stops_serve_during_the_first_build(tmp_path: Path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "implmap", "site", "serve", str(REVIEW), "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        up = wait_until(lambda: _get(f"http://127.0.0.1:{port}/"), timeout=60, interval=0.05)
        assert up is not None
        proc.send_signal(signal.SIGINT)
        assert wait_until(lambda: proc.poll(), lambda rc: rc is not None, timeout=5,
                          interval=0.05) is not None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_build_site_says_why_a_build_fails(tmp_path: Path):
    from implmap.errors import ImplmapError
    from implmap.site.serve import build_site

    review = tmp_path / "rev"
    shutil.copytree(REVIEW, review)
    (review / "charting/studies/wu-2022.yaml").write_text(BROKEN, "utf-8")
    with pytest.raises(ImplmapError, match="wu-2022"):
        build_site(review, tmp_path / "site")


@pytest.mark.parametrize("review", [REVIEW, HOSTILE], ids=["review", "hostile"])
def test_methods_list_every_search(review: Path, tmp_path: Path):
    from implmap import Review

    build_pages(review, tmp_path)
    page = tmp_path / "methods.md"
    text = page.read_text("utf-8")
    shown = " ".join(" ".join(parse(page).text).split())
    searches = Review(review).searches()
    assert searches
    for s in searches:
        row = " ".join(x for x in (s.database, s.searched or "–", s.query or "–",
                                   str(s.records), s.file))
        assert " ".join(row.split()) in shown
    assert "<b onmouseover" not in text and "{{x}}" not in text
    assert f"{sum(s.records for s in searches)} records in all" in shown
