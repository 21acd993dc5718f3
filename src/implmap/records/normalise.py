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
            if "10." in value:
                doi = normalise_doi(value)
                if doi:
                    return doi
    return ""


def _first(tags: dict[str, list[str]], *names: str) -> str:
    for name in names:
        for value in tags.get(name, ()):
            if value:
                return _WS_NL.sub(" ", value) if "\n" in value else value
    return ""


def _joined(tags: dict[str, list[str]], *names: str) -> str:
    parts = [_WS_NL.sub(" ", v) if "\n" in v else v
             for name in names for v in tags.get(name, ()) if v]
    return "\n".join(parts)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _year(*values: str) -> str:
    for v in values:
        m = _YEAR.search(v)
        if m:
            return m.group(1)
    return ""


_RIS_DOI_ORDER = ("DO", "UR", "L2", "M3", "N1", "L1", "L3", "L4", "ET", "AB", "N2")
_PMID_TAGS = ("AN", "C2", "ID", "M1", "U1")


def _pmid(tags: dict[str, list[str]]) -> str:
    for v in tags.get("PMID", ()):
        m = _DIGITS.match(v)
        if m:
            return m.group(1)
    from_pubmed = any(_FROM_PUBMED.search(v) for t in ("DB", "DP") for v in tags.get(t, ()))
    for t in _PMID_TAGS:
        for v in tags.get(t, ()):
            m = _PMID_MARKED.search(v)
            if m:
                return m.group(1)
    for t in _PMID_TAGS:
        for v in tags.get(t, ()):
            m = _DIGITS.fullmatch(v)
            if m and not m.group(1).startswith("0") and (from_pubmed or t == "C2"):
                return m.group(1)
    return ""


def _pages(start: str, end: str) -> str:
    if start and end and "-" not in start:
        return f"{start}-{end}"
    return start or end


def _ris(tags: dict[str, list[str]]) -> dict[str, object]:
    authors = _unique([*tags.get("AU", ()), *tags.get("A1", ())])
    keywords = _unique([k for v in tags.get("KW", ()) for k in _SPLIT_KW.split(v)])
    urls = _unique([u for t in ("UR", "L2") for v in tags.get(t, ()) for u in _SPLIT_URL.split(v)])
    return {
        "type": _first(tags, "TY"),
        "title": _first(tags, "TI", "T1", "CT", "BT"),
        "authors": authors,
        "year": _year(*tags.get("PY", ()), *tags.get("Y1", ()), *tags.get("DA", ()),
                      *tags.get("Y2", ())),
        "journal": _first(tags, "JF", "JO", "T2", "JA", "J2", "J1", "T3"),
        "volume": _first(tags, "VL", "VO"),
        "issue": _first(tags, "IS", "CP"),
        "pages": _pages(_first(tags, "SP"), _first(tags, "EP")),
        "doi": find_doi(tags, _RIS_DOI_ORDER),
        "pmid": _pmid(tags),
        "abstract": _joined(tags, "AB", "N2"),
        "keywords": keywords,
        "urls": urls,
    }


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
        return _ris(tags)
    return _pubmed(tags)
