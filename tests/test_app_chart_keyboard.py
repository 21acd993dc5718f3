"""Acceptance tests of issue #13: charting from the keyboard in the app, and the map built from it.

A reviewer charts a study of 15 findings in Debian chromium with the keyboard alone (suggestions
accepted with a digit, domains found with ``/``, saved with ``s``, next with ``j``), never
touching a YAML file; the page works at 1400 px and at 390 px. Then: two coders code a finding
blind, the arbiter reconciles it, and the built evidence map shows the agreed tags only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from implmap import Review
from implmap.app import create_app
from implmap.charting.coding import code, codings
from implmap.charting.reconcile import reconcile
from support.builders import charting_review, charting_study, make_review, write_decisions
from support.paths import FIXTURES
from support.servers import running, serve_dir

pytestmark = pytest.mark.browser

TOKEN = "chart-keyboard-token"
STUDY = "berg-2020"
#: the 15 findings of the study charted from the keyboard (varied, as a reviewer writes them)
STATEMENTS = [
    "Nurses had no time in their schedule for the extra assessments.",
    "Nurses did not know the steps of the new assessment.",
    "Colleagues who backed the pathway made nurses keen to use it.",
    "Managers did not pay for the training sessions the pathway needed.",
    "Nurses feared that patients would be harmed by the shorter visits.",
    "Staff forgot to fill in the checklist on busy days.",
    "Nurses felt confident that they could run the assessments alone.",
    "The electronic record had no field for the pain score.",
    "Nurses saw pain assessment as part of their professional role.",
    "Reminders on the ward whiteboard helped staff remember the pathway.",
    "Some nurses were anxious about making the wrong decision.",
    "Nurses were rewarded with protected time when audits went well.",
    "Nurses lacked the skills to examine older patients' joints.",
    "Nurses planned to use the pathway with every new patient.",
    "Teams that met weekly shared tips and solved problems together.",
]
#: domains picked with the search (``/``), in turn
SEARCHED = ["Knowledge", "Skills", "Social Influences", "Emotion", "Beliefs about Capabilities",
            "Memory, Attention and Decision Processes", "Reinforcement", "Intentions"]
THEMES = {"time": "Time and money", "teamwork": "Teamwork"}


def keyboard_review(root: Path) -> Review:
    """Three records screened by ana and ben; two included at full text: ``berg-2020`` (15
    findings, none tagged) and ``dahl-2021`` (findings already reconciled by cam, the arbiter,
    so the suggestions learn from agreed tags too)."""
    review = make_review(root, title="Keyboard charting", reviewers=("ana", "ben"), third="cam")
    review.import_file(FIXTURES / "charting" / "mini.ris", database="Handmade")
    ids = [r.id for r in review.iter_records()]
    for who in ("ana", "ben"):
        write_decisions(review, who, "title_abstract", dict.fromkeys(ids, "include"))
    for who in ("ana", "ben"):
        write_decisions(review, who, "full_text", {ids[0]: "include", ids[1]: "include",
                                                   ids[2]: ("exclude", "wrong concept")})
    charting_study(review, STUDY, ids[0], [{"statement": s} for s in STATEMENTS])
    agreed = {"agreed_by": ["cam"], "agreed_at": "2026-01-20T10:00:00+00:00"}
    charting_study(review, "dahl-2021", ids[1], [
        {"statement": "Physiotherapists were not paid for the time the pathway took.",
         "tdf": [{"domain": "Reinforcement", "constructs": ["Incentives"]}],
         "themes": ["time"], **agreed},
        {"statement": "Physiotherapists did not know how to grade the exercises.",
         "tdf": [{"domain": "Knowledge", "constructs": []}], "themes": ["teamwork"], **agreed},
        {"statement": "A shared plan with the GPs made the referrals easy.", "type": "facilitator",
         "tdf": [{"domain": "Social Influences", "constructs": ["Social support"]}],
         "themes": ["teamwork"], **agreed},
    ])
    return Review(review.root)


def files(review: Review) -> dict[str, bytes]:
    """Every file of the charting folder's YAML (studies and themes), as bytes."""
    folder = Path(review.studies_dir).parent
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.suffix in (".yaml", ".yml")}


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    """Nothing on the page is wider than the window (no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _in_view_across(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    """``selector`` is visible and lies inside the window from left to right."""
    from playwright.sync_api import expect

    loc = page.locator(selector)
    expect(loc).to_be_visible()
    box = loc.bounding_box()
    width = page.evaluate("window.innerWidth")
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box, width)


def _search(page, query: str, term: str) -> None:  # type: ignore[no-untyped-def]
    """With the keyboard: ``/``, type ``query``, arrow down to ``term``, Enter, Esc."""
    from playwright.sync_api import expect

    page.keyboard.press("/")
    page.keyboard.type(query)
    hit = page.locator("#picker li.hit .term")
    expect(hit).to_be_visible()
    _in_view_across(page, "#picker")
    for _ in range(30):
        if hit.inner_text() == term:
            break
        page.keyboard.press("ArrowDown")
    expect(hit).to_have_text(term)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def _suggested(page, theme: bool) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The digit key of the first suggested domain (or theme) and its label."""
    texts = page.locator("#suggestions li").all_inner_texts()
    for n, text in enumerate(texts, start=1):
        label = text.rsplit(" (", 1)[0]
        if label.startswith("theme: ") == theme:
            return str(n), label.removeprefix("theme: ")
    raise AssertionError(f"no suggested {'theme' if theme else 'domain'} in {texts}")


def chart_from_the_keyboard(page, n: int) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Code the first ``n`` findings of STUDY with the keyboard only; return the tags each
    should have ({finding: {"tdf": ..., "themes": [...]}})."""
    from playwright.sync_api import expect

    names = {v: k for k, v in THEMES.items()}
    want = {}
    for i in range(n):
        fid = f"f{i + 1}"
        expect(page.locator("#f-pos")).to_contain_text(f"{STUDY} · {fid} (")
        expect(page.locator("#f-statement")).to_have_text(STATEMENTS[i])
        # the suggestions for this finding are in (the model always has the vocabulary)
        expect(page.locator("#suggestions li:not(.muted)").first).to_be_visible()
        expect(page.locator("#tags li")).to_have_count(0)
        if i % 2 == 0:  # accept the first suggested domain with its digit; search a theme
            key, domain = _suggested(page, theme=False)
            page.keyboard.press(key)
            theme = "teamwork" if i % 4 == 0 else "time"
            _search(page, f"theme: {THEMES[theme][:4]}", f"theme: {THEMES[theme]}")
        else:  # search a domain; accept the first suggested theme with its digit
            domain = SEARCHED[(i // 2) % len(SEARCHED)]
            _search(page, domain.lower(), domain)
            key, name = _suggested(page, theme=True)
            page.keyboard.press(key)
            theme = names[name]
        expect(page.locator("#tags li")).to_have_count(2)
        for selector in ("#picker-search", "button[data-action='save']",
                         "button[data-action='withdraw']", "#suggestions"):
            _in_view_across(page, selector)
        assert _fits(page), fid
        page.keyboard.press("s")
        expect(page.locator("#status")).to_have_text("saved")
        # the list marks the finding coded (a tick) without reloading the page
        expect(page.locator(f"#finding-list li:has(> button[data-key='{STUDY}/{fid}'])")
               ).to_have_class("coded")
        want[fid] = {"tdf": [{"domain": domain, "constructs": []}], "themes": [theme]}
        page.keyboard.press("j")
    return want


@pytest.mark.parametrize(("width", "height", "n"), [(1400, 900, 15), (390, 844, 3)],
                         ids=["1400px-15-findings", "390px-3-findings"])
def test_a_reviewer_charts_a_study_from_the_keyboard_without_opening_yaml(
        browser, tmp_path: Path, width: int, height: int, n: int):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    review = keyboard_review(tmp_path / "rev")
    before = files(review)
    assert codings(review, "ana") == {}
    app = create_app(review, "ana", mode="chart", token=TOKEN)
    context = browser.new_context(viewport={"width": width, "height": height},
                                  is_mobile=width < 600)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        with running(app) as base:
            page.goto(f"{base}/?token={TOKEN}")
            page.wait_for_selector("body[data-ready='1']")
            want = chart_from_the_keyboard(page, n)
            expect(page.locator("#progress-text")).to_contain_text(f"{n} of 18 findings coded")
            assert _fits(page)
            page.screenshot(path=str(tmp_path / f"chart-keyboard-{width}.png"), full_page=True)
    finally:
        context.close()
    assert errors == []
    mine = codings(review, "ana")
    assert len(mine) == n and set(mine) == {(STUDY, f"f{i + 1}") for i in range(n)}
    for fid, tags in want.items():
        got = mine[(STUDY, fid)]
        assert {"tdf": got["tdf"], "themes": got["themes"]} == tags, fid
    assert files(review) == before  # no YAML file was touched
    assert codings(review, "ben") == {}


def test_the_map_shows_the_agreed_coding(browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from implmap.site.serve import build_site

    review, _ = charting_review(tmp_path / "rev")
    # ana and ben code study-a/f3 blind, each in their own log; cam (the arbiter) agrees
    code(review, "ana", "study-a", "f3", [{"domain": "Knowledge"}], ["teamwork"])
    code(review, "ben", "study-a", "f3", [{"domain": "Optimism",
                                           "constructs": ["Unrealistic optimism"]}], ["time"])
    reconcile(review, "study-a", "f3",
              [{"domain": "Knowledge", "constructs": ["Procedural knowledge"]}], ["teamwork"],
              by="cam")
    out = build_site(review, tmp_path / "site")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        with serve_dir(out) as url:
            page.goto(url + "studies/study-a.html")
            item = page.locator("#f-f3")
            expect(item).to_contain_text("Nurses did not know the steps of the new assessment.")
            expect(item.locator("a[href$='domains/knowledge.html']")).to_have_text("Knowledge")
            expect(item.locator("a[href$='themes/teamwork.html']")).to_have_text("Teamwork")
            expect(item).to_contain_text("Procedural knowledge")
            text = item.inner_text()
            for unagreed in ("Optimism", "Unrealistic optimism", "Time and money"):
                assert unagreed not in text, unagreed
            # the matrix: the agreed cell holds it; ben's domain has no finding at all
            page.goto(url + "matrix.html")
            page.wait_for_selector("table.implmap-matrix")
            cell = page.locator("table.implmap-matrix td.implmap-cell:not(.implmap-total) "
                                "a[aria-label^='Knowledge × Teamwork']")
            expect(cell).to_have_count(1)
            assert "1 barriers" in cell.get_attribute("aria-label")
            assert page.locator("table.implmap-matrix a[aria-label^='Optimism']").count() == 0
            cell.click()
            page.wait_for_selector("#implmap-find tbody tr")
            shown = page.eval_on_selector_all("#implmap-find tbody tr",
                                              "rows => rows.map(r => r.dataset.finding)")
            assert shown == ["study-a/f3"]
            page.goto(url + "find.html#domain=Optimism")
            page.wait_for_selector("#implmap-find")
            assert page.locator("#implmap-find tbody tr[data-finding='study-a/f3']").count() == 0
    finally:
        context.close()
