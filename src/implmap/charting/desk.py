"""One coder's charting desk: everything a coder does to findings, bound to the review and the
coder, for scripts (``Review.chart("ana")``) — the same operations as ``implmap chart``.

Reads are blinded: :meth:`ChartDesk.codings` returns this coder's own tags only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .coding import Key, TagsIn, code, codings, withdraw_code
from .extract import add_finding, change_finding, delete_finding
from .reconcile import reconcile

if TYPE_CHECKING:
    from ..folder import ReviewFolder
    from .model import Finding

__all__ = ["ChartDesk"]


@dataclass(frozen=True)
class ChartDesk:
    """``coder``'s desk on ``review``: extract, code, withdraw, read their own codings, and
    (for the arbiter, or coders agreeing together) reconcile."""

    review: ReviewFolder
    coder: str

    def add_finding(self, study: str, statement: str, type: str, **fields: Any
                    ) -> dict[str, Any]:
        """Add a finding to ``study`` (see :func:`implmap.charting.extract.add_finding`)."""
        return add_finding(self.review, self.coder, study, statement, type, **fields)

    def change_finding(self, study: str, finding: str, changes: Mapping[str, Any],
                       note: str = "") -> dict[str, Any]:
        """Change a finding's extracted fields (history kept in the extraction log)."""
        return change_finding(self.review, self.coder, study, finding, changes, note)

    def delete_finding(self, study: str, finding: str, note: str = "") -> dict[str, Any]:
        """Delete a finding (the extraction log keeps it)."""
        return delete_finding(self.review, self.coder, study, finding, note)

    def code(self, study: str, finding: str, tdf: Iterable[TagsIn],
             themes: Iterable[str] = (), note: str = "") -> dict[str, Any]:
        """Record this coder's own tags for a finding (one line in their log)."""
        return code(self.review, self.coder, study, finding, tdf, themes, note)

    def withdraw(self, study: str, finding: str, note: str = "") -> dict[str, Any]:
        """Withdraw this coder's coding of a finding."""
        return withdraw_code(self.review, self.coder, study, finding, note)

    def codings(self) -> dict[Key, dict[str, Any]]:
        """This coder's codings in force, ``{(study, finding): entry}`` (blinded: no one
        else's)."""
        return codings(self.review, self.coder)

    def reconcile(self, study: str, finding: str, tdf: Iterable[TagsIn],
                  themes: Iterable[str] = (), with_: Sequence[str] = ()) -> Finding:
        """Write the agreed tags of a finding, agreed by this coder (and ``with_``)."""
        return reconcile(self.review, study, finding, tdf, themes,
                         by=[self.coder, *with_])
