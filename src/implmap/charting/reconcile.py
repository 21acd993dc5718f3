"""From the coders' own tags to the agreed tags: :func:`reconcile`, and :func:`migrate_coding`
for reviews that kept the coders' tags inside the study files.

The agreed tags are the finding's ``tdf`` and ``themes`` in its study file, with ``agreed_by``
and ``agreed_at``; the coders' own tags stay in their logs (``charting/coding/<coder>.jsonl``,
:mod:`implmap.charting.coding`). Study files are rewritten atomically and only where they
change (:mod:`implmap.charting.yamledit`), so they stay as a person wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import Report, UsageError
from ..fsio import append_line, dump_json_line, write_atomic
from ..gitfiles import update_git_files
from ..screening.log import now
from .coding import Key, TagsIn, check_tags, find_finding, read_coding_log
from .model import Finding
from .store import load_studies, read_study, study_path
from .vocab import load_vocabulary
from .yamledit import edit_finding

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = ["MIGRATE_COMMAND", "check_coding_layout", "migrate_coding", "reconcile"]

#: The command that moves the coders' tags out of the study files.
MIGRATE_COMMAND = "implmap chart migrate"
_NOTE = "moved from the study file by implmap chart migrate"


def reconcile(review: ReviewFolder, study: str, finding: str, tdf: Iterable[TagsIn],
              themes: Iterable[str] = (), by: Sequence[str] | str = ()) -> Finding:
    """Write the agreed tags of a finding into its study file, with who agreed them and when.

    ``by``: the reviewer(s) who agreed (each listed in the manifest). The tags are checked
    against the vocabulary as in :func:`implmap.charting.coding.code`; the coders' logs are
    left as they are. Returns the finding as written.
    """
    names = [by] if isinstance(by, str) else list(by)
    if not names:
        raise UsageError("say who agreed the tags (by=...; on the command line --by)")
    for who in names:
        review.manifest.reviewer(who, UsageError)
    with review.lock("charting"):
        studies = load_studies(review)
        s, _ = find_finding(review, study, finding, studies)
        tags, ids = check_tags(load_vocabulary(review), tdf, themes)
        path = study_path(review, s.id)
        index = next(i for i, f in enumerate(s.findings) if f.id == finding)
        text = path.read_text("utf-8")
        new = edit_finding(text, index, {"tdf": tags, "themes": ids,
                                         "agreed_by": list(dict.fromkeys(names)),
                                         "agreed_at": now()}, after="source")
        write_atomic(path, new)
        done, _, _ = read_study(path, Report())
    if done is None:  # pragma: no cover - edit_finding checks what it writes
        raise UsageError(f"{review.rel(path)} could not be read back after the edit")
    return next(f for f in done.findings if f.id == finding)


def migrate_coding(review: ReviewFolder) -> int:
    """Move each finding's ``coding`` (every coder's tags inside the study file) into the
    coders' logs, and take ``coding`` (and ``coded_by``, when it names only those coders) out
    of the study files; completes the folder's ``.gitattributes`` so that the logs merge as
    unions. Returns the number of log lines written.

    Idempotent: a coding whose tags are already the coder's tags in force in their log is not
    written again (a run cut short can run again), and a migrated study file has nothing left
    to move. The tags are moved as they are; ``implmap check`` reports unknown terms.
    """
    written = 0
    update_git_files(review.root)  # the logs merge as unions
    logs: dict[str, dict[Key, dict[str, Any]]] = {}  # each coder's log, read once
    with review.lock("charting"):
        for s in load_studies(review):
            path = study_path(review, s.id)
            text = path.read_text("utf-8")
            changed = False
            for index, f in enumerate(s.findings):
                if f.coding is None:
                    continue
                for coder, c in f.coding.items():
                    tdf = [{"domain": d, "constructs": []} for d in c.domains]
                    if coder not in logs:
                        logs[coder] = read_coding_log(review.coding_log(coder))
                    have = logs[coder].get((s.id, f.id))
                    if have is not None and _same(have, c.domains, c.themes):
                        continue
                    entry = {"study": s.id, "finding": f.id, "tdf": tdf,
                             "themes": list(c.themes), "coder": coder, "time": now(),
                             "note": _NOTE}
                    append_line(review.coding_log(coder), dump_json_line(entry))
                    logs[coder][(s.id, f.id)] = entry
                    written += 1
                remove = ["coding"]
                if set(f.coded_by) <= set(f.coding):
                    remove.append("coded_by")
                text = edit_finding(text, index, remove=remove)
                changed = True
            if changed:
                write_atomic(path, text)
    return written


def _same(entry: dict[str, Any], domains: list[str], themes: list[str]) -> bool:
    return ([t.get("domain") for t in entry.get("tdf") or []] == list(domains)
            and list(entry.get("themes") or []) == list(themes))


def check_coding_layout(review: ReviewFolder, report: Report) -> None:
    """A warning (``coding-in-study-file``) for each finding that keeps its coders' tags in
    the study file, where every coder sees them."""
    for path in review.study_files():
        rel = str(review.rel(path))
        study, marks, _ = read_study(path, Report(), rel)
        if study is None or marks is None:
            continue  # the charting checker reports why
        for i, f in enumerate(study.findings):
            if f.coding:
                report.add(rel, f"finding {f.id!r} keeps its coders' tags ({', '.join(f.coding)}) "
                           "in the study file, where every coder sees them; move them to the "
                           f"coders' own logs with `{MIGRATE_COMMAND}` (Python: "
                           "implmap.charting.reconcile.migrate_coding)",
                           line=marks.line(("findings", i, "coding")), record=f.id,
                           field=f"findings[{i}].coding", code="coding-in-study-file",
                           severity="warning")
