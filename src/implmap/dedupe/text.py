"""Text keys for deduplication: titles, authors and journals, normalised.

* **Titles**: HTML entities decoded, diacritics removed, lower case, punctuation (and so the
  brackets of translated titles and trailing periods) dropped, and common British spellings
  folded to American ones (*haemato-*, *paediatric*, *oedema*, *behaviour*, *randomised*,
  *centre*, *modelling*…).
* **Authors**: ``"Klausen MD"``, ``"Klausen, M.D."`` and ``"Klausen, Mette Dahl"`` all become
  the surname ``klausen`` with the initials ``md``.
* **Journals**: ``&`` is *and*, stop words go, and an abbreviation matches the full name when
  each of its words begins the matching word (``Nat Rev Nephrol`` ~ ``Nature Reviews
  Nephrology``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

__all__ = [
    "fold_spelling",
    "journal_compatible",
    "normalise_journal",
    "normalise_text",
    "normalise_title",
    "parse_author",
    "strip_title_notes",
]

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_TAGS = re.compile(r"</?[a-z][a-z0-9]*[^<>]*>", re.I)

# British -> American spellings that are cheap to fold (applied to normalised text).
_SPELLING: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), r) for p, r in [
        (r"aem", "em"),  # haematology, anaemia, leukaemia, ischaemia, septicaemia
        (r"paed", "ped"), (r"aetiol", "etiol"), (r"gynaec", "gynec"), (r"caesar", "cesar"),
        (r"anaest", "anest"), (r"oedem", "edem"), (r"oesoph", "esoph"), (r"oestr", "estr"),
        (r"\bfoet", "fet"), (r"hoea\b", "hea"), (r"manoeuv", "maneuv"), (r"haem", "hem"),
        (r"\b(behavi|col|tum|fav|lab|hon|hum|neighb|vap|rum|harb|od|flav|savi|endeav)our",
         r"\1or"),
        (r"\b(cen|fib|lit|met|thea|calib|spec|lus|sab)tre(s|d)?\b", r"\1ter\2"),
        (r"\b(catal|dial|anal|prol|epil)ogue(s)?\b", r"\1og\2"),
        (r"\b(analy|paraly|cataly|dialy)s(e|ed|es|ing)\b", r"\1z\2"),
        (r"\b(model|label|signal|counsel|travel|cancel|fuel|level|channel|tunnel|total)l"
         r"(ing|ed|er|ers)\b", r"\1\2"),
        (r"\bprogramme(s)?\b", r"program\1"), (r"\bageing\b", "aging"), (r"\bgrey\b", "gray"),
        (r"\bdefence\b", "defense"), (r"\blicence\b", "license"), (r"\bsulph", "sulf"),
        (r"\b(\w{3,})is(ation|ations|e|ed|es|ing|er|ers)\b", r"\1iz\2"),
    ]
]
# a literal that each pattern above needs, to skip the regular expression cheaply
_NEEDLES = ["aem", "paed", "aetiol", "gynaec", "caesar", "anaest", "oedem", "oesoph", "oestr",
            "foet", "hoea", "manoeuv", "haem", "our", "tre", "ogue", "ys", "ll", "programme",
            "ageing", "grey", "defence", "licence", "sulph"]
# ``-ise`` words that are not ``-ize`` words in American English.
_ISE_KEEP = re.compile(
    r"\b(advert|adv|chast|circumc|comprom|desp|dev|disgu|enterpr|exerc|excis|expert|franch|"
    r"improv|inc|merchand|prec|prem|prom|rev|superv|surpr|telev|w|r|cl|conc|otherw|likew|"
    r"parad|noi|prais|pois|rais|prac|pr|ar|wi|ra|cru|tre|bru|m|agon|bl|conc|exc|"
    r"concis|demi|fra|suffrag)is(e|ed|es|ing|er|ers)\b"
)


def normalise_text(text: str) -> str:
    """Lower case, no HTML, no diacritics, words separated by single spaces."""
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAGS.sub(" ", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text.lower()).strip()


def fold_spelling(text: str) -> str:
    """Fold common British spellings of normalised ``text`` to American ones."""
    cache = _FOLDED
    out = []
    for w in text.split():
        f = cache.get(w)
        if f is None:
            f = _fold_word(w)
            if len(cache) < 500_000:
                cache[w] = f
        out.append(f)
    return " ".join(out)


_FOLDED: dict[str, str] = {}


def _fold_word(word: str) -> str:
    for needle, (pattern, repl) in zip(_NEEDLES, _SPELLING[:-1], strict=True):
        if needle in word:
            word = pattern.sub(repl, word)
    if "is" not in word:
        return word
    return _SPELLING[-1][0].sub(_ize, word)


def _ize(m: re.Match[str]) -> str:
    word = m.group(0)
    if _ISE_KEEP.fullmatch(word):
        return word
    return f"{m.group(1)}iz{m.group(2)}"


# Notes that databases append to titles: "[Erratum appears in ...]" (the record is the article,
# not the erratum), "[Comment in: ...]", "[Review] [33 refs]", "[Swedish]".
_TITLE_NOTES = re.compile(
    r"\s*\[(?:erratum|corrected|comment|retracted|retraction|update|republished|summary for|"
    r"see |expression of concern)[^\]]*(?:\]|$)|\s*\[(?:review|[a-z]+ abstract|\d+ refs?)"
    r"[^\]]*(?:\]|$)|(?<=[\w.\])])\s*\[[A-Za-z]{3,20}\]\s*\.?\s*$", re.I)


def strip_title_notes(title: str) -> str:
    """The title without the notes databases append (``[Erratum appears in …]``, ``[Review]``,
    ``[33 refs]``, a trailing ``[Swedish]``)."""
    if "[" not in title:
        return title
    prev = None
    while prev != title:
        prev, title = title, _TITLE_NOTES.sub("", title)
    return title


def normalise_title(title: str) -> str:
    """The title as compared: notes removed, normalised text, British spellings folded."""
    return fold_spelling(normalise_text(strip_title_notes(title)))


# ------------------------------------------------------------------------------------ authors
INITIALS = re.compile(r"^[A-Z]{1,4}$")


@lru_cache(maxsize=200_000)
def parse_author(name: str) -> tuple[str, str]:
    """``(surname, initials)`` of one author name, both normalised (lower case, no spaces).

    >>> [parse_author(n) for n in ("Klausen MD", "Klausen, M.D.", "Mette Dahl Klausen")]
    [('klausen', 'md'), ('klausen', 'md'), ('klausen', 'md')]
    """
    name = name.strip()
    if not name:
        return ("", "")
    if "," in name:
        surname, _, given = name.partition(",")
        given = given.strip()
        if INITIALS.match(given.replace(".", "").replace(" ", "")) and len(given) <= 8:
            initials = given.replace(".", "").replace(" ", "").replace("-", "")
        else:
            initials = "".join(w[0] for w in re.split(r"[\s.\-]+", given) if w)
    else:
        parts = name.split()
        k = len(parts)
        while k > 1 and INITIALS.match(parts[k - 1].replace(".", "")) and (
                k == len(parts) or len(parts[k - 1].replace(".", "")) <= 2):
            k -= 1
        if k < len(parts):  # "Klausen MD", "Zuna R E"
            surname, initials = " ".join(parts[:k]), "".join(parts[k:]).replace(".", "")
        elif len(parts) > 1:
            surname = parts[-1]
            initials = "".join(w[0] for w in parts[:-1] if w)
        else:
            surname, initials = name, ""
    return (normalise_text(surname).replace(" ", ""), normalise_text(initials).replace(" ", ""))


# ----------------------------------------------------------------------------------- journals
_JOURNAL_STOP = {"the", "of", "and", "in", "for", "on", "de", "la", "le", "du", "der", "und",
                 "des", "y", "et", "a", "an", "official", "journal_"}


@lru_cache(maxsize=50_000)
def normalise_journal(journal: str) -> tuple[str, ...]:
    """The words of a journal name that matter (``&`` is *and*; stop words dropped)."""
    text = journal.split("=")[0]
    if "(" in text or "[" in text:
        text = _EDITION.sub(" ", text)
    text = normalise_text(text)
    return tuple(w for w in text.split() if w not in _JOURNAL_STOP)


# an edition or ISSN that databases add to a journal's name: "BMJ (Clinical research ed.)",
# "BMJ (Online)", "PLoS ONE [Electronic Resource]", "Decision (0304-0941)"; other brackets
# ("Medicine (Baltimore)") stay
_EDITION = re.compile(r"[(\[]\s*(?:online|print|internet|electronic(?: resource)?|"
                      r"clinical research ed(?:ition|\.)?|\d{4}-?\d{3}[\dx])\s*[)\]]", re.I)


def journal_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool | None:
    """Whether two normalised journal names can be the same journal (None when one is empty).

    Equal names match; so does an abbreviation whose words each begin the matching word of the
    full name, in order, and a name that begins with the other's acronym of three letters or
    more (``BMJ``, ``JAMA``, ``ICIS: Transforming Society …`` for *International Conference on
    Information Systems*).
    """
    if not a or not b:
        return None
    if a == b or "".join(a) == "".join(b):
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) == len(long_):
        if all(y.startswith(x) or x.startswith(y) for x, y in zip(short, long_, strict=True)):
            return True
    else:
        # the abbreviation may drop words of the full name ("J Clin Oncol" ~ "Journal of
        # Clinical Oncology" is already equal length; "Cancer" vs "Cancer Cytopathology" is not)
        i = 0
        for w in long_:
            if i < len(short) and w.startswith(short[i]):
                i += 1
        if i == len(short) and len(short) >= 2 and short[0][:1] == long_[0][:1]:
            return True
    return _acronym_of(a, b) or _acronym_of(b, a)


def _acronym_of(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """``x`` begins with the acronym of the whole of ``y`` (three words or more)."""
    return len(y) >= 3 and len(x[0]) == len(y) and x[0] == "".join(w[0] for w in y)
