"""The evidence map built with zensical (Material for MkDocs' successor), which runs no MkDocs
plugin: `implmap site pages` writes the pages, `zensical build` builds them, and every link,
stylesheet and script of the map must still work in a browser."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from support.servers import serve_dir

pytest.importorskip("zensical")
pytestmark = pytest.mark.browser

REVIEW = FIXTURES / "site-review"
NAV = """\
site_name: Map built by zensical
theme:
  name: material
  font: false
nav:
  - Overview: map/index.md
  - Matrix: map/matrix.md
  - Find barriers: map/find.md
  - Domains: map/domains/index.md
  - Themes: map/themes/index.md
  - Studies: map/studies/index.md
  - Methods: map/methods.md
  - Downloads: map/downloads.md
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    from implmap.cli import cli

    project = tmp_path_factory.mktemp("zensical")
    (project / "mkdocs.yml").write_text(NAV, encoding="utf-8")
    res = CliRunner().invoke(cli, ["site", "pages", str(project / "docs" / "map"),
                                   "--review", str(REVIEW)])
    assert res.exit_code == 0, res.output
    assert "(for zensical)" in res.output
    done = subprocess.run([sys.executable, "-m", "zensical", "build"], cwd=project,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = project / "site"
    assert (out / "map" / "matrix" / "index.html").is_file()
    with serve_dir(out) as url:
        yield out, url


def test_every_link_of_the_map_resolves(site: tuple[Path, str]) -> None:
    from support.pages import parse

    out, _ = site
    pages = sorted((out / "map").rglob("index.html"))
    assert len(pages) > 10
    checked = 0
    for page in pages:
        rel = page.relative_to(out).as_posix()
        base = "http://x/" + rel
        tags = parse(page)
        for tag, attrs in tags.tags:
            url = attrs.get("href") if tag in ("a", "link") else attrs.get("src")
            if tag not in ("a", "link", "script", "img") or not url:
                continue
            parts = urlsplit(urljoin(base, url))
            if tag != "a":  # no stylesheet, script or image from another host
                assert parts.netloc == "x", f"{rel}: loads {url}"
            if parts.netloc != "x" or not parts.path.startswith("/map/"):
                continue
            target = out / parts.path.lstrip("/")
            if parts.path.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{rel}: {url} -> {parts.path} is missing"
            checked += 1
    assert checked > 100


def test_matrix_and_find_work_in_a_browser(browser, site: tuple[Path, str]):  # type: ignore[no-untyped-def]
    _, url = site
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("request", lambda r: r.url.startswith(url) or r.url.startswith("data:")
            or outside.append(r.url))
    page.goto(url + "map/matrix/")
    matrix = page.wait_for_selector("table.implmap-matrix")
    # implmap.css is applied: the matrix's cells are centred by it
    cell = page.locator("table.implmap-matrix td.implmap-cell").first
    assert cell.evaluate("e => getComputedStyle(e).textAlign") == "center"
    assert matrix is not None
    link = page.locator("table.implmap-matrix td.implmap-cell:not(.implmap-total) a").first
    domain = link.get_attribute("aria-label").split(" × ", 1)[0]
    link.click()
    page.wait_for_selector("#implmap-find tbody tr")
    assert "/map/find/" in page.url
    assert page.locator(".implmap-nojs").count() == 0  # the no-JavaScript note is gone
    assert page.locator("select[data-filter=domain]").input_value() == domain
    # a finding's study link (inserted by the script) opens the study page
    page.locator("#implmap-find tbody tr a").first.click()
    page.wait_for_load_state()
    assert "/map/studies/" in page.url and page.locator("h1").count() == 1
    assert errors == [] and outside == []
    ctx.close()
