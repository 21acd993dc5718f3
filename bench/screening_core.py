"""Benchmark the screening core (decision logs, conflicts, agreement, PRISMA) on a big review.

    PYTHONPATH=$PWD/src python bench/screening_core.py [--records 20000] [--decisions 300]

Builds a review folder in a temporary directory with N generated records, two reviewers who
have screened every record at title and abstract (written through the public API's CSV import,
one append per reviewer) and a share of conflicts, then prints, each against a baseline measured
in the same run:

* ``decide()`` latency (median, p95) against a bare fsynced ``append_line`` of the same entry:
  the cost of validation (reviewer, stage, reason, record released) on top of the disk flush;
* ``reviewer_view()``, ``conflicts()``, ``final_decisions()``, ``agreement()`` and
  ``prisma_counts()`` cold (parsed-log caches emptied) against reading every log and the records
  once with ``read_jsonl`` (the I/O floor any implementation pays), and warm (logs unchanged
  since the last call, as in the app between two decisions of other reviewers).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from implmap import Review, screening  # noqa: E402
from implmap.fsio import append_line, dump_json_line, write_atomic  # noqa: E402
from implmap.jsonl import read_jsonl  # noqa: E402


def build(root: Path, n: int, seed: int = 1) -> tuple[Review, list[str]]:
    review = Review.init(root, title="Bench", reviewers=["ana", "ben", "cam", "dan"])
    m = review.manifest.model_copy(deep=True)
    m.reviewers[2].role = "third"
    m.reviewers[3].role = "third"
    review.save_manifest(m)
    sid = "bench-00000000"
    lines = []
    for i in range(1, n + 1):
        lines.append(dump_json_line({
            "id": f"00000000-{i}", "search": sid, "ordinal": i, "line": i, "type": "JOUR",
            "title": f"Barriers and facilitators to implementation, study {i}",
            "authors": ["Author, A"], "year": "2020", "journal": "J", "volume": "",
            "issue": "", "pages": "", "doi": f"10.1000/b.{i}", "pmid": "",
            "abstract": "word " * 150, "keywords": [], "urls": [], "tags": {}}))
    folder = root / "searches" / sid
    write_atomic(folder / "records.jsonl", "".join(lines))
    write_atomic(folder / "export.ris", "")
    write_atomic(folder / "search.yaml", yaml.safe_dump({
        "id": sid, "database": "MEDLINE", "file": "export.ris",
        "sha256": hashlib.sha256(b"").hexdigest(), "searched": "", "query": "",
        "imported": "2026-01-01T00:00:00+00:00", "format": "ris", "encoding": "utf-8",
        "records": n, "warnings": []}, sort_keys=False))
    review = Review(root)
    ids = screening.records_to_screen(review, "title_abstract")
    rng = random.Random(seed)
    for who in ("ana", "ben"):
        rows = ["record,decision"]
        for rid in ids:
            rows.append(f"{rid},{'include' if rng.random() < 0.1 else 'exclude'}")
        csv_path = root.parent / f"{who}.csv"
        csv_path.write_text("\n".join(rows) + "\n")
        screening.import_csv(review, csv_path, who, "title_abstract")
    return review, ids


def timed(fn, repeat: int = 3, cold: bool = False) -> float:  # type: ignore[no-untyped-def]
    """Best of ``repeat`` runs; ``cold`` empties the parsed-log caches before each run."""
    from implmap.screening import log, queue

    best = float("inf")
    for _ in range(repeat):
        if cold:
            log._LATEST.clear()
            queue._CACHE.clear()
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--decisions", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        review, ids = build(Path(tmp) / "rev", args.records)
        print(f"review: {args.records} records, 2 reviewers x {len(ids)} decisions "
              f"(built in {time.perf_counter() - t0:.1f} s)")
        TA = "title_abstract"

        # decide() against a bare fsynced append of the same entry
        extra = Path(tmp) / "floor.jsonl"
        lat_decide, lat_floor = [], []
        sample = ids[: args.decisions]
        for rid in sample:
            t = time.perf_counter()
            screening.decide(review, "dan", TA, rid, "exclude", reason="wrong concept")
            lat_decide.append(time.perf_counter() - t)
            line = dump_json_line({"decision": "exclude", "note": "", "reason": "wrong concept",
                                   "record": rid, "reviewer": "dan", "stage": TA,
                                   "time": "2026-01-01T00:00:00+00:00"})
            t = time.perf_counter()
            append_line(extra, line)
            lat_floor.append(time.perf_counter() - t)

        def ms(xs: list[float], q: float) -> float:
            return 1000 * statistics.quantiles(xs, n=100)[int(q) - 1] if q < 100 else max(xs)

        md, mf = statistics.median(lat_decide) * 1000, statistics.median(lat_floor) * 1000
        print(f"decide(): median {md:.2f} ms, p95 {ms(lat_decide, 95):.2f} ms | baseline bare "
              f"fsynced append_line: median {mf:.2f} ms, p95 {ms(lat_floor, 95):.2f} ms | "
              f"ratio (median) {md / mf:.2f}x")

        def floor() -> None:
            for p in sorted((review.root / "screening" / TA).glob("*.jsonl")):
                for _ in read_jsonl(p):
                    pass
            for _ in read_jsonl(review.root / "searches" / "bench-00000000" / "records.jsonl"):
                pass

        base = timed(floor)
        print(f"baseline: read every log and the records once with read_jsonl: "
              f"{base * 1000:.0f} ms")
        for name, fn in [
            ("reviewer_view(ana)", lambda: screening.reviewer_view(review, "ana", TA)),
            ("conflicts()", lambda: screening.conflicts(review, TA)),
            ("final_decisions()", lambda: screening.final_decisions(review, TA)),
            ("agreement()", lambda: screening.agreement(review, TA)),
            ("prisma_counts()", lambda: screening.prisma_counts(review)),
        ]:
            cold, warm = timed(fn, cold=True), timed(fn)
            print(f"{name:20s} cold {cold * 1000:6.0f} ms ({cold / base:.2f}x the read floor)"
                  f" | warm (logs unchanged) {warm * 1000:6.0f} ms")
        n_conf = len(screening.conflicts(review, TA))
        kappa = screening.agreement(review, TA).pairs[0]
        print(f"(conflicts: {n_conf}; ana/ben kappa {kappa.kappa:.3f} on {kappa.n} records)")


if __name__ == "__main__":
    main()
