"""Helpers for the screening-app tests: small review folders written as the contract says."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from implmap import Review
from screening_support import add_search

EVIL_TITLE = 'Barriers <script>window.__pwned = 1; alert("t")</script> to <b>rehab</b>'
EVIL_ABSTRACT = (
    'Physiotherapists <img src=x onerror="window.__pwned = 2; alert(1)"> reported '
    '<a href="javascript:window.__pwned=3">click</a> javascript:alert(document.cookie) '
    "barriers to implementation."
)


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
    add_search(review, recs, database="Test")
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
