"""Helpers for the screening-app tests: small review folders written as the contract says."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from implmap import Review
from implmap.fsio import dump_json_line, write_atomic

EVIL_TITLE = 'Barriers <script>window.__pwned = 1; alert("t")</script> to <b>rehab</b>'
EVIL_ABSTRACT = (
    'Physiotherapists <img src=x onerror="window.__pwned = 2; alert(1)"> reported '
    '<a href="javascript:window.__pwned=3">click</a> javascript:alert(document.cookie) '
    "barriers to implementation."
)


def write_records(review: Review, records: list[dict[str, Any]], database: str = "Test") -> str:
    """Write one synthetic search holding ``records`` (title, abstract, … dicts); return its ID.

    The files are what an import writes (``searches/<id>/search.yaml`` and ``records.jsonl``).
    """
    body = "".join(dump_json_line(r) for r in records)
    digest = hashlib.sha256(body.encode()).hexdigest()
    sid = f"{database.lower()}-{digest[:8]}"
    folder = review.root / "searches" / sid
    lines = []
    for n, r in enumerate(records, start=1):
        rec = {
            "id": f"{digest[:8]}-{n}", "search": sid, "ordinal": n, "line": n, "type": "JOUR",
            "title": "", "authors": [], "year": "", "journal": "", "volume": "", "issue": "",
            "pages": "", "doi": "", "pmid": "", "abstract": "", "keywords": [], "urls": [],
            "tags": {},
        }
        rec.update(r)
        lines.append(dump_json_line(rec))
    write_atomic(folder / "records.jsonl", "".join(lines))
    meta = {
        "id": sid, "database": database, "file": "synthetic.ris", "sha256": digest,
        "searched": "", "query": "", "imported": "2026-01-01T00:00:00+00:00", "format": "ris",
        "encoding": "utf-8", "records": len(records), "warnings": [],
    }
    write_atomic(folder / "synthetic.ris", "")
    write_atomic(folder / "search.yaml", yaml.safe_dump(meta, sort_keys=False))
    return sid


def make_review(root: Path, n: int = 6, evil: bool = False) -> Review:
    """A review with reviewers ana, ben and cam (third), highlight terms and ``n`` records."""
    review = Review.init(root, title="App test review", reviewers=["ana", "ben", "cam"])
    m = review.manifest.model_copy(deep=True)
    m.reviewers[0].name = "Ana A."
    m.reviewers[2].role = "third"
    m.include_terms = ["barrier*", "physiotherap*"]
    m.exclude_terms = ["rat", "mice"]
    m.screening_seed = 7
    review.save_manifest(m)
    recs: list[dict[str, Any]] = []
    for i in range(n):
        recs.append({
            "title": f"Record {i}: barriers to exercise referral in primary care",
            "abstract": f"Abstract {i}. Physiotherapists and GPs described barriers; rat study "
                        "excluded; response rate 80%.",
            "authors": [f"Author{i}, A", "Second, B"],
            "year": str(2000 + i),
            "journal": "Implementation Science",
            "keywords": ["barriers", "exercise"],
            "doi": f"10.1000/test.{i}",
            "urls": [f"https://example.org/{i}"],
        })
    if evil:
        recs.append({
            "title": EVIL_TITLE,
            "abstract": EVIL_ABSTRACT,
            "authors": ['<img src=x onerror="window.__pwned=4">'],
            "journal": "<script>window.__pwned=5</script>",
            "keywords": ["<svg onload=window.__pwned=6>"],
            "doi": 'javascript:alert("doi")',
            "urls": ["javascript:window.__pwned=7", "JaVaScRiPt:alert(1)", "data:text/html,x"],
        })
    write_records(review, recs)
    return Review(review.root)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a thread on a free loopback port; yield its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
