"""The evidence map's layout in a real browser (wide screen, phone) and the built site opened
from disk (file://), with no web server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.browser

REVIEW = FIXTURES / "site-review"
ARTIFACTS = ROOT / "test-artifacts"
EXTRA_THEMES = [f"Another long theme name number {n}" for n in range(1, 7)]


@pytest.fixture(scope="module")
def wide_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site review with nine themes, a finding coded to each: a matrix wider than the
    theme's content column."""
    from implmap.site.serve import build_site

    tmp = tmp_path_factory.mktemp("wide")
    review = tmp / "rev"
    shutil.copytree(REVIEW, review)
    themes_path = review / "charting/themes.yaml"
    themes = yaml.safe_load(themes_path.read_text("utf-8"))
    themes += [{"id": f"extra-{n}", "name": name, "description": "More."}
               for n, name in enumerate(EXTRA_THEMES, 1)]
    themes_path.write_text(yaml.safe_dump(themes), "utf-8")
    path = review / "charting/studies/wu-2022.yaml"
    study = yaml.safe_load(path.read_text("utf-8"))
    base = study["findings"][0]
    study["findings"] += [{**base, "id": f"x{n}", "themes": [f"extra-{n}"],
                           "statement": f"A finding with a long statement, number {n}."}
                          for n in range(1, len(EXTRA_THEMES) + 1)]
    path.write_text(yaml.safe_dump(study), "utf-8")
    return build_site(review, tmp / "site")


@pytest.fixture
def context(browser, request) -> Iterator:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(**request.param)
    yield ctx
    ctx.close()


WIDE = {"viewport": {"width": 1400, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def _no_scroll_and_in_view(page, box: str, cell: str) -> None:  # type: ignore[no-untyped-def]
    scroll = page.locator(box)
    assert scroll.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), box
    right = page.locator(cell).bounding_box()
    assert right is not None and right["x"] + right["width"] <= 1400, (cell, right)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400


@pytest.mark.parametrize("context", [WIDE], indirect=True)
def test_matrix_and_find_table_use_the_width(context, wide_site: Path):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto((wide_site / "matrix.html").as_uri())
    assert page.locator("table.implmap-matrix thead th").count() == 2 + 3 + len(EXTRA_THEMES)
    _no_scroll_and_in_view(page, ".implmap-scroll:has(table.implmap-matrix)",
                           "table.implmap-matrix thead th.implmap-total")
    assert not page.locator(".md-sidebar--secondary").is_visible()  # no table of contents
    assert not page.locator(".implmap-scroll-hint").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-matrix-wide.png"), full_page=True)
    page.goto((wide_site / "find.html").as_uri())
    page.wait_for_selector("#implmap-find tbody tr")
    _no_scroll_and_in_view(page, "#implmap-find .implmap-scroll",
                           "#implmap-find thead th:last-child")
    assert page.inner_text("#implmap-find thead th:last-child") == "Study"
    assert page.locator("#implmap-find tbody td:last-child a").first.is_visible()


@pytest.mark.parametrize("context", [PHONE], indirect=True)
def test_on_a_phone_the_tables_say_they_scroll_and_keep_their_first_column(  # type: ignore[no-untyped-def]
    context, wide_site: Path
):
    page = context.new_page()
    for name, table in (("matrix", "table.implmap-matrix"), ("find", "table.implmap-find-table")):
        page.goto((wide_site / f"{name}.html").as_uri())
        page.wait_for_selector(f"{table} tbody tr")
        box = page.locator(f".implmap-scroll:has({table})")
        assert box.evaluate("e => e.scrollWidth > e.clientWidth"), name
        hint = page.locator(f".implmap-scroll-hint:near({table})").first
        assert hint.is_visible() and "sideways" in hint.inner_text(), name
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, name
        first = page.locator(f"{table} tbody tr:first-child > :first-child")
        x0 = first.bounding_box()["x"]
        box.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        assert box.evaluate("e => e.scrollLeft") > 100, name
        after = first.bounding_box()
        assert abs(after["x"] - x0) < 1 and after["x"] >= 0, name  # still in view
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"site-{name}-phone-scrolled.png"))


def test_the_built_site_works_opened_from_disk(browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    from implmap.site.serve import build_site

    out = build_site(REVIEW, tmp_path / "site")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((out / "index.html").as_uri())
    assert "Index of" not in page.title()
    assert page.locator("svg.implmap-flow").count() == 1
    page.click(".md-sidebar--primary a[href='matrix.html']")
    page.wait_for_selector("table.implmap-matrix")
    assert page.url.endswith("/matrix.html")
    # a cell → exactly its findings in the list; the data loads without a server
    page.click("table.implmap-matrix td.implmap-total a[aria-label^='Skills: ']")
    page.wait_for_selector("#implmap-find tbody tr")
    assert page.url.split("#")[0].endswith("/find.html")
    # a finding's study page, then all of that study's findings, then a search among them
    page.click("#implmap-find tbody tr:first-child td:last-child a")
    page.wait_for_selector("ul.implmap-findings")
    assert "/studies/" in page.url and page.url.split("#")[0].endswith(".html")
    study = page.url.split("/studies/")[1].split(".html")[0]
    page.click("text=All findings of this study in the list")
    page.wait_for_selector("#implmap-find tbody tr")
    rows = page.locator("#implmap-find tbody tr")
    assert rows.count() >= 2
    assert all(k.startswith(study + "/") for k in rows.evaluate_all(
        "rs => rs.map(r => r.dataset.finding)"))
    word = rows.first.locator("td.implmap-stmt").inner_text().split()[1]
    page.fill("input[data-filter=q]", word)
    assert rows.count() >= 1
    assert all(word.lower() in t.lower()
               for t in rows.locator("td.implmap-stmt").all_inner_texts())
    page.fill("input[data-filter=q]", "zzzz-no-such-word")
    assert rows.count() == 0
    assert "Showing 0 of" in page.inner_text("#implmap-find .implmap-status")
    assert errors == []
    ctx.close()
