"""Benchmark the screening app on a 20,000-record review, over real loopback HTTP.

    PYTHONPATH=$PWD/src python bench/screening.py [--records 20000] [--decisions 500]

Builds a review folder in a temporary directory (titles and abstracts from the labelled screening
sets in ../shared/corpora/screening when present, else generated text), starts the real server
(`implmap screen` in a subprocess, uvicorn), and prints:

* time to first record: from starting the process until the first record's payload arrived,
  and the page's own requests on a running server (page, script, session, queue, records);
* a decision round trip (POST /api/decide -> fsynced append -> 200), median and 95th percentile,
  over N decisions;
* two baselines measured in the same run: a bare fsynced ``append_line`` of the same log entry,
  and a trivial authenticated HTTP GET round trip to the same server.

Target: decision round trip p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

from implmap import Review  # noqa: E402
from implmap.fsio import append_line, dump_json_line, write_atomic  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora" / "screening"
URL = re.compile(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)")
_TEXT = """barriers facilitators implementation physiotherapy exercise referral primary care
general practitioners patients adherence guideline uptake qualitative interviews survey managers
organisational workload time training knowledge beliefs capability opportunity motivation
osteoarthritis low back pain rehabilitation trial cohort evaluation intervention delivery"""
WORDS = _TEXT.split()


def corpus_texts() -> tuple[list[tuple[str, str]], str]:
    """(title, abstract) pairs from the shared screening sets, or generated ones."""
    pairs: list[tuple[str, str]] = []
    if CORPORA.is_dir():
        csv.field_size_limit(10_000_000)
        for f in sorted(CORPORA.glob("*.csv")):
            with open(f, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    t, a = (row.get("title") or "").strip(), (row.get("abstract") or "").strip()
                    if t or a:
                        pairs.append((t, a))
    if pairs:
        return pairs, f"{len(pairs)} real titles/abstracts from {CORPORA}"
    rng = random.Random(1)
    for _ in range(2000):
        t = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize()
        a = ". ".join(
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))) for _ in range(10)
        )
        pairs.append((t, a))
    return pairs, "generated text (../shared/corpora/screening is absent)"


def build_review(folder: Path, n: int) -> tuple[Review, str]:
    review = Review.init(folder, title="Bench review", reviewers=["ana", "ben", "cam"])
    m = review.manifest.model_copy(deep=True)
    m.include_terms = ["barrier*", "facilitator*", "implement*"]
    m.exclude_terms = ["rat", "mice", "in vitro"]
    review.save_manifest(m)
    pairs, source = corpus_texts()
    lines = []
    digest = hashlib.sha256(f"bench-{n}".encode()).hexdigest()
    sid = f"bench-{digest[:8]}"
    for i in range(n):
        title, abstract = pairs[i % len(pairs)]
        lines.append(dump_json_line({
            "id": f"{digest[:8]}-{i + 1}", "search": sid, "ordinal": i + 1, "line": i + 1,
            "type": "JOUR", "title": title, "authors": [f"Author{i}, A", "Second, B"],
            "year": str(1990 + i % 35), "journal": "Journal of Benchmarks", "volume": "",
            "issue": "",
            "pages": "", "doi": f"10.9999/bench.{i}", "pmid": "", "abstract": abstract,
            "keywords": ["implementation", "barriers"], "urls": [], "tags": {},
        }))
    d = review.root / "searches" / sid
    write_atomic(d / "records.jsonl", "".join(lines))
    write_atomic(d / "bench.ris", "")
    write_atomic(d / "search.yaml", yaml.safe_dump({
        "id": sid, "database": "Bench", "file": "bench.ris", "sha256": digest, "searched": "",
        "query": "", "imported": "2026-01-01T00:00:00+00:00", "format": "ris",
        "encoding": "utf-8", "records": n, "warnings": [],
    }, sort_keys=False))
    return Review(review.root), source


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))]


def ms(x: float) -> str:
    return f"{x * 1000:7.2f} ms"


def browser_first_record(url: str) -> list[float] | None:
    """Seconds from navigation to the first record on screen in headless Debian chromium (5
    fresh pages, each loading page, script, style, session, queue and records), or ``None``."""
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium.exists():
        return None
    out = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium),
                              args=["--no-sandbox", "--disable-gpu",
                                    "--disable-background-networking"])
        for _ in range(5):
            ctx = b.new_context()
            page = ctx.new_page()
            t = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']", timeout=60_000)
            out.append(time.perf_counter() - t)
            ctx.close()
        b.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--decisions", type=int, default=500)
    ap.add_argument("--pilot", type=int, default=0,
                    help="pilot_size in the manifest (a pilot round of N records; default none)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="implmap-bench-") as tmp:
        t0 = time.perf_counter()
        review, source = build_review(Path(tmp) / "review", args.records)
        if args.pilot:
            m = review.manifest.model_copy(deep=True)
            m.pilot_size = args.pilot
            review.save_manifest(m)
        print(f"Review: {args.records} records ({source}); built in "
              f"{time.perf_counter() - t0:.1f} s"
              + (f"; pilot round of {args.pilot} records" if args.pilot else ""))

        env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", "from implmap.cli import main; main()", "screen",
             "--reviewer", "ana", "--review", str(review.root), "--no-browser"],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
        )
        try:
            base = token = None
            assert proc.stderr is not None
            for line in proc.stderr:
                m = URL.search(line)
                if m:
                    base, token = m.group(1), m.group(2)
                    break
            if base is None:
                raise SystemExit(f"the server did not start (exit code {proc.wait()})")
            # keep reading what the server says, so that a full pipe never blocks it
            threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
            listening = time.perf_counter() - start
            http = httpx.Client(base_url=base, headers={"X-Implmap-Token": token}, timeout=30)
            queue = http.get("/api/queue").json()
            first = http.get("/api/records", params={"ids": ",".join(queue["order"][:12])})
            first.raise_for_status()
            ttfr_cold = time.perf_counter() - start

            # The page's own sequence on the running server, as a browser makes it.
            page_times = []
            for _ in range(5):
                t = time.perf_counter()
                for path in ("/", "/static/app.js", "/static/app.css", "/api/session"):
                    http.get(path).raise_for_status()
                q = http.get("/api/queue").json()
                http.get("/api/records", params={"ids": ",".join(q["order"][:12])})
                page_times.append(time.perf_counter() - t)

            browser_ttfr = browser_first_record(f"{base}/?token={token}")

            order = queue["order"]
            n = min(args.decisions, len(order))
            rtt = []
            for i in range(n):
                body = {"record": order[i], "decision": ("include", "exclude", "maybe")[i % 3],
                        "note": ""}
                t = time.perf_counter()
                r = http.post("/api/decide", json=body)
                rtt.append(time.perf_counter() - t)
                if r.status_code != 200:
                    raise SystemExit(f"decision {i} failed: {r.status_code} {r.text}")

            get_rtt = []
            for _ in range(n):
                t = time.perf_counter()
                http.get("/favicon.ico")
                get_rtt.append(time.perf_counter() - t)
            http.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)

        log = Path(tmp) / "baseline.jsonl"
        entry = {"record": order[0], "decision": "include", "reason": None, "note": "",
                 "reviewer": "ana", "stage": "title_abstract",
                 "time": "2026-01-01T00:00:00+00:00"}
        app_rtt = []
        for _ in range(n):
            t = time.perf_counter()
            append_line(log, dump_json_line(entry))
            app_rtt.append(time.perf_counter() - t)

    med, p95 = statistics.median(rtt), pct(rtt, 95)
    print()
    print("Time to first record")
    print(f"  server process start -> listening        {ms(listening)}")
    print(f"  server process start -> first record     {ms(ttfr_cold)}")
    print(f"  page requests on a running server       {ms(statistics.median(page_times))}"
          "  (median of 5: page, js, css, session, queue, 12 records)")
    if browser_ttfr:
        print(f"  in chromium: navigation -> record shown {ms(statistics.median(browser_ttfr))}"
              "  (median of 5 fresh pages, token redirect included)")
    print()
    print(f"Decision round trip over loopback HTTP ({n} decisions, {args.records} records)")
    print(f"  POST /api/decide              median {ms(med)}   p95 {ms(p95)}   "
          f"max {ms(max(rtt))}")
    print(f"  baseline: fsynced append_line median {ms(statistics.median(app_rtt))}   "
          f"p95 {ms(pct(app_rtt, 95))}")
    print(f"  baseline: HTTP GET round trip median {ms(statistics.median(get_rtt))}   "
          f"p95 {ms(pct(get_rtt, 95))}")
    base_sum = statistics.median(app_rtt) + statistics.median(get_rtt)
    print(f"  ratio decision / (append + GET), medians: {med / base_sum:.2f}x")
    verdict = "MET" if p95 < 0.050 else "MISSED"
    print(f"  target p95 < 50 ms: {verdict} ({p95 * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
