"""Evidence about a pair of prepared records, field by field: how alike their titles are,
whether authors, pages and numbers agree, whether the titles are opposed. The rules of
:func:`implmap.dedupe.match.compare` are written in these terms.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from .keys import Keys, preprint_by_doi
from .text import journal_compatible

__all__ = [
    "OPPOSED_WORDS",
    "abstract_overlap",
    "agree",
    "authors_agree",
    "close_name",
    "content_share",
    "last_page_only",
    "negated_words",
    "one_page_notice",
    "opposed_words",
    "page_span",
    "pages_agree",
    "preprint_doi_only",
    "same_notice",
    "shifted_numbers",
    "single_page",
    "subtitle_dropped",
    "swapped",
    "title_similarity",
    "tri",
    "volumes_agree",
]

# Words that make two otherwise alike titles about different populations or conditions: a word
# of one side in one title only and a word of the other side in the other title only.
_OPPOSED: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(x.split()), frozenset(y.split())) for x, y in (
        ("adult adults", "adolescent adolescents child children childhood pediatric infant "
         "infants neonatal neonates newborn newborns juvenile"),
        ("sensitive", "resistant refractory"),
        ("male males men", "female females women"),
        ("boys", "girls"),
        ("acute", "chronic"),
        ("early", "late"),
        ("positive", "negative"),
        ("benign", "malignant"),
        ("inpatient inpatients", "outpatient outpatients"),
        ("with", "without"),
        ("primary", "secondary"),
        ("increased increase increases", "decreased decrease decreases"),
        ("pre", "post"),
        ("before", "after"),
    ))
OPPOSED_WORDS = frozenset().union(*(x | y for x, y in _OPPOSED))


def title_similarity(a: Keys, b: Keys) -> float:
    """Similarity of two normalised titles: 1.0 when equal, else the Dice coefficient of their
    character trigrams (spaces ignored).

    A title that is the start or the end of the other (a dropped subtitle or series name, a
    truncated export) scores 0.9.
    """
    if not a.compact or not b.compact:
        return 0.0
    if a.compact == b.compact:
        return 1.0
    short, long_ = sorted((a.compact, b.compact), key=len)
    if len(short) >= 30 and (long_.startswith(short) or long_.endswith(short)):
        return 0.9
    if len(short) < 0.6 * len(long_):
        return len(short) / len(long_)
    shared = len(a.words & b.words) / max(len(a.words), len(b.words))
    if shared < 0.25:  # hardly a word in common: not worth counting letters
        return shared
    ga, gb = _grams(a.compact), _grams(b.compact)
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def _grams(s: str) -> set[str]:
    if len(s) < 3:
        return {s}
    return {s[i:i + 3] for i in range(len(s) - 2)}


def authors_agree(a: Keys, b: Keys) -> tuple[bool | None, float]:
    """(first authors agree, overlap of surnames) — (None, 0) when either has no authors, or
    when one record's first author is a group and the other's a person (an export lists the
    study group, another the writing author)."""
    if not a.surnames or not b.surnames or a.group_author != b.group_author:
        return None, 0.0  # a group and a person are not comparable
    fa = a.surnames[0] == b.surnames[0] or close_name(a.surnames[0], b.surnames[0]) \
        or swapped(a, b) or swapped(b, a)
    sa, sb = set(a.surnames), set(b.surnames)
    overlap = len(sa & sb) / min(len(sa), len(sb))
    return fa, overlap


def swapped(a: Keys, b: Keys) -> bool:
    """The first author written given name first in ``a``: ``"Andrea, C."`` for
    ``"Carignani, Andrea"`` (``a``'s surname is ``b``'s given name, and ``a``'s initial is the
    first letter of ``b``'s surname)."""
    initials = a.authors[0][1]
    return bool(b.first_given) and a.surnames[0] == b.first_given and bool(initials) \
        and initials[0] == b.surnames[0][:1]


def close_name(x: str, y: str) -> bool:
    if len(x) < 4 or len(y) < 4:
        return False
    if x in y or y in x:
        return True
    return SequenceMatcher(None, x, y).ratio() >= 0.85


_NEGATIONS = ("un", "in", "im", "ir", "il", "non")


def negated_words(a: Keys, b: Keys) -> tuple[str, str] | None:
    """A word of one title whose negation only the other holds (``("resectable",
    "unresectable")``, ``("relevant", "irrelevant")``), or None."""
    only_a, only_b = a.words - b.words, b.words - a.words
    if not only_a or not only_b or len(only_a) > 3 or len(only_b) > 3:
        return None
    for x, ys in ((only_a, only_b), (only_b, only_a)):
        for y in ys:
            for neg in _NEGATIONS:
                if y.startswith(neg) and len(y) > len(neg) + 3 and y[len(neg):] in x:
                    return (y[len(neg):], y) if x is only_a else (y, y[len(neg):])
    return None


def opposed_words(a: Keys, b: Keys) -> tuple[str, str] | None:
    """Opposed words that only one title each holds (``("adult", "adolescent")``), or None."""
    only_a = (a.words - b.words) & OPPOSED_WORDS
    if not only_a:
        return None
    only_b = (b.words - a.words) & OPPOSED_WORDS
    if not only_b:
        return None
    for x, y in _OPPOSED:
        for p, q in ((x, y), (y, x)):
            if only_a & p and only_b & q:
                return min(only_a & p), min(only_b & q)
    return None


def subtitle_dropped(a: Keys, b: Keys) -> bool:
    """One record's title is the other's main title (before its colon), of three words or more:
    ``"Infrastructure in the wild"`` for ``"Infrastructure in the wild: what mapping …"``."""
    return any(x.main_title and x.main_title == y.title and len(y.words) >= 3
               for x, y in ((a, b), (b, a)))


def content_share(a: Keys, b: Keys) -> float:
    """Share of the shorter title's words of four letters or more that the other title holds."""
    wa = {w for w in a.words if len(w) >= 4}
    wb = {w for w in b.words if len(w) >= 4}
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def single_page(k: Keys) -> bool:
    return bool(k.page) and (not k.last_page or k.last_page == k.page)


def page_span(k: Keys) -> bool:
    """Whether the record gives a range of two pages or more."""
    return bool(k.page and k.last_page) and int(k.last_page) > int(k.page)


def preprint_doi_only(a: Keys, b: Keys) -> bool:
    """One record is a preprint only by its DOI (an SSRN, Research Square... DOI, its venue
    not a preprint server) and gives the other's title, authors, year, venue and page range."""
    return (any(preprint_by_doi(x) and y.kind in ("article", "conference")
                for x, y in ((a, b), (b, a)))
            and a.compact == b.compact and bool(a.surnames) and a.surnames == b.surnames
            and bool(a.year) and a.year == b.year
            and journal_compatible(a.journal, b.journal) is True
            and page_span(a) and a.page == b.page and a.last_page == b.last_page)


def same_notice(a: Keys, b: Keys, tsim: float) -> bool:
    """An erratum record and an unmarked record of the same one-page item: journal, volume,
    issue and the single page are all given and equal, and the titles (markers removed) match."""
    return (
        {a.kind, b.kind} == {"erratum", "article"} and tsim >= 0.9
        and bool(a.volume) and a.volume == b.volume and bool(a.issue) and a.issue == b.issue
        and single_page(a) and single_page(b) and a.page == b.page
        and journal_compatible(a.journal, b.journal) is True
        and not (a.year and b.year and a.year != b.year)
        and not (a.doi and b.doi and a.doi != b.doi)
        and not (a.pmid and b.pmid and a.pmid != b.pmid)
        and authors_agree(a, b)[0] is not False
    )


def shifted_numbers(a: Keys, b: Keys) -> bool:
    """Volume, issue and first page of one record, shifted into other fields or partly lost by
    an export, are all among the other's (``v"", n26, p9`` vs ``v26, n9, p1746``)."""
    na = [x for x in (a.volume, a.issue, a.page) if x]
    nb = [x for x in (b.volume, b.issue, b.page) if x]
    small, big = (na, nb) if len(na) <= len(nb) else (nb, na)
    return 2 <= len(small) < len(big) and len(set(small)) == len(small) and set(small) <= set(big)


def last_page_only(a: Keys, b: Keys) -> bool:
    """One record gives a single page that is the last page of the other's range."""
    return any(single_page(x) and page_span(y) and x.page == y.last_page
               for x, y in ((a, b), (b, a)))


def one_page_notice(a: Keys, b: Keys) -> bool:
    """One record is a single page outside the other's page range (issues compared apart)."""
    for x, y in ((a, b), (b, a)):
        if single_page(x) and page_span(y) and not (
                int(y.page) <= int(x.page) <= int(y.last_page)):
            return True
    return False


def pages_agree(a: Keys, b: Keys) -> bool | None:
    """Whether the first pages agree (None when one is missing). In one journal's volume, an
    article number (``e12724``, ``c1804``) and a printed page are not comparable (None); nor
    are two first pages of one range's typo (``2297-2108`` vs ``2097-2108``: the same last page
    of three digits or more). (An abstract's page ``A186`` in another journal is a page.)"""
    page = agree(a.page, b.page)
    if page is False and ((a.elocator != b.elocator and bool(a.volume) and a.volume == b.volume
                           and journal_compatible(a.journal, b.journal) is True)
                          or (a.last_page and a.last_page == b.last_page
                              and len(a.last_page) > 2)):
        return None
    return page


def volumes_agree(a: Keys, b: Keys) -> bool | None:
    """Whether the volumes agree (None when one is missing). A volume that differs from the
    other's and is the record's own year (``v2016`` for a 2016 magazine article that the other
    export gives as ``v94``) is an export's stand-in for a missing volume: it counts as missing.
    """
    v = agree(a.volume, b.volume)
    if v is False and any(x.year and x.volume == str(x.year) for x in (a, b)):
        return None
    return v


def agree(x: str, y: str) -> bool | None:
    if not x or not y:
        return None
    return x == y


def tri(v: bool | None) -> str:
    return "missing" if v is None else ("agree" if v else "differ")


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
#: abstracts shorter than this (letters and digits) are not compared ("No abstract available")
MIN_ABSTRACT = 200


@lru_cache(maxsize=256)  # a record's abstract is met again in its other open pairs
def _abstract_grams(text: str) -> frozenset[str]:
    t = _NOT_ALNUM.sub("", text.lower())
    return frozenset(t[i:i + 4] for i in range(len(t) - 3)) if len(t) >= MIN_ABSTRACT \
        else frozenset()


def abstract_overlap(a: Keys, b: Keys) -> float | None:
    """How much of the shorter abstract the other holds (letter 4-grams, case, spaces and
    punctuation ignored; a truncated copy scores near 1), or None when either abstract is
    missing or shorter than :data:`MIN_ABSTRACT` letters."""
    if not a.abstract or not b.abstract:
        return None
    ga, gb = _abstract_grams(a.abstract), _abstract_grams(b.abstract)
    if not ga or not gb:
        return None
    return len(ga & gb) / min(len(ga), len(gb))
