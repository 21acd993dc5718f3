"""Deduplication: explainable, reversible grouping of the same work found in several searches.

* :mod:`.groups` — ``find_duplicates``, ``decide``, ``explain``, ``primary_ids``: the review's
  groups, people's decisions (append-only; they always win) and what screening shows;
  ``dedupe_records`` runs the same on any list of record dicts;
* :mod:`.blocking` — which pairs are compared at all; :mod:`.keys` and :mod:`.text` — each
  record prepared once; :mod:`.match` and :mod:`.evidence` — ``compare``: the rules that judge
  a pair, each verdict with its rule and reason;
* :mod:`.check` — ``check_dedupe``: the dedupe files' checker for ``implmap check``.

The names load on first use (importing the package loads none of its modules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .blocking import candidate_pairs
    from .check import check_dedupe
    from .groups import (
        ACTIONS,
        Decision,
        DedupeResult,
        Group,
        decide,
        dedupe_records,
        duplicates_removed,
        explain,
        find_duplicates,
        load_decisions,
        load_groups,
        load_uncertain,
        primary_ids,
    )
    from .keys import Keys, make_keys, record_kind
    from .match import DISTINCT, DUPLICATE, STAY_APART_RULES, UNCERTAIN, Verdict, compare

__all__ = [
    "ACTIONS", "DISTINCT", "DUPLICATE", "STAY_APART_RULES", "UNCERTAIN", "Decision",
    "DedupeResult", "Group", "Keys", "Verdict", "candidate_pairs", "check_dedupe", "compare",
    "decide", "dedupe_records", "duplicates_removed", "explain", "find_duplicates",
    "load_decisions", "load_groups", "load_uncertain", "make_keys", "primary_ids",
    "record_kind",
]

__getattr__, __dir__ = lazy_names(__name__)
