"""The import half of the command line: implmap import, records, export, check."""

from __future__ import annotations

import json
from pathlib import Path

import rispy
from click.testing import CliRunner

from implmap import Review
from implmap.cli import cli

FIX = Path(__file__).resolve().parent / "fixtures" / "ris"


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _review(tmp_path: Path) -> Path:
    root = tmp_path / "rev"
    assert _run("init", str(root), "--title", "CLI review").exit_code == 0
    return root


def test_import_records_export_check(tmp_path):
    root = _review(tmp_path)
    res = _run("import", "-r", str(root), "--database", "Embase", "--searched", "2024-01-31",
               str(FIX / "basic.ris"), str(FIX / "cp1252.ris"), str(FIX / "pubmed.nbib"))
    assert res.exit_code == 0, res.output
    assert "basic.ris: 2 records imported as search embase-" in res.output
    assert "(ris, cp1252)" in res.output
    assert "pubmed.nbib: 2 records imported" in res.output and "(pubmed, utf-8)" in res.output
    # the encoding guess is reported with file and line
    assert "Warning: cp1252.ris, line 2: the file is not UTF-8" in res.output

    again = _run("import", "-r", str(root), "--database", "Embase", str(FIX / "basic.ris"))
    assert again.exit_code == 0 and "already imported" in again.output and "nothing added" in \
        again.output

    table = _run("records", "-r", str(root))
    assert table.exit_code == 0 and "Embase" in table.output and "5" in table.output

    out = tmp_path / "all.ris"
    res = _run("export", "-r", str(root), "--format", "ris", "-o", str(out))
    assert res.exit_code == 0
    assert len(rispy.load(out, encoding="utf-8")) == 5
    csv_text = _run("export", "-r", str(root), "--format", "csv").output
    assert csv_text.splitlines()[0].startswith("id,search,ordinal,line,type,title,authors")
    assert len(csv_text.splitlines()) == 6

    check = _run("check", str(root))
    assert check.exit_code == 0 and "valid" in check.output


def test_import_bad_file_is_one_clear_error(tmp_path):
    root = _review(tmp_path)
    res = CliRunner().invoke(cli, ["import", "-r", str(root), "--database", "WoS",
                                   str(FIX / "wos_tagged.txt")])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    assert "Error: " in res.output and "wos_tagged.txt" in res.output
    assert "Web of Science tagged export" in res.output
    assert Review(root).searches() == []


def test_import_malformed_names_the_line(tmp_path):
    root = _review(tmp_path)
    res = CliRunner().invoke(cli, ["import", "-r", str(root), "--database", "X",
                                   str(FIX / "tag_before_record.ris")])
    assert res.exit_code == 1 and "tag_before_record.ris, line 3:" in res.output


def test_check_reports_a_tampered_records_file_with_file_line_field(tmp_path):
    root = _review(tmp_path)
    _run("import", "-r", str(root), "--database", "Scopus", str(FIX / "basic.ris"))
    (folder,) = (root / "searches").iterdir()
    recs = folder / "records.jsonl"
    lines = recs.read_text("utf-8").splitlines(keepends=True)
    obj = json.loads(lines[1])
    obj["ordinal"] = "second"  # not an integer
    lines[1] = json.dumps(obj) + "\n"
    recs.write_text("".join(lines), encoding="utf-8")
    res = CliRunner().invoke(cli, ["check", str(root), "--json"])
    assert res.exit_code == 1
    problems = json.loads(res.output)["problems"]
    assert any(p["file"].endswith("records.jsonl") and p["line"] == 2 and p["field"] == "ordinal"
               for p in problems), problems


def test_check_reports_a_changed_raw_export(tmp_path):
    root = _review(tmp_path)
    _run("import", "-r", str(root), "--database", "Scopus", str(FIX / "basic.ris"))
    (folder,) = (root / "searches").iterdir()
    raw = folder / "basic.ris"
    raw.write_bytes(raw.read_bytes().replace(b"2021", b"2022"))
    res = CliRunner().invoke(cli, ["check", str(root)])
    assert res.exit_code == 1
    assert "basic.ris" in res.output and "sha256" in res.output and "changed after import" in \
        res.output


def test_import_shows_a_progress_bar_on_a_terminal(tmp_path, monkeypatch):
    """rich's Progress is enabled when stderr is a terminal; the callback drives it."""
    import implmap.cli.records as cli_records

    root = _review(tmp_path)
    updates: list[tuple[int | None, int | None]] = []

    class FakeProgress:
        def __init__(self, *a, **k):
            assert k.get("disable") is False

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def add_task(self, description, total=None):
            assert "basic.ris" in description
            return 1

        def update(self, task, completed=None, total=None):
            updates.append((completed, total))

    monkeypatch.setattr("rich.progress.Progress", FakeProgress)
    class Tty:
        def isatty(self) -> bool:
            return True

    class FakeSys:
        stderr = Tty()
        exit = staticmethod(__import__("sys").exit)

    monkeypatch.setattr(cli_records, "sys", FakeSys)
    res = CliRunner().invoke(cli, ["import", "-r", str(root), "--database", "X",
                                   str(FIX / "basic.ris")])
    assert res.exit_code == 0, res.output
    assert updates and updates[-1] == (2, 2)
