"""Comparison keys for deduplication: one record prepared once, so that matching
(:mod:`implmap.dedupe.match`) only compares prepared values.

Titles, authors and journals are normalised by :mod:`implmap.dedupe.text`. **Kinds**: errata
and corrections, comments, replies, retraction notices, protocols, preprints, conference
abstracts, and part numbers (*Part I*, *Part 2*) are recognised from the title, type, journal
and DOI, so that such records are never merged with the paper they are about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..records.normalise import normalise_doi
from .text import (
    INITIALS,
    normalise_journal,
    normalise_text,
    normalise_title,
    parse_author,
    strip_title_notes,
)

__all__ = [
    "PLACEHOLDERS",
    "Keys",
    "given",
    "is_placeholder",
    "make_keys",
    "part_number",
    "preprint_by_doi",
    "record_kind",
    "strip_erratum_markers",
    "title_language",
]

# -------------------------------------------------------------------------------------- kinds
_ERRATUM = re.compile(
    r"\b(errat(um|a)|corrigend(um|a)|author correction|publisher correction|"
    r"correction notice|notice of correction)\b|^\W*correction(s)?\s*(to|:|\b$)|"
    r"\(vol\.? \d+,? (pg|p)\.? ?\d+|"
    # Embase cites the corrected article after the title: "(N Engl J Med (2009) 360 (542-544))"
    r"\([^()]{3,}\((19|20)\d\d\)\s*\d+[^()]*\(\s*[a-z]?\d+", re.I)
# What an erratum record adds to the title of the article it corrects: "Erratum: ", "Correction
# to ...", and a citation of the article ("(vol 360, pg 542, 2009)", "(Journal (2009) 360
# (542-544))", also cut short by the export: "(The Journal of Pediatrics (M").
_ERRATUM_PREFIX = re.compile(
    r"^\W*(?:errat(?:um|a)|corrigend(?:um|a)|(?:author |publisher )?corrections?|"
    r"notice of correction)\s*(?::|\bto\b\s*:?|\bfor\b\s*:?|[-\u2013\u2014])\s*", re.I)
_ERRATUM_CITATION = re.compile(
    r"\s*\((?:vol\.?\s*\d+[^()]*|[^()]*\((?:19|20)\d\d\)(?:\([^()]*\)?|[^()])*)\)?\W*$|"
    r"\s*\([A-Z][^()]*\([^()]*$")
_RETRACTION = re.compile(
    r"^\W*(retraction|retracted article|withdrawal)\b(?!\s+of\s+(the|a)\s)|"
    r"\bnotice of retraction\b|\bretraction (note|notice|statement)\b", re.I)
_RETRACTED = re.compile(r"^\W*(retracted|withdrawn)\s*[:\]]", re.I)
_REPLY = re.compile(
    r"\b(in reply|reply to|authors?'? reply|response to (the )?(comment|letter|correspondence)|"
    r"authors? respon(d|se))\b|^\W*(reply|response)\b|"
    r"\s[-:\u2013\u2014]\s*(reply|(the )?authors?'? reply|response)\W*$", re.I)
_COMMENT = re.compile(
    r"\b(comment(s|ary)? on|commentary:|letter to the editor|re:)|^\W*(comment|commentary|"
    r"letter)\b\s*[:\[(]|\[comment\]", re.I)
_KIND_WORDS = ("errat", "corrig", "correction", "retract", "withdraw", "repl", "respon",
               "comment", "letter", "re:", "protocol", "(vol", "(19", "(20")
_PROTOCOL = re.compile(r"\bprotocol\b", re.I)
_PART = re.compile(r"\b(?:part|phase)\s+([ivx]{1,5}|\d{1,2}|one|two|three|four|a|b)\b", re.I)
_PREPRINT_JOURNAL = re.compile(r"rxiv|preprint|ssrn|research\s*square|arxiv", re.I)
_PREPRINT_DOI = ("10.1101/", "10.21203/", "10.2139/", "10.48550/", "10.20944/", "10.31219/",
                 "10.31234/", "10.31235/", "10.36227/")
_CONFERENCE_TYPES = {"conf", "cpaper", "abst", "inproceedings", "proceedings", "conference",
                     "conference abstract", "conference paper", "meeting abstract"}
_CONFERENCE_JOURNAL = re.compile(
    r"\b(abstracts?|proceedings|congress|meeting|conference|symposium|annual scientific)\b", re.I)
_NUMERALS = {"ii", "iii", "iv", "vi", "vii", "viii", "ix"}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
          "x": 10, "one": 1, "two": 2, "three": 3, "four": 4, "a": 1, "b": 2}


def record_kind(title: str, rtype: str, journal: str, doi: str) -> str:
    """What sort of item a record is: ``erratum``, ``retraction``, ``reply``, ``comment``,
    ``protocol``, ``preprint``, ``conference`` or ``article`` (everything else)."""
    if "[" in title:
        title = strip_title_notes(title)
    low = title.lower()
    if not any(w in low for w in _KIND_WORDS):
        pass
    elif _ERRATUM.search(title):
        return "erratum"
    elif _RETRACTION.search(title):
        return "retraction"
    elif _REPLY.search(title):
        return "reply"
    elif _COMMENT.search(title):
        return "comment"
    elif _PROTOCOL.search(title):
        return "protocol"
    source = _source_kind(journal)
    if doi.startswith(_PREPRINT_DOI) or source == "preprint":
        return "preprint"
    if source == "conference" or rtype.strip().lower() in _CONFERENCE_TYPES:
        return "conference"
    return "article"


def preprint_by_doi(k: Keys) -> bool:
    """A preprint by its DOI alone: its journal names no preprint server (an SSRN DOI given to
    a conference paper's record)."""
    return k.kind == "preprint" and k.doi.startswith(_PREPRINT_DOI) and \
        _source_kind(" ".join(k.journal)) != "preprint"


@lru_cache(maxsize=50_000)
def _source_kind(journal: str) -> str:
    if not journal:
        return ""
    if _PREPRINT_JOURNAL.search(journal):
        return "preprint"
    if _CONFERENCE_JOURNAL.search(journal):
        return "conference"
    return ""


def strip_erratum_markers(title: str) -> str:
    """The title of an erratum record without what marks it as one (``Erratum:``, ``Correction
    to``, a citation of the corrected article), so that two records of the same notice compare
    on the article's title; their kind keeps them apart from the article itself."""
    if "[" in title:
        title = strip_title_notes(title)
    stripped = _ERRATUM_CITATION.sub("", _ERRATUM_PREFIX.sub("", title, count=1), count=1)
    return stripped if len(stripped) >= 8 else title


def part_number(title: str) -> int | None:
    """The part number of a multi-part paper (``Part II`` -> 2), or None."""
    low = title.lower()
    if "part" not in low and "phase" not in low:
        return None
    m = _PART.search(title)
    if not m:
        return None
    v = m.group(1).lower()
    return int(v) if v.isdigit() else _ROMAN.get(v)


# ------------------------------------------------------------------------------------- record
_FIRST_NUMBER = re.compile(r"\d+")


_PAGE = re.compile(r"^(?:pp?\.?\s*)?([a-z]{0,4})0*(\d+)\s*(?:[-–—]\s*[a-z]{0,4}0*(\d+))?", re.I)


def _page_range(pages: str) -> tuple[str, str]:
    """(first page, last page) as digits, ``("", "")`` when the value is not a page range
    (``Suppl``, ``t-8``)."""
    m = _PAGE.match(pages.strip())
    if not m:
        return ("", "")
    first, last = m.group(2), m.group(3) or ""
    if last and len(last) < len(first):  # 288-97 -> 297
        last = first[: len(first) - len(last)] + last
    return (first, last)


# an electronic article number: one letter, digits, no range ("e12724", "c1804"; "S33" is a
# supplement's page, "p33" a page)
_ELOCATOR = re.compile(r"^\s*[a-oq-rt-z]\d+\s*$", re.I)
# a group as author: "ASCUS-LSIL Triage Study (ALTS) Group", "The EPIC Investigators"
_GROUP = re.compile(r"\b(group|study|trial|consortium|collaborat\w*|investigators|committee|"
                    r"network|society|association|working party|team)\b", re.I)


def _number(text: str) -> str:
    m = _FIRST_NUMBER.search(text or "")
    return m.group(0).lstrip("0") or "0" if m else ""


@dataclass(slots=True)
class Keys:
    """One record prepared for comparison."""

    id: str
    order: int
    title: str  # normalised title
    compact: str  # title without spaces
    words: frozenset[str]
    numbers: tuple[str, ...]  # numbers and roman numerals in the title ("focus 2", "phase iii")
    surnames: tuple[str, ...]  # normalised surnames, in order
    authors: tuple[tuple[str, str], ...]
    year: int | None
    journal: tuple[str, ...]
    volume: str
    issue: str
    page: str  # first page (digits)
    last_page: str
    doi: str
    pmid: str
    kind: str
    part: int | None
    retracted: bool
    completeness: int
    main_title: str = ""  # normalised title before its subtitle (":"), when it has one
    language: str = ""  # the title's language when its small words tell (title_language)
    first_given: str = ""  # first author's first given name, written out (not an initial)
    elocator: bool = False  # the page is an article number ("e12724", "c1804"), not a page
    group_author: bool = False  # the first author is a group ("ALTS Study Group")
    abstract: str = ""  # the abstract as given (compared only when the rules leave a pair open)


_COMPLETE = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid",
             "abstract")


#: Values that exports write where a field is empty ("NA", "N/A", "-", "0", "[Anonymous]"…):
#: deduplication treats them as missing, whoever built the record dicts.
PLACEHOLDERS = frozenset({
    "", "na", "n/a", "n.a", "nan", "none", "null", "nil", "-", "--", "---", "?", "0", "00",
    "000", "unknown", "not available", "not applicable", "no pagination", "[no pagination]",
    "anonymous", "[anonymous]", "anon", "no authorship indicated", "[no title]", "untitled",
})


def is_placeholder(text: str) -> bool:
    """True for an empty value or one of :data:`PLACEHOLDERS` (any case, a final dot ignored)."""
    low = text.strip().lower()
    return low in PLACEHOLDERS or low.rstrip(".") in PLACEHOLDERS


def given(rec: dict[str, Any], field: str) -> str:
    """The text of ``field``; ``""`` when it is missing or a placeholder."""
    value = rec.get(field)
    if not value:
        return ""
    text = str(value).strip()
    return "" if is_placeholder(text) else text


def make_keys(rec: dict[str, Any], order: int = 0) -> Keys:
    """Prepare one record dict (the :class:`~implmap.records.model.Record` fields); placeholder
    values (:data:`PLACEHOLDERS`) count as missing."""
    raw_title = given(rec, "title")
    title = normalise_title(raw_title)
    names = [x for x in rec.get("authors") or () if not is_placeholder(str(x))]
    authors = tuple(a for a in (parse_author(x) for x in names) if a[0])
    year_m = re.search(r"\d{4}", given(rec, "year"))
    journal_raw = given(rec, "journal")
    doi = given(rec, "doi")
    if doi:  # a DOI is "10." and more; anything else ("NA", "none given") is no DOI
        doi = normalise_doi(doi) or (doi.lower() if doi.lower().startswith("10.") else "")
    pmid = given(rec, "pmid")
    pages = given(rec, "pages")
    first, last = _page_range(pages)
    kind = record_kind(raw_title, rec.get("type") or "", journal_raw, doi)
    if kind == "erratum":
        title = normalise_title(strip_erratum_markers(raw_title))
    return Keys(
        id=rec["id"],
        order=order,
        title=title,
        compact=title.replace(" ", ""),
        words=frozenset(title.split()),
        numbers=tuple(sorted(w.lstrip("0") if w.isdigit() else str(_ROMAN[w])
                             for w in title.split() if w.isdigit() or w in _NUMERALS)),
        surnames=tuple(a[0] for a in authors),
        authors=authors,
        year=int(year_m.group(0)) if year_m and year_m.group(0) > "1000" else None,
        journal=normalise_journal(journal_raw),
        volume=_number(given(rec, "volume")),
        issue=_number(given(rec, "issue")),
        page="" if first == "0" else first,
        last_page="" if first == "0" else last,
        doi=doi,
        pmid=pmid if pmid.isdigit() else "",
        kind=kind,
        part=part_number(raw_title),
        retracted=bool(("etract" in raw_title or "ithdraw" in raw_title or "ETRACT" in raw_title
                        or "ITHDRAW" in raw_title) and _RETRACTED.search(raw_title)),
        completeness=sum(1 for f in _COMPLETE if (names if f == "authors" else given(rec, f))),
        main_title=_main_title(raw_title, title),
        language=title_language(raw_title),
        first_given=_first_given((names or [""])[0]),
        elocator=bool(first and not last and _ELOCATOR.match(pages)),
        group_author=bool(names and _GROUP.search(str(names[0]))),
        abstract=str(rec.get("abstract") or ""),
    )


# Small words that tell a title's language; a word listed under two languages tells neither
_LANGUAGE_WORDS = {
    "en": {"the", "of", "and", "for", "with", "to", "from", "on", "among", "between"},
    "de": {"der", "die", "das", "und", "für", "fur", "zum", "zur", "des", "mit", "bei", "im",
           "einer", "eines", "von", "über", "uber", "als", "auf", "aus", "nach", "oder",
           "durch", "ein", "eine", "vom", "beim"},
    "fr": {"le", "la", "les", "et", "pour", "du", "des", "une", "dans", "chez", "sur", "au",
           "aux", "en"},
    "es": {"el", "la", "los", "las", "y", "para", "del", "una", "en", "con", "por", "entre"},
    "nl": {"het", "een", "van", "voor", "bij", "naar", "en", "met"},
    "da": {"og", "af", "til", "med", "hos", "ved", "på", "pa", "ikke", "och", "för"},
}


_LANGUAGE_OF = {w: lang for lang, small in _LANGUAGE_WORDS.items() for w in small
                if sum(w in other for other in _LANGUAGE_WORDS.values()) == 1}


def title_language(title: str) -> str:
    """The language of ``title`` as its small words tell it (``"en"``, ``"de"``, ``"fr"``,
    ``"es"``, ``"nl"``, ``"da"`` for the Scandinavian ones), or ``""`` when they do not tell:
    at least two such words, and at least twice as many as of any other language; or, in a
    title of four words or more, one word of a language other than English and no other."""
    counts = dict.fromkeys(_LANGUAGE_WORDS, 0)
    words = re.findall(r"[^\W\d_]+", strip_title_notes(title).lower())
    for w in words:
        lang = _LANGUAGE_OF.get(w)
        if lang:
            counts[lang] += 1
    (best, lang), (second, _) = sorted(((n, x) for x, n in counts.items()), reverse=True)[:2]
    if best >= 2 and best >= 2 * second:
        return lang
    # one small word of another language and none of English in a title of four words or more
    # ("Review-Artikel: Zum aktuellen Stand des Plattformkapitalismus")
    if best == 1 and second == 0 and lang != "en" and len(words) >= 4:
        return lang
    return ""


def _main_title(raw_title: str, title: str) -> str:
    """The normalised main title of ``raw_title`` when a subtitle follows a colon, else ``""``."""
    head, colon, _ = strip_title_notes(raw_title).partition(":")
    if not colon:
        return ""
    main = normalise_title(head)
    return main if main and main != title else ""


def _first_given(name: str) -> str:
    """The first given name of ``"Surname, Given …"`` when written out (``""`` for initials)."""
    if "," not in name:
        return ""
    given = name.partition(",")[2].strip().split(" ")[0]
    word = normalise_text(given).replace(" ", "")
    return word if len(word) > 1 and not INITIALS.match(given.replace(".", "")) else ""
