"""Resolve mode: every decision on the conflicting records, and the final decision on each.

Unlike screen mode this shows who decided what, which is its purpose; only the arbiter (the
reviewer whose role is ``third``) opens it, and records each final decision as the third
reviewer.
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
        with self._lock:  # the session opens resolve mode for the arbiter only
            entry = core.resolve(
                self.review, self.stage.id, rid, decision, by=[self.reviewer.id],
                method="third_reviewer",
                reason=reason or None, note=note or "",
            )
            self._done += rid not in self.resolutions
            self.resolutions[rid] = entry
            return entry
