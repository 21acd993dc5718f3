"""The PRISMA 2020 flow diagram: the template's boxes, word for word; one SVG for the map and
the command line; PNG and PDF files; every box in view in a browser at 1400 px."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from implmap import Review
from implmap.cli import cli
from implmap.site import diagram_svg, prisma_diagram, prisma_figure
from support.paths import EVIDENCE

# The boxes of the PRISMA 2020 flow diagram for new systematic reviews which included searches
# of databases, registers and other sources (Page MJ, McKenzie JE, Bossuyt PM, et al. The
# PRISMA 2020 statement. BMJ 2021;372:n71, figure 1), each box's first words, in reading order.
PRISMA_2020 = [
    "Identification of studies via databases and registers",
    "Identification of studies via other methods",
    "Records identified from:",  # Databases (n = ) Registers (n = )
    "Records removed before screening:",  # Duplicate records removed (n = ) ...
    "Records identified from:",  # Websites (n = ) Organisations (n = ) Citation searching ...
    "Records screened",
    "Records excluded",
    "Reports sought for retrieval",
    "Reports not retrieved",
    "Reports sought for retrieval",
    "Reports not retrieved",
    "Reports assessed for eligibility",
    "Reports excluded:",  # Reason 1 (n = ) ...
    "Reports assessed for eligibility",
    "Reports excluded:",
    "Studies included in review",  # ... Reports of included studies (n = )
    "Identification",
    "Screening",
    "Included",
]
PRISMA_2020_DETAILS = ["Databases", "Registers", "Duplicate records removed",
                       "Records marked as ineligible by automation tools",
                       "Records removed for other reasons", "Reports of included studies"]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Review:
    root = tmp_path_factory.mktemp("prisma") / "evidence"
    shutil.copytree(EVIDENCE, root, ignore=shutil.ignore_patterns(".implmap"))
    return Review(root)


def _boxes(svg: str) -> list[tuple[str, str]]:
    """(data-label, the box's text) of every box of an SVG, in order."""
    root = ET.fromstring(svg.split("?>", 1)[-1])
    out = []
    for g in root.iter(f"{SVG}g"):
        text = " ".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
        out.append((g.get("data-label") or "", text))
    return out


def test_the_boxes_are_the_prisma_2020_template(bundled: Review) -> None:
    svg = str(prisma_figure(bundled, "svg"))
    boxes = _boxes(svg)
    assert [label for label, _ in boxes] == PRISMA_2020
    for label, text in boxes:
        assert text.startswith(label)
    everything = " ".join(text for _, text in boxes)
    for words in PRISMA_2020_DETAILS:
        assert words in everything
    # the bundled review's five documents were supplied: the other-methods branch
    assert "Seed documents (n = 5)" in everything
    assert "Studies included in review (n = 4) Reports of included studies (n = 4)" in everything
    assert "Studies included in the map" not in svg


def test_the_map_and_the_command_line_draw_the_same_svg(bundled: Review) -> None:
    from implmap.site.data import load_map

    d = prisma_diagram(bundled)
    assert load_map(bundled).flow == d
    inline = diagram_svg(d)
    standalone = str(prisma_figure(bundled, "svg"))
    assert re.sub(r"<style>.*?</style>", "", standalone.split("?>\n", 1)[1]).strip() == inline
    out = CliRunner().invoke(cli, ["prisma", "--format", "svg", "-r", str(bundled.root)])
    assert out.exit_code == 0 and _boxes(out.output) == _boxes(inline)


def test_png_and_pdf_files(bundled: Review, tmp_path: Path) -> None:
    run = CliRunner().invoke
    for fmt, magic in (("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF-")):
        path = tmp_path / f"prisma.{fmt}"
        res = run(cli, ["prisma", "--format", fmt, "-o", str(path), "-r", str(bundled.root)])
        assert res.exit_code == 0, res.output
        data = path.read_bytes()
        assert data.startswith(magic) and len(data) > 10_000
    guessed = tmp_path / "flow.pdf"
    assert run(cli, ["prisma", "-o", str(guessed), "-r", str(bundled.root)]).exit_code == 0
    assert guessed.read_bytes().startswith(b"%PDF-")
    refused = run(cli, ["prisma", "--format", "png", "-r", str(bundled.root)])
    assert refused.exit_code == 1 and "--output" in refused.output


def test_mid_screening_counts_only_reports_read(tmp_path: Path) -> None:
    from support.builders import screening_review, write_decisions

    rev = screening_review(tmp_path / "r", n=4)
    ids = rev.record_ids()
    for who in ("ana", "ben"):
        write_decisions(rev, who, "title_abstract", {i: "include" for i in ids})
    write_decisions(rev, "ana", "full_text", {ids[0]: "include"})
    c = rev.prisma_counts()
    assert (c.reports_sought, c.reports_assessed, c.reports_awaiting_assessment) == (4, 1, 3)
    text = " ".join(t for _, t in _boxes(str(rev.prisma_figure("svg"))))
    assert "Reports assessed for eligibility (n = 1)" in text
    assert "Awaiting retrieval or assessment (n = 3)" in text
    assert "Identification of studies via other methods" not in text


def test_hostile_database_name_stays_text(tmp_path: Path) -> None:
    from support.builders import make_review

    evil = '<img src=x onerror=alert(1)>"&'
    rev = make_review(tmp_path / "r", searches={evil: [{"title": "A"}]})
    svg = str(prisma_figure(rev, "svg"))
    assert "<img" not in svg
    assert any(evil in text for _, text in _boxes(svg))


@pytest.mark.browser
def test_every_box_is_in_view_at_1400_px(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from implmap.site.serve import build_site
    from support.servers import serve_dir

    root = tmp_path / "evidence"
    shutil.copytree(EVIDENCE, root, ignore=shutil.ignore_patterns(".implmap"))
    out = build_site(root, tmp_path / "out")
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    with serve_dir(out) as url:
        page.goto(url)
        page.wait_for_selector("svg.implmap-flow")
        boxes = page.locator("svg.implmap-flow g.implmap-flow-box")
        assert boxes.count() == len(PRISMA_2020)
        for i in range(boxes.count()):
            box = boxes.nth(i)
            label = box.get_attribute("data-label")
            assert box.is_visible(), label
            r = box.bounding_box()
            assert r is not None and r["x"] >= 0 and r["x"] + r["width"] <= 1400, label
            for t in range(box.locator("text").count()):
                tb = box.locator("text").nth(t).bounding_box()
                assert tb is not None and tb["x"] + tb["width"] <= r["x"] + r["width"] + 2, label
        shown = page.eval_on_selector_all(
            "svg.implmap-flow text", "ts => ts.map(t => t.textContent).join(' ')")
        for label in set(PRISMA_2020):
            assert label in shown, label
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400
        # every arrow is drawn as a line (stroked, not filled: a bent arrow is no triangle)
        arrows = page.eval_on_selector_all(
            "svg.implmap-flow polyline", "ps => ps.map(p => [getComputedStyle(p).stroke, "
            "getComputedStyle(p).fill, getComputedStyle(p).strokeWidth])")
        assert arrows and all(stroke not in ("none", "") and fill == "none" and width != "0px"
                              for stroke, fill, width in arrows), arrows
    ctx.close()
