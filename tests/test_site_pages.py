"""The evidence map's generation step: pages, links, counts, downloads and escaping."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import EVIDENCE, FIXTURES, ROOT
from implmap.records.links import doi_url as doi_href
from implmap.site import Links, build_pages, esc, plain_title
from support.guides import bash_commands, guide_blocks, run_command, run_guide
from support.pages import fixture_findings, parse
from support.servers import free_port
from support.wait import wait_until

REVIEW = FIXTURES / "site-review"
HOSTILE = FIXTURES / "site-hostile"
GUIDE = ROOT / "docs" / "guides" / "evidence-map.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from implmap.site.serve import build_site

    return build_site(REVIEW, tmp_path_factory.mktemp("site") / "out")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from implmap.site.serve import build_site

    return build_site(HOSTILE, tmp_path_factory.mktemp("hostile") / "out")


# ------------------------------------------------------------------------------ small pieces
SURFACE = {
    "Coding", "Diagram", "Domain", "Finding", "ImplmapConfig", "ImplmapPlugin",
    "Links", "MapData", "Pair", "Stage", "Study", "Theme", "build_pages", "build_site",
    "diagram_figure", "diagram_svg", "esc", "find_data_js", "findings_csv", "findings_json",
    "load_map", "plain_title", "prisma_diagram", "prisma_figure", "serve_site", "site_config",
    "slug", "studies_ris",
}


def test_public_surface_is_declared_once():
    """Changing implmap.site's public names must be deliberate: update SURFACE here too."""
    import implmap.site

    assert set(implmap.site.__all__) == SURFACE
    for name in implmap.site.__all__:
        assert getattr(implmap.site, name) is not None, name
    import implmap.site.pages

    assert implmap.site.pages.build_pages is build_pages  # the documented path


def test_import_site_is_light():
    """Importing implmap.site loads neither MkDocs nor pandas (MkDocs loads with the plugin)."""
    code = ("import sys, implmap.site; print(','.join(m for m in ('mkdocs', 'pandas', 'sklearn', "
            "'starlette') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_links_follow_the_url_style():
    d = Links(directory_urls=True)
    assert d.href("matrix.md", "find.md", "domain=Knowledge") == "../find/#domain=Knowledge"
    assert d.href("index.md", "matrix.md") == "matrix/"
    assert d.href("studies/a.md", "index.md") == "../../"
    assert d.href("studies/index.md", "studies/a.md") == "a/"
    assert d.href("studies/a.md", "assets/x.css") == "../../assets/x.css"
    f = Links(directory_urls=False)
    assert f.href("matrix.md", "find.md", "q=x") == "find.html#q=x"
    assert f.href("studies/a.md", "index.md") == "../index.html"
    assert f.href("studies/index.md", "assets/x.css") == "../assets/x.css"
    # for builders that rewrite links relative to the Markdown file (zensical)
    z = Links(source=True)
    assert z.href("matrix.md", "find.md", "domain=Knowledge") == "find.md#domain=Knowledge"
    assert z.href("studies/a.md", "index.md") == "../index.md"
    assert z.href("studies/index.md", "studies/a.md") == "a.md"
    assert z.href("studies/a.md", "assets/x.css") == "../assets/x.css"


def test_site_pages_for_plain_mkdocs_link_right(tmp_path: Path):
    """`implmap site pages --for mkdocs`, then MkDocs without the plugin: every link works."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from implmap.cli import cli

    res = CliRunner().invoke(cli, ["site", "pages", str(tmp_path / "docs" / "map"), "--for",
                                   "mkdocs", "--review", str(REVIEW)])
    assert res.exit_code == 0 and "(for mkdocs)" in res.output, res.output
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(
        {"site_name": "T", "theme": {"name": "material", "font": False}}))
    build(load_config(str(tmp_path / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    checked = 0
    for page in (tmp_path / "site" / "map").rglob("index.html"):
        for tag, attrs in parse(page).tags:
            url = attrs.get("href") if tag in ("a", "link") else attrs.get("src")
            if tag not in ("a", "link", "script") or not url or url.startswith(("#", "http")):
                continue
            target = (page.parent / url.split("#")[0]).resolve()
            if url.split("#")[0].endswith("/"):
                target = target / "index.html"
            assert target.exists(), (page, url)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", "{{ config }} {% raw %}", "a | b", "[x](javascript:y)",
     '<img src=x onerror="z">', "**b** _i_ `c` \\ #h"],
)
def test_esc_leaves_nothing_for_html_markdown_or_jinja(text: str):
    out = esc(text)
    for bad in "<>{}|[]()*_`\\\"'":
        assert bad not in out
    assert "javascript:" not in out
    import html

    assert html.unescape(out) == text


def test_doi_links_only_for_dois():
    assert doi_href("10.1000/abc(1)") == "https://doi.org/10.1000/abc%281%29"
    assert doi_href("https://doi.org/10.1002/msc.70108") == "https://doi.org/10.1002/msc.70108"
    assert doi_href("javascript:alert(1)//10.1000/x") is None
    assert doi_href("") is None
    assert plain_title('<b>"x"</b> {{y}}') == "b x /b y"


# ------------------------------------------------------------------------------------- pages
def test_build_pages_writes_every_page_and_asset(tmp_path: Path):
    out = tmp_path / "out"
    written = build_pages(REVIEW, out)
    rel = {p.relative_to(out).as_posix() for p in written}
    for name in ("index.md", "matrix.md", "find.md", "methods.md", "downloads.md",
                 "domains/index.md", "themes/index.md", "studies/index.md",
                 "studies/smith-2020.md", "themes/trust.md", "domains/knowledge.md",
                 "assets/implmap.css", "assets/implmap-find.js", "assets/find-data.js",
                 "downloads/findings.csv", "downloads/findings.json", "downloads/studies.ris"):
        assert name in rel, name
    assert all(p.exists() for p in written)
    # a rebuild removes the pages of studies that are gone, and nothing that is not the map's
    review = tmp_path / "rev"
    shutil.copytree(REVIEW, review)
    (review / "charting/studies/wu-2022.yaml").unlink()
    (out / "studies" / "mine.md").write_text("x")
    again = build_pages(review, out)
    assert not (out / "studies" / "wu-2022.md").exists()
    assert (out / "studies" / "mine.md").exists()
    assert {p.relative_to(out).as_posix() for p in again} == rel - {"studies/wu-2022.md"}


def test_matrix_cells_count_barriers_and_facilitators(built: Path):
    expected: Counter[tuple[str, str, str]] = Counter()
    for f in fixture_findings():
        for d in f["domains"]:
            for t in f["themes"]:
                expected[d, t, f["type"]] += 1
    tags = parse(built / "matrix.html")
    cells = {}
    for tag, attrs in tags.tags:
        label = attrs.get("aria-label", "")
        if tag == "a" and " × " in label and "#domain=" in attrs.get("href", ""):
            cells[attrs["href"]] = label
    from urllib.parse import unquote

    seen = set()
    for href, label in cells.items():
        frag = dict(p.split("=", 1) for p in href.split("#", 1)[1].split("&"))
        if "theme" not in frag:
            continue
        d, t = unquote(frag["domain"]), unquote(frag["theme"])
        b, f = expected[d, t, "barrier"], expected[d, t, "facilitator"]
        assert label.endswith(f": {b} barriers, {f} facilitators"), (label, b, f)
        seen.add((d, t))
    assert seen == {(d, t) for d, t, _ in expected}


def test_find_data_holds_every_finding(tmp_path: Path):
    build_pages(REVIEW, tmp_path)
    text = (tmp_path / "assets" / "find-data.js").read_text("utf-8")
    assert text.startswith("window.implmapFindData = ")
    data = json.loads(text[len("window.implmapFindData = "):].rstrip().rstrip(";"))
    findings = fixture_findings()
    assert len(data["rows"]) == len(findings)
    got = {(data["studies"][r[0]][0], r[1], "facilitator" if r[3] else "barrier",
            tuple(data["domains"][i] for i in r[6])) for r in data["rows"]}
    assert got == {(f["study"], f["id"], f["type"], tuple(f["domains"])) for f in findings}


def test_downloads_csv_json_ris(tmp_path: Path):
    build_pages(REVIEW, tmp_path)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "downloads/findings.csv").read_text())))
    assert len(rows) == len(fixture_findings())
    r = next(r for r in rows if r["study"] == "smith-2020" and r["finding"] == "f2")
    assert r["tdf_domains"] == "Knowledge; Skills" and r["type"] == "barrier"
    doc = json.loads((tmp_path / "downloads/findings.json").read_text())
    assert len(doc["findings"]) == len(rows)
    import rispy

    entries = rispy.loads((tmp_path / "downloads/studies.ris").read_text())
    assert [e.get("doi") for e in entries] == ["10.1000/test.2021.2", "10.1000/test.2020.1", None]


def test_csv_cells_never_start_a_formula(tmp_path: Path):
    review = tmp_path / "rev"
    shutil.copytree(REVIEW, review)
    path = review / "charting/studies/wu-2022.yaml"
    path.write_text(path.read_text().replace(
        "statement: Patients found it hard", "statement: =HYPERLINK(1) Patients found it hard"))
    build_pages(review, tmp_path / "out")
    text = (tmp_path / "out/downloads/findings.csv").read_text()
    assert "'=HYPERLINK(1)" in text


# ------------------------------------------------------------------------------ built site
def _html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_internal_link_resolves_and_nothing_loads_from_the_network(built: Path):
    for page in _html_files(built):
        if page.name == "404.html":  # served from any depth, so the theme links it absolutely
            continue
        for tag, attrs in parse(page).tags:
            for key in ("href", "src"):
                url = attrs.get(key)
                if not url:
                    continue
                if url.startswith(("http://", "https://")):
                    # only links a reader follows; never an asset (script, style, image, font)
                    assert tag == "a", (page, tag, url)
                    assert url.startswith(("https://doi.org/", "https://squidfunk.github.io/")), url
                    continue
                if url.startswith(("#", "mailto:")):
                    continue
                assert ":" not in url.split("/")[0], (page, url)
                target = (page.parent / url.split("#")[0].split("?")[0]).resolve()
                if url.split("#")[0].endswith("/") or url.split("#")[0] in ("", "."):
                    target = target / "index.html"
                assert target.exists(), (page, url)


def test_study_page_links_doi_and_back_to_its_findings(built: Path):
    tags = parse(built / "studies" / "smith-2020.html").tags
    hrefs = [a.get("href", "") for t, a in tags if t == "a"]
    assert "https://doi.org/10.1000/test.2020.1" in hrefs
    assert "../find.html#study=smith-2020" in hrefs
    assert ("../find.html#domain=Environmental%20Context%20and%20Resources&theme=time-money"
            in hrefs)
    ids = {a.get("id") for t, a in tags if t == "li"}
    assert {"f-f1", "f-f2", "f-f3"} <= ids


def test_overview_draws_the_flow_diagram_as_svg(built: Path):
    text = (built / "index.html").read_text("utf-8")
    assert '<svg class="implmap-flow"' in text
    shown = " ".join(parse(built / "index.html").text)
    assert "Studies included in review (n = 3)" in shown


# ------------------------------------------------------------------------------ hostile text
def test_hostile_review_builds_a_site_where_nothing_runs(hostile: Path):
    pages = _html_files(hostile)
    assert len(pages) > 10
    for page in pages:
        t = parse(page)
        for tag, attrs in t.tags:
            for name, value in attrs.items():
                assert not name.startswith("on"), (page, tag, name, value)
                assert not value.strip().lower().startswith("javascript:"), (page, tag, value)
            if tag in ("img", "svg") and "pwned" in json.dumps(attrs):
                pytest.fail(f"{page}: hostile {tag} became an element")
        for script in t.inline_scripts:
            assert "pwned" not in script, page
    shown = "".join(parse(hostile / "index.html").text)
    assert '<script>window.__pwned=1;alert("script")</script>' in shown  # shown, as text
    assert "{{ config.site_name }}" in shown and "| pipe | cell |" in shown


def test_hostile_markdown_pages_hold_no_live_markup(tmp_path: Path):
    for path in build_pages(HOSTILE, tmp_path):
        if path.suffix != ".md":
            continue
        text = path.read_text("utf-8")
        for bad in ("<script>window", "<img src=x", "{{ config", "{%", "](javascript:",
                    '<svg onload', "| pipe |"):
            assert bad not in text, (path, bad)


# ------------------------------------------------------------------------------ plugin, CLI
def test_plugin_adds_the_map_under_its_prefix_without_touching_docs(tmp_path: Path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nSee [the map](evidence/matrix.md).\n")
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text(yaml.safe_dump({
        "site_name": "T", "theme": {"name": "material", "font": False},
        "plugins": [{"implmap": {"review": str(REVIEW), "prefix": "evidence/"}}],
        "markdown_extensions": ["attr_list", "md_in_html"],
    }))
    build(load_config(str(cfg), site_dir=str(tmp_path / "site"), strict=True))
    assert (tmp_path / "site/evidence/matrix/index.html").exists()
    assert (tmp_path / "site/evidence/downloads/findings.csv").exists()
    assert sorted(p.name for p in docs.iterdir()) == ["index.md"]


def test_plugin_refuses_to_overwrite_the_docs(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    (tmp_path / "docs/map").mkdir(parents=True)
    (tmp_path / "docs/index.md").write_text("# Home\n")
    (tmp_path / "docs/map/index.md").write_text("# Mine\n")
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text(yaml.safe_dump({"site_name": "T", "plugins": [
        {"implmap": {"review": str(REVIEW)}}]}))
    with pytest.raises(Abort):
        build(load_config(str(cfg), site_dir=str(tmp_path / "site")))
    assert "the docs folder already has map/index.md" in caplog.text
    cfg.write_text(yaml.safe_dump({"site_name": "T", "plugins": [
        {"implmap": {"review": "no-such-review"}}]}))
    with pytest.raises(Abort):
        build(load_config(str(cfg), site_dir=str(tmp_path / "site")))
    assert "no-such-review: no such folder" in caplog.text


def test_cli_site_pages_and_build(tmp_path: Path):
    from implmap.cli import cli

    runner = CliRunner()
    res = runner.invoke(cli, ["site", "pages", str(tmp_path / "pages"), "--review", str(REVIEW)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "pages" / "matrix.md").exists()
    res = runner.invoke(cli, ["site", "build", str(REVIEW), "--out", str(tmp_path / "site")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "site" / "find.html").exists()
    res = runner.invoke(cli, ["site", "build", str(tmp_path / "nope")])
    assert res.exit_code == 1 and "Error:" in res.output


def test_repo_docs_build_strict_with_the_bundled_map(tmp_path: Path):
    """`mkdocs build --strict` of this repository's docs, evidence map included."""
    if not (EVIDENCE / "implmap.yaml").exists():
        pytest.skip("the bundled review evidence/ is absent")
    env = {"PYTHONPATH": str(ROOT / "src")}
    import os

    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert (tmp_path / "site/map/matrix/index.html").exists()
    assert (tmp_path / "site/guides/evidence-map/index.html").exists()


def test_the_guide_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The Python examples of docs/guides/evidence-map.md, on the bundled review."""
    blocks = guide_blocks(GUIDE, "python")
    assert len(blocks) >= 2
    source = EVIDENCE if (EVIDENCE / "implmap.yaml").exists() else REVIEW
    (tmp_path / "evidence").symlink_to(source, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    run_guide(GUIDE, skip=lambda lang, body: "serve_site(" in body)  # serves until Ctrl+C
    assert (tmp_path / "site" / "matrix.html").exists()


def test_the_guide_cli_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The `implmap site build` and `implmap site pages` lines of the guide, as written
    (`site serve` is run by test_site_serve_rebuilds_when_the_review_changes)."""
    runnable = [ln for ln in bash_commands(GUIDE)
                if ln.startswith(("implmap site build", "implmap site pages"))]
    assert len(runnable) == 2
    source = EVIDENCE if (EVIDENCE / "implmap.yaml").exists() else REVIEW
    (tmp_path / "evidence").symlink_to(source, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    for line in runnable:
        res = run_command(line)
        assert res.exit_code == 0, (line, res.output)
    assert (tmp_path / "site/find.html").exists()
    assert (tmp_path / "docs/map/matrix.md").exists()


def _get(url: str) -> str | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None


def test_site_serve_rebuilds_when_the_review_changes(tmp_path: Path):
    """`implmap site serve REVIEW` serves on 127.0.0.1 and picks up edits to the review."""
    import os

    review = tmp_path / "rev"
    shutil.copytree(REVIEW, review)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    log = tmp_path / "serve.log"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from implmap.cli import main; main()", "site", "serve",
             str(review), "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=err,
        )
    url = f"http://127.0.0.1:{port}/themes/trust.html"
    try:
        # up, or given up (then the log says why)
        page = wait_until(lambda: _get(url), lambda p: p is not None or proc.poll() is not None,
                          timeout=60, interval=0.1)
        assert page is not None, log.read_text()
        assert "Trust in the treatment" in page
        themes = review / "charting" / "themes.yaml"
        themes.write_text(themes.read_text().replace("Trust in the treatment", "Belief in it"))
        page = wait_until(lambda: _get(url) or "", lambda p: "Belief in it" in p, timeout=60,
                          interval=0.1)
        assert "Belief in it" in page
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_flow_diagram_and_methods_use_the_screening_counts(built: Path):
    shown = "".join(parse(built / "index.html").text)
    shown = " ".join(parse(built / "index.html").text)
    for text in ("Records identified from: Databases (n = 8)", "– TestDB (n = 8)",
                 "Records screened (n = 8)", "Records excluded (n = 4)",
                 "Reports sought for retrieval (n = 4)", "Reports not retrieved (n = 0)",
                 "Reports assessed for eligibility (n = 4)", "Reports excluded: wrong concept "
                 "(n = 1)", "Studies included in review (n = 3)"):
        assert text in shown, text
    methods = " ".join(" ".join(parse(built / "methods.html").text).split())
    # title/abstract: ana and ben agree on 6 of 8 (maybe counts as include); both conflicts
    # resolved; full text: 4 of 4
    assert "Title and abstract 8 ana & ben 8 75% 0.47 2 2" in methods
    assert "Full text 4 ana & ben 4 100% 1.00 0 0" in methods


def test_big_groups_on_domain_pages_link_to_the_full_list(tmp_path: Path):
    from implmap.site.pages import GROUP_CAP

    review = tmp_path / "rev"
    shutil.copytree(REVIEW, review)
    path = review / "charting/studies/wu-2022.yaml"
    study = yaml.safe_load(path.read_text())
    base = study["findings"][1]  # Environmental Context and Resources × time-money
    study["findings"] = [{**base, "id": f"m{n}", "statement": f"Finding {n}"}
                         for n in range(GROUP_CAP + 7)]
    path.write_text(yaml.safe_dump(study))
    build_pages(review, tmp_path / "out")
    text = (tmp_path / "out/domains/environmental-context-and-resources.md").read_text()
    total = GROUP_CAP + 7 + 2  # and two from the other studies
    assert f"… and {total - GROUP_CAP} more: see" in text
    assert f"all {total} in the list" in text
    assert "#domain=Environmental%20Context%20and%20Resources&amp;theme=time-money" in text


def test_comb_summary_and_domain_pages_follow_the_vocabulary(built: Path):
    from implmap import Review

    v = Review(REVIEW).vocabulary()
    every = fixture_findings()
    tags = parse(built / "matrix.html").tags
    labels = {a["aria-label"] for t, a in tags if t == "a" and "#comb=" in a.get("href", "")}
    for comp in v.comb_components:
        hit = [f for f in every if comp in v.comb(f["domains"])]
        if not hit:
            continue
        b = sum(f["type"] == "barrier" for f in hit)
        assert f"{comp}: {b} barriers, {len(hit) - b} facilitators" in labels
    shown = " ".join(" ".join(parse(built / "domains/knowledge.html").text).split())
    knowledge = v.domain("Knowledge")
    assert " ".join(knowledge.description.split()) in shown
    functions = ", ".join(v.functions(v.comb("Knowledge")))
    assert f"Intervention functions that address it {functions}" in shown
    assert "Procedural knowledge" in shown


def test_methods_report_dual_coding(built: Path):
    from implmap import Review

    a = Review(REVIEW).coding_agreement()
    methods = " ".join(" ".join(parse(built / "methods.html").text).split())
    assert f"{a.n_dual} of {a.n_findings} findings were coded independently" in methods
    k = a.pooled["ana~ben"]
    assert f"ana & ben {k['domains']:.2f} {k['themes']:.2f}" in methods
