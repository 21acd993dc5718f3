"""Rules for what an export got wrong while the rest of the record is right: a DOI of another
publisher, a volume that is the year, an ISSN in the journal's name, an SSRN DOI given to a
conference paper, a title in another language with one small word. Each has a case where it
applies and counter-cases where the records stay apart (or go to a person)."""

from __future__ import annotations

import pytest

from implmap.dedupe.groups import Decision, dedupe_records
from implmap.dedupe.keys import make_keys, title_language
from implmap.dedupe.match import DISTINCT, DUPLICATE, UNCERTAIN, compare
from support.builders import rec

AUTHORS = ["Klausen, Mette Dahl", "Hansen, Peter", "Olsen, Ida"]
TITLE = "Barriers to implementing exercise therapy for knee osteoarthritis in general practice"
ARTICLE = dict(authors=AUTHORS, year="2019", journal="Implementation Science", volume="14",
               issue="2", pages="101-110")


def verdict(a: dict, b: dict):
    return compare(make_keys(a), make_keys(b))


# --------------------------------------------------------------------------- wrong DOIs
def test_a_doi_of_another_publisher_at_the_same_full_locator_is_a_wrong_doi():
    a = rec("a", TITLE, doi="10.1186/s13012-019-0001-x", **ARTICLE)
    b = rec("b", TITLE, doi="10.1177/0956247808089157", **ARTICLE)
    v = verdict(a, b)
    assert v.decision == DUPLICATE and v.rule == "wrong-doi"
    assert [set(g.members) for g in dedupe_records([a, b]).groups] == [{"a", "b"}]


@pytest.mark.parametrize("change", [
    {"title": "Barriers to implementing exercise therapy for hip osteoarthritis in general "
              "practice"},
    {"title": "Exercise therapy"},  # a short title proves little
    {"authors": ["Klausen, Mette Dahl", "Olsen, Ida"]},
    {"journal": "BMC Health Services Research"},
    {"year": "2022"},
])
def test_different_dois_stay_apart_unless_everything_else_is_the_same(change):
    a = rec("a", TITLE, doi="10.1186/s13012-019-0001-x", **ARTICLE)
    b = rec("b", **{"title": TITLE, **ARTICLE, "doi": "10.1177/0956247808089157", **change})
    v = verdict(a, b)
    assert v.decision == DISTINCT and v.hard and v.rule == "different-doi", change


def test_dois_of_one_publisher_at_one_locator_go_to_a_person_and_stay_apart_until_then():
    a = rec("a", TITLE, doi="10.1186/one", **ARTICLE)
    b = rec("b", TITLE, doi="10.1186/two", **ARTICLE)
    v = verdict(a, b)
    assert v.decision == UNCERTAIN and v.rule == "doi-differs-same-source" and v.hard
    result = dedupe_records([a, b])
    assert not result.groups and [e["rule"] for e in result.uncertain] == [
        "doi-differs-same-source"]


def test_same_title_and_authors_a_year_and_volume_apart_with_two_dois_go_to_a_person():
    """A paper printed twice by one journal (or given a wrong DOI): a person decides, and a
    record without a DOI cannot join the two meanwhile."""
    a = rec("a", TITLE, doi="10.1057/jit.2009.2", **ARTICLE)
    later = {**ARTICLE, "year": "2020", "volume": "15", "issue": "1", "pages": "56-64"}
    b = rec("b", TITLE, doi="10.1057/jit.2008.23", **later)
    bridge = rec("c", TITLE, **{**ARTICLE, "volume": "", "issue": "", "pages": ""})
    v = verdict(a, b)
    assert v.decision == UNCERTAIN and v.rule == "doi-differs-same-title" and v.hard
    result = dedupe_records([a, b, bridge])
    assert all(not {"a", "b"} <= set(g.members) for g in result.groups)
    assert any({"a", "b"} == set(e["pair"]) for e in result.uncertain)
    # a person who says "the same work" is followed, and the record without a DOI joins them
    merged = dedupe_records([a, b, bridge], [Decision("merge", ("a", "b"), by="ana")])
    assert [set(g.members) for g in merged.groups] == [{"a", "b", "c"}]
    assert not merged.uncertain


# ---------------------------------------------------------------------- volume, journal
def test_a_volume_that_is_the_year_counts_as_missing():
    a = rec("a", TITLE, **{**ARTICLE, "volume": "2019", "issue": "", "pages": ""})
    b = rec("b", TITLE, **ARTICLE)
    assert verdict(a, b).decision == DUPLICATE
    other = rec("c", TITLE, **{**ARTICLE, "volume": "2018", "issue": "", "pages": ""})
    assert verdict(other, b).decision != DUPLICATE  # 2018 is not the record's year


def test_an_article_number_and_a_printed_page_of_one_volume_are_not_compared():
    bmj = dict(authors=AUTHORS, year="2010", journal="BMJ", volume="340")
    a = rec("a", TITLE, pages="1014", **bmj)
    b = rec("b", TITLE, pages="c1804", **{**bmj, "journal": "BMJ (Clinical research ed.)"})
    assert verdict(a, b).decision == DUPLICATE
    assert [make_keys(rec("x", TITLE, pages=p)).elocator for p in (
        "e12724", "c1804", "p123", "S33", "1014", "12-19")] == [True, True] + [False] * 4
    # an abstract's page in another journal is a page: the same title there is another item
    c = rec("c", TITLE, pages="A186", authors=AUTHORS, year="2010",
            journal="Sexually Transmitted Infections")
    d = rec("d", TITLE, pages="S212-S216", authors=AUTHORS, year="2010",
            journal="Journal of Acquired Immune Deficiency Syndromes", volume="57")
    assert verdict(c, d).decision != DUPLICATE


def test_a_group_author_and_a_person_are_not_compared():
    title = "Results of a randomized trial on the management of cytology interpretations"
    src = dict(year="2003", journal="American Journal of Obstetrics and Gynecology",
               volume="188", pages="1383-1392")
    a = rec("a", title, authors=["Solomon, D"], **src)
    b = rec("b", title, authors=["ASCUS-LSIL Triage Study (ALTS) Group"], **src)
    assert verdict(a, b).decision == DUPLICATE
    other = rec("o", title, authors=["Walker, J"], **src)  # two persons: authors differ
    assert verdict(a, other).decision != DUPLICATE


def test_same_title_in_another_issue_without_pages_is_a_recurring_column():
    col = dict(authors=["Weber, Ron"], year="2002", journal="MIS Quarterly", volume="26")
    a = rec("a", "Editor's comments on the state of the field", issue="1", **col)
    b = rec("b", "Editor's comments on the state of the field", issue="2", **col)
    v = verdict(a, b)
    assert v.decision == DISTINCT and v.rule == "different-issue"


def test_an_acronym_is_its_journal():
    from implmap.dedupe.text import journal_compatible
    from implmap.dedupe.text import normalise_journal as nj

    assert journal_compatible(nj("BMJ"), nj("British Medical Journal"))
    assert journal_compatible(nj("JAMA"), nj("Journal of the American Medical Association"))
    assert journal_compatible(nj("ICIS: Transforming Society with Digital Innovation"),
                              nj("International Conference on Information Systems"))
    assert not journal_compatible(nj("ICIS"), nj("Hawaii International Conference on "
                                                  "System Sciences"))
    assert not journal_compatible(nj("BJ"), nj("Biochemical Journal"))  # two letters: too few


def test_an_issn_in_the_journal_name_is_not_part_of_the_name():
    a = rec("a", TITLE, **{**ARTICLE, "journal": "Implementation Science (1748-5908)"})
    assert make_keys(a).journal == make_keys(rec("b", TITLE, **ARTICLE)).journal
    assert make_keys(rec("c", TITLE, journal="Medicine (Baltimore)")).journal == (
        "medicine", "baltimore")


# ------------------------------------------------------------------------------ preprints
CONF = dict(authors=AUTHORS, year="2018", journal="International Conference on Information "
            "Systems", pages="1-17", type="CONF")


def test_an_ssrn_doi_on_a_conference_papers_record_goes_to_a_person():
    a = rec("a", TITLE, **CONF)
    b = rec("b", TITLE, doi="10.2139/ssrn.3266249", **CONF)
    v = verdict(a, b)
    assert v.decision == UNCERTAIN and v.rule == "preprint-doi"


@pytest.mark.parametrize("change", [
    {"journal": "SSRN Electronic Journal"},  # a preprint by its venue too
    {"pages": "1-20"},
    {"title": TITLE + " in Denmark"},
])
def test_a_preprint_stays_apart_from_the_paper(change):
    a = rec("a", TITLE, **CONF)
    b = rec("b", **{"title": TITLE, **CONF, "doi": "10.2139/ssrn.3266249", **change})
    v = verdict(a, b)
    assert v.decision == DISTINCT and v.rule == "different-kinds", change


# ------------------------------------------------------------------------------- language
@pytest.mark.parametrize(("title", "language"), [
    ("Review-Artikel: Zum aktuellen Stand des Plattformkapitalismus.", "de"),
    ("Stress im Beruf", ""),  # three words: too short to tell by one word
    ("Review article: the current situation", ""),  # one English word is not enough
])
def test_one_small_word_tells_a_language_other_than_english(title, language):
    assert title_language(title) == language


def test_a_german_title_with_one_small_word_at_the_same_full_locator_merges():
    en = rec("en", "Review article: the current situation of platform capitalism", **ARTICLE)
    de = rec("de", "Review-Artikel: Zum aktuellen Stand des Plattformkapitalismus", **ARTICLE)
    assert verdict(en, de).rule == "same-locator"
    other = rec("o", "Review-Artikel: Zum aktuellen Stand des Plattformkapitalismus",
                **{**ARTICLE, "pages": "128-139"})
    assert verdict(en, other).decision != DUPLICATE
