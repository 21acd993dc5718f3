"""End to end on a real labelled screening set (Cohen 2006, ADHD: 851 records, 84 included at
title and abstract, 20 in the final review): two reviewers, conflicts resolved, agreement
checked against scikit-learn, and PRISMA counts that match the published figures."""

from __future__ import annotations

import csv
import random

import pytest
from sklearn.metrics import cohen_kappa_score

from conftest import need_shared
from implmap import screening
from support.builders import add_search, screening_review

pytestmark = pytest.mark.shared
TA, FT = "title_abstract", "full_text"


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["record", "decision", "reason"])
        w.writerows(rows)


def test_cohen_adhd_end_to_end(tmp_path):
    src = need_shared("corpora", "screening", "Cohen_2006_ADHD.csv")
    with open(src, encoding="utf-8") as fh:
        data = list(csv.DictReader(fh))
    rev = screening_review(tmp_path / "r", n=0)
    ids = add_search(rev, [{"title": d["title"], "abstract": d["abstract"],
                            "pmid": d["pubmedID"]} for d in data], database="PubMed")
    ta = {rid: d["label_abstract_screening"] == "1" for rid, d in zip(ids, data, strict=True)}
    final = {rid: d["label_included"] == "1" for rid, d in zip(ids, data, strict=True)}
    rng = random.Random(5)
    ben = {rid: (not v) if rng.random() < 0.05 else v for rid, v in ta.items()}

    def label(v):
        return "include" if v else "exclude"

    _write(tmp_path / "ana.csv", [(r, label(v), "") for r, v in ta.items()])
    _write(tmp_path / "ben.csv", [(r, label(v), "") for r, v in ben.items()])
    assert screening.import_csv(rev, tmp_path / "ana.csv", "ana", TA) == 851
    assert screening.import_csv(rev, tmp_path / "ben.csv", "ben", TA) == 851

    got = screening.agreement(rev, TA).pairs[0]
    want = cohen_kappa_score([label(ta[r]) for r in ids], [label(ben[r]) for r in ids])
    assert got.n == 851 and got.kappa == pytest.approx(want)
    open_ = screening.conflicts(rev, TA)
    assert len(open_) == sum(ta[r] != ben[r] for r in ids) > 0
    assert screening.records_to_screen(rev, FT) == [r for r in ids if ta[r] and ben[r]]
    for c in open_:  # the third reviewer settles on the real label
        screening.resolve(rev, TA, c.record, label(ta[c.record]), by="cam")
    sought = screening.records_to_screen(rev, FT)
    assert len(sought) == 84
    rows = [(r, label(final[r]), "" if final[r] else "wrong concept") for r in sought]
    _write(tmp_path / "ft.csv", rows)
    screening.import_csv(rev, tmp_path / "ft.csv", "ana", FT)
    screening.import_csv(rev, tmp_path / "ft.csv", "ben", FT)
    c = screening.prisma_counts(rev)
    assert (c.identified, c.records_screened, c.records_excluded) == (851, 851, 767)
    assert (c.reports_sought, c.reports_assessed, c.reports_excluded) == (84, 84, 64)
    assert c.reports_excluded_by_reason == {"wrong concept": 64}
    assert c.reports_included == c.studies_included == 20
    assert rev.check().valid
