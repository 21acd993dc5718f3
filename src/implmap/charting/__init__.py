"""Charting: studies, findings, TDF / COM-B / BCW vocabularies, validation, agreement, suggestions,
lookup.

The modules stay light to import; pandas and scikit-learn load inside the functions that need
them. The functions ``lookup.lookup`` and ``suggest.suggest`` are not re-exported here, so that
``implmap.charting.lookup`` and ``implmap.charting.suggest`` stay the modules.
"""

from __future__ import annotations

from .agreement import CodingAgreement, coding_agreement, cohen_kappa
from .codebook import (
    ThemeChange,
    add_theme,
    change_theme_id,
    describe_theme,
    merge_themes,
    rename_theme,
)
from .lookup import LookupResult, findings_frame
from .measures import (
    MultiLabelAgreement,
    agreement_summary,
    exact_set_agreement,
    krippendorff_alpha,
    masi_distance,
    mean_jaccard,
    nominal_distance,
    per_label_kappa,
)
from .model import Coding, Finding, Participant, Study, TdfTag, Theme, json_schema
from .suggest import Suggestion, loso_accuracy, suggest_texts, write_suggestions
from .validate import check_charting
from .vocab import Domain, UnknownTermError, Vocabulary, load_vocabulary

__all__ = [
    "Coding",
    "CodingAgreement",
    "Domain",
    "Finding",
    "LookupResult",
    "MultiLabelAgreement",
    "Participant",
    "Study",
    "Suggestion",
    "TdfTag",
    "Theme",
    "ThemeChange",
    "UnknownTermError",
    "Vocabulary",
    "add_theme",
    "agreement_summary",
    "change_theme_id",
    "check_charting",
    "coding_agreement",
    "cohen_kappa",
    "describe_theme",
    "exact_set_agreement",
    "findings_frame",
    "json_schema",
    "krippendorff_alpha",
    "load_vocabulary",
    "loso_accuracy",
    "masi_distance",
    "mean_jaccard",
    "merge_themes",
    "nominal_distance",
    "per_label_kappa",
    "rename_theme",
    "suggest_texts",
    "write_suggestions",
]
