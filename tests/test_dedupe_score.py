"""The learned score for uncertain pairs: the shipped model loads, decides clear cases of the
rules it learned, names itself in the evidence, and never overrides a stay-apart or distinct
verdict (nor a rule it did not learn)."""

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


def keys(a: dict, b: dict):
    return make_keys(a), make_keys(b)


def test_the_shipped_model_loads():
    m = score.MODEL
    assert m is not None
    assert len(m.coef) == len(m.mean) == len(m.scale) == len(score.FEATURES)
    assert 0.0 < m.low < m.high < 1.0
    assert m.rules and not m.rules & STAY_APART_RULES  # it scores uncertain rules only


def test_a_clear_duplicate_scores_high_and_names_the_rule_and_score():
    # the print pages of a BMJ paper and its e-locator: the rules leave it to a person
    a = rec("a", TITLE, pages="1014", **ARTICLE)
    b = rec("b", TITLE, pages="c1804", **ARTICLE)
    ka, kb = keys(a, b)
    v = compare(ka, kb)
    assert (v.decision, v.rule) == (UNCERTAIN, "source-differs")
    assert score.MODEL is not None and score.MODEL.score(ka, kb) >= score.MODEL.high
    result = dedupe_records([a, b])
    assert [g.members for g in result.groups] == [["a", "b"]] and not result.uncertain
    (ev,) = result.groups[0].evidence
    assert ev["rule"] == "scored-duplicate"
    assert ev["details"]["uncertain-rule"] == "source-differs"
    assert ev["details"]["p"] >= score.MODEL.high


def test_a_clear_distinct_pair_is_set_aside_softly():
    # only one title names a part: the labelled sets never held one copy of this kind
    a = rec("a", "Exercise therapy for knee osteoarthritis: part 1", **ARTICLE)
    b = rec("b", "Exercise therapy for knee osteoarthritis", authors=["Smith, J"],
            year="2010")
    v = score.rescore(*keys(a, b), compare(*keys(a, b)))
    assert (v.decision, v.rule, v.hard) == (DISTINCT, "scored-distinct", False)
    assert v.details["uncertain-rule"] == "part-missing"
    assert not dedupe_records([a, b]).uncertain


ALWAYS_DUPLICATE = replace(score.MODEL, high=0.0, low=-1.0) if score.MODEL else None


@pytest.mark.parametrize("a,b", [
    (rec("a", "Erratum: " + TITLE, pages="1100", **ARTICLE),
     rec("b", TITLE, pages="1014-1020", **ARTICLE)),  # different kinds
    (rec("a", TITLE, authors=AUTHORS, year="2010"),
     rec("b", TITLE, authors=AUTHORS, year="2014")),  # different years
    (rec("a", "Exercise therapy in adults with knee pain", **ARTICLE),
     rec("b", "Exercise therapy in children with knee pain", **ARTICLE)),  # opposed words
    (rec("a", TITLE, doi="10.1136/bmj.c1804", **ARTICLE),
     rec("b", TITLE, doi="10.1136/bmj.c1805", **ARTICLE)),  # different DOIs
])
def test_a_stay_apart_or_distinct_verdict_is_never_overridden(monkeypatch, a, b):
    monkeypatch.setattr(score, "MODEL", ALWAYS_DUPLICATE)  # a model that would merge anything
    ka, kb = keys(a, b)
    v = compare(ka, kb)
    assert v.decision == DISTINCT
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


def test_without_a_model_the_rules_alone_decide(monkeypatch):
    monkeypatch.setattr(score, "MODEL", None)
    a = rec("a", TITLE, pages="1014", **ARTICLE)
    b = rec("b", TITLE, pages="c1804", **ARTICLE)
    assert [u["rule"] for u in dedupe_records([a, b]).uncertain] == ["source-differs"]
