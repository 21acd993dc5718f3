"""``implmap check`` on the searches and the dedupe files: every kind of damage is reported with
file, line, field and its registered code, all in one run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from implmap import Review
from support.builders import add_search, make_review


@pytest.fixture
def two(tmp_path: Path) -> tuple[Review, list[str], list[str]]:
    review = make_review(tmp_path / "r")
    a = add_search(review, [{"title": "First record about referral"}, {"title": "Second one"}],
                   database="MEDLINE")
    b = add_search(review, [{"title": "Third record"}, {"title": "Fourth record"}],
                   database="Embase")
    return Review(review.root), a, b


def _codes(review: Review) -> dict[str, list[tuple[str, int | None, str | None]]]:
    out: dict[str, list[tuple[str, int | None, str | None]]] = {}
    for p in review.check().problems:
        out.setdefault(p.code, []).append((p.file, p.line, p.field or p.record))
    return out


def test_a_clean_folder_is_valid(two: tuple[Review, list[str], list[str]]) -> None:
    review, _, _ = two
    assert review.check().valid and not review.check().problems


def test_every_kind_of_search_damage_in_one_run(two: tuple[Review, list[str], list[str]]) -> None:
    review, _, b = two
    first, second = (review.search_dir(s.id) for s in review.searches())
    # first search: its export edited, a record line damaged, a foreign record, a wrong count
    (first / "export.ris").write_text("TY  - JOUR\nER  - \n", "utf-8")
    lines = review.records_path(first.name).read_text("utf-8").splitlines()
    other = json.loads(lines[1])
    lines[1] = "{not json"
    lines.append(json.dumps({**other, "id": b[0], "search": "elsewhere"}))
    lines.append(json.dumps({"id": "x-9"}))
    lines.append(json.dumps({**other, "id": "extra-1"}))
    review.records_path(first.name).write_text("\n".join(lines) + "\n", "utf-8")
    # second search: its export gone
    (second / "export.ris").unlink()
    # a folder without provenance, one with broken provenance, one without records
    (review.searches_dir / "stray").mkdir()
    broken = review.searches_dir / "broken"
    broken.mkdir()
    (broken / "search.yaml").write_text("id: [unclosed\n", "utf-8")
    norecs = review.searches_dir / "norecs"
    norecs.mkdir()
    meta = yaml.safe_load((second / "search.yaml").read_text("utf-8"))
    (norecs / "search.yaml").write_text(yaml.safe_dump({**meta, "id": "norecs"}), "utf-8")
    (norecs / meta["file"]).write_text("", "utf-8")

    found = _codes(review)
    rel = f"searches/{first.name}"
    assert (f"{rel}/export.ris", None, "sha256") in found["raw-export-changed"]
    assert (f"{rel}/records.jsonl", 2, None) in found["malformed-line"]
    assert (f"{rel}/records.jsonl", 3, "id") in found["duplicate-record-id"]
    assert (f"{rel}/records.jsonl", 3, "search") in found["record-wrong-search"]
    assert any(f == f"{rel}/records.jsonl" and line == 4 for f, line, _ in
               found["invalid-record"])
    assert (f"{rel}/search.yaml", None, "records") in found["record-count"]
    assert (f"searches/{second.name}/search.yaml", None, "file") in found["raw-export-missing"]
    assert ("searches/stray", None, None) in found["search-no-provenance"]
    assert ("searches/broken/search.yaml", None, None) in found["invalid-provenance"]
    assert ("searches/norecs", None, None) in found["records-missing"]
    assert not review.check().valid


def test_every_kind_of_dedupe_damage_in_one_run(two: tuple[Review, list[str], list[str]]) -> None:
    review, a, b = two
    review.dedupe_dir.mkdir()
    review.dedupe_groups.write_text("\n".join([
        json.dumps({"primary": a[0], "members": [a[0], b[0]], "evidence": []}),
        json.dumps({"primary": "zz", "members": [a[0], a[1]], "evidence": {}}),
        json.dumps({"primary": a[0], "members": "a"}),
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"primary": "gone-1", "members": ["gone-1", b[1]]}),
    ]) + "\n", "utf-8")
    review.dedupe_uncertain.write_text("\n".join([
        json.dumps({"pair": [a[0], a[0]]}),
        json.dumps({"pair": [a[1], "gone-2"]}),
        "{cut",
    ]) + "\n", "utf-8")
    review.dedupe_decisions.write_text("\n".join([
        json.dumps({"action": "merge", "records": [a[0], "gone-3"]}),
        json.dumps({"action": "fuse", "records": [a[0], b[0]]}),
    ]) + "\n", "utf-8")

    found = _codes(review)
    assert ("dedupe/groups.jsonl", 2, "primary") in found["dedupe-invalid-group"]
    assert ("dedupe/groups.jsonl", 2, "evidence") in found["dedupe-invalid-group"]
    assert ("dedupe/groups.jsonl", 2, "members") in found["dedupe-record-two-groups"]
    assert ("dedupe/groups.jsonl", 3, "members") in found["dedupe-invalid-group"]
    assert ("dedupe/groups.jsonl", 4, None) in found["malformed-line"]
    assert ("dedupe/groups.jsonl", 6, "gone-1") in found["dedupe-stale-record"]
    assert ("dedupe/uncertain.jsonl", 1, "pair") in found["dedupe-invalid-pair"]
    assert ("dedupe/uncertain.jsonl", 2, "gone-2") in found["dedupe-stale-record"]
    assert ("dedupe/uncertain.jsonl", 3, None) in found["malformed-line"]
    assert ("dedupe/decisions.jsonl", 1, "gone-3") in found["dedupe-unknown-record"]
    assert ("dedupe/decisions.jsonl", 2, "action") in found["dedupe-invalid-decision"]
