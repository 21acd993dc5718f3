"""The rules for awkward exports: erratum notices exported with and without their marker,
shifted volume/issue/page fields, translated titles, changed titles, only the last page; and the
rules that keep alike-looking items apart (opposed words, one-page notices, another journal);
titles in another language at the same full locator, titles without their subtitle, and a first
author written given name first.
Each rule has a case where it applies and a counter-case where the records stay apart."""

from __future__ import annotations

import pytest

from implmap.dedupe.groups import dedupe_records
from implmap.dedupe.keys import make_keys, record_kind
from implmap.dedupe.match import DISTINCT, DUPLICATE, STAY_APART_RULES, UNCERTAIN, compare
from support.builders import rec

AUTHORS = ["Klausen, Mette Dahl", "Hansen, Peter", "Olsen, Ida"]
TITLE = "Barriers to implementing exercise therapy for knee osteoarthritis in general practice"
ARTICLE = dict(authors=AUTHORS, year="2019", journal="Implementation Science", volume="14",
               issue="2", pages="101-110")
# where the erratum of that article was printed
NOTICE = dict(authors=AUTHORS, year="2019", journal="Implementation Science", volume="14",
              issue="6", pages="616-616")


def verdict(a: dict, b: dict):
    return compare(make_keys(a), make_keys(b))


def groups(records: list[dict]) -> set[frozenset[str]]:
    return {frozenset(g.members) for g in dedupe_records(records).groups}


# ------------------------------------------------------------------------- erratum notices
@pytest.mark.parametrize("title", [
    "Erratum: " + TITLE,
    "Correction to: " + TITLE,
    TITLE + " (vol 14, pg 101, 2019)",  # Web of Science
    TITLE + " (Implementation Science (2019) 14 (101-110))",  # Embase
    "Erratum: " + TITLE + " (Implementation Science (M",  # the same, cut short by the export
])
def test_erratum_markers_are_recognised_and_left_out_of_the_title(title):
    k = make_keys(rec("e", title, **NOTICE))
    assert k.kind == "erratum"
    assert k.title == make_keys(rec("a", TITLE)).title


def test_two_records_of_one_erratum_notice_merge_but_never_with_the_article():
    wos = rec("wos", TITLE + " (vol 14, pg 101, 2019)", **NOTICE)
    embase = rec("embase", TITLE + " (Implementation Science (2019) 14 (101-110))", **NOTICE)
    article = rec("article", TITLE, **ARTICLE)
    assert verdict(wos, embase).decision == DUPLICATE
    assert verdict(wos, article).rule == "different-kinds"
    assert groups([article, wos, embase]) == {frozenset({"wos", "embase"})}


def test_two_errata_of_one_article_printed_apart_stay_apart():
    a = rec("a", "Erratum: " + TITLE, **NOTICE)
    b = rec("b", "Erratum: " + TITLE, **{**NOTICE, "issue": "9", "pages": "880"})
    assert verdict(a, b).decision != DUPLICATE


def test_same_notice_with_and_without_its_marker_merges():
    marked = rec("marked", "Erratum: " + TITLE, **NOTICE)
    unmarked = rec("unmarked", TITLE, **NOTICE)  # a database kept only the article's title
    v = verdict(marked, unmarked)
    assert v.decision == DUPLICATE and v.rule == "same-notice"
    # the article itself (no pages in this export, so its title alone would match the
    # unmarked notice) is not pulled into the notice's group
    article = rec("article", TITLE, authors=AUTHORS, year="2019")
    assert groups([article, marked, unmarked]) == {frozenset({"marked", "unmarked"})}


@pytest.mark.parametrize(("marked", "unmarked"), [
    ({"pages": "617"}, {}),  # another page: another item
    ({"issue": ""}, {"issue": ""}),  # the locator is not complete
    ({"issue": "2", "pages": "101-110"}, {"issue": "2", "pages": "101-110"}),  # the article's
    ({"journal": "Physiotherapy"}, {}),
])
def test_same_notice_needs_the_same_complete_one_page_locator(marked, unmarked):
    v = verdict(rec("m", "Erratum: " + TITLE, **{**NOTICE, **marked}),
                rec("u", TITLE, **{**NOTICE, **unmarked}))
    assert v.decision == DISTINCT and v.rule == "different-kinds", (marked, unmarked)


def test_reply_after_a_dash_is_a_reply():
    assert record_kind(TITLE + " - Reply", "JOUR", "", "") == "reply"
    assert record_kind(TITLE + ": authors' reply", "JOUR", "", "") == "reply"
    letter = rec("letter", TITLE, **{**ARTICLE, "pages": "943-944"})
    reply = rec("reply", TITLE + " - Reply", **{**ARTICLE, "pages": "945",
                                                "authors": ["Shepherd, A"]})
    assert verdict(letter, reply).rule == "different-kinds"
    # a reply is never a copy of the letter, even on the same pages
    assert verdict(letter, {**reply, "pages": "943-944"}).decision == DISTINCT


# -------------------------------------------------------------------------- shifted fields
def test_shifted_volume_issue_and_page_merge():
    shifted = rec("shifted", TITLE, **{**ARTICLE, "volume": "", "issue": "14", "pages": "2"})
    v = verdict(shifted, rec("right", TITLE, **ARTICLE))
    assert v.decision == DUPLICATE and v.rule == "shifted-fields"


@pytest.mark.parametrize("changes", [
    {"volume": "", "issue": "14", "pages": "3"},  # 3 is none of the other's numbers
    {"volume": "", "issue": "", "pages": "2"},  # one number says too little
    {"volume": "", "issue": "14", "pages": "2", "journal": "Physiotherapy"},
])
def test_numbers_that_are_not_a_shift_stay_apart(changes):
    other = rec("other", TITLE, **{**ARTICLE, **changes})
    v = verdict(other, rec("right", TITLE, **ARTICLE))
    assert v.decision != DUPLICATE and v.rule != "shifted-fields", changes


def test_shift_needs_the_same_title_and_first_author():
    shifted = dict(ARTICLE, volume="", issue="14", pages="2")
    right = rec("right", TITLE, **ARTICLE)
    assert verdict(rec("s", TITLE + " in Denmark", **shifted), right).decision != DUPLICATE
    assert verdict(rec("s", TITLE, **{**shifted, "authors": ["Smith, John"]}),
                   right).decision != DUPLICATE


# ------------------------------------------------------------------ translated title, pages
TRANSLATED = "[Barriers to exercise therapy for osteoarthritis of the knee in general " \
    "practice: interviews with physicians]. [Danish]"


def test_translated_title_with_the_same_page_range_merges():
    v = verdict(rec("en", TITLE, **ARTICLE), rec("da", TRANSLATED, **ARTICLE))
    assert 0.5 < v.score < 0.8
    assert v.decision == DUPLICATE and v.rule == "same-page-range"


@pytest.mark.parametrize(("en", "da"), [
    ({"pages": "101"}, {"pages": "101"}),  # one page: not enough to vouch for a changed title
    ({}, {"pages": "101-112"}),  # another last page
    ({}, {"issue": "3"}),  # supplements and issues that number their pages anew
    ({}, {"authors": ["Smith, John"]}),
    ({}, {"year": "2020"}),
    ({}, {"journal": "Physiotherapy"}),
])
def test_changed_title_needs_the_whole_locator(en, da):
    v = verdict(rec("en", TITLE, **{**ARTICLE, **en}), rec("da", TRANSLATED, **{**ARTICLE, **da}))
    assert v.decision != DUPLICATE, (en, da)


GERMAN = ("Hindernisse bei der Umsetzung der Bewegungstherapie bei Kniearthrose in der "
          "Hausarztpraxis")


def test_title_in_another_language_at_the_same_full_locator_merges():
    """No shared words at all, but the same first author, year, journal, volume, issue and
    page range: one article, indexed once under its original and once under its English title."""
    v = verdict(rec("en", TITLE, **ARTICLE), rec("de", GERMAN, **ARTICLE))
    assert v.decision == DUPLICATE and v.rule == "same-locator"


def test_another_english_title_at_the_same_locator_stays_apart():
    """Two English titles that share few words at one locator: a data error somewhere, not
    evidence of one article (only a title in another language is)."""
    other = rec("o", "Patient education about pain: a cluster trial in Danish clinics", **ARTICLE)
    assert verdict(rec("a", TITLE, **ARTICLE), other).decision != DUPLICATE


@pytest.mark.parametrize(("title", "language"), [
    (TITLE, "en"), (GERMAN, "de"),
    ("Les obstacles à la mise en oeuvre de l'exercice pour la gonarthrose", "fr"),
    ("Barreras para la implementación del ejercicio en la atención primaria", "es"),
    ("AND (HUS)", ""), ("Osteoarthritis", ""),
])
def test_title_language(title, language):
    from implmap.dedupe.keys import title_language

    assert title_language(title) == language


@pytest.mark.parametrize("change", [
    {"issue": ""},  # without both issues the locator is not whole
    {"issue": "3"},
    {"pages": "101"},  # one page
    {"pages": "101-112"},
    {"authors": ["Smith, John"]},
    {"year": "2020"},
    {"volume": "15"},
])
def test_title_in_another_language_needs_the_whole_locator(change):
    v = verdict(rec("en", TITLE, **ARTICLE), rec("de", GERMAN, **{**ARTICLE, **change}))
    assert v.decision != DUPLICATE, change


def test_same_locator_never_joins_an_erratum_or_a_preprint():
    erratum = rec("e", "Erratum: " + GERMAN, **ARTICLE)
    assert verdict(rec("en", TITLE, **ARTICLE), erratum).rule == "different-kinds"
    preprint = rec("p", GERMAN, **{**ARTICLE, "journal": "SSRN Electronic Journal"})
    assert verdict(rec("en", TITLE, **ARTICLE), preprint).decision != DUPLICATE


# ------------------------------------------------------------------------ subtitle dropped
PROC = dict(authors=["Soden, Robert", "Palen, Leysia"], year="2016",
            journal="Proceedings of the CHI Conference on Human Factors in Computing Systems",
            pages="2796-2807", type="CONF")


def test_title_without_its_subtitle_merges_when_the_source_agrees():
    short = rec("s", "Infrastructure in the Wild", **PROC)
    full = rec("f", "Infrastructure in the wild: what mapping after an earthquake reveals",
               **{**PROC, "authors": ["Soden, R.", "Palen, L."]})
    v = verdict(short, full)
    assert v.decision == DUPLICATE and v.rule == "subtitle-dropped"


@pytest.mark.parametrize(("short_title", "change"), [
    ("Infrastructure in the Wild", {"pages": "12-20"}),  # another paper of the proceedings
    ("Infrastructure in the Wild", {"year": "2018"}),
    ("Infrastructure in the Wild", {"authors": ["Larsen, Bo"]}),
    ("Infrastructure", {}),  # a main title of one or two words says too little
])
def test_title_without_its_subtitle_needs_the_same_source(short_title, change):
    short = rec("s", short_title, **{**PROC, **change})
    full = rec("f", "Infrastructure in the wild: what mapping after an earthquake reveals", **PROC)
    assert verdict(short, full).decision != DUPLICATE, (short_title, change)


# ------------------------------------------------------------------- name order swapped
def test_first_author_written_given_name_first_is_the_same_author():
    a = rec("a", TITLE, **{**ARTICLE, "authors": ["Klausen, Mette", "Hansen, Peter"]})
    b = rec("b", TITLE, **{**ARTICLE, "authors": ["Mette, K.", "Peter, H."]})
    assert verdict(a, b).decision == DUPLICATE


def test_a_different_first_author_is_not_a_swapped_name():
    a = rec("a", TITLE, **{**ARTICLE, "authors": ["Klausen, Mette"]})
    for other in (["Mette, L."], ["Mettesen, K."], ["Anna, K."]):
        b = rec("b", TITLE, **{**ARTICLE, "authors": other})
        assert verdict(a, b).decision != DUPLICATE, other


def test_part_one_and_part_two_in_one_issue_stay_apart():
    one = rec("1", "Exercise therapy in general practice, part I: barriers", **ARTICLE)
    two = rec("2", "Exercise therapy in general practice, part II: facilitators",
              **{**ARTICLE, "pages": "111-120"})
    assert verdict(one, two).decision == DISTINCT
    # and even if an export gave both the same pages
    assert verdict(one, {**two, "pages": "101-110"}).rule == "different-parts"


def test_changed_title_by_the_same_authors_is_left_to_a_person():
    authors = ["Lapeyraque, A. L.", "Malina, M.", "Fremeaux-Bacchi, V."]
    printed = rec("print", "Eculizumab in severe Shiga-toxin-associated HUS", authors, "2011",
                  "New England Journal of Medicine", "364", "26", "2561-2563")
    online = rec("online", "Complement Blockade in Severe Shiga-Toxin–Associated HUS",
                 ["Lapeyraque, AL", "Malina, M", "Fremeaux-Bacchi, V"], "2011", "New Engl J Med")
    v = verdict(printed, online)
    assert v.decision == UNCERTAIN and v.rule == "changed-title"
    assert dedupe_records([printed, online]).uncertain[0]["rule"] == "changed-title"
    # one shared author is not enough: different titles
    single = {**online, "authors": ["Lapeyraque, AL"]}
    assert verdict({**printed, "authors": ["Lapeyraque, A. L."]}, single).rule == \
        "different-titles"


# ------------------------------------------------------------------------- staying apart
TRIAL = "Open label controlled trial of eculizumab in {} patients with plasma therapy-{} aHUS"


@pytest.mark.parametrize(("x", "y"), [
    (("adult", "sensitive"), ("adolescent", "sensitive")),
    (("adult", "sensitive"), ("adult", "resistant")),
    (("adult", "resistant"), ("adolescent", "resistant")),
])
def test_titles_with_opposed_words_stay_apart(x, y):
    a = rec("a", TRIAL.format(*x), ["Alexion Pharmaceuticals"], "2011")
    b = rec("b", TRIAL.format(*y), ["Alexion Pharmaceuticals"], "2011")
    v = verdict(a, b)
    assert v.decision == DISTINCT and v.rule == "contrasting-titles" and v.hard


def test_opposed_words_need_one_on_each_side():
    a = rec("a", TITLE + " in adults and adolescents", **ARTICLE)
    b = rec("b", TITLE + " in adults and adolescents.", **ARTICLE)
    assert verdict(a, b).decision == DUPLICATE
    c = rec("c", TITLE + " in adults", **ARTICLE)  # one title adds a word, none opposes it
    assert verdict(a, c).rule != "contrasting-titles"
    # the same DOI wins over words
    d = rec("d", TITLE + " in adults", doi="10.1/x", **ARTICLE)
    e = rec("e", TITLE + " in children", doi="10.1/x", **ARTICLE)
    assert verdict(d, e).decision == DUPLICATE


@pytest.mark.parametrize(("x", "y"), [
    ("resectable", "unresectable"), ("controlled", "uncontrolled"),
    ("relevant", "irrelevant"), ("compliant", "noncompliant"),
])
def test_a_word_and_its_negation_stay_apart(x, y):
    a = rec("a", f"Outcomes of {x} disease in general practice", **ARTICLE)
    b = rec("b", f"Outcomes of {y} disease in general practice", **ARTICLE)
    v = verdict(a, b)
    assert v.decision == DISTINCT and v.rule == "contrasting-titles" and v.hard
    assert {x, y} <= set(v.reason.replace("(", " ").replace(")", " ").split())


def test_one_page_item_in_another_issue_is_a_notice():
    article = rec("a", TITLE, **ARTICLE)
    notice = rec("n", TITLE, **NOTICE)  # same title, a single page, four issues later
    v = verdict(article, notice)
    assert v.decision == DISTINCT and v.rule == "one-page-notice" and v.hard
    assert not dedupe_records([article, notice]).groups


@pytest.mark.parametrize("changes", [
    {"pages": "110", "issue": "6"},  # the last page of the article: an export of its end page
    {"pages": "616", "issue": ""},  # no issue to tell
    {"pages": "616-619", "issue": "6"},  # two ranges: not a one-page item
])
def test_not_a_one_page_notice(changes):
    v = verdict(rec("a", TITLE, **ARTICLE), rec("b", TITLE, **{**ARTICLE, **changes}))
    assert v.rule != "one-page-notice", changes


def test_a_record_with_only_the_last_page_merges():
    full = rec("full", TITLE, **{**ARTICLE, "issue": ""})
    last = rec("last", TITLE, **{**ARTICLE, "issue": "", "pages": "110"})
    v = verdict(full, last)
    assert v.decision == DUPLICATE and v.rule == "last-page-only"


@pytest.mark.parametrize("changes", [
    {"pages": "111"},  # the page after the article: another item
    {"pages": "110", "issue": "6"},  # in another issue
    {"pages": "110", "volume": "15"},
    {"pages": "110", "authors": ["Smith, John"]},
])
def test_last_page_only_needs_the_rest_of_the_source(changes):
    full = rec("full", TITLE, **ARTICLE)
    other = rec("other", TITLE, **{**ARTICLE, **changes})
    assert verdict(full, other).decision != DUPLICATE, changes


def test_same_title_in_another_journal_stays_apart():
    a = rec("a", TITLE, **{**ARTICLE, "journal": "British Journal of Haematology",
                           "volume": "145", "issue": "Suppl. 1", "pages": "23"})
    b = rec("b", TITLE, **{**ARTICLE, "journal": "Haematologica", "volume": "94",
                           "issue": "Suppl. 2", "pages": "239-240"})
    v = verdict(a, b)
    assert v.decision == DISTINCT and v.rule == "different-journal"


def test_editions_of_one_journal_are_one_journal():
    a = rec("a", TITLE, **{**ARTICLE, "journal": "BMJ", "volume": "340", "issue": "",
                           "pages": "c1804"})
    b = rec("b", TITLE, **{**ARTICLE, "journal": "BMJ (Clinical research ed.)", "volume": "340",
                           "issue": "", "pages": "c1804"})
    c = rec("c", TITLE, **{**ARTICLE, "journal": "BMJ (Online)", "volume": "340", "issue": "",
                           "pages": "c1804"})
    assert verdict(a, b).decision == DUPLICATE and verdict(a, c).decision == DUPLICATE
    # but a place in brackets names another journal
    d = rec("d", TITLE, **{**ARTICLE, "journal": "Medicine (Baltimore)", "volume": "98"})
    e = rec("e", TITLE, **{**ARTICLE, "journal": "Medicine (Kaunas)", "volume": "55"})
    assert verdict(d, e).decision == DISTINCT


def test_every_stay_apart_rule_is_a_rule_of_compare():
    import inspect

    from implmap.dedupe import match

    source = inspect.getsource(match)
    for rule in STAY_APART_RULES:
        assert f'"{rule}"' in source, rule
