"""Blocking: which pairs of records are compared at all.

Comparing every pair is quadratic; only records that share a *blocking key* are compared: a DOI,
a PMID, the normalised title, its start or its end, first author with year and first page, year
with volume and first page, or first author with year and the title's two longest words. A block
larger than :data:`MAX_BLOCK` (an "editorial", a common surname) is compared only between
neighbours in title order (:data:`WINDOW` of them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .keys import Keys

__all__ = ["MAX_BLOCK", "WINDOW", "blocking_keys", "candidate_pairs"]

MAX_BLOCK = 40  # larger blocks are compared only between neighbours in title order
WINDOW = 8


def blocking_keys(k: Keys) -> list[tuple[str, str]]:
    """The blocking keys of one record, as ``(kind, value)`` pairs."""
    out: list[tuple[str, str]] = []
    if k.doi:
        out.append(("doi", k.doi))
    if k.pmid:
        out.append(("pmid", k.pmid))
    if len(k.compact) >= 8:
        out.append(("title", k.compact))
        if len(k.compact) >= 40:
            out.append(("start", k.compact[:30]))
            out.append(("end", k.compact[-30:]))
    if k.page:
        if k.surnames and k.year:
            out.append(("author-year-page", f"{k.surnames[0]}|{k.year}|{k.page}"))
        if k.year and k.volume:
            out.append(("year-volume-page", f"{k.year}|{k.volume}|{k.page}"))
    if k.surnames and k.year and k.title:
        words = sorted(k.words, key=lambda w: (-len(w), w))[:2]
        out.append(("author-year-words", f"{k.surnames[0]}|{k.year}|{'|'.join(sorted(words))}"))
    return out


def candidate_pairs(keys: Sequence[Keys]) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of records sharing a blocking key."""
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        for bk in blocking_keys(k):
            blocks[bk].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        n = len(members)
        if n < 2:
            continue
        if n <= MAX_BLOCK:
            for x in range(n):
                for y in range(x + 1, n):
                    pairs.add((members[x], members[y]))
        else:  # a huge block ("editorial", a common author): only neighbours in title order
            ordered = sorted(members, key=lambda i: (keys[i].compact, i))
            for x in range(n):
                for y in range(x + 1, min(n, x + 1 + WINDOW)):
                    a, b = ordered[x], ordered[y]
                    pairs.add((a, b) if a < b else (b, a))
    return pairs
