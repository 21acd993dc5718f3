"""docs/guides/team.md, done: three people share one review through one git remote.

A bare repository is the remote. Screeners ana (on TWO machines: her own log is written on
both before she pulls) and ben, and the arbiter cam, each work in their own clone through the
library, on a branch of their own: they commit there, merge it into an up-to-date main, and
push. No step may conflict; the merged review must check valid and
give the same conflicts, final decisions and PRISMA counts as the same decisions made in one
folder.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from implmap import Review, screening
from support.builders import screening_review

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TA = "title_abstract"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main",
       "-c", "pull.rebase=false", "-c", "advice.detachedHead=false"]


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True)
    out = done.stdout + done.stderr
    assert done.returncode == 0, f"git {' '.join(args)} failed in {cwd.name}:\n{out}"
    assert "CONFLICT" not in out, out
    return out


class Clock:
    """implmap's ``now``, under the test's control: each step has its own second, the same in
    the clones and in the single folder."""

    def __init__(self) -> None:
        self.t = 0

    def __call__(self) -> str:
        return f"2026-03-01T09:{self.t // 60:02d}:{self.t % 60:02d}+00:00"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    for module in ("implmap.screening.log", "implmap.screening.conflicts"):
        monkeypatch.setattr(importlib.import_module(module), "now", c)
    return c


def test_three_reviewers_share_a_review_through_git(tmp_path: Path, clock: Clock) -> None:
    # 1. set up: the review, dedupe run, pushed to an empty bare repository
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    setup = screening_review(tmp_path / "setup", n=8)
    setup.find_duplicates()
    single = Review(shutil.copytree(setup.root, tmp_path / "single"))  # the one-folder twin
    git(setup.root, "init", "-q")
    git(setup.root, "add", ".")
    git(setup.root, "commit", "-q", "-m", "Review set up")
    tracked = git(setup.root, "ls-files").split()
    assert ".gitattributes" in tracked and "dedupe/run.txt" in tracked
    assert "dedupe/groups.jsonl" not in tracked and not any(".implmap" in p for p in tracked)
    git(setup.root, "remote", "add", "origin", str(remote))
    git(setup.root, "push", "-q", "-u", "origin", "main")

    # 2. clones: ana on two machines, ben, cam
    machines: dict[str, Review] = {}
    for name in ("ana-laptop", "ana-desktop", "ben", "cam"):
        git(tmp_path, "clone", "-q", str(remote), name)
        git(tmp_path / name, "checkout", "-q", "-b", "work")
        machines[name] = Review(tmp_path / name)
    ids = single.record_ids()

    def act(machine: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """One step, done on ``machine`` and in the single folder, at the same second."""
        clock.t += 1
        fn(machines[machine], *args, **kw)
        fn(single, *args, **kw)

    def sync(machine: str, message: str) -> None:
        """Commit on the work branch, merge it into an up-to-date main, push, and go on with a
        fresh work branch."""
        root = machines[machine].root
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", message)
        git(root, "checkout", "-q", "main")
        git(root, "pull", "-q", "--no-edit")
        git(root, "merge", "-q", "--no-ff", "--no-edit", "work")
        git(root, "push", "-q")
        git(root, "checkout", "-q", "-B", "work")

    def decide(machine: str, reviewer: str, decisions: dict[int, str]) -> None:
        for i, d in decisions.items():
            reason = "wrong population" if d == "exclude" else None
            act(machine, screening.decide, reviewer, TA, ids[i], d, reason=reason)

    # 3. screening: ana on her laptop, ben, then ana on her desktop (not pulled since the clone)
    decide("ana-laptop", "ana", {0: "include", 1: "exclude", 2: "include", 3: "include"})
    sync("ana-laptop", "ana: first records")
    decide("ben", "ben", {0: "include", 1: "include", 2: "exclude", 4: "exclude"})
    sync("ben", "ben: first records")
    decide("ana-desktop", "ana", {4: "include", 5: "exclude", 2: "exclude"})  # 2: a change
    sync("ana-desktop", "ana: more, from the desktop")
    decide("ben", "ben", {3: "include", 5: "exclude", 6: "maybe", 7: "include"})
    git(machines["ana-laptop"].root, "pull", "-q", "--no-edit", "origin", "main")
    decide("ana-laptop", "ana", {6: "exclude", 7: "include", 1: "include"})  # 1: a change
    sync("ben", "ben: the rest")
    sync("ana-laptop", "ana: the rest")

    # 4. the arbiter resolves every open conflict on his clone
    cam = machines["cam"]
    git(cam.root, "pull", "-q", "--no-edit", "origin", "main")
    open_conflicts = screening.conflicts(cam, TA)
    assert [c.to_dict() for c in open_conflicts] == [
        c.to_dict() for c in screening.conflicts(single, TA)]
    assert {c.record for c in open_conflicts} == {ids[4], ids[6]}
    for c in open_conflicts:
        act("cam", screening.resolve, TA, c.record, "include", by="cam")
    sync("cam", "cam: conflicts resolved")

    # 5. everyone pulls; every clone is the single folder, merged
    for review in machines.values():
        git(review.root, "checkout", "-q", "main")
        git(review.root, "pull", "-q", "--no-edit")
        review = Review(review.root)
        assert review.check().valid, review.check().problems
        assert [c.to_dict() for c in screening.conflicts(review, TA, include_resolved=True)] \
            == [c.to_dict() for c in screening.conflicts(single, TA, include_resolved=True)]
        assert screening.final_decisions(review, TA) == screening.final_decisions(single, TA)
        assert screening.prisma_counts(review).to_dict() == \
            screening.prisma_counts(single).to_dict()
    assert screening.final_decisions(single, TA)[ids[2]] == "exclude"  # ana's desktop change
    assert len(screening.final_decisions(single, TA)) == 8
