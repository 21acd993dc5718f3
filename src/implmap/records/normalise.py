"""From raw tags to a record's normalised fields (title, authors, year, DOI, PMID…).

:func:`normalise` takes the tags of one RIS or PubMed record (``{tag: [values]}``) and returns
the :class:`~implmap.records.model.Record` fields. The raw tags are always kept beside them, so
nothing here needs to be perfect to be safe: it decides what the review *shows* and what
deduplication compares.

* **DOI**: looked for in ``DO``, then ``UR``, ``L2``, ``M3``, ``N1``, the other link tags, and
  the abstract (RIS); ``LID``/``AID`` ``[doi]`` values, then the rest (PubMed). Prefixes such as
  ``https://doi.org/``, ``http://dx.doi.org/`` and ``doi:`` are removed, URL escapes decoded,
  trailing punctuation dropped, and the DOI lower-cased.
* **PMID**: the ``PMID`` tag, or a value marked ``PMID:`` in ``AN``, ``C2``, ``ID``, ``M1``,
  ``U1``; a bare number counts in ``C2`` (Scopus, EndNote) and, when the record's ``DB`` or
  ``DP`` says PubMed, MEDLINE or NLM, in the others too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

__all__ = ["find_doi", "normalise", "normalise_doi"]

_DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>]+", re.I)
_DOI_WHOLE = re.compile(
    r"\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/|https?://doi\.[a-z.]+/)?(10\.\d{4,9}/\S+)\s*", re.I
)
_DOI_CUT = re.compile(r"[&?#](?:[a-z_]+=|$).*$", re.I)
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_WS_NL = re.compile(r"\s*\n\s*")
_PMID_MARKED = re.compile(r"(?:PMID|PubMed(?:\s*ID)?)\s*[:=]?\s*(\d{1,9})\b", re.I)
_DIGITS = re.compile(r"\s*(\d{1,9})\s*")
_SPLIT_KW = re.compile(r"\s*[\n;]\s*")
_SPLIT_URL = re.compile(r"[\s;]+")
_FROM_PUBMED = re.compile(r"pubmed|medline|\bNLM\b", re.I)
# ``_MAY_HOLD_DOI(v)`` is ``"10." in v``, about twice as fast on long values such as abstracts
# (the regex engine scans for the first character; ``in`` tests every position for the last)
_MAY_HOLD_DOI = re.compile(r"10\.").search


def normalise_doi(text: str) -> str:
    """The first DOI in ``text``, without any prefix, lower case; ``""`` when there is none.

    >>> normalise_doi("https://doi.org/10.1000/ABC.1")
    '10.1000/abc.1'
    """
    if "%" in text:
        text = unquote(text)
    m = _DOI_WHOLE.fullmatch(text)
    if m:  # the value is a DOI (with or without a prefix): keep it whole, even with <>;
        doi = m.group(1)
    else:
        m = _DOI.search(text)
        if not m:
            return ""
        doi = _DOI_CUT.sub("", m.group(0))
    if doi.endswith("[doi]"):
        doi = doi[:-5].rstrip()
    doi = doi.rstrip(".,;:'\"")
    while doi and doi[-1] in ")]}" and doi.count(doi[-1]) > doi.count("([{"[")]}".index(doi[-1])]):
        doi = doi[:-1].rstrip(".,;:'\"")
    return doi.lower()


def find_doi(tags: dict[str, list[str]], order: tuple[str, ...]) -> str:
    """The first DOI found in the tags named by ``order``, in that order."""
    for tag in order:
        for value in tags.get(tag, ()):
            if _MAY_HOLD_DOI(value):
                doi = normalise_doi(value)
                if doi:
                    return doi
    return ""


def _first(tags: dict[str, list[str]], *names: str) -> str:
    get = tags.get
    for name in names:
        values = get(name)
        if values:
            for value in values:
                if value:
                    return _WS_NL.sub(" ", value) if "\n" in value else value
    return ""


def _joined(tags: dict[str, list[str]], *names: str) -> str:
    parts = [_WS_NL.sub(" ", v) if "\n" in v else v
             for name in names for v in tags.get(name, ()) if v]
    return "\n".join(parts)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _year(*values: str) -> str:
    for v in values:
        m = _YEAR.search(v)
        if m:
            return m.group(1)
    return ""


_RIS_DOI_ORDER = ("DO", "UR", "L2", "M3", "N1", "L1", "L3", "L4", "ET", "AB", "N2")
_PMID_TAGS = ("AN", "C2", "ID", "M1", "U1")


def _pmid(tags: dict[str, list[str]], present: tuple[str, ...] | None = None) -> str:
    """The record's PMID; ``present``: the tags of ``_PMID_TAGS`` the record has, when known."""
    get = tags.get
    for v in get("PMID") or ():
        m = _DIGITS.match(v)
        if m:
            return m.group(1)
    bare: list[tuple[str, str]] = []
    for t in _PMID_TAGS if present is None else present:
        for v in get(t) or ():
            if v.isdecimal():  # a bare number (\d is Unicode category Nd, as isdecimal)
                if len(v) <= 9 and v[0] != "0":
                    bare.append((t, v))
                continue
            if "MID" in v or "mid" in v or "ubMed" in v or "ubmed" in v or "UBMED" in v:
                m = _PMID_MARKED.search(v)
                if m:
                    return m.group(1)
            if v[:1].isdigit() or v[:1].isspace():
                m = _DIGITS.fullmatch(v)
                if m and not m.group(1).startswith("0"):
                    bare.append((t, m.group(1)))
    if not bare:
        return ""
    for t, digits in bare:
        if t == "C2":
            return digits
    if any(_FROM_PUBMED.search(v) for t in ("DB", "DP") for v in get(t) or ()):
        return bare[0][1]
    return ""


def _pages(start: str, end: str) -> str:
    if start and end and "-" not in start:
        return f"{start}-{end}"
    return start or end


def _split(values: list[str], splitter: re.Pattern[str], marks: str) -> list[str]:
    if not values:
        return []
    if len(values) == 1:  # the usual case: no joining, no de-duplicating
        v = values[0]
        if marks[0] in v or marks[1] in v or (len(marks) > 2 and (
                marks[2] in v or marks[3] in v)):
            return _unique([x for x in splitter.split(v) if x])
        return values
    joined = "\x00".join(values)
    if marks[0] in joined or marks[1] in joined or (len(marks) > 2 and (
            marks[2] in joined or marks[3] in joined)):
        return _unique([x for v in values for x in splitter.split(v) if x])
    return _unique(values)


_PMID_TAGSET = frozenset(("PMID", *_PMID_TAGS))


def _ris(tags: dict[str, list[str]]) -> dict[str, object]:
    # Runs once per record on imports of 100,000 records, so it is specialised: records with
    # the same tags (in the same order) share a plan that reads only the tags they have.
    key = tuple(tags)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) > 4096:
            _PLANS.clear()
        plan = _PLANS[key] = _ris_plan(frozenset(key))
    return plan(tags)


_PLANS: dict[tuple[str, ...], Callable[[dict[str, list[str]]], dict[str, object]]] = {}


def _ris_plan(keys: frozenset[str]) -> Callable[[dict[str, list[str]]], dict[str, object]]:
    def one(*names: str) -> str | None:
        return next((n for n in names if n in keys), None)

    ty = one("TY")
    ti = one("TI", "T1", "CT", "BT")
    au = [t for t in ("AU", "A1") if t in keys]
    yr = one("PY", "Y1")
    jo = one("JF", "JO", "T2")
    vl = one("VL")
    is_ = one("IS")
    has_pages = bool(keys & {"SP", "EP"})
    do = one("DO")
    doi_tags = tuple(t for t in _RIS_DOI_ORDER[1:] if t in keys)
    ab = [t for t in ("AB", "N2") if t in keys]
    has_pmid = not _PMID_TAGSET.isdisjoint(keys)
    pmid_tags = tuple(t for t in _PMID_TAGS if t in keys)
    kw = one("KW")
    urls = [t for t in ("UR", "L2") if t in keys]
    single_author = au[0] if len(au) == 1 else None
    ti_more = len(keys & {"TI", "T1", "CT", "BT"}) > 1
    jo_more = bool(keys & {"JA", "J2", "J1", "T3"}) or len(keys & {"JF", "JO", "T2"}) > 1
    vl_more = "VO" in keys
    is_more = "CP" in keys
    yr_more = bool(keys & {"DA", "Y2"}) or len(keys & {"PY", "Y1"}) > 1

    def run(tags: dict[str, list[str]]) -> dict[str, object]:
        rtype = tags[ty][0] if ty else ""
        if "\n" in rtype:
            rtype = _WS_NL.sub(" ", rtype)
        title = tags[ti][0] if ti else ""
        if "\n" in title or (not title and ti_more):
            title = _first(tags, "TI", "T1", "CT", "BT")
        if single_author:
            authors = [x for x in tags[single_author] if x]
        elif au:
            authors = _unique([x for t in au for x in tags[t] if x])
        else:
            authors = []
        year = ""
        if yr:
            y = tags[yr][0]
            if len(y) >= 4 and y[:4].isdigit() and (len(y) == 4 or not y[4].isdigit()) and (
                "1500" <= y[:4] <= "2099"
            ):
                year = y[:4]
        if not year and (yr_more or yr):
            year = _year(*(tags.get("PY") or ()), *(tags.get("Y1") or ()),
                         *(tags.get("DA") or ()), *(tags.get("Y2") or ()))
        journal = tags[jo][0] if jo else ""
        if "\n" in journal or (not journal and jo_more):
            journal = _first(tags, "JF", "JO", "T2", "JA", "J2", "J1", "T3")
        volume = tags[vl][0] if vl else ""
        if (not volume and vl_more) or "\n" in volume:
            volume = _first(tags, "VL", "VO")
        issue = tags[is_][0] if is_ else ""
        if (not issue and is_more) or "\n" in issue:
            issue = _first(tags, "IS", "CP")
        pages = _pages(_first(tags, "SP"), _first(tags, "EP")) if has_pages else ""
        doi = ""
        if do:
            doi = normalise_doi(tags[do][0]) or find_doi(tags, ("DO",))
        if not doi and doi_tags:
            for t in doi_tags:  # find_doi(tags, doi_tags), inlined
                for v in tags[t]:
                    if _MAY_HOLD_DOI(v):
                        doi = normalise_doi(v)
                        if doi:
                            break
                if doi:
                    break
        if len(ab) == 1 and len(tags[ab[0]]) == 1 and "\n" not in tags[ab[0]][0]:
            abstract = tags[ab[0]][0]
        else:
            abstract = _joined(tags, "AB", "N2") if ab else ""
        return {
            "type": rtype,
            "title": title,
            "authors": authors,
            "year": year,
            "journal": journal,
            "volume": volume,
            "issue": issue,
            "pages": pages,
            "doi": doi,
            "pmid": _pmid(tags, pmid_tags) if has_pmid else "",
            "abstract": abstract,
            "keywords": _split([x for x in tags[kw] if x], _SPLIT_KW, "\n;") if kw else [],
            "urls": _split([x for t in urls for x in tags[t] if x], _SPLIT_URL, " \n;\t")
            if urls else [],
        }

    return run


_PUBMED_TYPES = {"book": "BOOK", "book chapter": "CHAP", "preprint": "JOUR"}


def _pubmed(tags: dict[str, list[str]]) -> dict[str, object]:
    types = [t.lower() for t in tags.get("PT", ())]
    rtype = next((_PUBMED_TYPES[t] for t in types if t in _PUBMED_TYPES), "JOUR")
    doi = ""
    for t in ("LID", "AID"):
        for v in tags.get(t, ()):
            if v.endswith("[doi]"):
                doi = normalise_doi(v)
                if doi:
                    break
        if doi:
            break
    if not doi:
        doi = find_doi(tags, ("LID", "AID", "SO", "AB"))
    return {
        "type": rtype,
        "title": _first(tags, "TI", "BTI"),
        "authors": _unique(list(tags.get("FAU") or tags.get("AU") or ())),
        "year": _year(*tags.get("DP", ()), *tags.get("DEP", ()), *tags.get("EDAT", ())),
        "journal": _first(tags, "JT", "TA"),
        "volume": _first(tags, "VI"),
        "issue": _first(tags, "IP"),
        "pages": _first(tags, "PG"),
        "doi": doi,
        "pmid": _pmid(tags),
        "abstract": _joined(tags, "AB"),
        "keywords": _unique([*tags.get("OT", ()), *tags.get("MH", ())]),
        "urls": [],
    }


def normalise(tags: dict[str, list[str]]) -> dict[str, object]:
    """The normalised :class:`~implmap.records.model.Record` fields of one record's raw tags.

    Works on RIS tags (a record with a ``TY`` tag) and PubMed/MEDLINE tags (a record with a
    ``PMID`` tag and no ``TY``). Returns ``type``, ``title``, ``authors``, ``year``,
    ``journal``, ``volume``, ``issue``, ``pages``, ``doi``, ``pmid``, ``abstract``,
    ``keywords`` and ``urls``; missing values are ``""`` or ``[]``.

    >>> normalise({"TY": ["JOUR"], "TI": ["A title"], "UR": ["http://dx.doi.org/10.1000/X"]})["doi"]
    '10.1000/x'
    """
    if "TY" in tags or "PMID" not in tags:
        plan = _PLANS.get(tuple(tags))  # _ris(tags), inlined: one call fewer per record
        if plan is None:
            return _ris(tags)
        return plan(tags)
    return _pubmed(tags)
