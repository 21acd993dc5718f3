"""Lookup for implementation teams (issue #14): functions per group from the coded constructs,
the studies' design, country and setting, facilitators beside barriers, and word-stem search;
on a small hand-made review and on (a copy of) the bundled one."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import EVIDENCE
from implmap import Review
from implmap.charting.lookup import GROUP_COLUMNS, PAIR_COLUMNS, STUDY_COLUMNS, short_label
from implmap.charting.search import fold, matches
from implmap.cli import cli
from support.builders import charting_review

STUDY_C = """\
id: study-c
records:
- {rid}
citation: Eide K. Referral pathways in Norwegian clinics. 2022.
year: 2022
country: Norway
design: "Qualitative interviews: 14 clinicians. Thematic analysis."
setting: "Municipal clinics in Tromsø; rural practices"
findings:
- id: f1
  statement: "Referrals to the pathway were slow because the booking system was old."
  type: barrier
  perspective: [nurses]
  level: organisational
  tdf:
  - domain: Environmental Context and Resources
    constructs: [Resources / material resources]
  themes: [time]
- id: f2
  statement: Managers rewarded staff who were Implementing the pathway early.
  type: facilitator
  perspective: [managers]
  level: organisational
  tdf:
  - domain: Environmental Context and Resources
    constructs: [Resources / material resources]
  themes: [time]
- id: f3
  statement: "Nurses feared a café-style drop-in would overrun [bold]the[/bold] clinic."
  type: barrier
  perspective: [nurses]
  level: individual
  tdf:
  - domain: Environmental Context and Resources
    constructs: []
  - domain: Emotion
    constructs: [Fear]
  themes: [teamwork]
- id: f4
  statement: Team huddles made room for the new assessment.
  type: facilitator
  perspective: [nurses]
  level: organisational
  tdf:
  - domain: Environmental Context and Resources
    constructs: [Resources / material resources]
  themes: [teamwork]
- id: f5
  statement: There was no room for the new assessment at all.
  type: barrier
  perspective: [nurses]
  level: organisational
  tdf:
  - domain: Environmental Context and Resources
  themes: []
"""


@pytest.fixture
def team(tmp_path) -> Review:
    """The charting tests' review with a third study: designs, settings, facilitators."""
    review, ids = charting_review(tmp_path / "r")
    (review.studies_dir / "study-c.yaml").write_text(STUDY_C.format(rid=ids[0]), "utf-8")
    return review


def test_groups_of_one_domain_get_the_functions_of_their_own_constructs(team):
    res = team.lookup(domain="env", type="barrier")
    assert list(res.groups.columns) == GROUP_COLUMNS
    by = {g.theme: g for g in res.groups.itertuples(index=False)}
    time, teamwork, none = by["time"], by["teamwork"], by[""]
    assert time.functions_from == teamwork.functions_from == "constructs"
    assert time.constructs == ["Resources / material resources", "Incentives"]
    assert teamwork.constructs == ["Fear"]
    assert teamwork.comb == ["Automatic motivation"] and "Modelling" in teamwork.functions
    assert "Modelling" in time.functions  # study-b's incentives: automatic motivation too
    assert time.functions != teamwork.functions
    assert time.comb_findings == {"Physical opportunity": 3, "Automatic motivation": 1}
    # no construct coded: the domain's functions, and it says so
    assert none.functions_from == "domain" and none.constructs == []
    assert none.comb == ["Physical opportunity"]
    assert none.functions == ["Training", "Restriction", "Environmental restructuring",
                              "Enablement"]


def test_evidence_names_each_studys_design_country_and_setting(team):
    res = team.lookup(domain="env", type="barrier", theme="time")
    ev = {e["study"]: e for e in res.groups.iloc[0].evidence}
    assert ev["study-c"]["label"] == ("study-c (Qualitative interviews, Norway, "
                                      "Municipal clinics in Tromsø)")
    assert ev["study-c"]["design"].startswith("Qualitative interviews: 14 clinicians")
    assert ev["study-a"]["label"] == "study-a (Norway)"  # no design or setting charted
    assert list(res.studies.columns) == STUDY_COLUMNS
    assert res.studies.study.tolist() == ["study-a", "study-b", "study-c"]
    assert res.studies.set_index("study").loc["study-c", "setting"] == (
        "Municipal clinics in Tromsø; rural practices")
    assert short_label("s", "", "", "") == "s"


def test_barrier_groups_are_paired_with_facilitators_of_the_same_domain_and_theme(team):
    res = team.lookup(domain="env")
    by = {(g.theme, g.type): g for g in res.groups.itertuples(index=False)}
    time = by[("time", "barrier")]
    assert [(f["study"], f["finding"]) for f in time.facilitators] == [("study-c", "f2")]
    assert time.facilitators[0]["shared_constructs"] == ["Resources / material resources"]
    assert [f["finding"] for f in by[("teamwork", "barrier")].facilitators] == ["f4"]
    assert by[("time", "facilitator")].facilitators == []
    assert list(res.pairs.columns) == PAIR_COLUMNS
    # the group without a theme pairs by domain alone: both facilitators again
    assert sorted(res.pairs.finding) == ["f2", "f2", "f4", "f4"]
    # facilitators come from the whole review, even when only barriers are asked for
    only = team.lookup("referrals", type="barrier")
    assert only.findings.finding.tolist() == ["f1"]
    assert only.groups.iloc[0].facilitators[0]["finding"] == "f2"


@pytest.mark.parametrize("query, found", [
    ("referrals", ["study-c/f1"]),
    ("REFERRAL", ["study-c/f1"]),
    ("referred", ["study-c/f1"]),  # stem "refer" starts "referr", the stem of "referrals"
    ("implement", ["study-c/f2"]),
    ("implementation", ["study-c/f2"]),
    ("cafe", ["study-c/f3"]),
    ("CAFÉ overrun", ["study-c/f3"]),
    ("referrals booking", ["study-c/f1"]),
    ("referrals managers", []),  # all words must match
    ("nurses schedule", ["study-a/f1"]),
])
def test_word_stem_search(team, query, found):
    res = team.lookup(query)
    assert sorted(res.findings.study + "/" + res.findings.finding) == found


def test_search_helpers_fold_case_and_accents():
    assert fold("Västra GÖTALAND Café") == "vastra gotaland cafe"
    assert matches("implementing", "Implementation of the guideline")
    assert matches("implementation", "they implement it")
    assert matches("referrals", "one referral")
    assert not matches("referrals wait", "one referral")
    assert matches("", "anything")


def test_cli_shows_functions_source_studies_and_facilitators_as_text(team):
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        cli, ["lookup", "-r", str(team.root), "--domain", "env", "--type", "barrier"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "from the constructs coded: Resources / material resources; Incentives" in out
    assert "from the domain: no construct is coded on these findings" in out
    assert "study-c (Qualitative interviews, Norway, Municipal clinics in Tromsø)" in out
    assert "Facilitators of the same domain and theme (1):" in out
    assert "+ Managers rewarded staff who were Implementing the pathway early." in out
    assert "Physical opportunity (3 findings); Automatic motivation (1 finding)" in out
    assert "[bold]the[/bold]" in out  # hostile text stays text


def test_cli_json_carries_evidence_facilitators_and_studies(team):
    result = CliRunner().invoke(cli, ["lookup", "-r", str(team.root), "--json", "referrals"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    g = data["groups"][0]
    assert g["functions_from"] == "constructs"
    assert g["evidence"][0]["country"] == "Norway"
    assert g["facilitators"][0]["statement"].startswith("Managers rewarded")
    assert data["studies"][0]["year"] == 2022 and data["studies"][0]["design"]


@pytest.fixture
def evidence(tmp_path):
    shutil.copytree(EVIDENCE, tmp_path / "evidence", ignore=shutil.ignore_patterns(".implmap"))
    return Review(tmp_path / "evidence")


def test_bundled_review_groups_pairs_and_stems(evidence):
    res = evidence.lookup(domain="Environmental Context and Resources", type="barrier")
    by = res.groups.set_index("theme")
    assert by.loc["time-and-finance", "functions"] != by.loc["support", "functions"]
    assert (res.groups.functions_from == "constructs").all()
    labels = [e["label"] for e in by.loc["time-and-finance", "evidence"]]
    assert labels == ["back-pain-cohort-dk-2022 (Qualitative, adapted exploratory sequential "
                      "design, Denmark, Danish general practice)"]
    fac = by.loc["time-and-finance", "facilitators"]
    assert {f["finding"] for f in fac} >= {"f07", "f09"}
    assert all(f["study"] and f["statement"] for f in fac)
    # "documenting" finds "GPs document in different ways"
    assert "back-pain-cohort-dk-2022/f08" in set(
        evidence.lookup("documenting").findings.apply(
            lambda r: f"{r.study}/{r.finding}", axis=1))
