"""Abstracts decide the pairs that the rules leave open for want of evidence: the same text
is one work, quite different texts are two; a short abstract, a conflicting source, a pair kept
apart by a rule or one that only a person may decide is left as the rules said."""

from __future__ import annotations

import pytest

from implmap.dedupe.groups import dedupe_records
from implmap.dedupe.keys import make_keys
from implmap.dedupe.match import DISTINCT, DUPLICATE, UNCERTAIN, compare
from support.builders import rec

TITLE = "Design, implementation and performance evaluation of a new digital display system"
ABSTRACT = (
    "We describe a display system for control rooms built from commodity parts. The design "
    "separates rendering from acquisition, so that each can be scaled on its own. Measured on "
    "a test bench with sixteen screens, the system kept its frame rate under full load and "
    "recovered from a failed node within two seconds. We report the costs of building it and "
    "the lessons of running it for one year in a working plant.")
OTHER = (
    "This paper surveys the literature on operator displays in process industries and groups "
    "the reported problems by cause: clutter, alarm floods, poor colour coding and the lack of "
    "overview. For each cause we list the design guidance that the studies give and rate the "
    "strength of the evidence behind it, which is weak for most of the advice in use today.")


def verdict(a: dict, b: dict):
    return compare(make_keys(a), make_keys(b))


def pair(abstract_b: str, **b_fields) -> tuple[dict, dict]:
    """Two records with the same title and nothing else but years one apart: the rules say
    ``year-apart`` and leave the pair to a person."""
    a = rec("a", TITLE, year="1995", abstract=ABSTRACT)
    b = rec("b", TITLE, **{"year": "1996", "abstract": abstract_b, **b_fields})
    return a, b


def test_without_abstracts_the_pair_is_left_to_a_person():
    a, b = pair("")
    v = verdict(a, b)
    assert (v.decision, v.rule) == (UNCERTAIN, "year-apart")


@pytest.mark.parametrize("abstract", [
    ABSTRACT,
    ABSTRACT.upper().replace(",", ""),  # case and punctuation are not the text
    ABSTRACT[: int(len(ABSTRACT) * 0.8)],  # a truncated copy
])
def test_the_same_abstract_makes_an_open_pair_one_work(abstract):
    a, b = pair(abstract)
    v = verdict(a, b)
    assert (v.decision, v.rule) == (DUPLICATE, "same-abstract-text")
    assert v.details["uncertain-rule"] == "year-apart" and v.details["abstracts"] >= 0.9
    assert [set(g.members) for g in dedupe_records([a, b]).groups] == [{"a", "b"}]


def test_different_abstracts_make_an_open_pair_two_works_softly():
    a, b = pair(OTHER)
    v = verdict(a, b)
    assert (v.decision, v.rule, v.hard) == (DISTINCT, "different-abstracts", False)
    result = dedupe_records([a, b])
    assert not result.groups and not result.uncertain


def test_an_abstract_in_another_language_is_no_evidence():
    german = ("Wir beschreiben ein Anzeigesystem für Leitstände aus handelsüblichen Teilen. Der "
              "Entwurf trennt die Darstellung von der Erfassung, so dass beide für sich wachsen "
              "können. Auf einem Prüfstand mit sechzehn Bildschirmen hielt das System unter "
              "voller Last seine Bildrate und erholte sich binnen zwei Sekunden von einem "
              "ausgefallenen Knoten.")
    a, b = pair(german)
    v = verdict(a, b)
    assert (v.decision, v.rule) == (UNCERTAIN, "year-apart")


@pytest.mark.parametrize("change", [
    {"abstract": "No abstract available."},  # too short to compare
    {"abstract": ABSTRACT[:150]},
    {"abstract": ABSTRACT, "journal": "Control Engineering Practice"},  # journals differ
])
def test_a_short_abstract_or_a_conflicting_source_leaves_the_pair_open(change):
    a = rec("a", TITLE, year="1995", abstract=ABSTRACT,
            journal="Displays" if "journal" in change else "")
    b = rec("b", TITLE, **{"year": "1996", **change})
    v = verdict(a, b)
    assert (v.decision, v.rule) == (UNCERTAIN, "year-apart"), change


def test_abstracts_never_join_what_a_rule_keeps_apart_or_leaves_to_a_person():
    base = dict(authors=["Lee, A"], year="2019", journal="Displays", volume="4",
                pages="10-20", abstract=ABSTRACT)
    # an erratum and its article share the article's abstract: still apart
    assert verdict(rec("a", TITLE, **base),
                   rec("e", "Erratum: " + TITLE, **{**base, "pages": "99"})).decision == DISTINCT
    # two DOIs of one publisher at one locator: only a person merges them
    v = verdict(rec("a", TITLE, doi="10.1000/one", **base),
                rec("b", TITLE, doi="10.1000/two", **base))
    assert (v.decision, v.hard) == (UNCERTAIN, True)
    # retracted: a person looks, whatever the abstracts say
    v = verdict(rec("a", TITLE, **base), rec("r", "RETRACTED: " + TITLE, **base))
    assert (v.decision, v.rule) == (UNCERTAIN, "retracted")
