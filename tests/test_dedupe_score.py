"""The learned score for uncertain pairs: no model is shipped (the rules alone decide; see
``MODEL`` in score.py); a model, when there is one, decides clear cases of the rules it learned,
names itself in the evidence, and never overrides a stay-apart, distinct or hard verdict (nor a
rule it did not learn)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from implmap.dedupe import score
from implmap.dedupe.groups import dedupe_records
from implmap.dedupe.keys import make_keys
from implmap.dedupe.match import DISTINCT, DUPLICATE, STAY_APART_RULES, UNCERTAIN, compare
from support.builders import rec

AUTHORS = ["Anttila, A", "Kotaniemi-Talonen, L", "Leinonen, M"]
TITLE = ("Rate of cervical cancer, severe intraepithelial neoplasia, and adenocarcinoma in situ "
         "in primary HPV DNA screening with cytology triage")
ARTICLE = dict(authors=AUTHORS, year="2010", journal="BMJ", volume="340")
_W = {"title": 6.0, "first_author": 1.0, "journal_agree": 1.0, "page_differ": -1.0,
      "part_missing": -6.0}
#: a model written for these tests: the title decides, a missing part counts against
MODEL = score.ScoreModel(
    mean=(0.0,) * len(score.FEATURES), scale=(1.0,) * len(score.FEATURES),
    coef=tuple(_W.get(f, 0.0) for f in score.FEATURES), intercept=-4.0, high=0.9, low=0.1,
    rules=frozenset({"source-differs", "part-missing", "authors-differ", "similar-title",
                     "year-apart"}))


@pytest.fixture(autouse=True)
def _model(monkeypatch):
    monkeypatch.setattr(score, "MODEL", MODEL)


def keys(a: dict, b: dict):
    return make_keys(a), make_keys(b)


def test_no_model_is_shipped_and_the_rules_alone_decide(monkeypatch):
    monkeypatch.undo()
    assert score.MODEL is None  # off: see the comment on MODEL in score.py
    a = rec("a", TITLE, pages="125-128", **ARTICLE)
    b = rec("b", TITLE, pages="2-8", **ARTICLE)
    assert [u["rule"] for u in dedupe_records([a, b]).uncertain] == ["source-differs"]


def test_the_test_model_is_a_valid_model():
    assert len(MODEL.coef) == len(MODEL.mean) == len(MODEL.scale) == len(score.FEATURES)
    assert not MODEL.rules & STAY_APART_RULES  # it scores uncertain rules only


def test_a_clear_duplicate_scores_high_and_names_the_rule_and_score():
    # the same paper with two first pages (a typo): the rules leave it to a person
    a = rec("a", TITLE, pages="125-128", **ARTICLE)
    b = rec("b", TITLE, pages="2-8", **ARTICLE)
    ka, kb = keys(a, b)
    v = compare(ka, kb)
    assert (v.decision, v.rule) == (UNCERTAIN, "source-differs")
    assert MODEL.score(ka, kb) >= MODEL.high
    result = dedupe_records([a, b])
    assert [g.members for g in result.groups] == [["a", "b"]] and not result.uncertain
    (ev,) = result.groups[0].evidence
    assert ev["rule"] == "scored-duplicate"
    assert ev["details"]["uncertain-rule"] == "source-differs"
    assert ev["details"]["p"] >= MODEL.high


def test_a_clear_distinct_pair_is_set_aside_softly():
    # only one title names a part, and the titles are far apart
    a = rec("a", "Exercise therapy for knee osteoarthritis in general practice: part 1",
            **ARTICLE)
    b = rec("b", "Exercise therapy for knee pain in general practice", **ARTICLE)
    v = score.rescore(*keys(a, b), compare(*keys(a, b)))
    assert (v.decision, v.rule, v.hard) == (DISTINCT, "scored-distinct", False)
    assert v.details["uncertain-rule"] == "part-missing"
    assert not dedupe_records([a, b]).uncertain


ALWAYS_DUPLICATE = replace(MODEL, high=0.0, low=-1.0)


@pytest.mark.parametrize("a,b", [
    (rec("a", "Erratum: " + TITLE, pages="1100", **ARTICLE),
     rec("b", TITLE, pages="1014-1020", **ARTICLE)),  # different kinds
    (rec("a", TITLE, authors=AUTHORS, year="2010"),
     rec("b", TITLE, authors=AUTHORS, year="2014")),  # different years
    (rec("a", "Exercise therapy in adults with knee pain", **ARTICLE),
     rec("b", "Exercise therapy in children with knee pain", **ARTICLE)),  # opposed words
    (rec("a", TITLE, doi="10.1136/bmj.c1804", **ARTICLE),
     rec("b", TITLE, doi="10.1136/bmj.c1805", **{**ARTICLE, "journal": "Pain"})),  # DOIs
    (rec("a", TITLE, doi="10.1136/bmj.c1804", **ARTICLE),
     rec("b", TITLE, doi="10.1136/bmj.c1805", **ARTICLE)),  # DOIs: uncertain, but hard
])
def test_a_stay_apart_or_distinct_verdict_is_never_overridden(monkeypatch, a, b):
    monkeypatch.setattr(score, "MODEL", ALWAYS_DUPLICATE)  # a model that would merge anything
    ka, kb = keys(a, b)
    v = compare(ka, kb)
    assert v.decision == DISTINCT or (v.decision == UNCERTAIN and v.hard)
    assert score.rescore(ka, kb, v) is v
    assert not dedupe_records([a, b]).groups


def test_a_rule_the_model_did_not_learn_stays_with_a_person(monkeypatch):
    monkeypatch.setattr(score, "MODEL", ALWAYS_DUPLICATE)
    a = rec("a", "Editorial", authors=["Lee, A"], year="2001", journal="MIS Quarterly")
    b = rec("b", "Editorial", authors=["Lee, A"], year="2001", journal="MIS Quarterly")
    v = compare(*keys(a, b))
    assert (v.decision, v.rule) == (UNCERTAIN, "generic-title")
    assert "generic-title" not in score.MODEL.rules
    assert score.rescore(*keys(a, b), v) is v
    assert [u["rule"] for u in dedupe_records([a, b]).uncertain] == ["generic-title"]


def test_a_duplicate_verdict_is_left_as_it_is(monkeypatch):
    monkeypatch.setattr(score, "MODEL", replace(score.MODEL, high=2.0, low=1.5))  # all distinct
    a = rec("a", TITLE, pages="1014-1020", **ARTICLE)
    b = rec("b", TITLE, pages="1014-1020", **ARTICLE)
    v = compare(*keys(a, b))
    assert v.decision == DUPLICATE and score.rescore(*keys(a, b), v) is v
