"""Validation problem codes: every problem implmap reports carries a registered, documented code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from implmap.errors import Report
from implmap.problems import CODES, describe, markdown_table

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "implmap"


def _add_calls() -> list[tuple[Path, ast.Call]]:
    """Every ``<something>.add(...)`` call on a name ending in ``report`` (the checkers' style)."""
    out = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "add" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id.endswith("report")):
                out.append((path, node))
    return out


def test_every_report_add_names_a_registered_code() -> None:
    calls = _add_calls()
    assert len(calls) > 40  # the checkers are found at all
    missing, unknown = [], []
    for path, call in calls:
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        code = next((k.value for k in call.keywords if k.arg == "code"), None)
        if code is None:
            missing.append(where)
        elif isinstance(code, ast.Constant) and code.value not in CODES:
            unknown.append(f"{where} ({code.value})")
    assert not missing, f"report.add without code=: {missing}"
    assert not unknown, f"unregistered codes: {unknown}"


def test_every_code_literal_in_src_is_registered() -> None:
    """``code="..."`` keywords anywhere (helpers that pass a code on) name registered codes."""
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(
                    node.value, ast.Constant) and isinstance(node.value.value, str):
                assert node.value.value in CODES, f"{path.name}: {node.value.value}"


def test_an_unregistered_code_is_refused() -> None:
    report = Report()
    with pytest.raises(KeyError, match=r"register it in implmap\.problems"):
        report.add("x.yaml", "something", code="no-such-code")
    with pytest.raises(KeyError, match="no-such-code"):
        describe("no-such-code")
    report.add("x.yaml", "a bad value", code="invalid", line=3)
    assert report.problems[0].code == "invalid"


def test_the_docs_table_is_the_registry() -> None:
    text = (ROOT / "docs" / "reference" / "problems.md").read_text("utf-8")
    table = text.split("<!-- codes -->\n", 1)[1].split("<!-- /codes -->", 1)[0]
    assert table == markdown_table(), (
        "docs/reference/problems.md is out of date: paste implmap.problems.markdown_table()")


def test_codes_are_kebab_case_and_explained() -> None:
    for code, entry in CODES.items():
        assert code == entry.code and code == code.lower() and " " not in code
        assert entry.meaning and entry.fix
