"""Charting: schema, shipped vocabularies, and the checker's report for each kind of problem."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from conftest import EVIDENCE, need_shared
from implmap import Review, ValidationFailed
from implmap.charting.model import Study, json_schema, json_schema_text
from implmap.charting.vocab import UnknownTermError, load_vocabulary
from implmap.cli import cli
from support.builders import charting_review

# ------------------------------------------------------------------------------ vocabularies


@pytest.mark.shared
def test_tdf_names_match_the_reference_name_for_name():
    path = need_shared("reference", "tdf_v2_domains_constructs.csv")
    rows = list(csv.DictReader(path.read_text("utf-8").splitlines()))
    vocab = load_vocabulary()
    shipped = [(d.number, d.name, c) for d in vocab.domains for c in d.constructs]
    expected = [(int(r["domain_number"]), r["domain"], r["construct"]) for r in rows]
    assert shipped == expected
    assert len(vocab.domains) == 14 and len(shipped) == 84


@pytest.mark.shared
def test_comb_and_function_mappings_match_the_reference():
    vocab = load_vocabulary()
    rows = list(csv.DictReader(
        need_shared("reference", "tdf_to_comb.csv").read_text("utf-8").splitlines()))
    expected: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        expected.setdefault(r["domain"], set()).add((r["comb_component"], r["qualifier"]))
    shipped = {d: {(x.component, x.qualifier) for x in links}
               for d, links in vocab.tdf_to_comb.items()}
    assert shipped == expected
    rows = list(csv.DictReader(need_shared(
        "reference", "comb_to_intervention_functions.csv").read_text("utf-8").splitlines()))
    exp_f: dict[str, set[str]] = {}
    for r in rows:
        exp_f.setdefault(r["comb_component"], set()).add(r["intervention_function"])
    assert {k: set(v) for k, v in vocab.comb_to_functions.items()} == exp_f
    assert set(vocab.comb_components) == set(exp_f)
    assert set(vocab.intervention_functions) == set().union(*exp_f.values())
    assert len(vocab.intervention_functions) == 9


def test_every_domain_has_a_description_and_a_comb_component():
    vocab = load_vocabulary()
    for d in vocab.domains:
        assert len(d.description) > 40
        assert vocab.comb(d.name), d.name
        assert vocab.functions(vocab.comb(d.name)), d.name


def test_domain_matching_is_case_insensitive_with_unique_prefixes():
    vocab = load_vocabulary()
    assert vocab.domain("environmental context and resources").name == (
        "Environmental Context and Resources")
    assert vocab.domain("ENV").name == "Environmental Context and Resources"
    with pytest.raises(UnknownTermError, match=r"(?s)ambiguous.*Beliefs about Capabilities"):
        vocab.domain("beliefs")
    with pytest.raises(UnknownTermError, match=r"(?s)unknown TDF domain 'Money'.*Knowledge"):
        vocab.domain("Money")


def test_review_mappings_override_the_defaults(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    (review.root / "charting" / "mappings.yaml").write_text(
        "tdf_to_comb:\n  Knowledge: [Reflective motivation]\n", "utf-8")
    vocab = review.vocabulary()
    assert vocab.comb("Knowledge") == ["Reflective motivation"]
    assert vocab.comb("Skills") == load_vocabulary().comb("Skills")
    assert "mappings.yaml" in vocab.sources["mappings"]
    assert [t.id for t in vocab.themes] == ["time", "teamwork"]


# ------------------------------------------------------------------------------------ schema


def test_shipped_json_schema_is_current_and_printed_by_the_cli():
    from importlib import resources

    shipped = resources.files("implmap.charting").joinpath("data", "charting.schema.json")
    assert shipped.read_text("utf-8") == json_schema_text()
    docs_copy = EVIDENCE.parent / "docs" / "charting.schema.json"
    assert docs_copy.read_text("utf-8") == json_schema_text()  # regenerate: implmap schema -o
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "implmap charting study"


def test_json_schema_accepts_the_bundled_studies_and_rejects_a_missing_type():
    import jsonschema  # in [dev]: this test runs everywhere the tests run
    schema = json_schema()
    files = sorted((EVIDENCE / "charting" / "studies").glob("*.yaml"))
    assert files
    for f in files:
        data = yaml.safe_load(f.read_text("utf-8"))
        jsonschema.validate(data, schema)
        Study.model_validate(data)
    del data["findings"][0]["type"]
    with pytest.raises(jsonschema.ValidationError, match="'type' is a required property"):
        jsonschema.validate(data, schema)


# -------------------------------------------------------------------------------- the checker


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def test_the_fixture_review_is_valid(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    report = review.check()
    assert report.valid, [str(p) for p in report.problems]
    assert report.problems == []


def test_the_bundled_review_passes_check():
    review = Review(EVIDENCE)
    report = review.check()
    assert report.valid, "\n".join(str(p) for p in report.problems)


Mutation = Callable[[str, list[str]], str]

CASES: list[tuple[str, Mutation, str, str | None, str, tuple[Any, int]]] = [
    # name, change to study-a, code, field, message part, (line needle, nth) in the new text
    ("yaml-syntax", lambda t, ids: t.replace("type: barrier\n", "type: [barrier\n", 1),
     "yaml-syntax", None, "YAML syntax error", ("perspective: [nurses]", 1)),
    ("unknown-domain",
     lambda t, ids: t.replace("domain: Environmental", "domain: Enviromental", 1),
     "unknown-domain", "findings[0].tdf[0].domain",
     "did you mean 'Environmental Context and Resources'", ("Enviromental", 1)),
    ("unknown-construct",
     lambda t, ids: t.replace("[Resources / material resources]", "[Money]", 1),
     "unknown-construct", "findings[0].tdf[0].constructs[0]", "unknown construct 'Money'",
     ("[Money]", 1)),
    ("construct-wrong-domain",
     lambda t, ids: t.replace("[Social support]", "[Social support, Incentives]"),
     "construct-wrong-domain", "findings[1].tdf[0].constructs[1]",
     "'Incentives' belongs to 'Reinforcement', not to 'Social Influences'",
     ("Incentives", 1)),
    ("unknown-theme", lambda t, ids: t.replace("themes: [teamwork]\n  coded_by",
                                               "themes: [team-work]\n  coded_by"),
     "unknown-theme", "findings[1].themes[0]", "did you mean 'teamwork'", ("team-work", 1)),
    ("missing-type", lambda t, ids: t.replace("  type: facilitator\n", ""),
     "missing-type", "findings[1].type", "required field 'type' is missing", ("- id: f2", 1)),
    ("bad-type", lambda t, ids: t.replace("type: facilitator", "type: enabler"),
     "invalid-field", "findings[1].type", "'barrier' or 'facilitator'", ("enabler", 1)),
    ("bad-level", lambda t, ids: t.replace("level: organisational", "level: national"),
     "invalid-field", "findings[0].level", "'individual', 'organisational' or 'system'",
     ("national", 1)),
    ("duplicate-finding", lambda t, ids: t.replace("- id: f2", "- id: f1"),
     "duplicate-finding", "findings[1].id", "duplicate finding ID 'f1'", ("- id: f1", 2)),
    ("record-not-included", lambda t, ids: t.replace(ids[0], ids[2]),
     "record-not-included", "records[0]", "is not included at full text", (lambda ids: ids[2], 1)),
    ("unknown-record", lambda t, ids: t.replace(ids[0], "ffffffff-9"),
     "unknown-record", "records[0]", "is not in any imported search", ("ffffffff-9", 1)),
    ("coder-unknown-domain",
     lambda t, ids: t.replace("domains: [Social Influences]\n      themes: [teamwork]\n    ben",
                              "domains: [Social influence]\n      themes: [teamwork]\n    ben"),
     "unknown-domain", "findings[1].coding.ana.domains[0]", "in ana's coding",
     ("Social influence]", 1)),
    ("unknown-field", lambda t, ids: t.replace("  level: individual\n",
                                               "  level: individual\n  levle: system\n", 1),
     "invalid-field", "findings[1].levle", "unknown field 'levle'", ("levle", 1)),
    ("duplicate-key", lambda t, ids: t.replace("  level: individual\n",
                                               "  level: individual\n  level: system\n", 1),
     "duplicate-key", "findings[1].level", "given twice", ("level: system", 1)),
    ("study-id-file", lambda t, ids: t.replace("id: study-a", "id: study-x", 1),
     "study-id-file", "id", "differs from the file name", ("study-x", 1)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_problem_is_reported_with_file_line_and_field(tmp_path, case):
    _, mutate, code, field, message, (needle, nth) = case
    review, ids = charting_review(tmp_path / "r", migrated=False)  # coders' tags in the file
    path = review.root / "charting" / "studies" / "study-a.yaml"
    text = mutate(path.read_text("utf-8"), ids)
    assert text != path.read_text("utf-8")
    path.write_text(text, "utf-8")
    report = review.check()
    assert not report.valid
    hits = [p for p in report.problems if p.code == code]
    assert hits, [str(p) for p in report.problems]
    p = hits[0]
    assert p.file == "charting/studies/study-a.yaml"
    assert message in p.message, p.message
    assert p.field == field
    needle = needle(ids) if callable(needle) else needle
    assert p.line == line_of(text, needle, nth), str(p)


def test_included_record_without_a_study_and_records_charted_twice(tmp_path):
    review, ids = charting_review(tmp_path / "r")
    b = review.root / "charting" / "studies" / "study-b.yaml"
    b.write_text(b.read_text("utf-8").replace(ids[1], ids[0]), "utf-8")
    report = review.check()
    codes = {p.code: p for p in report.problems}
    assert codes["included-not-charted"].record == ids[1]
    assert "no study charts it" in codes["included-not-charted"].message
    assert codes["included-not-charted"].severity == "warning"
    assert codes["record-two-studies"].file == "charting/studies/study-b.yaml"
    assert codes["record-two-studies"].line == 3


def test_all_problems_are_reported_not_just_the_first(tmp_path):
    review, ids = charting_review(tmp_path / "r")
    a = review.root / "charting" / "studies" / "study-a.yaml"
    text = a.read_text("utf-8")
    for _, mutate, *_rest in CASES[1:6]:
        text = mutate(text, ids)
    a.write_text(text, "utf-8")
    (review.root / "charting" / "studies" / "broken.yaml").write_text("id: [\n", "utf-8")
    report = review.check()
    # a schema error in one finding does not stop the checks of the others, nor of other files
    assert {p.code for p in report.problems} >= {"missing-type", "yaml-syntax", "unknown-domain"}
    assert "included-not-charted" not in {p.code for p in report.problems}
    assert {p.file for p in report.problems} >= {"charting/studies/study-a.yaml",
                                                  "charting/studies/broken.yaml"}


def test_term_problems_are_all_listed_for_one_file(tmp_path):
    review, ids = charting_review(tmp_path / "r", migrated=False)
    a = review.root / "charting" / "studies" / "study-a.yaml"
    text = a.read_text("utf-8")
    for _, mutate, *_rest in [*CASES[2:5], CASES[11]]:
        text = mutate(text, ids)
    a.write_text(text, "utf-8")
    codes = [p.code for p in review.check().problems]
    for code in ("unknown-domain", "unknown-construct", "construct-wrong-domain",
                 "unknown-theme"):
        assert code in codes


def test_codebook_and_mapping_problems(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    (review.root / "charting" / "themes.yaml").write_text(
        "- id: time\n  name: Time\n- id: time\n  name: Again\n- name: no id\n", "utf-8")
    (review.root / "charting" / "mappings.yaml").write_text(
        "tdf_to_comb:\n  Knowlege: [Psychological capability]\n"
        "comb_to_functions:\n  Physical capability: [Training, Bribery]\n", "utf-8")
    report = review.check()
    by = {p.code: p for p in report.problems}
    assert by["duplicate-theme"].line == 3 and by["duplicate-theme"].file.endswith("themes.yaml")
    assert by["invalid-theme"].line == 5 and by["invalid-theme"].field == "id"
    assert by["unknown-domain"].file == "charting/mappings.yaml"
    assert by["unknown-domain"].line == 2 and "did you mean 'Knowledge'" in \
        by["unknown-domain"].message
    assert by["unknown-function"].line == 4 and "Bribery" in by["unknown-function"].message


def test_check_cli_exits_1_and_prints_file_line_field(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    a = review.root / "charting" / "studies" / "study-a.yaml"
    a.write_text(a.read_text("utf-8").replace("domain: Social Influences",
                                              "domain: Social Influence", 1), "utf-8")
    result = CliRunner().invoke(cli, ["check", str(review.root)])
    assert result.exit_code == 1
    assert "charting/studies/study-a.yaml:" in result.output
    assert "findings[1].tdf[0].domain" in result.output


def test_studies_raise_a_clear_error_on_invalid_files(tmp_path):
    review, _ = charting_review(tmp_path / "r")
    a = review.root / "charting" / "studies" / "study-a.yaml"
    a.write_text(a.read_text("utf-8").replace("  type: facilitator\n", ""), "utf-8")
    with pytest.raises(ValidationFailed, match=r"study-a.yaml:\d+ record f2 field "
                       r"'findings\[1\].type'"):
        review.studies()


def test_a_review_without_charting_is_not_checked_for_it(tmp_path):
    review = Review.init(tmp_path / "r")
    assert review.check().valid
    assert review.studies() == []


def test_the_charting_package_is_light_and_declares_its_surface():
    import subprocess
    import sys

    import implmap.charting as charting

    for name in charting.__all__:
        assert hasattr(charting, name), name
    assert issubclass(charting.UnknownTermError, __import__("implmap").ImplmapError)
    code = ("import sys, implmap.charting; print(','.join(m for m in ('sklearn', 'pandas') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_vocabulary_cli_outside_a_review_and_schema_to_a_file(tmp_path):
    result = CliRunner().invoke(cli, ["vocabulary", "-r", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["domains"]) == 14 and data["themes"] == []
    assert data["domains"][1]["comb"] == ["Physical capability", "Psychological capability"]
    out = tmp_path / "charting.schema.json"
    assert CliRunner().invoke(cli, ["schema", "-o", str(out)]).exit_code == 0
    assert out.read_text("utf-8") == json_schema_text()
