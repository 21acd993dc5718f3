"""Blinded dual coding: each coder's own tags in their own log, ``charting/coding/<coder>.jsonl``.

One JSON object per line (sorted keys), appended and fsynced (:func:`implmap.fsio.append_line`)::

    {"coder": "ana", "finding": "f01", "note": "", "study": "<study id>",
     "tdf": [{"domain": "Knowledge", "constructs": ["Procedural knowledge"]}],
     "themes": ["<theme id>"], "time": "<ISO 8601 UTC, microseconds>"}

The latest line for a (study, finding) counts, latest by its ``time``
(:func:`implmap.jsonl.in_time_order`, since a git union merge may leave lines out of order);
``"tdf": null`` withdraws a coding. Each coder appends only to their own file, so coders never
see each other's tags while coding (:func:`codings` reads one coder's log only) and git merges
their work cleanly; :func:`all_codings` reads every log, for reconciliation and agreement.

A review charted before these logs kept each coder's tags in the study file (a finding's
``coding``); :func:`all_codings` still reads them (a log line for the same finding wins) until
:func:`implmap.charting.reconcile.migrate_coding` moves them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UnknownTermError, UsageError
from ..fsio import append_line, dump_json_line
from ..gitfiles import update_git_files
from ..jsonl import in_time_order, read_jsonl
from ..screening.log import now
from .model import Coding, TdfTag
from .store import load_studies, load_studies_cached
from .vocab import load_vocabulary

if TYPE_CHECKING:
    from ..folder import ReviewFolder
    from .model import Finding, Study
    from .vocab import Vocabulary

__all__ = [
    "Key",
    "TagsIn",
    "all_codings",
    "as_coding",
    "check_tags",
    "code",
    "codings",
    "find_finding",
    "group_constructs",
    "legacy_codings",
    "read_coding_log",
    "withdraw_code",
]

#: A finding's key in the logs: (study ID, finding ID).
Key = tuple[str, str]
#: A TDF tag as callers may give it: a :class:`TdfTag`, ``{"domain", "constructs"}``, or a
#: domain name alone (never split at a comma: some domain names hold one).
TagsIn = TdfTag | Mapping[str, Any] | str


def find_finding(review: ReviewFolder, study: str, finding: str,
                 studies: Sequence[Study] | None = None) -> tuple[Study, Finding]:
    """The study ``study`` and its finding ``finding``, or a :class:`UsageError` naming the
    known ones."""
    studies = load_studies(review) if studies is None else studies
    s = next((x for x in studies if x.id == study), None)
    if s is None:
        known = ", ".join(x.id for x in studies) or "none"
        raise UsageError(f"no study {study!r} in {review.rel(review.studies_dir)} (studies: "
                         f"{known})")
    f = next((x for x in s.findings if x.id == finding), None)
    if f is None:
        known = ", ".join(x.id for x in s.findings) or "none"
        raise UsageError(f"study {study!r} has no finding {finding!r} (its findings: {known})")
    return s, f


def _construct(vocab: Vocabulary, domain: str, construct: str) -> str:
    own = vocab.domain(domain).constructs
    v = construct.strip().casefold()
    exact = [c for c in own if c.casefold() == v]
    if exact:
        return exact[0]
    elsewhere = [d for d in vocab.domain_names
                 if any(c.casefold() == v for c in vocab.domain(d).constructs)]
    if elsewhere:
        raise UnknownTermError(
            f"construct {construct!r} belongs to {' and '.join(map(repr, elsewhere))}, not to "
            f"{domain!r}: give it under that domain")
    raise UnknownTermError(f"unknown construct {construct!r} in TDF domain {domain!r}. Its "
                           "constructs:\n  " + "\n  ".join(own))


def check_tags(vocab: Vocabulary, tdf: Iterable[TagsIn], themes: Iterable[str]
               ) -> tuple[list[dict[str, Any]], list[str]]:
    """Validate tags against the vocabulary; return them normalised.

    Domains match case-insensitively or by a unique prefix, constructs case-insensitively
    within their domain, themes by ID or name; a domain given twice has its constructs merged.
    Raises :class:`UnknownTermError` naming the valid choices.
    """
    out: dict[str, list[str]] = {}
    for tag in tdf:
        if isinstance(tag, str):
            name, constructs = tag, []
        elif isinstance(tag, TdfTag):
            name, constructs = tag.domain, list(tag.constructs)
        else:
            name, constructs = str(tag.get("domain", "")), list(tag.get("constructs") or [])
        domain = vocab.domain(name).name
        have = out.setdefault(domain, [])
        for c in constructs:
            c = _construct(vocab, domain, str(c))
            if c not in have:
                have.append(c)
    ids: list[str] = []
    for t in themes:
        tid = vocab.theme(str(t)).id
        if tid not in ids:
            ids.append(tid)
    return [{"domain": d, "constructs": cs} for d, cs in out.items()], ids


def group_constructs(vocab: Vocabulary, domains: Iterable[str], constructs: Iterable[str]
                     ) -> list[dict[str, Any]]:
    """TDF tags from domains and constructs given separately (as on the command line): each
    construct goes under the given domain that holds it, or adds its own domain when it belongs
    to one domain only. Raises :class:`UnknownTermError` for a construct that fits neither."""
    tags: dict[str, list[str]] = {vocab.domain(d).name: [] for d in domains}
    for c in constructs:
        v = c.strip().casefold()
        homes = [d.name for d in vocab.domains if any(x.casefold() == v for x in d.constructs)]
        given = [d for d in homes if d in tags]
        if not homes:
            raise UnknownTermError(f"unknown construct {c!r}: no TDF domain holds it (see "
                                   "`implmap vocabulary`)")
        if len(given) != 1 and len(homes) != 1:
            raise UnknownTermError(f"construct {c!r} belongs to {' and '.join(map(repr, homes))}"
                                   ": give the one you mean as a domain too")
        domain = given[0] if len(given) == 1 else homes[0]
        tags.setdefault(domain, []).append(_construct(vocab, domain, c))
    return [{"domain": d, "constructs": cs} for d, cs in tags.items()]


def _entry(review: ReviewFolder, coder: str, study: str, finding: str,
           tdf: list[dict[str, Any]] | None, themes: list[str], note: str) -> dict[str, Any]:
    entry = {"study": study, "finding": finding, "tdf": tdf, "themes": themes, "coder": coder,
             "time": now(), "note": note}
    path = review.coding_log(coder)
    if not path.exists():
        update_git_files(review.root)  # a review from before the logs: they merge as unions
    append_line(path, dump_json_line(entry))
    return entry


def code(review: ReviewFolder, coder: str, study: str, finding: str,
         tdf: Iterable[TagsIn], themes: Iterable[str] = (), note: str = "") -> dict[str, Any]:
    """Record ``coder``'s own tags for a finding: one line appended to their log (fsynced).

    ``coder`` must be a reviewer of the manifest; the study and finding must exist; the
    domains, constructs and themes must be in the review's vocabulary. A later call for the
    same finding replaces the tags (the log keeps the history). Returns the line written.
    The study files are parsed once and again only when they change
    (:func:`~implmap.charting.store.load_studies_cached`), so a save stays fast on a big review.
    """
    review.manifest.reviewer(coder, UsageError)
    find_finding(review, study, finding, load_studies_cached(review))
    tags, ids = check_tags(load_vocabulary(review), tdf, themes)
    if not tags and not ids:
        raise UsageError(f"{study}/{finding}: give at least one TDF domain or theme (to take "
                         "a coding back, withdraw it)")
    return _entry(review, coder, study, finding, tags, ids, note)


def withdraw_code(review: ReviewFolder, coder: str, study: str, finding: str,
                  note: str = "") -> dict[str, Any]:
    """Withdraw ``coder``'s coding of a finding (a line with ``"tdf": null``)."""
    review.manifest.reviewer(coder, UsageError)
    if (study, finding) not in codings(review, coder, legacy=False):
        raise UsageError(f"{coder} has no coding of {study}/{finding} to withdraw")
    return _entry(review, coder, study, finding, None, [], note)


def read_coding_log(path: Path) -> dict[Key, dict[str, Any]]:
    """The coding in force per (study, finding) of one log: the latest line by time; withdrawn
    codings are left out, and so are lines without a study and finding."""
    out: dict[Key, dict[str, Any]] = {}
    for _, entry in in_time_order(read_jsonl(path)):
        study, finding = entry.get("study"), entry.get("finding")
        if not (isinstance(study, str) and isinstance(finding, str)):
            continue
        if entry.get("tdf") is None:
            out.pop((study, finding), None)
        else:
            out[(study, finding)] = entry
    return out


def legacy_codings(studies: Iterable[Study]) -> dict[str, dict[Key, dict[str, Any]]]:
    """The coders' tags kept inside study files (a finding's ``coding``, the older layout), as
    log entries (no time, no constructs)."""
    out: dict[str, dict[Key, dict[str, Any]]] = {}
    for s in studies:
        for f in s.findings:
            for coder, c in (f.coding or {}).items():
                out.setdefault(coder, {})[(s.id, f.id)] = {
                    "study": s.id, "finding": f.id, "coder": coder, "time": None, "note": "",
                    "tdf": [{"domain": d, "constructs": []} for d in c.domains],
                    "themes": list(c.themes)}
    return out


def codings(review: ReviewFolder, coder: str, *, legacy: bool = True
            ) -> dict[Key, dict[str, Any]]:
    """``coder``'s own codings in force, by (study, finding): the blinded read, which never
    holds another coder's tags. ``legacy``: also their tags inside study files (older layout;
    a log line wins), read through :func:`~implmap.charting.store.load_studies_cached`: the
    app asks on every page, and the study files seldom change between two asks."""
    out = legacy_codings(load_studies_cached(review)).get(coder, {}) if legacy else {}
    out.update(read_coding_log(review.coding_log(coder)))
    return out


def all_codings(review: ReviewFolder, studies: Iterable[Study] | None = None, *,
                legacy: bool = True) -> dict[str, dict[Key, dict[str, Any]]]:
    """Every coder's codings in force, ``{coder: {(study, finding): entry}}`` (unblinded: for
    reconciliation and agreement). ``studies`` saves reading the study files again;
    ``legacy``: also the tags inside study files (a log line for the same finding wins)."""
    out: dict[str, dict[Key, dict[str, Any]]] = {}
    if legacy:
        out = legacy_codings(load_studies(review) if studies is None else studies)
    for path in review.coding_logs():
        out.setdefault(path.stem, {}).update(read_coding_log(path))
    return {c: v for c, v in sorted(out.items()) if v}


def as_coding(entry: Mapping[str, Any]) -> Coding:
    """A log entry as a :class:`~implmap.charting.model.Coding` (domains and themes)."""
    return Coding(domains=[str(t.get("domain")) for t in entry.get("tdf") or []],
                  themes=[str(t) for t in entry.get("themes") or []])
