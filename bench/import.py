"""Benchmark: importing a 100,000-record RIS file, against a bare ``rispy.load`` of it.

Builds a RIS file from the shared corpora (every record of the RIS exports in
``../shared/corpora/ris`` and every record of the screening datasets, written as RIS), repeated
with variations (a numbered title suffix, an extra ID, spacing variants ``TY - X``, CRLF line
ends in some blocks, unknown tags, repeated keywords) until it holds 100,000 records. Then, each
in a fresh subprocess so that peak memory (``ru_maxrss``) is its own:

* implmap: ``Review.init`` + ``Review.import_file`` (detect, decode, parse, normalise, write
  ``records.jsonl`` and the raw copy, atomically);
* baseline: ``rispy.load(path, encoding="utf-8-sig")`` (parse only; it also loses data).

Run: ``PYTHONPATH=src python bench/import.py [--records N] [--repeat R] [--mix F]``.
``--mix`` is the share of records taken from the RIS exports (default 0.5; the exports carry
~60 lines per record, the screening rows ~10, so 0.5 gives ~31 lines per record, close to a
typical database export). Each side is run ``--repeat`` times alternately and the best run
is compared; CPU time (user + system) is printed too, as wall-clock time is noisy on a shared
machine, with its system part: for implmap that is mostly the kernel copying ``records.jsonl``
and the raw copy (about three times the file's size) into the page cache, which rispy does not
do. Targets: time ratio at most 1.5; implmap's peak memory under 1 GB.
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
u0 = resource.getrusage(resource.RUSAGE_SELF)
c0 = u0.ru_utime + u0.ru_stime
t = time.perf_counter()
res = r.import_file(sys.argv[1], database="bench")
dt = time.perf_counter() - t
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": dt, "records": res.search.records, "cpu": u.ru_utime + u.ru_stime
                  - c0, "sys": u.ru_stime - u0.ru_stime, "maxrss_kb": u.ru_maxrss}))
"""

_CHILD_RISPY = """
import json, resource, sys, time
from pathlib import Path
import rispy
u0 = resource.getrusage(resource.RUSAGE_SELF)
c0 = u0.ru_utime + u0.ru_stime
t = time.perf_counter()
entries = rispy.load(Path(sys.argv[1]), encoding="utf-8-sig")
dt = time.perf_counter() - t
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": dt, "records": len(entries), "cpu": u.ru_utime + u.ru_stime - c0,
                  "sys": u.ru_stime - u0.ru_stime, "maxrss_kb": u.ru_maxrss}))
"""


def corpus_blocks() -> tuple[list[list[str]], list[list[str]]]:
    """Records of the corpus as lists of RIS lines (TY … last tag, without ER): those of the
    RIS exports, and those of the screening datasets."""
    sys.path.insert(0, str(ROOT / "src"))
    from implmap.records.reader import read_file

    blocks: list[list[str]] = []
    screening: list[list[str]] = []
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
                screening.append(lines)
    return blocks, screening


def generate(path: Path, n: int, mix: float = 0.5, seed: int = 7) -> tuple[int, float]:
    """Write ``n`` records to ``path`` (UTF-8), drawn from the corpus with variations.

    ``mix`` is the share of records taken from the RIS exports (the rest come from the
    screening datasets). Returns the number of lines and the mean lines per record.
    """
    rng = random.Random(seed)
    ris, screening = corpus_blocks()
    lines_total = 0
    i_ris = i_scr = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        for k in range(n):
            if rng.random() < mix:
                block, copy = ris[i_ris % len(ris)], i_ris // len(ris)
                i_ris += 1
            else:
                block, copy = screening[i_scr % len(screening)], i_scr // len(screening)
                i_scr += 1
            lines = list(block)
            nl = "\r\n" if k % 7 == 0 else "\n"
            if k % 11 == 0:
                lines[0] = lines[0].replace("TY  - ", "TY - ")
            lines.insert(1, f"ID  - bench-{k}")
            for i, line in enumerate(lines):
                if line.startswith(("TI  - ", "T1  - ")):
                    lines[i] = f"{line} ({copy})"
                    break
            if k % 5 == 0:
                lines.append(f"Z{rng.randint(1, 9)}  - unknown tag value {k}")
                lines.append("KW  - repeated keyword")
                lines.append("KW  - repeated keyword")
            text = nl.join(lines) + nl + "ER  - " + nl + nl
            lines_total += text.count("\n")
            out.write(text)
    return lines_total, lines_total / max(n, 1)


def run_child(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep
           + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is shown")
    ap.add_argument("--mix", type=float, default=0.5,
                    help="share of records drawn from the RIS exports (the rest: screening sets)")
    args = ap.parse_args()
    if not CORPORA.is_dir():
        sys.exit(f"{CORPORA} is absent: this benchmark needs ../shared/corpora")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.ris"
        t = time.perf_counter()
        n_lines, per_record = generate(path, args.records, mix=args.mix)
        size = path.stat().st_size
        print(f"generated {args.records:,} records ({args.mix:.0%} from the RIS exports of "
              f"corpora/ris, {1 - args.mix:.0%} from the screening datasets), {n_lines:,} lines "
              f"({per_record:.1f} per record), {size / 1e6:.1f} MB, in "
              f"{time.perf_counter() - t:.1f} s")
        best: dict[str, dict] = {}
        runs: dict[str, list[dict]] = {"implmap": [], "rispy": []}
        for r in range(args.repeat):
            for name, code in (("rispy", _CHILD_RISPY), ("implmap", _CHILD_IMPLMAP)):
                extra = [str(Path(tmp) / f"review-{r}")] if name == "implmap" else []
                res = run_child(code, str(path), *extra)
                print(f"  run {r + 1} {name:8s} {res['seconds']:7.2f} s wall "
                      f"{res['cpu']:7.2f} s CPU ({res['sys']:5.2f} s system)  "
                      f"{res['records']:,} records  peak RSS {res['maxrss_kb'] / 1024:7.1f} MB")
                runs[name].append(res)
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
        print(f"ratio implmap / rispy (wall): {ratio:.2f}  (target <= 1.5: "
              f"{'met' if ratio <= 1.5 else 'NOT met'})")
        cpu_ratio = min(x["cpu"] for x in runs["implmap"]) / min(x["cpu"] for x in runs["rispy"])
        print(f"ratio implmap / rispy (CPU time, best runs): {cpu_ratio:.2f}")
        print(f"implmap peak memory (ru_maxrss): {peak_mb:.0f} MB  (target < 1024 MB: "
              f"{'met' if peak_mb < 1024 else 'NOT met'}); rispy: "
              f"{base['maxrss_kb'] / 1024:.0f} MB")


if __name__ == "__main__":
    main()
