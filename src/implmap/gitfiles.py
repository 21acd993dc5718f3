"""The review folder's git settings: ``.gitattributes`` and ``.gitignore``.

A review kept in git by a team merges cleanly when:

* the append-only logs (every ``*.jsonl`` under ``screening/``, ``dedupe/decisions.jsonl``,
  the coders' ``charting/coding/*.jsonl`` and ``charting/extraction/*.jsonl``) merge as
  unions: git's built-in ``union`` merge driver keeps the lines of both sides, which is
  right for logs that are only ever appended to (readers take the latest line *by time*, so
  the order a merge leaves them in does not matter);
* the files implmap regenerates (``dedupe/groups.jsonl``, ``dedupe/uncertain.jsonl``) are not
  kept in git at all: each machine regenerates them from the records and
  ``dedupe/decisions.jsonl`` (see :func:`implmap.dedupe.groups.refresh`);
* the scratch space ``.implmap/`` (staging, locks, caches) is ignored.

:func:`update_git_files` writes both files, adding only the lines that are missing, so it is
safe to run on an older review and keeps every line a person added.
"""

from __future__ import annotations

from pathlib import Path

from .fsio import write_atomic

__all__ = ["GITATTRIBUTES_LINES", "GITIGNORE_LINES", "update_git_files"]

GITATTRIBUTES_LINES = (
    "# implmap: append-only logs merge as unions (git's built-in union driver keeps both sides)",
    "screening/**/*.jsonl merge=union",
    "dedupe/decisions.jsonl merge=union",
    "charting/coding/*.jsonl merge=union",
    "charting/extraction/*.jsonl merge=union",
)
GITIGNORE_LINES = (
    "# implmap: scratch space, and files regenerated on each machine",
    ".implmap/",
    "dedupe/groups.jsonl",
    "dedupe/uncertain.jsonl",
)


def _merge_lines(path: Path, wanted: tuple[str, ...]) -> bool:
    """Append the lines of ``wanted`` that ``path`` lacks (comments only with their first
    missing line); True when the file changed."""
    text = path.read_text("utf-8") if path.exists() else ""
    have = {line.strip() for line in text.splitlines()}
    missing = [line for line in wanted if line.strip() not in have and not line.startswith("#")]
    if not missing:
        return False
    comments = [line for line in wanted if line.startswith("#") and line not in have]
    if text and not text.endswith("\n"):
        text += "\n"
    if text and comments:  # a new block: set it apart; lone rules join the block before
        text += "\n"
    write_atomic(path, text + "".join(f"{line}\n" for line in [*comments, *missing]))
    return True


def update_git_files(root: str | Path) -> list[str]:
    """Write or complete ``.gitattributes`` and ``.gitignore`` in the review folder ``root``.

    Only missing lines are added (at the end, so they take precedence); a person's own lines
    are kept. Returns the names of the files that changed (none when both were up to date).
    """
    root = Path(root)
    changed = []
    for name, lines in ((".gitattributes", GITATTRIBUTES_LINES), (".gitignore", GITIGNORE_LINES)):
        if _merge_lines(root / name, lines):
            changed.append(name)
    return changed
