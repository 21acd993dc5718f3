"""Comparing two prepared records: are they the same work, different works, or unclear?

:func:`compare` applies explicit rules, in order, and returns a :class:`Verdict` naming the rule
that decided, with the evidence (title similarity, which fields agree or disagree). Precision
comes first: anything that says "different item" wins over similarity —

1. different kinds (an erratum, a comment, a reply, a retraction notice, a protocol, a preprint
   or a conference abstract is not the article it is about; but an erratum notice exported once
   with and once without its marker, at the same one-page locator, is one notice; a record
   that is a preprint only by its DOI, at the other's venue and pages, goes to a person);
   different part numbers;
2. different DOIs (unless all else agrees: DOIs of two publishers at one full locator are a
   wrong DOI; one publisher's two DOIs, or the same title a year or volume apart, go to a
   person and stay apart until a person merges them), different PMIDs; publication years more
   than one year apart; titles that differ in opposed words (*adult* / *adolescent*,
   *sensitive* / *resistant*);
3. the same DOI or PMID (with titles that do not contradict it) is the same work;
4. otherwise the title must match, and the authors, year and source (journal, volume, first
   page) must agree; a near match with nothing against it is *uncertain* and left to a person.
   A changed (translated) title merges only when the whole page range agrees; volume, issue and
   page numbers shifted by an export are recognised; a one-page item in another issue under an
   article's title, the same title in another journal, or in another issue without pages (a
   recurring column), is another item;
5. a pair still open is decided by its abstracts where they tell: the same text is one work
   (only for pairs open for want of evidence), quite different texts are two.

:data:`STAY_APART_RULES` names the rules that encode the issue's "precision first" list (items
that look like duplicates but must stay apart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .evidence import (
    OPPOSED_WORDS,
    abstract_overlap,
    agree,
    authors_agree,
    content_share,
    last_page_only,
    negated_words,
    one_page_notice,
    opposed_words,
    page_span,
    pages_agree,
    preprint_doi_only,
    same_notice,
    shifted_numbers,
    subtitle_dropped,
    title_similarity,
    tri,
    volumes_agree,
)
from .keys import Keys, title_language
from .text import journal_compatible

__all__ = ["DISTINCT", "DUPLICATE", "STAY_APART_RULES", "UNCERTAIN", "Verdict", "compare"]

DUPLICATE = "duplicate"
DISTINCT = "distinct"
UNCERTAIN = "uncertain"

_HARD_ARTICLE_KINDS = {"article", "conference", "preprint"}

#: Rules that keep apart records which look alike but are different items by the "precision
#: first" list of the deduplication issue: errata, comments, replies, retraction notices,
#: protocols, preprints and conference abstracts vs the article (``different-kinds``), Part I vs
#: Part II and numbered series (``different-parts``, ``different-numbers``), the same title by
#: other authors or from other years, studies of opposed populations or conditions
#: (``contrasting-titles``), a one-page notice under an article's title (``one-page-notice``),
#: and the same title published in another journal (``different-journal``).
STAY_APART_RULES = frozenset({
    "different-kinds", "different-parts", "different-numbers", "different-authors",
    "different-years", "contrasting-titles", "one-page-notice", "different-journal",
})



@dataclass(slots=True)
class Verdict:
    """The outcome of comparing two records, with the rule that decided and its evidence."""

    decision: str  # DUPLICATE, DISTINCT or UNCERTAIN
    rule: str  # a short rule name, e.g. "same-doi"
    reason: str  # one sentence for people
    score: float  # title similarity (0-1) when titles were compared, else 1.0 or 0.0
    hard: bool = False  # the records must not end up in one group unless a person merges them
    details: dict[str, Any] = field(default_factory=dict)

    def evidence(self, a: str, b: str) -> dict[str, Any]:
        return {"pair": [a, b], "rule": self.rule, "reason": self.reason,
                "score": round(self.score, 3), **({"details": self.details}
                                                  if self.details else {})}


#: pairs left open for want of evidence, which the same abstract decides as one work
_SAME_TEXT_DECIDES = frozenset({"year-apart", "same-title-little-else", "similar-title",
                                "changed-title", "no-title-same-source", "generic-title"})
#: pairs left open that a person should see even when their abstracts differ
_PERSON_DECIDES = frozenset({"retracted", "preprint-doi", "abstract-or-article"})


def compare(a: Keys, b: Keys) -> Verdict:
    """Compare two prepared records (see the module docstring for the rules), then, for a pair
    the rules leave open, their abstracts: the same text (90 % of the shorter one's letter
    4-grams, of 200 letters or more) decides a pair open for want of evidence as one work
    (``same-abstract-text``), provided no journal, volume or page says otherwise; quite
    different texts (under half) in one language decide an open pair as different works
    (``different-abstracts``, a soft verdict; an abstract in another language is no evidence)."""
    v = _rules(a, b)
    if v.decision != UNCERTAIN or v.hard or v.rule in _PERSON_DECIDES:
        return v
    overlap = abstract_overlap(a, b)
    if overlap is None:
        return v
    details = {**v.details, "uncertain-rule": v.rule, "abstracts": round(overlap, 2)}
    if overlap >= 0.9 and v.rule in _SAME_TEXT_DECIDES and "differ" not in (
            v.details.get("journal"), v.details.get("volume"), v.details.get("page")):
        return Verdict(DUPLICATE, "same-abstract-text", f"{v.reason}; but the abstracts are "
                       f"the same text ({overlap:.0%} of the shorter one)", v.score,
                       details=details)
    if overlap < 0.5 and title_language(a.abstract) == title_language(b.abstract):
        return Verdict(DISTINCT, "different-abstracts", f"{v.reason}; but the abstracts are "
                       f"different texts (only {overlap:.0%} of the shorter one)", v.score,
                       details=details)
    return v


def _rules(a: Keys, b: Keys) -> Verdict:
    """The rules of the module docstring, in order."""
    # 1. different kinds of item, different parts
    soft_kinds = False
    if a.kind != b.kind:
        same_id = (a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid)
        soft_kinds = {a.kind, b.kind} == {"article", "conference"}
        if not (soft_kinds or (same_id and {a.kind, b.kind} <= _HARD_ARTICLE_KINDS)):
            if "erratum" in (a.kind, b.kind) and a.page == b.page:
                tsim = title_similarity(a, b)
                if same_notice(a, b, tsim):
                    return Verdict(DUPLICATE, "same-notice", "one erratum notice: one record "
                                   "is marked as an erratum, the other not, at the same journal, "
                                   "volume, issue and page", tsim)
            if preprint_doi_only(a, b):
                return Verdict(UNCERTAIN, "preprint-doi", "one record is a preprint only by its "
                               "DOI; its title, authors, year, venue and pages are the other's: "
                               "the preprint, or the paper given its preprint's DOI?", 1.0)
            return Verdict(DISTINCT, "different-kinds", f"a {a.kind} and a {b.kind} are "
                           "different items", 0.0, hard=True)
    if a.part is not None and b.part is not None and a.part != b.part:
        return Verdict(DISTINCT, "different-parts", f"part {a.part} and part {b.part}", 0.0,
                       hard=True)
    # 2. identifiers (cheap tests first: most compared pairs end here)
    if a.doi and b.doi and a.doi != b.doi:
        return _different_dois(a, b)
    if a.pmid and b.pmid and a.pmid != b.pmid:
        return Verdict(DISTINCT, "different-pmid", f"PMIDs differ ({a.pmid} vs {b.pmid})",
                       0.0, hard=True)
    same_id = (a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid)
    if not same_id and a.year and b.year and abs(a.year - b.year) > 1:
        return Verdict(DISTINCT, "different-years", f"published {a.year} and {b.year}", 0.0,
                       hard=True)
    tsim = title_similarity(a, b)
    if a.numbers and b.numbers and a.numbers != b.numbers and tsim not in (1.0, 0.9) and not (
            a.doi and a.doi == b.doi):
        return Verdict(DISTINCT, "different-numbers", "the titles hold different numbers ("
                       f"{' '.join(a.numbers) or 'none'} vs {' '.join(b.numbers) or 'none'})",
                       tsim, hard=True)
    if not same_id and tsim < 1.0 and (
            a.words & OPPOSED_WORDS or b.words & OPPOSED_WORDS or tsim >= 0.6):
        opposed = opposed_words(a, b) or negated_words(a, b)
        if opposed is not None:
            return Verdict(DISTINCT, "contrasting-titles", f"the titles differ in opposed words "
                           f"({opposed[0]} vs {opposed[1]}): different populations or "
                           "conditions", tsim, hard=True)
    if a.retracted != b.retracted:
        return Verdict(UNCERTAIN, "retracted", "one record is marked retracted", tsim)
    if (a.part is None) != (b.part is None) and 0.5 <= tsim < 1.0:
        return Verdict(UNCERTAIN, "part-missing", "only one title names a part", tsim)
    for ident, name in (("doi", "DOI"), ("pmid", "PMID")):
        va, vb = getattr(a, ident), getattr(b, ident)
        if va and va == vb:
            if tsim >= 0.6 or not a.compact or not b.compact:
                return Verdict(DUPLICATE, f"same-{ident}", f"same {name} {va}", tsim or 1.0)
            return Verdict(UNCERTAIN, f"same-{ident}-titles-differ",
                           f"same {name} {va} but the titles differ", tsim)
    # 3. years
    ydiff = abs(a.year - b.year) if a.year and b.year else None
    if ydiff is not None and ydiff > 1:
        return Verdict(DISTINCT, "different-years", f"published {a.year} and {b.year}", tsim,
                       hard=True)
    fa, overlap = authors_agree(a, b)
    authors_ok = None if fa is None else (fa or overlap >= 0.5)
    page = pages_agree(a, b)
    volume = volumes_agree(a, b)
    journal = journal_compatible(a.journal, b.journal)
    details = {"title": round(tsim, 3), "authors": tri(authors_ok), "year": tri(
        None if ydiff is None else ydiff == 0), "journal": tri(journal), "volume": tri(volume),
        "page": tri(page)}
    issue = agree(a.issue, b.issue) if len(a.issue) <= 2 and len(b.issue) <= 2 else None
    if issue is False and page is not True:
        details["issue"] = "differ"
        volume = False if volume is not True else volume
    source_conflict = page is False or volume is False or (issue is False and page is not True)
    source_agree = page is True or volume is True
    if soft_kinds:  # a conference abstract is its journal record only when everything agrees
        if tsim >= 0.97 and authors_ok and ydiff == 0 and not source_conflict and (
                source_agree or journal):
            return Verdict(DUPLICATE, "same-abstract", "same title, authors, year and source "
                           "(one record is marked as a conference abstract)", tsim,
                           details=details)
        if tsim >= 0.9 and authors_ok is not False and not source_conflict:
            return Verdict(UNCERTAIN, "abstract-or-article", "a conference abstract and an "
                           "article with similar titles", tsim, details=details)
        return Verdict(DISTINCT, "different-kinds", f"a {a.kind} and a {b.kind} are "
                       "different items", tsim, details=details)
    # 4. titles
    if not a.compact or not b.compact:
        if authors_ok and ydiff == 0 and page and volume is not False and journal is not False:
            return Verdict(UNCERTAIN, "no-title-same-source", "a title is missing; authors, "
                           "year and source agree", 0.0, details=details)
        return Verdict(DISTINCT, "no-title", "a title is missing", 0.0, details=details)
    if tsim < 0.97 and fa and ydiff == 0 and journal is not False and not source_conflict \
            and (page is True or volume is True) and subtitle_dropped(a, b):
        return Verdict(DUPLICATE, "subtitle-dropped", "one title is the other without its "
                       "subtitle; the same first author, year and source", tsim,
                       details=details)
    same_range = bool(volume and page and a.kind == b.kind == "article" and page_span(a)
                      and a.last_page == b.last_page)
    if tsim < 0.8 and fa and ydiff == 0 and journal and not source_conflict and same_range \
            and issue is True and a.language and b.language and a.language != b.language:
        return Verdict(DUPLICATE, "same-locator", f"a title in {a.language} and one in "
                       f"{b.language}: a translated title; the same first author, year, "
                       "journal, volume, issue and page range", tsim, details=details)
    if tsim < 0.8 and fa and ydiff == 0 and journal and not source_conflict \
            and content_share(a, b) >= 0.5:
        if same_range and issue is not False:
            return Verdict(DUPLICATE, "same-page-range", f"a changed or translated title "
                           f"({tsim:.2f}); the same first author, year, journal, volume and "
                           "page range", tsim, details=details)
        if 0.5 <= tsim < 0.7 and authors_ok and len(set(a.surnames) & set(b.surnames)) >= 2:
            return Verdict(UNCERTAIN, "changed-title", f"titles differ ({tsim:.2f}) but share "
                           "most words; the same authors, year and journal", tsim,
                           details=details)
    if tsim < 0.7:
        return Verdict(DISTINCT, "different-titles", f"titles differ ({tsim:.2f})", tsim,
                       details=details)
    if authors_ok is False:
        if tsim >= 0.97 and page and volume and ydiff == 0:
            return Verdict(UNCERTAIN, "authors-differ", "same title and source, but the "
                           "authors differ", tsim, details=details)
        return Verdict(DISTINCT, "different-authors", "same or similar title, different "
                       "authors", tsim, hard=tsim >= 0.97, details=details)
    if tsim >= 0.97:
        if source_conflict:
            if journal is False and volume is False:
                return Verdict(DISTINCT, "different-journal", "same title, but another journal "
                               "and another volume or page: another publication (the same "
                               "abstract in two journals' supplements, a republished paper)",
                               tsim, details=details)
            if tsim == 1.0 and fa and ydiff == 0 and journal and shifted_numbers(a, b):
                return Verdict(DUPLICATE, "shifted-fields", "same title, authors, year and "
                               "journal; the volume, issue and page numbers of one record are "
                               "among the other's, shifted or partly missing", tsim,
                               details=details)
            if fa and ydiff == 0 and volume is True and issue is not False and journal and \
                    last_page_only(a, b):
                return Verdict(DUPLICATE, "last-page-only", "same title, authors, year, journal "
                               "and volume; one record gives only the last page of the other's "
                               "range", tsim, details=details)
            if issue is False and one_page_notice(a, b):
                return Verdict(DISTINCT, "one-page-notice", "same title, but one record is a "
                               "single page in another issue, outside the other's pages (an "
                               "erratum, comment or abstract)", tsim, hard=True,
                               details=details)
            if issue is False and details["volume"] == "agree" and journal and not (
                    a.page and b.page):
                return Verdict(DISTINCT, "different-issue", "same title, but another issue of "
                               "the volume and no pages to say otherwise: a recurring column "
                               "(Editor's comments)", tsim, details=details)
            if ydiff == 0 and authors_ok and journal is not False:
                return Verdict(UNCERTAIN, "source-differs", "same title, authors and year, but "
                               "volume, issue or pages differ (an abstract and its article? a "
                               "typo?)", tsim, details=details)
            return Verdict(DISTINCT, "different-source", "same title, but volume or first "
                           "page differ", tsim, details=details)
        if len(a.words) <= 3 and page is not True:  # "Editorial", "Editor's comments"
            return Verdict(UNCERTAIN, "generic-title", "a short, generic title; the pages do "
                           "not confirm it", tsim, details=details)
        if ydiff == 1 and not (source_agree or journal):
            return Verdict(UNCERTAIN, "year-apart", "same title and authors, one year apart, "
                           "and nothing in the source agrees", tsim, details=details)
        if authors_ok and ydiff is not None:
            return Verdict(DUPLICATE, "same-title-authors-year", "same title, authors and "
                           "year" + (", one year apart" if ydiff else ""), tsim,
                           details=details)
        if ydiff is not None and (source_agree or journal):
            return Verdict(DUPLICATE, "same-title-source", "same title, year and source",
                           tsim, details=details)
        if tsim == 1.0 and ydiff == 0 and len(a.words) >= 6 and len(a.compact) >= 40:
            return Verdict(DUPLICATE, "same-long-title-year", "the same long title and year; "
                           "nothing else to compare, nothing against it", tsim,
                           details=details)
        return Verdict(UNCERTAIN, "same-title-little-else", "same title; too little else to "
                       "compare", tsim, details=details)
    # similar but not equal titles: the source must agree too
    if tsim >= 0.8 and fa and ydiff == 0 and page is True and volume is not False:
        return Verdict(DUPLICATE, "similar-title-same-source", f"similar titles ({tsim:.2f}); "
                       "same authors, year and first page", tsim, details=details)
    if tsim >= 0.9 and authors_ok and ydiff is not None and not source_conflict and (
        source_agree or journal
    ):
        return Verdict(DUPLICATE, "similar-title-authors-year", f"similar titles ({tsim:.2f}); "
                       "same authors, year and journal", tsim, details=details)
    if source_conflict:
        return Verdict(DISTINCT, "different-source", f"similar titles ({tsim:.2f}), but volume "
                       "or first page differ", tsim, details=details)
    if tsim >= 0.8:
        return Verdict(UNCERTAIN, "similar-title", f"similar titles ({tsim:.2f})", tsim,
                       details=details)
    return Verdict(DISTINCT, "different-titles", f"titles differ ({tsim:.2f})", tsim,
                   details=details)


def _different_dois(a: Keys, b: Keys) -> Verdict:
    """Different DOIs mean different works, unless all else says one work and one DOI is wrong.

    With the same long title, the same authors in the same order and the same journal: at the
    same year, volume, issue and page range, DOIs of two different registrants (publishers) are
    one work with a wrong DOI; DOIs of one registrant there, or a year, volume or pages apart
    (a republished paper?), are left to a person and kept apart until a person merges them.
    """
    if not (a.surnames and a.surnames == b.surnames and a.year and b.year
            and abs(a.year - b.year) <= 1 and a.compact == b.compact and len(a.words) >= 5
            and journal_compatible(a.journal, b.journal) is True) or one_page_notice(a, b):
        return Verdict(DISTINCT, "different-doi", f"DOIs differ ({a.doi} vs {b.doi})", 0.0,
                       hard=True)
    if a.year == b.year and a.volume and a.volume == b.volume and page_span(a) \
            and a.page == b.page and a.last_page == b.last_page and agree(a.issue, b.issue) \
            is not False:
        if a.doi.partition("/")[0] != b.doi.partition("/")[0]:
            return Verdict(DUPLICATE, "wrong-doi", f"DOIs of two publishers ({a.doi} vs "
                           f"{b.doi}), but the same title, authors, journal, year, volume and "
                           "page range: one DOI is wrong", 1.0)
        return Verdict(UNCERTAIN, "doi-differs-same-source", f"DOIs differ ({a.doi} vs "
                       f"{b.doi}), but the title, authors, journal, year, volume and page range "
                       "are the same", 1.0, hard=True)
    return Verdict(UNCERTAIN, "doi-differs-same-title", f"DOIs differ ({a.doi} vs {b.doi}), "
                   "but the same title, authors and journal: a republished paper, or a wrong "
                   "DOI?", 1.0, hard=True)
