"""implmap: implementation-barrier evidence mapping from a plain review folder in git.

The public surface is gathered here; ``import implmap`` stays light (the web app, the site
builder and the learning models load when they are used).
"""

from __future__ import annotations

from .errors import (
    DecisionError,
    DuplicateImportError,
    ImplmapError,
    InputFormatError,
    PrismaError,
    Problem,
    Report,
    ReviewFolderError,
    UnknownRecordError,
    UnknownTermError,
    UsageError,
    ValidationFailed,
)
from .folder import ReviewFolder
from .manifest import Manifest
from .records.model import Record, Search
from .review import ImportResult, Review

__all__ = [
    "DecisionError",
    "DuplicateImportError",
    "ImplmapError",
    "ImportResult",
    "InputFormatError",
    "Manifest",
    "PrismaError",
    "Problem",
    "Record",
    "Report",
    "Review",
    "ReviewFolder",
    "ReviewFolderError",
    "Search",
    "UnknownRecordError",
    "UnknownTermError",
    "UsageError",
    "ValidationFailed",
    "__version__",
]

__version__ = "0.1.0"
