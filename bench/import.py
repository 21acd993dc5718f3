"""Benchmark: importing a 100,000-record RIS file, against a bare ``rispy.load`` of it.

Builds a RIS file from the shared corpora (every record of the RIS exports in
``../shared/corpora/ris`` and every record of the screening datasets, written as RIS), repeated
with variations (a numbered title suffix, an extra ID, spacing variants ``TY - X``, CRLF line
ends in some blocks, unknown tags, repeated keywords) until it holds 100,000 records. Then, each
in a fresh subprocess so that peak memory (``ru_maxrss``) is its own:

* implmap: ``Review.init`` + ``Review.import_file`` (detect, decode, parse, normalise, write
  ``records.jsonl`` and the raw copy, atomically);
* baseline: ``rispy.load(path, encoding="utf-8-sig")`` (parse only; it also loses data).

Run: ``PYTHONPATH=src python bench/import.py [--records N] [--repeat R]``.
Targets: time ratio at most 1.5; implmap's peak memory under 1 GB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPORA = ROOT.parent / "shared" / "corpora"

_CHILD_IMPLMAP = """
import json, resource, sys, time
from implmap import Review
import implmap.records.reader, implmap.records.normalise  # imports are not timed (as for rispy)
r = Review.init(sys.argv[2], title="bench")
t = time.perf_counter()
res = r.import_file(sys.argv[1], database="bench")
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "records": res.search.records,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

_CHILD_RISPY = """
import json, resource, sys, time
from pathlib import Path
import rispy
t = time.perf_counter()
entries = rispy.load(Path(sys.argv[1]), encoding="utf-8-sig")
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "records": len(entries),
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def corpus_blocks() -> list[list[str]]:
    """Records of the corpus as lists of RIS lines (TY … last tag, without ER)."""
    sys.path.insert(0, str(ROOT / "src"))
    from implmap.records.reader import read_file

    blocks: list[list[str]] = []
    ris_dir = CORPORA / "ris"
    for path in sorted(ris_dir.rglob("*")):
        if path.suffix not in (".ris", ".txt") or path.name == "example_wos.ris":
            continue
        for rec in read_file(path).records:
            if "UK" in rec.tags:  # rispy 0.10 crashes on a UK tag followed by unknown tags
                continue
            lines = [f"TY  - {rec.tags['TY'][0]}"]
            for tag, values in rec.tags.items():
                if tag in ("TY", "ER"):
                    continue
                for v in values:
                    lines.append(f"{tag}  - {v}")
            blocks.append(lines)
    for path in sorted((CORPORA / "screening").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                lines = ["TY  - JOUR", f"TI  - {row.get('title') or ''}"]
                for a in (row.get("authors") or "").split(";")[:40]:
                    if a.strip():
                        lines.append(f"AU  - {a.strip()}")
                if row.get("year"):
                    lines.append(f"PY  - {row['year']}")
                if row.get("abstract"):
                    lines.append(f"AB  - {row['abstract']}")
                if row.get("pubmedID"):
                    lines.append(f"C2  - {row['pubmedID']}")
                if row.get("url"):
                    lines.append(f"UR  - {row['url']}")
                lines.append(f"DB  - {path.stem}")
                blocks.append(lines)
    return blocks


def generate(path: Path, n: int, seed: int = 7) -> None:
    """Write ``n`` records to ``path`` (UTF-8), drawn from the corpus with variations."""
    rng = random.Random(seed)
    blocks = corpus_blocks()
    with open(path, "w", encoding="utf-8", newline="") as out:
        for k in range(n):
            block = blocks[k % len(blocks)]
            lines = list(block)
            nl = "\r\n" if k % 7 == 0 else "\n"
            if k % 11 == 0:
                lines[0] = lines[0].replace("TY  - ", "TY - ")
            lines.insert(1, f"ID  - bench-{k}")
            for i, line in enumerate(lines):
                if line.startswith(("TI  - ", "T1  - ")):
                    lines[i] = f"{line} ({k // len(blocks)})"
                    break
            if k % 5 == 0:
                lines.append(f"Z{rng.randint(1, 9)}  - unknown tag value {k}")
                lines.append("KW  - repeated keyword")
                lines.append("KW  - repeated keyword")
            out.write(nl.join(lines) + nl + "ER  - " + nl + nl)


def run_child(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep
           + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=2, help="runs of each; the best is shown")
    args = ap.parse_args()
    if not CORPORA.is_dir():
        sys.exit(f"{CORPORA} is absent: this benchmark needs ../shared/corpora")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.ris"
        t = time.perf_counter()
        generate(path, args.records)
        size = path.stat().st_size
        print(f"generated {args.records:,} records, {size / 1e6:.1f} MB, in "
              f"{time.perf_counter() - t:.1f} s: {path.name}")
        best: dict[str, dict] = {}
        for r in range(args.repeat):
            for name, code in (("rispy", _CHILD_RISPY), ("implmap", _CHILD_IMPLMAP)):
                extra = [str(Path(tmp) / f"review-{r}")] if name == "implmap" else []
                res = run_child(code, str(path), *extra)
                print(f"  run {r + 1} {name:8s} {res['seconds']:7.2f} s  "
                      f"{res['records']:,} records  peak RSS {res['maxrss_kb'] / 1024:7.1f} MB")
                if name not in best or res["seconds"] < best[name]["seconds"]:
                    best[name] = res
        imp, base = best["implmap"], best["rispy"]
        ratio = imp["seconds"] / base["seconds"]
        peak_mb = imp["maxrss_kb"] / 1024
        print()
        print(f"implmap import (Review.import_file, fresh review): {imp['seconds']:.2f} s, "
              f"{imp['records']:,} records")
        print(f"baseline rispy.load(path, encoding='utf-8-sig'):     {base['seconds']:.2f} s, "
              f"{base['records']:,} records")
        print(f"ratio implmap / rispy: {ratio:.2f}  (target <= 1.5: "
              f"{'met' if ratio <= 1.5 else 'NOT met'})")
        print(f"implmap peak memory (ru_maxrss): {peak_mb:.0f} MB  (target < 1024 MB: "
              f"{'met' if peak_mb < 1024 else 'NOT met'}); rispy: "
              f"{base['maxrss_kb'] / 1024:.0f} MB")


if __name__ == "__main__":
    main()
