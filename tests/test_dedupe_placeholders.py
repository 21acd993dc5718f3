"""Placeholder values (NA, N/A, -, 0, [Anonymous]…) never merge two different works, whatever
the caller passes to ``dedupe_records`` (issue #15: "same DOI na" merged different works)."""

from __future__ import annotations

import pytest

from implmap.dedupe import dedupe_records, make_keys
from implmap.dedupe.keys import is_placeholder

TITLES = [
    "Barriers to exercise referral for chronic low back pain in general practice",
    "Organisational readiness for change in primary care physiotherapy teams",
    "Patient expectations of imaging for acute low back pain: a survey",
    "Implementing stepped care for osteoarthritis of the knee: a process evaluation",
]
PLACEHOLDER = ["NA", "N/A", "n.a.", "na", "-", "--", "0", "None", "null", "unknown", "NaN", " "]


def _rec(i: int, title: str, value: str) -> dict:
    """A different work each time, every optional field a placeholder ``value``."""
    return {"id": f"r{i}", "title": title, "authors": [value] if value.strip() else [],
            "year": value, "journal": value, "volume": value, "issue": value,
            "pages": value, "doi": value, "pmid": value, "abstract": "", "type": "JOUR"}


@pytest.mark.parametrize("value", PLACEHOLDER)
def test_placeholders_never_merge_different_works(value: str) -> None:
    records = [_rec(i, t, value) for i, t in enumerate(TITLES)]
    result = dedupe_records(records)
    assert result.groups == [], [g.evidence for g in result.groups]
    assert not any(u["rule"] in ("same-doi", "same-pmid") for u in result.uncertain)


@pytest.mark.parametrize("value", PLACEHOLDER)
def test_placeholders_count_as_missing(value: str) -> None:
    k = make_keys(_rec(0, TITLES[0], value))
    assert (k.doi, k.pmid, k.volume, k.issue, k.page, k.journal, k.surnames) == (
        "", "", "", "", "", (), ())
    assert k.year is None and k.completeness == 1  # the title only


def test_real_values_still_merge_and_placeholders_do_not_block_them() -> None:
    a = {"id": "a", "title": TITLES[0], "authors": ["Klausen, M"], "year": "2019",
         "journal": "Implementation Science", "volume": "14", "issue": "2", "pages": "101-110",
         "doi": "10.1186/s13012-019-0001-x", "pmid": "NA"}
    b = {**a, "id": "b", "pmid": "31000001", "pages": "NA", "issue": "0"}
    result = dedupe_records([a, b])
    assert [g.members for g in result.groups] == [["a", "b"]]
    assert result.groups[0].evidence[0]["rule"] == "same-doi"


def test_is_placeholder() -> None:
    assert all(is_placeholder(v) for v in [*PLACEHOLDER, "[Anonymous]", "N.A.", ""])
    assert not any(is_placeholder(v) for v in ["10.1/x", "12", "Smith, J", "2020", "e101"])
