"""The evidence map in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ROOT
from support.pages import fixture_findings
from support.servers import serve_dir

pytestmark = pytest.mark.browser

REVIEW = FIXTURES / "site-review"
HOSTILE = FIXTURES / "site-hostile"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from implmap.site.serve import build_site

    out = build_site(REVIEW, tmp_path_factory.mktemp("bsite") / "out")
    with serve_dir(out) as url:
        yield url


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    p = ctx.new_page()
    p.console_errors = []  # type: ignore[attr-defined]
    p.on("console", lambda m: m.type == "error" and p.console_errors.append(m.text))
    p.on("pageerror", lambda e: p.console_errors.append(str(e)))
    yield p
    ctx.close()


def shown_keys(page) -> set[str]:  # type: ignore[no-untyped-def]
    return set(page.eval_on_selector_all(
        "#implmap-find tbody tr", "rows => rows.map(r => r.dataset.finding)"))


def test_matrix_loads_without_console_errors(page, site_url: str):  # type: ignore[no-untyped-def]
    page.goto(site_url + "matrix.html")
    page.wait_for_selector("table.implmap-matrix")
    assert page.locator("table.implmap-matrix td.implmap-cell:not(.implmap-total) a").count() > 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-matrix.png"), full_page=True)
    assert page.console_errors == []


def test_clicking_a_cell_shows_exactly_its_findings(page, site_url: str):  # type: ignore[no-untyped-def]
    page.goto(site_url + "matrix.html")
    expected_all = fixture_findings()
    cells = page.locator("table.implmap-matrix td.implmap-cell:not(.implmap-total) a")
    for i in range(cells.count()):
        page.goto(site_url + "matrix.html")
        link = page.locator("table.implmap-matrix td.implmap-cell:not(.implmap-total) a").nth(i)
        label = link.get_attribute("aria-label")
        domain = label.split(" × ", 1)[0]
        link.click()
        page.wait_for_selector("#implmap-find tbody tr")
        theme = page.locator("select[data-filter=theme]").input_value()
        assert page.locator("select[data-filter=domain]").input_value() == domain
        want = {f["key"] for f in expected_all if domain in f["domains"] and theme in f["themes"]}
        assert shown_keys(page) == want, label
    # a row's total: every finding of the domain
    page.goto(site_url + "matrix.html")
    page.click("table.implmap-matrix td.implmap-total a[aria-label^='Skills: ']")
    page.wait_for_selector("#implmap-find tbody tr")
    assert shown_keys(page) == {f["key"] for f in expected_all if "Skills" in f["domains"]}
    assert page.console_errors == []


def test_filters_narrow_the_table(page, site_url: str):  # type: ignore[no-untyped-def]
    every = fixture_findings()
    page.goto(site_url + "find.html")
    page.wait_for_selector("#implmap-find tbody tr")
    assert shown_keys(page) == {f["key"] for f in every}
    page.select_option("select[data-filter=type]", "facilitator")
    fac = {f["key"] for f in every if f["type"] == "facilitator"}
    assert shown_keys(page) == fac
    page.select_option("select[data-filter=domain]", "Skills")
    assert shown_keys(page) == {f["key"] for f in every
                                if f["type"] == "facilitator" and "Skills" in f["domains"]}
    assert "domain=Skills" in page.url and "type=facilitator" in page.url
    page.click("button.implmap-reset")
    page.select_option("select[data-filter=perspective]", "patients")
    assert shown_keys(page) == {f["key"] for f in every if "patients" in f["perspective"]}
    page.select_option("select[data-filter=perspective]", "")
    page.select_option("select[data-filter=level]", "system")
    assert shown_keys(page) == {f["key"] for f in every if f["level"] == "system"}
    page.select_option("select[data-filter=level]", "")
    page.fill("input[data-filter=q]", "consultation TIME")
    assert shown_keys(page) == {"smith-2020/f1"}
    page.fill("input[data-filter=q]", "")
    page.select_option("select[data-filter=theme]", "trust")
    assert shown_keys(page) == {f["key"] for f in every if "trust" in f["themes"]}
    assert "Showing 3 of 8 findings." in page.inner_text("#implmap-find .implmap-status")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-find.png"), full_page=True)
    assert page.console_errors == []


def test_study_page_links_back_to_its_findings(page, site_url: str):  # type: ignore[no-untyped-def]
    page.goto(site_url + "studies/lee-2021.html")
    page.click("#f-f2 .implmap-cells a")  # the matrix cell of finding f2
    page.wait_for_selector("#implmap-find tbody tr")
    assert "lee-2021/f2" in shown_keys(page)
    # and from the list back to the finding on the study page
    page.click("tr[data-finding='lee-2021/f2'] a")
    page.wait_for_url("**/studies/lee-2021.html#f-f2")
    assert page.locator("#f-f2").is_visible()
    page.goto(site_url + "studies/lee-2021.html")
    page.click("text=All findings of this study in the list")
    page.wait_for_selector("#implmap-find tbody tr")
    assert shown_keys(page) == {"lee-2021/f1", "lee-2021/f2", "lee-2021/f3"}
    assert page.console_errors == []


def test_domain_page_on_a_phone(browser, site_url: str):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    p = ctx.new_page()
    p.goto(site_url + "domains/environmental-context-and-resources.html")
    assert p.locator("ul.implmap-findings li").count() == 3
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / "site-domain-phone.png"), full_page=True)
    p.goto(site_url + "matrix.html")
    # the matrix scrolls sideways inside its own box; the page itself does not
    assert p.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    box = p.locator(".implmap-scroll:has(table.implmap-matrix)")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    # and its first column stays in view while it scrolls
    first = p.locator("table.implmap-matrix tbody th").first
    x0 = first.bounding_box()["x"]
    box.evaluate("e => { e.scrollLeft = 200; }")
    assert abs(first.bounding_box()["x"] - x0) < 1
    p.screenshot(path=str(ARTIFACTS / "site-matrix-phone.png"), full_page=True)
    ctx.close()


def test_paging_through_many_findings(browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    import shutil

    from implmap.site.serve import build_site

    review = tmp_path / "rev"
    shutil.copytree(REVIEW, review)
    study = yaml.safe_load((review / "charting/studies/wu-2022.yaml").read_text())
    base = study["findings"][0]
    study["findings"] = [{**base, "id": f"m{n}", "statement": f"Finding number {n}"}
                         for n in range(120)]
    (review / "charting/studies/wu-2022.yaml").write_text(yaml.safe_dump(study))
    out = build_site(review, tmp_path / "site")
    with serve_dir(out) as url:
        p = browser.new_page()
        p.goto(url + "find.html#study=wu-2022")
        p.wait_for_selector("#implmap-find tbody tr")
        assert p.locator("#implmap-find tbody tr").count() == 50
        assert "Page 1 of 3" in p.inner_text(".implmap-pager")
        p.click("text=Next →")
        p.click("text=Next →")
        assert p.locator("#implmap-find tbody tr").count() == 20
        p.close()


def test_hostile_review_runs_no_script(browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    from implmap.site.serve import build_site

    out = build_site(HOSTILE, tmp_path / "site")
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert len(pages) > 10
    dialogs: list[str] = []
    with serve_dir(out) as url:
        ctx = browser.new_context()
        p = ctx.new_page()
        p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        errors: list[str] = []
        p.on("pageerror", lambda e: errors.append(str(e)))
        for rel in pages:
            p.goto(url + rel, wait_until="domcontentloaded")  # scripts in the page have run
            assert p.evaluate("typeof window.__pwned") == "undefined", rel
            assert p.locator("img[src=x]").count() == 0, rel
        p.goto(url + "find.html")
        p.wait_for_selector("#implmap-find tbody tr")
        p.fill("input[data-filter=q]", "pwned")
        assert '<script>window.__pwned=1;alert("script")</script>' in p.inner_text(
            "#implmap-find tbody")
        for sel in ("domain", "theme", "perspective", "level", "study"):
            p.locator(f"select[data-filter={sel}]").select_option(index=1)
            p.locator(f"select[data-filter={sel}]").select_option(index=0)
        # the theme's search box, over the hostile text
        p.goto(url)
        p.keyboard.press("/")
        p.keyboard.type("pwned script")
        p.wait_for_timeout(800)
        assert p.evaluate("typeof window.__pwned") == "undefined"
        ctx.close()
    assert dialogs == []
    assert errors == []
