"""``implmap check`` on charting files reports every problem of every file in one run; a TDF
name with a comma is never split; bad input gets a clear message and hostile text stays text."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from implmap import Review
from implmap.charting.store import load_studies
from implmap.cli import cli
from support.builders import charting_review

MADP = "Memory, Attention and Decision Processes"
REWARDS = "Rewards (proximal / distal, valued / not valued, probable / improbable)"


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def _edit(path: Path, *pairs: tuple[str, str]) -> str:
    text = path.read_text("utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, "utf-8")
    return text


COMMA_FINDINGS = f"""\
- id: f2
  statement: Nurses forgot the new steps when the ward was busy.
  type: barrier
  tdf: [{{domain: {MADP}, constructs: [Memory, Decision making]}}]
- id: f3
  statement: A small payment for each assessment kept physiotherapists at it.
  type: facilitator
  tdf:
  - domain: {MADP}
    constructs: [Attention, Cognitive overload / tiredness]
  - {{domain: Reinforcement, constructs: [{REWARDS}, Incentives]}}
"""


def _broken_review(root: Path) -> tuple[Review, dict[str, str]]:
    review, _ = charting_review(root)
    studies = review.studies_dir
    a = _edit(studies / "study-a.yaml",
              # one finding: an empty statement and an unknown domain
              ("statement: Nurses had no time in their schedule for the extra assessments.",
               'statement: ""'),
              ("domain: Environmental Context and Resources", "domain: Memory"),
              # the next: its ID repeats the first's, and an unknown construct
              ("- id: f2", "- id: f1"),
              ("[Social support]", "[Peer pressure]"))
    b = _edit(studies / "study-b.yaml",
              # a schema error and an unknown theme in the same finding
              ("level: system", "level: national"),
              ("  themes: [time]\n", "  themes: [tiem]\n"))
    b += COMMA_FINDINGS
    (studies / "study-b.yaml").write_text(b, "utf-8")
    c = "id: study-c\nrecords: [x\ncitation: C. 2020.\n"
    (studies / "study-c.yaml").write_text(c, "utf-8")
    return review, {"a": a, "b": b, "c": c}


def test_one_check_reports_every_problem_of_every_file(tmp_path):
    review, texts = _broken_review(tmp_path / "r")
    a, b = "charting/studies/study-a.yaml", "charting/studies/study-b.yaml"
    expected = [  # code, file, line, field, record, part of the message
        ("empty-statement", a, line_of(texts["a"], 'statement: ""'), "findings[0].statement",
         "f1", "statement is missing or empty"),
        ("unknown-domain", a, line_of(texts["a"], "domain: Memory"), "findings[0].tdf[0].domain",
         "f1", f"did you mean {MADP!r}"),
        ("duplicate-finding", a, line_of(texts["a"], "- id: f1", 2), "findings[1].id", "f1",
         "duplicate finding ID 'f1'"),
        ("unknown-construct", a, line_of(texts["a"], "Peer pressure"),
         "findings[1].tdf[0].constructs[0]", "f1", "unknown construct 'Peer pressure'"),
        ("invalid-field", b, line_of(texts["b"], "level: national"), "findings[0].level", "f1",
         "'individual', 'organisational' or 'system'"),
        ("unknown-theme", b, line_of(texts["b"], "[tiem]"), "findings[0].themes[0]", "f1",
         "did you mean 'time'"),
        ("yaml-syntax", "charting/studies/study-c.yaml", 3, None, None, "YAML syntax error"),
    ]
    report = review.check()
    got = [(p.code, p.file, p.line, p.field, p.record) for p in report.problems]
    for code, file, line, field, record, message in expected:
        hits = [p for p in report.problems if (p.code, p.file, p.line, p.field, p.record)
                == (code, file, line, field, record)]
        assert hits, (code, file, line, field, got)
        assert message in hits[0].message, hits[0].message
    # the comma names are whole everywhere: no piece of them is reported
    assert not [p for p in report.problems if p.file == b and (
        "Attention and" in p.message or "valued / not valued" in p.message)]
    assert not [p for p in report.problems if p.field and p.field.startswith(
        ("findings[1]", "findings[2]")) and p.file == b], [str(p) for p in report.problems]


def test_the_cli_prints_every_problem_at_once(tmp_path):
    review, _ = _broken_review(tmp_path / "r")
    result = CliRunner().invoke(cli, ["check", str(review.root)])
    assert result.exit_code == 1
    for part in ("study-a.yaml", "study-b.yaml", "study-c.yaml",
                 "statement is missing or empty", "unknown construct", "unknown theme",
                 "duplicate finding ID", "YAML syntax error"):
        assert part in result.output, (part, result.output)


def test_a_comma_domain_in_flow_lists_and_mappings_is_accepted_everywhere(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    b = review.studies_dir / "study-b.yaml"
    b.write_text(b.read_text("utf-8") + COMMA_FINDINGS, "utf-8")
    report = review.check()
    assert report.valid, [str(p) for p in report.problems]
    for studies in (review.studies(), load_studies(review, fast=True)):
        f2, f3 = next(s for s in studies if s.id == "study-b").findings[1:]
        assert f2.domains == [MADP] and f2.constructs == ["Memory", "Decision making"]
        assert f3.domains == [MADP, "Reinforcement"]
        assert REWARDS in f3.constructs
    res = review.lookup(domain=MADP)
    assert sorted(res.findings["finding"]) == ["f2", "f3"]
    for option in (MADP, "memory, attention", "Memory"):
        out = CliRunner().invoke(cli, ["lookup", "--domain", option, "--review",
                                       str(review.root)])
        assert out.exit_code == 0, out.output
        assert "Nurses forgot the new steps" in out.output
        assert MADP in out.output


def test_unknown_domain_suggests_the_closest_names(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    a = review.studies_dir / "study-a.yaml"
    _edit(a, ("domain: Environmental Context and Resources", "domain: knowledge"),
          ("domain: Social Influences", "domain: Social Influence"))
    msgs = [p.message for p in review.check().problems if p.code == "unknown-domain"]
    assert any("did you mean 'Knowledge'" in m for m in msgs), msgs
    assert any("did you mean 'Social Influences'" in m for m in msgs), msgs


def test_hostile_text_stays_text(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    a = review.studies_dir / "study-a.yaml"
    evil = "[bold red]pwned[/bold red] <script>alert(1)</script>"
    _edit(a, ("statement: Colleagues who backed the pathway made nurses keen to use it.",
              f"statement: '{evil}'"),
          ("domain: Environmental Context and Resources", "domain: '[red]Evil[/red]'"))
    result = CliRunner().invoke(cli, ["check", str(review.root)])
    assert result.exit_code == 1
    assert "'[red]Evil[/red]'" in result.output
    # lookup reads valid studies only: make the domain valid again, keep the statement
    _edit(a, ("domain: '[red]Evil[/red]'", "domain: Environmental Context and Resources"))
    out = CliRunner().invoke(cli, ["lookup", "--domain", "Social Influences", "--review",
                                   str(review.root)])
    assert out.exit_code == 0, out.output
    assert "[bold red]pwned[/bold red]" in out.output.replace("\n", " ").replace("  ", " ")
    assert "<script>alert(1)</script>" in out.output.replace("\n", " ").replace("  ", " ")


def test_codebook_and_mappings_problems_come_with_the_studies_in_one_run(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    review.themes_path.write_text("- id: time\n  name: [\n", "utf-8")
    review.mappings_path.write_text(
        "tdf_to_comb:\n  Knowledge: [Psychological capability]\n"
        "  Knowledge: [Physical capability]\n  Memory: [Psychological capability]\n", "utf-8")
    _edit(review.studies_dir / "study-a.yaml", ("domain: Social Influences",
                                                "domain: Social Influence"))
    got = {(p.code, p.file, p.line) for p in review.check().problems}
    assert got >= {("yaml-syntax", "charting/themes.yaml", 3),
                   ("duplicate-key", "charting/mappings.yaml", 3),
                   ("unknown-domain", "charting/mappings.yaml", 4)}, got
    assert any(c == "unknown-domain" and f.endswith("study-a.yaml") for c, f, _ in got), got
