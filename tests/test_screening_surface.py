"""The public surface of implmap.screening is declared once; changing it must be deliberate."""

from __future__ import annotations

import implmap.screening as screening
from implmap.errors import ImplmapError

PUBLIC = {
    "DECISIONS", "AgreementReport", "Conflict", "GroupAgreement", "PairAgreement",
    "PrismaCounts", "PrismaError", "ReviewerView", "agreement", "cohen_kappa", "conflict_dicts",
    "conflicts", "decide", "decisions", "final_decisions", "final_entries", "fleiss_kappa",
    "history", "import_csv", "included_records", "mark_retrieval", "pabak",
    "percent_agreement", "pilot_complete", "pilot_records", "prisma_counts",
    "records_to_screen", "released_records", "resolutions", "resolve", "retrieval",
    "reviewer_view", "screeners", "undo", "change", "withdraw", "full_text_file",
    "needs_full_text",
}


def test_surface_is_pinned_and_documented():
    assert set(screening.__all__) == PUBLIC
    doc = screening.__doc__ or ""
    for name in PUBLIC:
        assert hasattr(screening, name), name
        obj = getattr(screening, name)
        if callable(obj) and not isinstance(obj, type):
            assert obj.__doc__, f"{name} has no docstring"
    for name in ("decide", "reviewer_view", "released_records", "conflicts", "resolve",
                 "final_decisions", "included_records", "records_to_screen", "prisma_counts"):
        assert f"``{name}(" in doc, f"{name} missing from the module's documented API"


def test_prisma_error_is_ours():
    assert issubclass(screening.PrismaError, ImplmapError)
