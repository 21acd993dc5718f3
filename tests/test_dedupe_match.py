"""Matching rules: what must merge, and every kind of record that must stay apart."""

from __future__ import annotations

import pytest

from implmap.dedupe.groups import dedupe_records
from implmap.dedupe.keys import make_keys
from implmap.dedupe.match import DISTINCT, DUPLICATE, UNCERTAIN, compare
from implmap.dedupe.text import (
    journal_compatible,
    normalise_journal,
    normalise_title,
    parse_author,
)
from support.builders import rec

AUTHORS = ["Klausen, Mette Dahl", "Hansen, Peter", "Olsen, Ida"]
BASE = dict(authors=AUTHORS, year="2019", journal="Implementation Science", volume="14",
            issue="2", pages="101-110")
TITLE = "Barriers to implementing exercise therapy for knee osteoarthritis in general practice"


def verdict(a: dict, b: dict):
    return compare(make_keys(a), make_keys(b))


def same_group(records: list[dict]) -> bool:
    result = dedupe_records(records)
    return any(set(g.members) >= {r["id"] for r in records} for g in result.groups)


# ------------------------------------------------------------------------------- normalising
def test_title_normalisation_folds_case_punctuation_entities_diacritics_and_spelling():
    a = normalise_title("Haematological outcomes in paediatric oncology: a randomised "
                        "trial &amp; its behaviour.")
    b = normalise_title("HEMATOLOGICAL OUTCOMES IN PEDIATRIC ONCOLOGY - A RANDOMIZED TRIAL & ITS "
                        "BEHAVIOR")
    assert a == b
    assert normalise_title("Café société") == "cafe societe"
    assert normalise_title("[Effect of X on Y]. [German]") == "effect of x on y"
    assert normalise_title("Effect of X [Erratum appears in J Z 2003;1:2]") == "effect of x"


@pytest.mark.parametrize("name", ["Klausen MD", "Klausen, M.D.", "Klausen, Mette Dahl",
                                  "Mette Dahl Klausen", "KLAUSEN, M D", "Klausen M.D."])
def test_author_formats_are_the_same_person(name):
    assert parse_author(name) == ("klausen", "md")


@pytest.mark.parametrize(("abbr", "full"), [
    ("Nat Rev Nephrol", "Nature Reviews Nephrology"),
    ("J Clin Oncol", "Journal of Clinical Oncology"),
    ("Semin Thromb Hemost", "Seminars in Thrombosis & Hemostasis"),
    ("JPEN. Journal of parenteral and enteral nutrition",
     "Jpen: Journal of Parenteral & Enteral Nutrition"),
])
def test_abbreviated_journals_match(abbr, full):
    assert journal_compatible(normalise_journal(abbr), normalise_journal(full))


def test_different_journals_do_not_match():
    assert not journal_compatible(normalise_journal("Cancer"),
                                  normalise_journal("Cancer Cytopathology"))
    assert journal_compatible(normalise_journal(""), normalise_journal("Cancer")) is None


# ------------------------------------------------------------------------------------ merging
def test_author_and_journal_variants_merge_without_doi():
    a = rec("a", TITLE + ".", **{**BASE, "authors": ["Klausen MD", "Hansen P", "Olsen I"],
                                 "journal": "Implement Sci"})
    b = rec("b", TITLE.upper(), **{**BASE, "authors": ["Klausen, M.D.", "Hansen, P."]})
    c = rec("c", TITLE, **BASE)
    assert same_group([a, b, c])
    v = verdict(a, b)
    assert v.decision == DUPLICATE and v.rule == "same-title-authors-year"


def test_doi_prefix_and_case_variants_merge():
    a = rec("a", TITLE, doi="https://doi.org/10.1186/S13012-019-0001-X", **BASE)
    b = rec("b", TITLE + " (a qualitative study)", doi="10.1186/s13012-019-0001-x",
            authors=["Klausen MD"], year="2019")
    v = verdict(a, b)
    assert v.decision == DUPLICATE and v.rule == "same-doi"


def test_same_pmid_merges():
    a = rec("a", TITLE, pmid="31234567", **BASE)
    b = rec("b", TITLE.lower(), pmid="31234567", year="2019")
    assert verdict(a, b).rule == "same-pmid"


def test_missing_fields_still_match_on_the_rest():
    a = rec("a", TITLE, authors=AUTHORS, year="2019")  # no journal, volume, pages
    b = rec("b", TITLE, **BASE)
    assert verdict(a, b).decision == DUPLICATE
    c = rec("c", TITLE, year="2019", journal="Implementation Science", volume="14",
            pages="101-10")  # no authors: the source confirms it
    assert verdict(b, c).decision == DUPLICATE


def test_print_year_one_apart_merges_when_the_source_agrees():
    a = rec("a", TITLE, **BASE)
    b = rec("b", TITLE, **{**BASE, "year": "2020"})
    assert verdict(a, b).decision == DUPLICATE


def test_missing_title_is_left_to_a_person():
    a = rec("a", TITLE, **BASE)
    b = rec("b", "", **BASE)
    assert verdict(a, b).decision == UNCERTAIN
    assert not same_group([a, b])


# ---------------------------------------------------------------------------- staying apart
APART = {
    "erratum": ("Erratum: " + TITLE, {}),
    "correction": ("Correction to: " + TITLE, {}),
    "wos erratum": (TITLE + " (vol 14, pg 101, 2019)", {"pages": "300"}),
    "comment": ("Comment on: " + TITLE, {}),
    "reply": ("Authors' reply to: " + TITLE, {}),
    "retraction": ("Retraction notice: " + TITLE, {}),
    "protocol": (TITLE + ": study protocol for a cluster randomised trial", {}),
    "preprint": (TITLE, {"doi": "10.1101/2019.01.01.19000001", "journal": "medRxiv",
                         "volume": "", "pages": ""}),
    "conference abstract": (TITLE, {"type": "CONF", "pages": "S12",
                                    "journal": "Osteoarthritis and Cartilage"}),
    "other authors": (TITLE, {"authors": ["Smith, John", "Jones, Ann"]}),
    "other year": (TITLE, {"year": "2015", "volume": "", "pages": ""}),
}


@pytest.mark.parametrize("kind", sorted(APART))
def test_stays_apart_from_the_article(kind):
    title, changes = APART[kind]
    article = rec("article", TITLE, doi="10.1186/s13012-019-0001-x", **BASE)
    article_no_doi = rec("article2", TITLE, **BASE)
    other = rec("other", title, **{**BASE, **changes})
    for a in (article, article_no_doi):
        assert verdict(a, other).decision != DUPLICATE, kind
    assert not any("other" in g.members for g in dedupe_records(
        [article, article_no_doi, other]).groups), kind


def test_comment_and_reply_stay_apart():
    c = rec("c", "Comment on: " + TITLE, **BASE)
    r = rec("r", "Reply to comment on: " + TITLE, **BASE)
    assert verdict(c, r).decision == DISTINCT


def test_part_one_and_part_two_stay_apart():
    a = rec("a", "Implementation barriers in physiotherapy, part I: the patients' view", **BASE)
    b = rec("b", "Implementation barriers in physiotherapy, part II: the patients' view",
            **{**BASE, "pages": "111-120"})
    c = rec("c", "Implementation barriers in physiotherapy, part 2: the patients' view",
            **{**BASE, "pages": "111-120"})
    d = rec("d", "Implementation barriers in physiotherapy, part 2: the patients' view", **BASE)
    assert verdict(a, b).decision == DISTINCT and verdict(a, b).rule == "different-parts"
    assert verdict(a, d).decision == DISTINCT  # even with the same pages
    assert verdict(b, c).decision == DUPLICATE  # II and 2 are the same part


def test_numbered_trials_stay_apart():
    a = rec("a", "FOCUS 1: a randomised trial of ceftaroline", **BASE)
    b = rec("b", "FOCUS 2: a randomised trial of ceftaroline", **BASE)
    assert verdict(a, b).decision == DISTINCT


def test_generic_titles_by_the_same_editor_stay_apart():
    a = rec("a", "Editor's comments", authors=["Lee, A"], year="2001", journal="MIS Quarterly",
            volume="25", issue="1")
    b = rec("b", "Editor's Comments", authors=["Lee, A"], year="2001", journal="MIS Quarterly",
            volume="25", issue="2")
    c = rec("c", "Editor's Comments", authors=["Lee, A"], year="2001", journal="MIS Quarterly",
            volume="25")
    assert not dedupe_records([a, b, c]).groups


def test_different_dois_stay_apart_even_with_equal_titles():
    a = rec("a", TITLE, doi="10.1000/one", **BASE)
    b = rec("b", TITLE, doi="10.1000/two", **BASE)
    v = verdict(a, b)  # one publisher's two DOIs at one locator: a person decides
    assert v.decision == UNCERTAIN and v.hard
    c = rec("c", TITLE, doi="10.1000/three", **{**BASE, "journal": "Pain"})
    v = verdict(a, c)
    assert v.decision == DISTINCT and v.hard


def test_retracted_article_is_left_to_a_person():
    a = rec("a", TITLE, **BASE)
    b = rec("b", "RETRACTED: " + TITLE, **BASE)
    assert verdict(a, b).decision == UNCERTAIN


def test_transitive_merges_respect_hard_conflicts():
    # b is missing its DOI and looks like both a and c, whose DOIs differ: a and c never meet
    a = rec("a", TITLE, doi="10.1000/one", **BASE)
    b = rec("b", TITLE, **BASE)
    c = rec("c", TITLE, doi="10.1000/two", **BASE)
    result = dedupe_records([a, b, c])
    for g in result.groups:
        assert not {"a", "c"} <= set(g.members)


def test_primary_is_the_most_complete_record():
    a = rec("a", TITLE, authors=AUTHORS, year="2019")
    b = rec("b", TITLE, doi="10.1186/s13012-019-0001-x", abstract="Text.", **BASE)
    (group,) = dedupe_records([a, b]).groups
    assert group.primary == "b" and group.members == ["a", "b"]
    assert group.evidence[0]["rule"] == "same-title-authors-year"


def test_groups_do_not_depend_on_the_order_of_the_records():
    import random

    records = [rec("article", TITLE, doi="10.1186/s13012-019-0001-x", **BASE),
               rec("copy", TITLE.upper() + ".", **{**BASE, "authors": ["Klausen MD"]}),
               rec("nodoi", TITLE, authors=AUTHORS, year="2019")]
    records += [rec(f"apart-{k}", t, **{**BASE, **c}) for k, (t, c) in sorted(APART.items())]
    expected = {frozenset(g.members) for g in dedupe_records(records).groups}
    # two notices of the same correction, on the same page, are one item
    assert expected == {frozenset({"article", "copy", "nodoi"}),
                        frozenset({"apart-correction", "apart-erratum"})}
    for seed in range(5):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        assert {frozenset(g.members) for g in dedupe_records(shuffled).groups} == expected


def test_only_the_pairs_needed_are_left_to_a_person():
    """Three copies that no rule can decide: two pairs are listed, not three; when a person
    keeps a listed pair apart, the next run lists the pair then needed."""
    from implmap.dedupe.groups import Decision

    copies = [rec(x, "Referral barriers in physiotherapy", year="2019") for x in "abc"]
    listed = [tuple(u["pair"]) for u in dedupe_records(copies).uncertain]
    assert listed == [("a", "b"), ("a", "c")]
    apart = [Decision("keep_apart", ("a", "b"))]
    assert [tuple(u["pair"]) for u in dedupe_records(copies, apart).uncertain] == [
        ("a", "c"), ("b", "c")]
    merged = [*apart, Decision("merge", ("a", "c")), Decision("keep_apart", ("b", "c"))]
    result = dedupe_records(copies, merged)
    assert [set(g.members) for g in result.groups] == [{"a", "c"}] and not result.uncertain
