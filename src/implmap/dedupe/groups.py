"""Deduplication across searches: precise, explained, reversible, and fast.

Nothing is ever deleted. :func:`find_duplicates` groups the records of a review that are the
same work; each group keeps every member, names one *primary* record (the most complete; the
earliest on a tie) and stores the evidence for each merge (the rule that merged each pair).

Files in the review folder:

* ``dedupe/groups.jsonl`` — one line per group, ``{"primary", "members", "evidence"}``,
  rewritten atomically by every run, in a deterministic order.
* ``dedupe/uncertain.jsonl`` — pairs that look alike but that no rule can decide; a person
  decides them (:func:`load_uncertain`, then :func:`decide`). Rewritten by every run. Only
  the pairs needed are listed: none whose records the listed pairs would join anyway (of three
  copies of one work, two pairs); if a person keeps a listed pair apart, the next run lists
  the pair that is then needed.
* ``dedupe/run.txt`` — written by the first run: dedupe has run on this review.

The two regenerated files are not kept in git (the review's ``.gitignore`` lists them), so a
merge never conflicts on them: every reader goes through :func:`refresh`, which regenerates
them when dedupe has run and they are missing or older than the records and decisions (as
after a clone or a ``git pull``). They are a function of the records and the decisions, so
every clone sees the same groups.
* ``dedupe/decisions.jsonl`` — people's decisions (``merge``, ``keep_apart``, ``undo``),
  append-only; the latest decision on a pair counts, and every run obeys them, including runs
  after new searches are imported.

How pairs are found without comparing all of them (*blocking*): only records that share a DOI,
a PMID, the normalised title, the start or the end of it, or first author, year and first page,
or year, volume and first page are compared. How a pair is judged: :func:`implmap.dedupe.match.
compare`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..errors import ReviewFolderError, UnknownRecordError, UsageError
from ..folder import DEDUPE_RAN
from ..fsio import append_line, dump_json_line, write_atomic
from ..jsonl import in_time_order, read_jsonl
from . import state
from .blocking import candidate_pairs
from .keys import make_keys
from .match import DUPLICATE, UNCERTAIN, Verdict, compare
from .score import rescore

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = [
    "ACTIONS",
    "Decision",
    "DedupeResult",
    "Group",
    "decide",
    "dedupe_records",
    "duplicates_removed",
    "explain",
    "find_duplicates",
    "load_decisions",
    "load_groups",
    "load_uncertain",
    "primary_ids",
    "refresh",
]

ACTIONS = ("merge", "keep_apart", "undo")


@dataclass
class Group:
    """Records that are one work: the primary (shown for screening) and all members."""

    primary: str
    members: list[str]
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"primary": self.primary, "members": self.members, "evidence": self.evidence}

    @property
    def removed(self) -> list[str]:
        """The members that are not the primary."""
        return [m for m in self.members if m != self.primary]


@dataclass
class Decision:
    """A person's decision on a pair of records."""

    action: str  # "merge", "keep_apart" or "undo"
    records: tuple[str, str]
    by: str = ""
    note: str = ""
    time: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "records": list(self.records), "by": self.by,
                "note": self.note, "time": self.time}


@dataclass
class DedupeResult:
    """What a deduplication run found."""

    records: int
    groups: list[Group]
    uncertain: list[dict[str, Any]]
    pairs_compared: int
    warnings: list[str] = field(default_factory=list)

    @property
    def duplicates_removed(self) -> int:
        return sum(len(g.members) - 1 for g in self.groups)

    def group_of(self) -> dict[str, Group]:
        return {m: g for g in self.groups for m in g.members}

    def __repr__(self) -> str:
        return (f"<DedupeResult {self.records} records, {len(self.groups)} groups, "
                f"{self.duplicates_removed} duplicates, {len(self.uncertain)} uncertain pairs>")


# --------------------------------------------------------------------------------- clustering
class _Clusters:
    """Union-find with cannot-link constraints (pairs that must stay apart)."""

    def __init__(self, n: int):
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}
        self.apart: dict[int, set[int]] = defaultdict(set)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def forbid(self, i: int, j: int) -> None:
        self.apart[i].add(j)
        self.apart[j].add(i)

    def blocked(self, i: int, j: int) -> tuple[int, int] | None:
        """A cannot-link pair that merging the clusters of i and j would put together."""
        ri, rj = self.find(i), self.find(j)
        small, other = (ri, rj) if len(self.members[ri]) <= len(self.members[rj]) else (rj, ri)
        for m in self.members[small]:
            for n in self.apart.get(m, ()):
                if self.find(n) == other:
                    return (m, n)
        return None

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return
        if len(self.members[ri]) < len(self.members[rj]):
            ri, rj = rj, ri
        self.parent[rj] = ri
        self.members[ri].extend(self.members.pop(rj))


# the most certain merges first; an erratum notice joins its twin before either can meet the
# article by title
_RULE_RANK = {"same-doi": 0, "same-pmid": 1, "same-notice": 2, "same-title-authors-year": 3,
              "same-title-source": 4, "shifted-fields": 5, "similar-title-same-source": 6,
              "last-page-only": 7, "same-page-range": 8, "similar-title-authors-year": 9}


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def dedupe_records(
    records: Sequence[dict[str, Any]],
    decisions: Iterable[Decision] = (),
) -> DedupeResult:
    """Group duplicate records (dicts with the Record fields); people's decisions win.

    ``records`` must be in a stable order (search, then file order); on a tie in completeness
    the earlier record is the primary.
    """
    keys = [make_keys(r, i) for i, r in enumerate(records)]
    index = {k.id: i for i, k in enumerate(keys)}
    warnings: list[str] = []
    latest: dict[tuple[str, str], Decision] = {}
    for d in decisions:
        latest[_pair(*d.records)] = d
    merges, aparts = [], set()
    for pair, d in latest.items():
        if d.action == "undo":
            continue
        if pair[0] not in index or pair[1] not in index:
            warnings.append(f"a {d.action} decision names {pair[0]} and {pair[1]}, which are not "
                            "both records of this review; it was skipped")
            continue
        ij = (index[pair[0]], index[pair[1]])
        if d.action == "merge":
            merges.append(ij)
        else:
            aparts.add(ij)
    clusters = _Clusters(len(keys))
    edges: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for i, j in aparts:
        clusters.forbid(i, j)
    # people first: their merges hold even against rules
    for i, j in sorted(merges):
        if clusters.find(i) == clusters.find(j):
            continue
        hit = clusters.blocked(i, j)
        if hit is not None:
            warnings.append(f"merging {keys[i].id} and {keys[j].id} would put {keys[hit[0]].id} "
                            f"and {keys[hit[1]].id}, kept apart by a decision, in one group; "
                            "the merge was not applied")
            continue
        d = latest[_pair(keys[i].id, keys[j].id)]
        edges[i].append({"pair": [keys[i].id, keys[j].id], "rule": "decision-merge",
                         "reason": f"merged by {d.by or 'a person'} on {d.time}"
                         + (f": {d.note}" if d.note else ""), "score": 1.0})
        clusters.union(i, j)
    pairs = candidate_pairs(keys)
    verdicts: list[tuple[int, int, Verdict]] = []
    for i, j in sorted(pairs):
        v = rescore(keys[i], keys[j], compare(keys[i], keys[j]))
        if v.hard and v.decision != DUPLICATE:
            clusters.forbid(i, j)
        verdicts.append((i, j, v))
    uncertain: list[dict[str, Any]] = []
    dups = [(i, j, v) for i, j, v in verdicts if v.decision == DUPLICATE]
    dups.sort(key=lambda t: (_RULE_RANK.get(t[2].rule, 9), -t[2].score, t[0], t[1]))
    for i, j, v in dups:
        if clusters.find(i) == clusters.find(j):
            continue
        if clusters.blocked(i, j) is not None:
            if (i, j) in aparts or (j, i) in aparts:
                continue
            uncertain.append({**v.evidence(keys[i].id, keys[j].id),
                              "rule": "blocked-" + v.rule,
                              "reason": v.reason + "; but a member of one group must stay "
                              "apart from a member of the other"})
            continue
        edges[i].append(v.evidence(keys[i].id, keys[j].id))
        clusters.union(i, j)
    # one open pair per two groups that it would join, and none that other listed pairs would
    # join anyway (three copies of one work: two pairs, not three); a pair left out comes back
    # at the next run if a person keeps the listed ones apart
    linked = _Clusters(len(keys))
    for i, j, v in verdicts:
        if v.decision == UNCERTAIN and (i, j) not in aparts and (j, i) not in aparts:
            ri, rj = clusters.find(i), clusters.find(j)
            if ri != rj and linked.find(ri) != linked.find(rj):
                linked.union(ri, rj)
                uncertain.append(v.evidence(keys[i].id, keys[j].id))
    groups: list[Group] = []
    for members in clusters.members.values():
        if len(members) < 2:
            continue
        members = sorted(members)
        best = min(members, key=lambda m: (-keys[m].completeness, m))
        evidence = sorted((e for m in members for e in edges.get(m, ())),
                          key=lambda e: (index[e["pair"][0]], index[e["pair"][1]]))
        groups.append(Group(primary=keys[best].id, members=[keys[m].id for m in members],
                            evidence=evidence))
    groups.sort(key=lambda g: index[g.members[0]])
    uncertain.sort(key=lambda e: (index[e["pair"][0]], index[e["pair"][1]]))
    return DedupeResult(records=len(keys), groups=groups, uncertain=uncertain,
                        pairs_compared=len(pairs), warnings=warnings)


# ----------------------------------------------------------------------------- review folder
def load_decisions(review: ReviewFolder) -> list[Decision]:
    """People's decisions, in the order they were made (by their ``time``: a git union merge
    may put one machine's lines after another's newer ones)."""
    out = []
    path = review.dedupe_decisions
    for n, obj in in_time_order(read_jsonl(path)):
        try:
            a, b = obj["records"]
            out.append(Decision(obj["action"], (str(a), str(b)), obj.get("by", ""),
                                obj.get("note", ""), obj.get("time", "")))
        except (KeyError, ValueError, TypeError):
            raise ReviewFolderError(f"{path}, line {n}: a decision needs "
                               "'action' and 'records' (two record IDs); fix or remove the "
                               "line") from None
    return out


def find_duplicates(review: ReviewFolder) -> DedupeResult:
    """Group the review's duplicates and write ``dedupe/groups.jsonl`` and
    ``dedupe/uncertain.jsonl`` (atomically). People's decisions always win.

    The first run also writes ``dedupe/run.txt`` (kept in git, unlike the two files), so that
    every clone of the review knows that dedupe has run and regenerates them (:func:`refresh`).
    """
    with review.lock("dedupe"):
        inputs = state.inputs(review)  # before reading: a change while reading shows as stale
        result = dedupe_records(review.record_dicts(), load_decisions(review))
        write_atomic(review.dedupe_groups, "".join(dump_json_line(g.to_dict())
                                                   for g in result.groups))
        write_atomic(review.dedupe_uncertain, "".join(dump_json_line(u)
                                                      for u in result.uncertain))
        if not review.dedupe_ran.exists():
            write_atomic(review.dedupe_ran, DEDUPE_RAN)
        state.save(review, inputs)
    return result


def refresh(review: ReviewFolder) -> None:
    """Regenerate the groups and uncertain pairs when dedupe has run on the review and they
    are missing or out of date (records or ``decisions.jsonl`` changed since, by an import, a
    decision or a ``git pull``). They are not kept in git, so that merges never conflict on
    them; every reader goes through here, so every clone sees the same groups."""
    if review.deduplicated() and not state.is_current(review):
        find_duplicates(review)


def decide(review: ReviewFolder, action: str, a: str, b: str, by: str = "", note: str = "",
           rerun: bool = True) -> DedupeResult | None:
    """Record a person's decision on a pair (append-only) and, by default, re-run.

    ``action`` is ``"merge"``, ``"keep_apart"`` or ``"undo"`` (forget an earlier decision on
    the pair and let the rules decide again).
    """
    action = action.replace("-", "_")
    if action not in ACTIONS:
        raise UsageError(f"unknown dedupe decision {action!r}; use one of {', '.join(ACTIONS)}")
    if a == b:
        raise UsageError(f"a decision needs two different records (got {a} twice)")
    ids = {r["id"] for r in review.record_dicts()}
    for rid in (a, b):
        if rid not in ids:
            raise UnknownRecordError(f"no record with ID {rid!r} in {review.root}")
    d = Decision(action, (a, b), by, note,
                 datetime.now(UTC).isoformat())
    append_line(review.dedupe_decisions, dump_json_line(d.to_dict()))
    return find_duplicates(review) if rerun else None


def load_groups(review: ReviewFolder) -> list[Group]:
    """The duplicate groups (empty when dedupe has not run; regenerated when out of date)."""
    refresh(review)
    return [Group(o["primary"], list(o["members"]), list(o.get("evidence", [])))
            for _, o in read_jsonl(review.dedupe_groups)]


def load_uncertain(review: ReviewFolder) -> list[dict[str, Any]]:
    """The pairs that a person should decide (regenerated when out of date)."""
    refresh(review)
    return [o for _, o in read_jsonl(review.dedupe_uncertain)]


def primary_ids(review: ReviewFolder) -> set[str]:
    """The records screening shows: primaries and records without duplicates.

    Reads ``dedupe/groups.jsonl`` (regenerated when out of date); before any run every
    record counts.
    """
    removed = {m for g in load_groups(review) for m in g.removed}
    return {r["id"] for r in review.record_dicts() if r["id"] not in removed}


def duplicates_removed(review: ReviewFolder) -> int:
    """How many records deduplication sets aside as duplicates (for PRISMA)."""
    return sum(len(g.members) - 1 for g in load_groups(review))


def explain(review: ReviewFolder, rid: str) -> dict[str, Any]:
    """Why a record is (or is not) in a group: its group, primary, evidence, open pairs and
    people's decisions on it."""
    records = {r["id"]: r for r in review.record_dicts()}
    if rid not in records:
        raise UnknownRecordError(f"no record with ID {rid!r} in {review.root}")
    group = next((g for g in load_groups(review) if rid in g.members), None)
    pending = [u for u in load_uncertain(review) if rid in u["pair"]]
    decisions = [d.to_dict() for d in load_decisions(review) if rid in d.records]

    def brief(i: str) -> dict[str, Any]:
        r = records.get(i, {})
        authors = r.get("authors") or []
        return {"id": i, "title": r.get("title", ""), "year": r.get("year", ""),
                "first_author": authors[0] if authors else "", "journal": r.get("journal", ""),
                "doi": r.get("doi", ""), "search": r.get("search", "")}

    return {
        "record": brief(rid),
        "group": None if group is None else {
            "primary": group.primary, "members": [brief(m) for m in group.members],
            "evidence": group.evidence},
        "uncertain": pending,
        "decisions": decisions,
    }
