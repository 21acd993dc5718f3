"""Findings as a DataFrame, lookup for implementation teams, and the lookup CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import EVIDENCE
from implmap import Review
from implmap.charting.lookup import FINDING_COLUMNS, GROUP_COLUMNS
from implmap.charting.vocab import UnknownTermError
from implmap.cli import cli
from support.builders import charting_review


@pytest.fixture
def mini(tmp_path):
    return charting_review(tmp_path / "r")[0]


def test_findings_frame_has_one_row_per_finding_with_comb_and_functions(mini):
    df = mini.findings()
    assert list(df.columns) == FINDING_COLUMNS
    assert len(df) == 4
    row = df[(df.study == "study-b") & (df.finding == "f1")].iloc[0]
    assert row.domains == ["Environmental Context and Resources", "Reinforcement"]
    assert row.comb == ["Physical opportunity", "Automatic motivation"]
    assert row.functions == ["Persuasion", "Incentivisation", "Coercion", "Training",
                             "Restriction", "Environmental restructuring", "Modelling",
                             "Enablement"]
    assert row.theme_names == ["Time and money"]
    # both time barriers in ECR come from two studies; the untagged one stands alone
    n = dict(zip(df.study + "/" + df.finding, df.n_studies, strict=True))
    assert n == {"study-a/f1": 2, "study-a/f2": 1, "study-a/f3": 1, "study-b/f1": 2}


def test_studies_are_pydantic_models(mini):
    studies = mini.studies()
    assert [s.id for s in studies] == ["study-a", "study-b"]
    assert studies[0].participants[0].n == 12
    assert studies[0].findings[0].domains == ["Environmental Context and Resources"]


def test_lookup_groups_by_domain_theme_and_type_with_study_counts(mini):
    res = mini.lookup(domain="env", type="barr")
    assert res.filters == {"domain": "Environmental Context and Resources", "type": "barrier"}
    assert list(res.groups.columns) == GROUP_COLUMNS
    assert len(res.groups) == 1
    g = res.groups.iloc[0]
    assert (g.domain, g.theme, g.type, g.n_studies, g.n_findings) == (
        "Environmental Context and Resources", "time", "barrier", 2, 2)
    assert g.studies == ["study-a", "study-b"]
    # from the constructs coded on its findings: study-b's is also an incentive problem
    assert g.constructs == ["Resources / material resources", "Incentives"]
    assert g.functions_from == "constructs"
    assert g.comb == ["Physical opportunity", "Automatic motivation"]
    assert "Incentivisation" in g.functions and "Education" not in g.functions


def test_lookup_other_filters(mini):
    assert mini.lookup(theme="team").findings.finding.tolist() == ["f2"]
    assert mini.lookup(theme="Time and").findings.study.tolist() == ["study-a", "study-b"]
    assert mini.lookup(perspective="PHYSIO").findings.study.tolist() == ["study-b"]
    assert mini.lookup(level="sys").findings.study.tolist() == ["study-b"]
    assert mini.lookup("paid").findings.study.tolist() == ["study-b"]
    assert mini.lookup("nurses schedule").findings.finding.tolist() == ["f1"]
    assert len(mini.lookup("nothing like this").groups) == 0
    untagged = mini.lookup("steps").groups.iloc[0]
    assert (untagged.domain, untagged.theme, untagged.n_studies) == ("", "", 1)


@pytest.mark.parametrize("kwargs, message", [
    ({"domain": "money"}, "unknown TDF domain 'money'"),
    ({"domain": "beliefs"}, "ambiguous"),
    ({"theme": "cost"}, "time: Time and money"),
    ({"perspective": "surgeons"}, "nurses"),
    ({"type": "enabler"}, "barrier"),
    ({"level": "national"}, "organisational"),
])
def test_lookup_rejects_unknown_values_listing_the_valid_ones(mini, kwargs, message):
    with pytest.raises(UnknownTermError, match=message):
        mini.lookup(**kwargs)


def test_lookup_cli_prints_groups_and_escapes_markup(mini):
    a = mini.root / "charting" / "studies" / "study-a.yaml"
    a.write_text(a.read_text("utf-8").replace(
        "Nurses had no time in their schedule for the extra assessments.",
        "'[bold red]Nurses[/bold red] had no time in their schedule <b>x</b>.'"), "utf-8")
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        cli, ["lookup", "-r", str(mini.root), "--domain", "environmental", "--type", "barrier"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2 findings from 2 studies" in out
    assert "Time and money" in out and "2 studies, 2 findings" in out
    assert "[bold red]Nurses[/bold red]" in out  # shown as text, not taken as markup
    assert "Physical opportunity" in out


def test_lookup_cli_json_and_errors(mini):
    result = CliRunner().invoke(cli, ["lookup", "-r", str(mini.root), "--theme", "time",
                                      "--json"])
    data = json.loads(result.output)
    assert data["n_findings"] == 2
    assert {g["domain"] for g in data["groups"]} == {"Environmental Context and Resources",
                                                     "Reinforcement"}
    assert data["groups"][0]["statements"][0]["study"] == "study-a"
    bad = CliRunner().invoke(cli, ["lookup", "-r", str(mini.root), "--domain", "Money"])
    assert bad.exit_code == 1
    assert "Error: unknown TDF domain 'Money'" in bad.output
    assert "Environmental Context and Resources" in bad.output


def test_lookup_on_the_bundled_review_lists_time_money_and_support_barriers():
    res = Review(EVIDENCE).lookup(domain="Environmental Context and Resources",
                                  type="barrier")
    themes = dict(zip(res.groups.theme, res.groups.n_studies, strict=True))
    assert themes.get("time-and-finance", 0) >= 1
    assert themes.get("support", 0) >= 1
    assert (res.groups.n_studies >= 1).all()
    assert (res.groups.n_studies <= res.groups.n_findings).all()


def test_a_review_without_charting_has_no_findings(review):
    assert review.findings().empty
    assert list(review.findings().columns) == FINDING_COLUMNS
    res = review.lookup(domain="knowledge")
    assert res.findings.empty and res.groups.empty
    result = CliRunner().invoke(cli, ["lookup", "-r", str(review.root)])
    assert result.exit_code == 0 and "Nothing matches" in result.output
