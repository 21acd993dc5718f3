"""``Review`` is a façade: each of its doors gives what the package function gives.

Read doors run on a copy of the bundled review; write doors on small reviews, each compared
with the same call made through the package on a twin folder.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from implmap import Review, ReviewFolder, charting, dedupe, screening
from implmap.charting.lookup import lookup
from implmap.charting.store import load_studies
from implmap.charting.suggest import suggest
from implmap.checks import check_review
from implmap.prioritise import Ranker, screening_progress
from implmap.records import import_file, records_frame
from support.builders import app_review, ris_text
from support.paths import EVIDENCE


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Review:
    root = tmp_path_factory.mktemp("facade") / "evidence"
    shutil.copytree(EVIDENCE, root, ignore=shutil.ignore_patterns(".implmap"))
    return Review(root)


def _same(a: object, b: object) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)  # type: ignore[arg-type]
    elif hasattr(a, "to_dict"):
        assert a.to_dict() == b.to_dict()  # type: ignore[attr-defined]
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b)
    else:
        assert a == b


def test_a_review_is_its_folder(bundled: Review) -> None:
    assert isinstance(bundled, ReviewFolder)
    assert ReviewFolder(bundled.root).record_ids() == bundled.record_ids()


@pytest.mark.parametrize("door", [
    "records", "check", "vocabulary", "studies", "findings", "lookup", "coding_agreement",
    "primary_ids", "conflicts", "final_decisions", "included_records", "agreement",
    "prisma_counts", "screening_progress",
])
def test_read_doors_give_what_the_packages_give(bundled: Review, door: str) -> None:
    folder = ReviewFolder(bundled.root)
    stage = "title_abstract"
    pairs = {
        "records": (lambda: bundled.records(), lambda: records_frame(folder)),
        "check": (lambda: bundled.check(), lambda: check_review(folder)),
        "vocabulary": (lambda: sorted(d.name for d in bundled.vocabulary().domains),
                       lambda: sorted(d.name for d in charting.load_vocabulary(folder).domains)),
        "studies": (lambda: [s.model_dump() for s in bundled.studies()],
                    lambda: [s.model_dump() for s in load_studies(folder)]),
        "findings": (lambda: bundled.findings(), lambda: charting.findings_frame(folder)),
        "lookup": (lambda: bundled.lookup("time").groups, lambda: lookup(folder, "time").groups),
        "coding_agreement": (lambda: bundled.coding_agreement(),
                             lambda: charting.coding_agreement(folder)),
        "primary_ids": (lambda: bundled.primary_ids(), lambda: dedupe.primary_ids(folder)),
        "conflicts": (lambda: [c.to_dict() for c in bundled.conflicts(stage, True)],
                      lambda: [c.to_dict() for c in screening.conflicts(folder, stage, True)]),
        "final_decisions": (lambda: bundled.final_decisions(stage),
                            lambda: screening.final_decisions(folder, stage)),
        "included_records": (lambda: bundled.included_records(),
                             lambda: screening.included_records(folder)),
        "agreement": (lambda: bundled.agreement(), lambda: screening.agreement(folder)),
        "prisma_counts": (lambda: bundled.prisma_counts(),
                          lambda: screening.prisma_counts(folder)),
        "screening_progress": (lambda: bundled.screening_progress("ana", stage),
                               lambda: screening_progress(folder, "ana", stage)),
    }
    mine, theirs = pairs[door]
    _same(mine(), theirs())


def test_suggest_and_ranker_doors(bundled: Review, tmp_path: Path) -> None:
    folder = ReviewFolder(bundled.root)
    copy = Review(shutil.copytree(bundled.root, tmp_path / "copy"))
    study = copy.studies()[0].id
    copy.chart("ana").add_finding(study, "GPs had no time in a short consultation to explain "
                                  "exercise therapy.", "barrier")  # untagged: to suggest for
    first = [s.to_dict() for s in copy.suggest(top=2)]
    assert first and first == [s.to_dict() for s in suggest(ReviewFolder(copy.root), top=2)]
    a, b = bundled.ranker("ana"), Ranker(folder, "ana", "title_abstract")
    try:
        assert a.order() == b.order()
    finally:
        a.close()
        b.close()


def _twins(tmp_path: Path) -> tuple[Review, ReviewFolder]:
    app_review(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    return Review(tmp_path / "a"), ReviewFolder(tmp_path / "b")


def _untimed(obj: object) -> object:
    """``obj`` without its ``time`` fields (the two twins write at different moments)."""
    if isinstance(obj, dict):
        return {k: _untimed(v) for k, v in obj.items() if k != "time"}
    if isinstance(obj, list):
        return [_untimed(v) for v in obj]
    return obj


def _logs(folder: ReviewFolder) -> list[str]:
    """Every log line without its time (the two twins write at different moments)."""
    import json

    out = []
    logs = [*folder.screening_dir.rglob("*.jsonl"), *folder.dedupe_dir.glob("*.jsonl")]
    for path in sorted(logs):
        for line in path.read_text("utf-8").splitlines():
            obj = json.loads(line)
            obj.pop("time", None)
            out.append(f"{folder.rel(path)}: {json.dumps(obj, sort_keys=True)}")
    return out


def test_write_doors_write_what_the_packages_write(tmp_path: Path) -> None:
    door, pkg = _twins(tmp_path)
    ids = door.record_ids()
    stage = "title_abstract"
    for who, decision in (("ana", "include"), ("ben", "exclude")):
        door.decide(who, stage, ids[0], decision, note="n")
        screening.decide(pkg, who, stage, ids[0], decision, note="n")
    _same([_untimed(c.to_dict()) for c in door.conflicts(stage)],
          [_untimed(c.to_dict()) for c in screening.conflicts(pkg, stage)])
    door.resolve(stage, ids[0], "include", "cam")
    screening.resolve(pkg, stage, ids[0], "include", "cam")
    door.dedupe_decide("keep_apart", ids[1], ids[2], by="ana")
    dedupe.decide(pkg, "keep_apart", ids[1], ids[2], by="ana")
    mine, theirs = door.find_duplicates(), dedupe.find_duplicates(pkg)
    assert [g.to_dict() for g in mine.groups] == [g.to_dict() for g in theirs.groups]
    assert mine.uncertain == theirs.uncertain and door.primary_ids() == dedupe.primary_ids(pkg)
    assert _logs(door) == _logs(ReviewFolder(door.root)) and _logs(door)
    assert [x.split(": ", 1)[1] for x in _logs(door)] == [
        x.split(": ", 1)[1] for x in _logs(pkg)]


def test_import_doors(tmp_path: Path) -> None:
    door, pkg = _twins(tmp_path)
    source = tmp_path / "extra.ris"
    source.write_text(ris_text([{"title": "A new record on referral barriers", "year": "2021"},
                                {"title": "Another new record", "year": "2022"}]), "utf-8")
    one = door.import_file(source, database="Extra")
    two = import_file(pkg, source, database="Extra")
    assert one.search.records == two.search.records == 2
    assert [r.title for r in door.iter_records()] == [r.title for r in pkg.iter_records()]
    again = door.import_files([source], database="Extra")
    assert again == [] or all(r is None or r.search.records == 2 for r in again)


def test_the_chart_door_does_what_the_charting_functions_do(tmp_path: Path) -> None:
    from implmap.charting import coding, extract
    from implmap.errors import UsageError
    from support.builders import charting_review

    charting_review(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    door, pkg = Review(tmp_path / "a"), ReviewFolder(tmp_path / "b")
    tags = [{"domain": "Knowledge", "constructs": []}]
    desk = door.chart("ana")
    desk.code("study-a", "f1", tags, note="n")
    coding.code(pkg, "ana", "study-a", "f1", tags, note="n")
    assert _untimed(desk.codings()) == _untimed(coding.codings(pkg, "ana"))
    desk.add_finding("study-a", "Managers saw no budget for it.", "barrier")
    extract.add_finding(pkg, "ana", "study-a", "Managers saw no budget for it.", "barrier")
    assert [f.model_dump() for f in door.studies()] == [f.model_dump() for f in
                                                        Review(pkg.root).studies()]
    with pytest.raises(UsageError):
        door.chart("nobody")
