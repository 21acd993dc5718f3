"""Dedupe mode: people decide the pairs that no rule can, side by side, with the keyboard.

A :class:`DedupeSession` holds the pairs of one app: those that people have decided (read from
``dedupe/decisions.jsonl``) and the uncertain ones (:func:`implmap.dedupe.groups.load_uncertain`;
dedupe runs first when it never has). A pair stays where it was after it is decided; a pair
that a re-run brings up (a listed pair was kept apart, so another is needed) joins the end.

A decision goes to the same append-only log as ``implmap dedupe merge`` / ``keep-apart``
(:func:`implmap.dedupe.groups.decide` with ``by`` = the reviewer and ``rerun=False``): the round
trip only appends a line. Deduplication re-runs in a background thread shortly after decisions,
when asked (:meth:`DedupeSession.rerun`) and when the app stops; every reader of the groups
re-runs it anyway when the log is newer than the groups (:func:`implmap.dedupe.groups.refresh`).

A pair whose two records are already one group through other pairs' decisions (``a`` merged
with ``b``, ``b`` with ``c``: ``a``–``c`` is *settled*) needs no decision of its own: it counts
as done in the progress, and the page skips it when moving on. It may still be decided.

This mode is not blinded: it shows every person's decision on a pair, and marks a pair as a
disagreement when two people's standing decisions differ (one ``merge``, one ``keep_apart``).
The decision in force is the latest line on the pair, as for every dedupe run.

The reviewer must be one of the manifest's reviewers, unless it lists none (dedupe needs no
screening team: ``implmap dedupe merge --by`` takes any ID).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from ..dedupe import groups
from ..dedupe.keys import make_keys
from ..dedupe.match import compare
from ..errors import DecisionError, UnknownRecordError
from ..folder import ReviewFolder
from ..manifest import Reviewer

__all__ = ["FIELDS", "PAIR_ACTIONS", "DedupeSession"]

#: the fields shown side by side: (key, label)
FIELDS = (
    ("title", "Title"), ("authors", "Authors"), ("year", "Year"), ("journal", "Journal"),
    ("volume", "Volume"), ("issue", "Issue"), ("pages", "Pages"), ("doi", "DOI"),
    ("pmid", "PMID"), ("abstract", "Abstract"), ("database", "Database / search"),
)
#: what a person may decide on a pair in the app (``undo`` is the app's undo key)
PAIR_ACTIONS = ("merge", "keep_apart")

Pair = tuple[str, str]


def _key(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


def _norm(value: str) -> str:
    """What two values are compared by: words only, case and punctuation ignored."""
    return " ".join(re.findall(r"\w+", value.casefold()))


class DedupeSession:
    """The pairs and people's decisions behind one dedupe app (thread-safe)."""

    mode = "dedupe"

    def __init__(self, review: ReviewFolder | str | Path, reviewer: str,
                 rerun_delay: float = 0.5):
        self.review = review if isinstance(review, ReviewFolder) else ReviewFolder(review)
        manifest = self.review.manifest
        # dedupe decisions name anyone (``implmap dedupe merge --by``); when the manifest lists
        # reviewers, the ID must be one of them (a typo would split one person in two)
        self.reviewer = manifest.reviewer(reviewer) if manifest.reviewers else \
            Reviewer(id=reviewer)
        self.rerun_delay = rerun_delay
        self._lock = threading.RLock()
        self._run_groups: list[list[str]] = []
        self._undo: list[tuple[Pair, groups.Decision | None]] = []
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None
        self._closed = False
        #: the summary of the latest dedupe run of this app (None before the first)
        self.last_run: dict[str, Any] | None = None
        if not self.review.deduplicated():
            self.last_run = self._summary(groups.find_duplicates(self.review))
        uncertain = groups.load_uncertain(self.review)
        self._run_groups = [g.members for g in groups.load_groups(self.review)]
        self.records = {r["id"]: r for r in self.review.record_dicts()}
        self.databases = {s.id: s.database for s in self.review.searches()}
        self._reload()
        self.evidence: dict[Pair, dict[str, Any]] = {}
        for u in uncertain:
            self.evidence.setdefault(_key(*u["pair"]), u)
        decided = [k for k, people in self.people.items() if people]
        self.pairs: list[Pair] = [k for k in decided if k[0] in self.records
                                  and k[1] in self.records]
        seen = set(self.pairs)
        self.pairs += [k for k in self.evidence if k not in seen]
        self.index = {k: n for n, k in enumerate(self.pairs)}

    # ------------------------------------------------------------------------- decisions
    def _reload(self) -> None:
        """Re-read ``dedupe/decisions.jsonl``: each person's standing decision on each pair
        (an ``undo`` withdraws it) and the decision in force (the latest line)."""
        people: dict[Pair, dict[str, groups.Decision]] = {}
        in_force: dict[Pair, groups.Decision | None] = {}
        for d in groups.load_decisions(self.review):
            k = _key(*d.records)
            mine = people.setdefault(k, {})
            if d.action == "undo":
                mine.pop(d.by, None)
                in_force[k] = None
            else:
                mine[d.by] = d
                in_force[k] = d
        self.people, self.in_force = people, in_force
        self._log_size = self._size()
        self._settle()

    def _settle(self) -> None:
        """Which record is in which group: the latest run's groups joined by the merges in
        force (a merge counts at once, before the background re-run)."""
        from scipy.cluster.hierarchy import DisjointSet

        sets = DisjointSet()
        for members in self._run_groups:
            for m in members:
                sets.add(m)
                sets.merge(members[0], m)
        for k, d in self.in_force.items():
            if d is not None and d.action == "merge":
                sets.add(k[0])
                sets.add(k[1])
                sets.merge(*k)
        self._sets = sets

    def _settled(self, k: Pair) -> bool:
        """No decision in force on the pair, but its records are one group through others."""
        sets = self._sets
        return self.in_force.get(k) is None and k[0] in sets and k[1] in sets \
            and sets.connected(*k)

    def _size(self) -> int:
        try:
            return self.review.dedupe_decisions.stat().st_size
        except FileNotFoundError:
            return 0

    def refresh(self) -> None:
        """Re-read the log when it changed behind the app's back (another person's app)."""
        if self._size() != self._log_size:
            with self._lock:
                self._reload()

    def _pair(self, a: str, b: str) -> Pair:
        k = _key(str(a), str(b))
        if k not in self.index:
            raise UnknownRecordError(f"{a} and {b} are not a pair of this app")
        return k

    def _write(self, k: Pair, action: str, note: str) -> None:
        groups.decide(self.review, action, k[0], k[1], by=self.reviewer.id, note=note,
                      rerun=False)
        self._reload()
        self._rerun_soon()

    def decide(self, a: str, b: str, action: str, note: str = "") -> dict[str, Any]:
        """Record this reviewer's decision on the pair ``a``, ``b`` (on disk when it returns)
        and answer the pair as it is now."""
        action = action.replace("-", "_")
        if action not in PAIR_ACTIONS:
            raise DecisionError(f"decide 'merge' or 'keep_apart', not {action!r}")
        k = self._pair(a, b)
        with self._lock:
            previous = self.people.get(k, {}).get(self.reviewer.id)
            self._write(k, action, note)
            self._undo.append((k, previous))
            return self.pair(self.index[k])

    def undo(self) -> dict[str, Any] | None:
        """Take back this session's last decision: the reviewer's earlier decision on the pair
        is written again, or (none before) an ``undo`` line withdraws it. ``None`` when there
        is nothing to undo."""
        with self._lock:
            if not self._undo:
                return None
            k, previous = self._undo[-1]
            if previous is None:
                self._write(k, "undo", "withdrawn in the app")
            else:
                self._write(k, previous.action, previous.note)
            self._undo.pop()
            return self.pair(self.index[k])

    # ------------------------------------------------------------------------- reading
    def progress(self) -> dict[str, int]:
        """Pairs done (a decision in force, or settled by others), pairs settled by other
        pairs' decisions, pairs this reviewer decided, and all pairs."""
        me = self.reviewer.id
        settled = sum(1 for k in self.pairs if self._settled(k))
        return {"done": settled + sum(1 for k in self.pairs
                                      if self.in_force.get(k) is not None),
                "settled": settled,
                "mine": sum(1 for k in self.pairs if me in self.people.get(k, {})),
                "total": len(self.pairs)}

    def info(self) -> dict[str, Any]:
        """Who, which review, the progress and the latest re-run."""
        m = self.review.manifest
        return {"mode": self.mode, "review_title": m.title, "reviewer": self.reviewer.id,
                "reviewer_name": self.reviewer.name or self.reviewer.id, "blinded": False,
                "progress": self.progress(), "last_run": self.last_run}

    def _state(self, k: Pair) -> dict[str, Any]:
        people = self.people.get(k, {})
        force = self.in_force.get(k)
        return {"in_force": force.action if force else None,
                "mine": people[self.reviewer.id].action if self.reviewer.id in people else None,
                "disagree": len({d.action for d in people.values()}) > 1,
                "settled": self._settled(k)}

    def listing(self) -> dict[str, Any]:
        """Every pair in brief, the progress, and where to start (the first pair this
        reviewer has not decided)."""
        self.refresh()
        with self._lock:
            pairs = [{"n": n, "a": k[0], "b": k[1], "rule": self._evidence(k).get("rule"),
                      **self._state(k)} for n, k in enumerate(self.pairs)]
            start = next((p["n"] for p in pairs if p["mine"] is None and not p["settled"]), 0)
            return {"pairs": pairs, "progress": self.progress(), "start": start}

    def _evidence(self, k: Pair) -> dict[str, Any]:
        """The rule's verdict on a pair: from the uncertain pairs, or judged again now."""
        ev = self.evidence.get(k)
        if ev is None:
            a, b = self.records[k[0]], self.records[k[1]]
            ev = self.evidence[k] = compare(make_keys(a, 0), make_keys(b, 1)).evidence(*k)
        return ev

    def _value(self, r: dict[str, Any], name: str) -> str:
        if name == "authors":
            return "; ".join(str(a) for a in r.get("authors") or [])
        if name == "database":
            sid = str(r.get("search") or "")
            db = self.databases.get(sid, "")
            return f"{db} ({sid})" if db else sid
        value = r.get(name)
        return "" if value is None else str(value)

    def pair(self, n: int) -> dict[str, Any]:
        """Pair number ``n`` in full: both records' fields aligned (``differ`` where their
        normalised values differ), the rule and its reason, every person's decision."""
        if not 0 <= n < len(self.pairs):
            raise UnknownRecordError(f"there is no pair {n} (this app has {len(self.pairs)})")
        self.refresh()
        with self._lock:
            k = self.pairs[n]
            ra, rb = self.records[k[0]], self.records[k[1]]
            fields = []
            for name, label in FIELDS:
                va, vb = self._value(ra, name), self._value(rb, name)
                fields.append({"name": name, "label": label, "a": va, "b": vb,
                               "differ": _norm(va) != _norm(vb)})
            ev = self._evidence(k)
            names = {r.id: r.name or r.id for r in self.review.manifest.reviewers}
            decisions = [{**d.to_dict(), "name": names.get(d.by, d.by or "someone")}
                         for d in sorted(self.people.get(k, {}).values(), key=lambda d: d.time)]
            return {"n": n, "a": k[0], "b": k[1], "rule": ev.get("rule"),
                    "reason": ev.get("reason"), "score": ev.get("score"), "fields": fields,
                    "decisions": decisions, **self._state(k), "progress": self.progress(),
                    "settled_pairs": [i for i, q in enumerate(self.pairs) if self._settled(q)]}

    # ------------------------------------------------------------------------- re-running
    @staticmethod
    def _summary(result: groups.DedupeResult) -> dict[str, Any]:
        return {"records": result.records, "groups": len(result.groups),
                "duplicates_removed": result.duplicates_removed,
                "uncertain": len(result.uncertain), "warnings": list(result.warnings)}

    def rerun(self) -> dict[str, Any]:
        """Re-run deduplication now (every decision counts) and return its summary."""
        result = groups.find_duplicates(ReviewFolder(self.review.root))
        with self._lock:
            self._run_groups = [g.members for g in result.groups]
            self._settle()
            for u in result.uncertain:  # a pair that a keep-apart brought up: at the end
                k = _key(*u["pair"])
                if k not in self.index and k[0] in self.records and k[1] in self.records:
                    self.index[k] = len(self.pairs)
                    self.pairs.append(k)
                    self.evidence[k] = u
        self.last_run = self._summary(result)
        return self.last_run

    def _rerun_soon(self) -> None:
        if self._closed:
            return
        if self._worker is None:
            self._worker = threading.Thread(target=self._rerun_loop, daemon=True,
                                            name="implmap-dedupe-rerun")
            self._worker.start()
        self._wake.set()

    def _rerun_loop(self) -> None:
        """Re-run a little after decisions (one run for a burst of them) until closed."""
        while True:
            self._wake.wait()
            if self._closed:
                return
            threading.Event().wait(self.rerun_delay)
            self._wake.clear()
            if self._closed:
                return
            try:
                self.rerun()
            except Exception as exc:  # reported on the page; the next decision retries
                self.last_run = {"error": str(exc)}

    def close(self) -> None:
        """Stop the background re-runs and bring the groups up to date with every decision."""
        self._closed = True
        self._wake.set()
        if self._worker is not None:
            self._worker.join(timeout=60)
        groups.refresh(ReviewFolder(self.review.root))
