"""Word-stem text search over findings: case-insensitive, accents folded, every word must match.

A word of the query matches a word of the text when the text's word starts with it, or when the
text's word stem starts with the query's word stem (English Snowball stemmer): ``referrals``
finds "referral", ``implementing`` finds "implementation" and "implement". Several words must
all match (AND).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

__all__ = ["fold", "matches", "stem", "words"]

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """``text`` case-folded, with accents removed (``"Västra"`` → ``"vastra"``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text`` (letters, digits and underscores), in order."""
    return _WORD.findall(fold(text))


@cache
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@cache
def stem(word: str) -> str:
    """The English stem of one folded word (``"referrals"`` → ``"referr"``)."""
    return str(_stemmer().stemWord(word))


def matches(query: str | Iterable[str], text: str) -> bool:
    """True when every word of ``query`` matches some word of ``text`` (see the module).

    ``query`` is a string or its words already split; an empty query matches everything.
    """
    wanted = words(query) if isinstance(query, str) else [w for q in query for w in words(q)]
    have = set(words(text))
    stems = {stem(h) for h in have}
    for w in wanted:
        s = stem(w)
        if not any(h.startswith(w) for h in have) and not any(x.startswith(s) for x in stems):
            return False
    return True
