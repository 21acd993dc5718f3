"""Every file of ../shared/corpora/ris: the expected record count, and nothing lost.

"Nothing lost" compares what is stored in a review (Record.tags in records.jsonl) with an
independent, deliberately simple reading of each file:
every tag line's value must be stored under that tag of some record, every other non-blank
line must be stored as a continuation line of some value or be reported in the warnings with
its line number. Skipped when ../shared is absent.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPORA, need_shared
from implmap.errors import InputFormatError
from implmap.records.reader import read_file
from implmap.records.ris import KNOWN_TAGS

pytestmark = pytest.mark.shared


def _expected() -> list[tuple[str, int]]:
    path = CORPORA / "ris" / "expected_counts.csv"
    if not path.exists():
        return [("absent", -1)]
    with open(path, encoding="utf-8", newline="") as fh:
        return [(row["file"], int(row["records"])) for row in csv.DictReader(fh)]


_TAG = re.compile(r"^([A-Z][A-Z0-9]|PMID)( {1,3})-( ?)(.*)$")


def reference_reading(raw: bytes, encoding: str) -> tuple[Counter, list[tuple[int, str]]]:
    """(Counter of (tag, first line of value), [(line number, text)] of other non-blank lines).

    Written independently of implmap's reader: decode, split, classify each line.
    """
    codec = encoding.split(" ")[0]
    if "byte-order mark" in encoding:
        codec = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16",
                 "utf-32-le": "utf-32", "utf-32-be": "utf-32"}[codec]
    text = codecs.decode(raw, codec)
    if "\n" not in text:
        text = text.replace("\r", "\n")
    tags: Counter = Counter()
    other: list[tuple[int, str]] = []
    for n, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        m = _TAG.match(line)
        if m and (m.group(2) == "  " or m.group(1) in KNOWN_TAGS):
            tag, value = m.group(1), m.group(4)
            pieces = [p.strip() for p in value.split("\r")]
            if tag == "ER" and not pieces[0]:
                continue
            tags[(tag, pieces[0])] += 1
            other.extend((n, p) for p in pieces[1:] if p)
        elif line.strip():
            other.append((n, line.strip()))
    return tags, other


@pytest.mark.parametrize(("name", "count"), _expected(), ids=[n for n, _ in _expected()])
def test_corpus_file_imports_with_expected_count_and_loses_nothing(name, count, review):
    path = need_shared("corpora", "ris", name)
    raw = path.read_bytes()
    if count == 0:
        with pytest.raises(InputFormatError) as info:
            review.import_file(path, database="Corpus")
        assert str(path) in str(info.value)
        assert "Web of Science tagged export" in str(info.value)
        assert review.searches() == []
        return
    pf = review.import_file(path, database="Corpus").search  # what is stored in the review
    records = list(review.iter_records())
    assert len(records) == pf.records == count
    assert pf.format == "ris"

    ref_tags, ref_other = reference_reading(raw, pf.encoding)
    stored_tags: Counter = Counter()
    continuation: Counter = Counter()
    for rec in records:
        for tag, values in rec.tags.items():
            for value in values:
                first, *rest = value.split("\n")
                stored_tags[(tag, first)] += 1
                continuation.update(p for p in rest if p)
    # every tag value of the file is stored, and nothing is invented
    assert stored_tags == ref_tags, (ref_tags - stored_tags, stored_tags - ref_tags)
    # every other line is a continuation of a stored value, or reported with its line number
    reported = {int(x) for w in pf.warnings for x in re.findall(r"\d+", w.split(":", 1)[0] + " "
                                                                 + w.split(":", 1)[-1])}
    for n, text in ref_other:
        if continuation[text] > 0:
            continuation[text] -= 1
        else:
            assert n in reported, f"{name}, line {n}: {text!r} neither stored nor reported"
    # and nothing stored as a continuation that the file does not hold
    assert +continuation == Counter()


def test_corpus_encodings_give_the_same_records():
    base = need_shared("corpora", "ris", "asreview", "scopus.ris")
    want = [r.tags for r in read_file(base).records]
    for name in ("scopus.utf16.ris", "scopus.cr_only.ris"):
        pf = read_file(CORPORA / "ris" / "encodings" / name)
        assert [r.tags for r in pf.records] == want, name
    # the Windows-1252 copy could not hold Greek letters (they became "?" when it was made)
    pf = read_file(CORPORA / "ris" / "encodings" / "scopus.cp1252.ris")
    assert pf.encoding == "cp1252" and "Windows-1252" in pf.warnings[0]
    lossy = [{t: [v.encode("cp1252", "replace").decode("cp1252") for v in vs]
              for t, vs in tags.items()} for tags in want]
    assert [r.tags for r in pf.records] == lossy


def test_the_independent_reading_is_not_trivially_satisfied(tmp_path):
    """A reader that dropped a value would fail the corpus test: show the check can fail."""
    path = need_shared("corpora", "ris", "asreview", "scopus.ris")
    pf = read_file(path)
    ref, _ = reference_reading(path.read_bytes(), pf.encoding)
    stored: Counter = Counter()
    for rec in pf.records[1:]:  # pretend the first record was lost
        for tag, values in rec.tags.items():
            stored.update((tag, v.split("\n")[0]) for v in values)
    assert stored != ref
    assert Path(path).exists()
