"""Resolve mode: every decision on the conflicting records, and the final decision on each.

Unlike screen mode this shows who decided what, which is its purpose.
"""

from __future__ import annotations

from typing import Any

from .. import screening as core
from .state import SessionState

__all__ = ["ResolveMode"]


class ResolveMode(SessionState):
    """Recording the final decision on a conflicting record."""

    def resolve(self, rid: str, decision: str, reason: str | None = None,
                note: str = "") -> dict[str, Any]:
        """Record the final decision on a conflicting record (resolve mode)."""
        self._check(rid, decision, "resolve",
                    "this app is in screen mode; start 'implmap resolve' to resolve")
        me = self.reviewer.id
        deciders = [d.get("reviewer") for d in self.conflict_info[rid].get("decisions", [])]
        if me in deciders:  # one of the screeners settles it: by consensus, with the others
            by, method = sorted({me, *[d for d in deciders if isinstance(d, str)]}), "consensus"
        else:
            by, method = [me], "third_reviewer"
        with self._lock:
            entry = core.resolve(
                self.review, self.stage.id, rid, decision, by=by, method=method,
                reason=reason or None, note=note or "",
            )
            self._done += rid not in self.resolutions
            self.resolutions[rid] = entry
            return entry
