"""Charting mode: code each finding blind, extract findings, and reconcile, in the local app.

A :class:`ChartSession` serves one coder. Coding is blinded below the app: every answer about
findings is built from :func:`implmap.charting.coding.codings` (this coder's own log) and the
agreed tags in the study files (written by :func:`implmap.charting.reconcile.reconcile`, with
``agreed_by``); never from another coder's log, and never from ``coded_by`` or the older
``coding`` kept inside study files.

Only :meth:`ChartSession.reconciling` shows two coders' tags side by side: to the arbiter (the
manifest's reviewer with the role ``third``) every finding that two or more coders coded; when
the manifest names no arbiter, to each coder the findings that they and someone else coded
(they have committed their own tags before they see the other's).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ..charting import coding as coding_
from ..charting import extract
from ..charting.model import LEVELS, TYPES, Study
from ..charting.reconcile import reconcile
from ..charting.store import load_studies_cached
from ..charting.suggest import suggest_texts
from ..charting.vocab import load_vocabulary
from ..errors import UsageError
from ..folder import ReviewFolder

__all__ = ["ChartSession", "ReconcileRefused"]


class ReconcileRefused(UsageError):
    """This coder may not see the reconcile view (an arbiter reconciles)."""


def _tags(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"tdf": entry.get("tdf") or [], "themes": entry.get("themes") or [],
            "time": entry.get("time"), "note": entry.get("note") or ""}


def _agreed(f: Any) -> dict[str, Any] | None:
    if not f.agreed_by:
        return None
    return {"tdf": [t.model_dump() for t in f.tdf], "themes": list(f.themes),
            "by": list(f.agreed_by), "at": f.agreed_at}


class ChartSession:
    """The studies, vocabulary and this coder's own tags behind one charting app."""

    mode = "chart"

    def __init__(self, review: ReviewFolder | str | Path, reviewer: str):
        self.review = review if isinstance(review, ReviewFolder) else ReviewFolder(review)
        self.reviewer = self.review.manifest.reviewer(reviewer, UsageError)
        self.vocab = load_vocabulary(self.review)
        self._lock = threading.RLock()
        self._suggested: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------------- who may do what
    @property
    def arbiter(self) -> str | None:
        """The manifest's arbiter (role ``third``), or None."""
        return next(iter(self.review.manifest.arbiters), None)

    @property
    def can_reconcile(self) -> bool:
        """The arbiter, or every coder when the manifest names none."""
        return self.arbiter in (None, self.reviewer.id)

    # ------------------------------------------------------------------------- reading
    def progress(self, studies: list[Study] | None = None,
                 mine: dict[coding_.Key, dict[str, Any]] | None = None) -> dict[str, int]:
        """Findings this coder coded, findings agreed, and all findings (``studies`` and
        ``mine``: what the caller already read, so that one request reads them once)."""
        studies = load_studies_cached(self.review) if studies is None else studies
        mine = coding_.codings(self.review, self.reviewer.id) if mine is None else mine
        keys = [(s.id, f.id) for s in studies for f in s.findings]
        agreed = sum(1 for s in studies for f in s.findings if f.agreed_by)
        return {"done": sum(1 for k in keys if k in mine), "agreed": agreed,
                "total": len(keys)}

    def info(self) -> dict[str, Any]:
        """Who, which review, whether this coder may reconcile, the progress."""
        m = self.review.manifest
        return {"mode": self.mode, "review_title": m.title, "reviewer": self.reviewer.id,
                "reviewer_name": self.reviewer.name or self.reviewer.id, "blinded": True,
                "can_reconcile": self.can_reconcile, "progress": self.progress()}

    def studies(self) -> dict[str, Any]:
        """Every study with its findings: the extracted fields, this coder's own tags
        (``mine``) and, once reconciled, the agreed tags (``agreed``)."""
        mine = coding_.codings(self.review, self.reviewer.id)
        studies = load_studies_cached(self.review)
        out = []
        for s in studies:
            findings = [{"id": f.id, "statement": f.statement, "type": f.type,
                         "perspective": list(f.perspective), "level": f.level,
                         "source": f.source, "mine": _tags(mine.get((s.id, f.id))),
                         "agreed": _agreed(f)} for f in s.findings]
            out.append({"id": s.id, "citation": s.citation, "year": s.year,
                        "findings": findings})
        return {"studies": out, "progress": self.progress(studies, mine)}

    def vocabulary(self) -> dict[str, Any]:
        """The picker's terms: TDF v2 domains (number, name, definition, constructs, each
        construct's definition) and the review's themes."""
        return {"domains": [{"number": d.number, "name": d.name, "definition": d.description,
                             "constructs": list(d.constructs),
                             "construct_definitions": {c: d.describe(c) for c in d.constructs}}
                            for d in self.vocab.domains],
                "themes": [{"id": t.id, "name": t.name, "definition": t.description}
                           for t in self.vocab.themes],
                "types": list(TYPES), "levels": list(LEVELS)}

    def suggestions(self, study: str, finding: str) -> dict[str, Any]:
        """Suggested domains and themes for one finding, ranked (from the agreed tags of the
        review's findings: never from a coder's own log)."""
        _, f = coding_.find_finding(self.review, study, finding,
                                    load_studies_cached(self.review))
        with self._lock:
            hit = self._suggested.get(f.statement)
        if hit is None:
            ranked = suggest_texts(self.review, [f.statement])[0]
            hit = {kind: [{"label": label, "p": round(float(p), 3)} for label, p in pairs]
                   for kind, pairs in ranked.items()}
            with self._lock:
                self._suggested[f.statement] = hit
        return {"study": study, "finding": finding, **hit}

    # ------------------------------------------------------------------------- writing
    def code(self, study: str, finding: str, tdf: list[Any], themes: list[Any],
             note: str = "") -> dict[str, Any]:
        """Save this coder's tags for a finding (one fsynced line in their log)."""
        entry = coding_.code(self.review, self.reviewer.id, study, finding, tdf, themes, note)
        return {"saved": True, "mine": _tags(entry), "progress": self.progress()}

    def withdraw(self, study: str, finding: str) -> dict[str, Any]:
        """Withdraw this coder's coding of a finding."""
        coding_.withdraw_code(self.review, self.reviewer.id, study, finding,
                              "withdrawn in the app")
        return {"saved": True, "mine": None, "progress": self.progress()}

    def extract(self, action: str, study: str, data: dict[str, Any]) -> dict[str, Any]:
        """Add (``add``), change (``edit``) or delete (``delete``) a finding of ``study``."""
        fields = {k: data[k] for k in extract.FIELDS if k in data}
        note = str(data.get("note") or "")
        me = self.reviewer.id
        if action == "add":
            entry = extract.add_finding(self.review, me, study, **{
                "statement": "", "type": "", **fields}, note=note)
        elif action == "edit":
            entry = extract.change_finding(self.review, me, study, str(data.get("finding")),
                                           fields, note)
        elif action == "delete":
            entry = extract.delete_finding(self.review, me, study, str(data.get("finding")),
                                           note)
        else:
            raise UsageError(f"extract: add, edit or delete, not {action!r}")
        with self._lock:
            self._suggested.clear()
        return {"saved": True, "entry": entry, "progress": self.progress()}

    # ------------------------------------------------------------------------- reconciling
    def _may_reconcile(self) -> None:
        if not self.can_reconcile:
            raise ReconcileRefused(f"{self.arbiter} (the arbiter) reconciles the codings; "
                                   f"{self.reviewer.id} codes blind")

    def reconciling(self) -> dict[str, Any]:
        """The findings two or more coders coded, every coder's tags side by side,
        disagreements first (unblinded: for the arbiter, or the coders without one)."""
        self._may_reconcile()
        studies = load_studies_cached(self.review)
        every = coding_.all_codings(self.review, studies)
        me, arbiter = self.reviewer.id, self.arbiter is not None
        items = []
        for s in studies:
            for f in s.findings:
                by = {c: _tags(v[(s.id, f.id)]) for c, v in every.items() if (s.id, f.id) in v}
                if len(by) < 2 or not (arbiter or me in by):
                    continue
                sides = [{"coder": c, **(t or {})} for c, t in by.items()]
                same = len({_norm(t) for t in by.values()}) == 1
                items.append({"study": s.id, "finding": f.id, "statement": f.statement,
                              "type": f.type, "codings": sides, "agree": same,
                              "agreed": _agreed(f)})
        items.sort(key=lambda x: (x["agreed"] is not None, x["agree"]))
        return {"findings": items, "by": me}

    def reconcile(self, study: str, finding: str, tdf: list[Any],
                  themes: list[Any]) -> dict[str, Any]:
        """Write the agreed tags of a finding (by this reviewer, now)."""
        self._may_reconcile()
        f = reconcile(self.review, study, finding, tdf, themes, by=self.reviewer.id)
        with self._lock:
            self._suggested.clear()
        return {"saved": True, "agreed": _agreed(f), "progress": self.progress()}

    def codebook_changed(self) -> None:
        """The codebook was edited (see :mod:`.chart_codebook`): reload the vocabulary and
        forget the suggestions (they name themes)."""
        with self._lock:
            self.vocab = load_vocabulary(self.review)
            self._suggested.clear()

    def close(self) -> None:
        """Nothing runs in the background: every write is on disk when it returns."""


def _norm(t: dict[str, Any] | None) -> str:
    """A coding's tags in one comparable string (order aside)."""
    t = t or {}
    tdf = sorted((x["domain"], tuple(sorted(x.get("constructs") or []))) for x in t["tdf"])
    return repr((tdf, sorted(t["themes"])))
