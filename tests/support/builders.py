"""The one set of builders for test data: records, RIS text, review folders, decision logs.

``make_review`` builds every review folder the tests use; ``screening_review``, ``app_review``
and ``charting_review`` are the ready-made kinds (their records and manifest settings are what
the tests of those areas assert on). Decisions are written through the library
(``screening.decide``) unless a test asks for the raw lines.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from implmap import Review, screening
from implmap.folder import ReviewFolder
from implmap.fsio import append_line, dump_json_line, write_atomic

from .paths import FIXTURES

__all__ = [
    "EVIL_ABSTRACT",
    "EVIL_TITLE",
    "REASONS",
    "Decision",
    "add_search",
    "app_review",
    "charting_review",
    "charting_study",
    "import_records",
    "make_review",
    "rec",
    "ris_text",
    "screening_review",
    "write_decisions",
]

REASONS = ["wrong population", "wrong concept", "not primary research"]
EVIL_TITLE = 'Barriers <script>window.__pwned = 1; alert("t")</script> to <b>rehab</b>'
EVIL_ABSTRACT = (
    'Physiotherapists <img src=x onerror="window.__pwned = 2; alert(1)"> reported '
    '<a href="javascript:window.__pwned=3">click</a> javascript:alert(document.cookie) '
    "barriers to implementation."
)
CHARTING = FIXTURES / "charting"

Decision = str | tuple[str, str | None] | None
"""include | exclude | maybe, or (decision, reason), or None (the decision withdrawn)."""


# ------------------------------------------------------------------------------- records
def rec(rid: str = "", title: str = "", authors: Sequence[str] = (), year: str = "",
        journal: str = "", volume: str = "", issue: str = "", pages: str = "", doi: str = "",
        pmid: str = "", abstract: str = "", type: str = "JOUR", **fields: Any) -> dict[str, Any]:
    """A record dict with every Record field: those given, the others empty (``fields`` sets
    the rest, such as ``search``, ``keywords`` or ``urls``)."""
    return {"id": rid, "search": "s", "ordinal": 0, "line": 1, "type": type, "title": title,
            "authors": list(authors), "year": year, "journal": journal, "volume": volume,
            "issue": issue, "pages": pages, "doi": doi, "pmid": pmid, "abstract": abstract,
            "keywords": [], "urls": [], "tags": {}, **fields}


def ris_text(records: Iterable[Mapping[str, Any]]) -> str:
    """RIS text for record dicts (as a database would export them)."""
    out = []
    for r in records:
        lines = [f"TY  - {r.get('type') or 'JOUR'}"]
        if r.get("title"):
            lines.append(f"TI  - {r['title']}")
        lines += [f"AU  - {a}" for a in r.get("authors", [])]
        for tag, key in (("PY", "year"), ("JO", "journal"), ("VL", "volume"), ("IS", "issue"),
                         ("DO", "doi"), ("AB", "abstract")):
            if r.get(key):
                lines.append(f"{tag}  - {r[key]}")
        if r.get("pages"):
            sp, _, ep = r["pages"].partition("-")
            lines.append(f"SP  - {sp}")
            if ep:
                lines.append(f"EP  - {ep}")
        if r.get("pmid"):
            lines.append(f"AN  - PMID:{r['pmid']}")
        lines.append("ER  - ")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def add_search(review: ReviewFolder, records: Sequence[Mapping[str, Any]],
               database: str = "MEDLINE") -> list[str]:
    """Write one search as the folder contract says (``search.yaml``, ``records.jsonl``, an
    empty ``export.ris``), without the importer; return its record IDs.

    Each of ``records`` gives some fields of a record (see :func:`rec`)."""
    body = "".join(dump_json_line(dict(r)) for r in records) + database
    digest = hashlib.sha256(body.encode()).hexdigest()
    sid = f"{database.lower()}-{digest[:8]}"
    lines, ids = [], []
    for n, given in enumerate(records, start=1):
        fields = {"id": f"{digest[:8]}-{n}", "search": sid, "ordinal": n, "line": n, **given}
        record = rec(fields.pop("id"), **fields)
        ids.append(record["id"])
        lines.append(dump_json_line(record))
    write_atomic(review.records_path(sid), "".join(lines))
    write_atomic(review.search_dir(sid) / "export.ris", "")
    meta = {
        "id": sid, "database": database, "file": "export.ris",
        "sha256": hashlib.sha256(b"").hexdigest(), "searched": "2026-01-15", "query": "",
        "imported": "2026-01-16T09:00:00+00:00", "format": "ris", "encoding": "utf-8",
        "records": len(records), "warnings": [],
    }
    write_atomic(review.search_dir(sid) / "search.yaml", yaml.safe_dump(meta, sort_keys=False))
    return ids


def import_records(review: Review, records: Sequence[Mapping[str, Any]], name: str,
                   database: str = "Embase") -> list[str]:
    """Import records through the importer, as a RIS file ``name`` beside the review; return
    the new record IDs in order."""
    path = Path(review.root).parent / name
    path.write_text(ris_text(records), encoding="utf-8")
    result = review.import_file(path, database)
    sid = result.search.id
    return [r["id"] for r in review.record_dicts() if r["search"] == sid]


# ----------------------------------------------------------------------------- reviews
def make_review(root: Path, *, reviewers: Sequence[str] = ("ana", "ben"),
                third: str | None = "cam", title: str = "Test review",
                names: Mapping[str, str] | None = None,
                searches: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
                **settings: Any) -> Review:
    """A new review folder at ``root``.

    ``reviewers`` screen; ``third`` (when given) is listed last with the role third;
    ``names`` gives display names ({reviewer: name}); ``settings`` sets manifest fields
    (``pilot_size=2``, ``include_terms=[...]``); ``searches`` ({database: records}) adds
    each search with :func:`add_search`.
    """
    review = Review.init(root, title=title, reviewers=[*reviewers, *([third] if third else [])])
    if third or names or settings:
        m = review.manifest.model_copy(deep=True)
        for r in m.reviewers:
            r.name = (names or {}).get(r.id, r.name)
        if third:
            m.reviewers[-1].role = "third"
        for field, value in settings.items():
            setattr(m, field, value)
        review.save_manifest(m)
    for database, records in (searches or {}).items():
        add_search(review, records, database=database)
    return Review(review.root)


def screening_review(root: Path, n: int = 8, reviewers: Sequence[str] = ("ana", "ben"),
                     third: str | None = "cam", pilot: int = 0, databases: int = 1) -> Review:
    """The screening tests' review: screeners ``reviewers``, a ``third`` reviewer, the
    exclusion reasons ``REASONS``, and ``n`` records (with markup in the abstract) in each of
    ``databases`` searches (MEDLINE, Embase, CINAHL)."""
    searches = {
        database: [{"title": f"Barriers to referral {d}.{i}", "doi": f"10.1000/x{d}.{i}",
                    "abstract": f"Abstract {i} <b>not markup</b>"} for i in range(n)]
        for d, database in enumerate(["MEDLINE", "Embase", "CINAHL"][:databases])
    }
    return make_review(root, reviewers=reviewers, third=third, title="Screening test review",
                       searches=searches, exclusion_reasons=list(REASONS), pilot_size=pilot,
                       screening_seed=11)


def app_review(root: Path, n: int = 6, evil: bool = False) -> Review:
    """The screening app's review: ana (named "Ana A."), ben and cam (third), highlight
    terms, and ``n`` records; ``evil`` adds one whose every field tries to run a script."""
    records: list[dict[str, Any]] = [{
        "title": f"Record {i}: barriers to exercise referral in primary care",
        "abstract": f"Abstract {i}. Physiotherapists and GPs described barriers; rat study "
                    "excluded; response rate 80%.",
        "authors": [f"Author{i}, A", "Second, B"],
        "year": str(2000 + i),
        "journal": "Implementation Science",
        "keywords": ["barriers", "exercise"],
        "doi": f"10.1000/test.{i}",
        "urls": [f"https://example.org/{i}"],
    } for i in range(n)]
    if evil:
        records.append({
            "title": EVIL_TITLE,
            "abstract": EVIL_ABSTRACT,
            "authors": ['<img src=x onerror="window.__pwned=4">'],
            "journal": "<script>window.__pwned=5</script>",
            "keywords": ["<svg onload=window.__pwned=6>"],
            "doi": 'javascript:alert("doi")',
            "urls": ["javascript:window.__pwned=7", "JaVaScRiPt:alert(1)", "data:text/html,x"],
        })
    return make_review(root, title="App test review", names={"ana": "Ana A."},
                       searches={"Test": records}, include_terms=["barrier*", "physiotherap*"],
                       exclude_terms=["rat", "mice"], screening_seed=7)


def charting_review(root: Path, *, migrated: bool = True) -> tuple[Review, list[str]]:
    """The charting tests' review: three records (tests/fixtures/charting/mini.ris) screened
    by ana and ben; two included and charted (study-a, study-b), the third excluded at full
    text. Returns the review and the three record IDs.

    The fixture's study files keep the coders' tags inside them (the older layout);
    ``migrated`` (the default) moves them to the coders' logs, as ``implmap chart migrate``
    does."""
    review = make_review(root, title="Charting test", reviewers=("ana", "ben", "cam"),
                         third=None)
    review.import_file(CHARTING / "mini.ris", database="Handmade")
    ids = [r.id for r in review.iter_records()]
    for who in ("ana", "ben"):
        write_decisions(review, who, "title_abstract", dict.fromkeys(ids, "include"))
    for who in ("ana", "ben"):
        at_full_text: dict[str, Decision] = {ids[0]: "include", ids[1]: "include",
                                             ids[2]: ("exclude", "wrong concept")}
        write_decisions(review, who, "full_text", at_full_text)
    review.studies_dir.mkdir(parents=True)
    shutil.copy(CHARTING / "themes.yaml", review.themes_path)
    for name, rid in (("study-a", ids[0]), ("study-b", ids[1])):
        text = (CHARTING / f"{name}.yaml").read_text("utf-8")
        (review.studies_dir / f"{name}.yaml").write_text(
            text.replace("{r1}", rid).replace("{r2}", rid), "utf-8")
    if migrated:
        from implmap.charting.reconcile import migrate_coding

        migrate_coding(review)
    return review, ids


def charting_study(review: Review, study: str, record: str,
                   findings: Sequence[Mapping[str, Any]]) -> Path:
    """Write ``charting/studies/<study>.yaml``: a study of ``record`` with ``findings`` (each
    gives some fields of a finding; ``id`` defaults to f1, f2, ..., ``type`` to barrier, and
    ``tdf``/``themes``/``agreed_by`` are written as given). Returns the file's path."""
    review.studies_dir.mkdir(parents=True, exist_ok=True)
    if not review.themes_path.exists():
        shutil.copy(CHARTING / "themes.yaml", review.themes_path)
    body = {"id": study, "records": [record], "citation": f"{study}: a charted study.",
            "year": 2020, "country": "Norway",
            "findings": [{"id": f"f{n}", "type": "barrier", "perspective": ["nurses"],
                          "level": "individual", **f} for n, f in enumerate(findings, start=1)]}
    path = review.studies_dir / f"{study}.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False, allow_unicode=True), "utf-8")
    return path


# --------------------------------------------------------------------------- decisions
def write_decisions(review: ReviewFolder | str | Path, reviewer: str, stage: str,
                    decisions: Mapping[str, Decision] | Iterable[tuple[str, Decision]], *,
                    raw: bool = False) -> None:
    """Write ``reviewer``'s ``decisions`` at ``stage``, in order: ``{record: decision}`` or
    ``(record, decision)`` pairs (a record may come more than once).

    Through the library (``screening.decide``, ``screening.undo`` for None): checked, and
    timed now. With ``raw``, the lines are appended as they are, unchecked, with a fixed time:
    for a test that needs the log written exactly so (or fast, many times over).
    """
    review = review if isinstance(review, ReviewFolder) else Review(review)
    pairs = decisions.items() if isinstance(decisions, Mapping) else decisions
    for record, given in pairs:
        decision, reason = given if isinstance(given, tuple) else (given, None)
        if raw:
            append_line(review.decision_log(reviewer, stage), dump_json_line({
                "decision": decision, "note": "", "reason": reason, "record": record,
                "reviewer": reviewer, "stage": stage, "time": "2026-01-01T00:00:00+00:00"}))
        elif decision is None:
            screening.undo(review, reviewer, stage, record)
        else:
            screening.decide(review, reviewer, stage, record, decision, reason=reason)
