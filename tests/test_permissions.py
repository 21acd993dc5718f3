"""Files and folders implmap creates follow the user's umask (issue #12, item 5): a new file is
``0o666 & ~umask``, a new folder ``0o777 & ~umask``, so that others on a shared drive can read
a review (the private 0600 / 0700 of tempfile would give them tracebacks)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from implmap import Review, screening
from implmap.fsio import append_line, write_atomic
from support.builders import import_records, rec


@pytest.fixture(params=[0o022, 0o002], ids=["umask022", "umask002"])
def mask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_import_and_decisions_follow_the_umask(tmp_path: Path, mask: int) -> None:
    file_mode, dir_mode = 0o666 & ~mask, 0o777 & ~mask
    review = Review.init(tmp_path / "review", reviewers=["ana", "ben"])
    ids = import_records(review, [rec(title="Barriers to referral", doi="10.1/a"),
                                  rec(title="Facilitators of uptake", doi="10.1/b")], "a.ris")
    screening.decide(review, "ana", "title_abstract", ids[0], "include")
    screening.decide(review, "ben", "title_abstract", ids[0], "exclude")
    screening.resolve(review, "title_abstract", ids[0], "include", by=["ana", "ben"],
                      method="consensus")
    (search,) = review.searches()
    files = [
        review.manifest_path,
        review.root / ".gitignore",
        review.root / ".gitattributes",
        review.records_path(search.id),
        review.search_dir(search.id) / "search.yaml",
        review.search_dir(search.id) / "a.ris",
        review.decision_log("ana", "title_abstract"),
        review.resolutions_path("title_abstract"),
    ]
    folders = [review.root, review.searches_dir, review.search_dir(search.id),
               review.stage_dir("title_abstract")]
    assert {str(review.rel(p)): oct(_mode(p)) for p in files} == {
        str(review.rel(p)): oct(file_mode) for p in files}
    assert {str(review.rel(p)): oct(_mode(p)) for p in folders} == {
        str(review.rel(p)): oct(dir_mode) for p in folders}


def test_write_atomic_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path, mask: int) -> None:
    path = tmp_path / "notes.yaml"
    write_atomic(path, "a: 1\n")
    assert _mode(path) == 0o666 & ~mask
    path.chmod(0o640)
    write_atomic(path, "a: 2\n")
    assert _mode(path) == 0o640
    log = tmp_path / "log.jsonl"
    append_line(log, "{}")
    assert _mode(log) == 0o666 & ~mask
