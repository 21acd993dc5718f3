"""The public API: each package declares its names, they resolve, and the reference documents
only public objects."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "implmap"

# The public names of each package, pinned: a change here is a change of the API (say so in the
# changelog). screening and prioritise have their own pins (test_*_surface.py).
PACKAGES = {
    "implmap.records": [
        "ImportResult", "ParsedFile", "ParsedRecord", "RECORD_FIELDS", "Record", "Search",
        "StreamedFile", "doi_url", "export_records", "find_doi", "import_file", "import_files",
        "normalise", "normalise_doi", "read_file", "records_frame", "records_to_csv",
        "records_to_ris", "safe_url", "stream_file",
    ],
    "implmap.dedupe": [
        "ACTIONS", "DISTINCT", "DUPLICATE", "Decision", "DedupeResult", "Group", "Keys",
        "STAY_APART_RULES", "UNCERTAIN", "Verdict", "candidate_pairs", "check_dedupe", "compare",
        "decide", "dedupe_records", "duplicates_removed", "explain", "find_duplicates",
        "load_decisions", "load_groups", "load_uncertain", "make_keys", "primary_ids",
        "record_kind",
    ],
    "implmap.charting": [
        "Coding", "CodingAgreement", "Domain", "Finding", "LookupResult", "MultiLabelAgreement",
        "Participant", "Study", "Suggestion", "TdfTag", "Theme", "ThemeChange", "UnknownTermError",
        "Vocabulary", "add_theme", "agreement_summary", "change_theme_id", "check_charting",
        "coding_agreement", "cohen_kappa", "describe_theme", "exact_set_agreement",
        "findings_frame", "json_schema", "krippendorff_alpha", "load_vocabulary", "loso_accuracy",
        "masi_distance", "mean_jaccard", "merge_themes", "nominal_distance", "per_label_kappa",
        "rename_theme", "suggest_texts", "write_suggestions",
    ],
    "implmap.handout": [
        "DEDUPE_COLUMNS", "FORMATS", "RECORD_COLUMNS", "TABLES", "export", "findings_table",
        "included_table", "neutralise", "neutralised", "records_table", "table_csv", "workbook",
        "write_export",
    ],
    "implmap.app": ["MODES", "ScreeningSession", "create_app", "serve"],
}


def _modules() -> list[str]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append(".".join(parts))
    return out


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_package_names_are_pinned_and_resolve(package: str) -> None:
    mod = importlib.import_module(package)
    assert sorted(mod.__all__) == sorted(PACKAGES[package])
    for name in mod.__all__:
        assert getattr(mod, name) is not None, f"{package}.{name}"
    assert set(mod.__all__) <= set(dir(mod))


def test_every_library_module_declares_its_public_names() -> None:
    """Each module of the library (the CLI's command modules aside) has ``__all__``, and every
    name in it exists."""
    for name in _modules():
        if name.startswith("implmap.cli") or name == "implmap.__main__":
            continue
        mod = importlib.import_module(name)
        assert hasattr(mod, "__all__"), f"{name} has no __all__"
        for public in mod.__all__:
            assert hasattr(mod, public), f"{name}.__all__ names {public!r}, which it lacks"


def test_the_reference_documents_only_public_objects() -> None:
    """Every ``::: module.name`` in docs/reference names an object its module lists in
    ``__all__`` (or a module)."""
    seen = 0
    for page in sorted((ROOT / "docs" / "reference").glob("*.md")):
        for target in re.findall(r"^::: ([\w.]+)", page.read_text("utf-8"), re.M):
            seen += 1
            try:
                importlib.import_module(target)
                continue
            except ModuleNotFoundError:
                pass
            module, _, name = target.rpartition(".")
            mod = importlib.import_module(module)
            assert name in getattr(mod, "__all__", ()), f"{page.name}: {target} is not public"
    assert seen > 40


def test_no_library_module_imports_a_private_name_of_another() -> None:
    """``from .x import _name`` across modules hides a dependency: make the name public."""
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                wrong += [f"{path.relative_to(SRC)}: {node.module}.{a.name}"
                          for a in node.names if a.name.startswith("_")
                          and not a.name.startswith("__")]
    assert not wrong, wrong
