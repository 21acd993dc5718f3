"""Benchmark saving a coded finding (``charting.coding.code``) on a big review.

    PYTHONPATH=$PWD/src python bench/charting.py [--studies 1000] [--findings 10] [--saves 200]

Builds a review folder in a temporary directory (a manifest with two coders, a six-theme
codebook, and N study files of M findings each, written directly: ``code`` needs no screening)
and prints, against a baseline measured in the same run:

* the first save (every study file parsed once, as after starting a process);
* ``code()`` latency (median, p95) over the next saves, each a different finding, against a
  bare fsynced ``append_line`` of the same line: the cost of checking the coder, the finding
  (the study files' stat signatures, a file parsed again only when it changed) and the tags on
  top of the disk flush; the goal is a p95 under 50 ms;
* the app's save (``ChartSession.code``: the save, then the progress the page shows), over 50
  saves by the second coder.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from implmap import Review  # noqa: E402
from implmap.charting.coding import code  # noqa: E402
from implmap.fsio import append_line, dump_json_line, write_atomic  # noqa: E402

THEMES = ["usual-care", "trust", "support", "time-and-finance", "knowledge", "preferences"]
DOMAINS = ["Knowledge", "Skills", "Environmental Context and Resources", "Social Influences",
           "Beliefs about Consequences", "Memory, Attention and Decision Processes"]


def build(root: Path, n_studies: int, n_findings: int, seed: int = 1) -> Review:
    """A review of ``n_studies`` study files of ``n_findings`` findings each."""
    review = Review.init(root, title="Bench", reviewers=["ana", "ben"])
    write_atomic(review.themes_path, yaml.safe_dump(
        [{"id": t, "name": t.replace("-", " ").capitalize(), "description": f"About {t}."}
         for t in THEMES], sort_keys=False))
    rng = random.Random(seed)
    for i in range(n_studies):
        sid = f"study-{i:05d}"
        findings = [{
            "id": f"f{j:02d}", "statement": f"Finding {j} of study {i}: staff lacked time and "
            "training to change their routines.", "type": rng.choice(["barrier", "facilitator"]),
            "perspective": ["nurses"], "level": "organisational",
            "tdf": [{"domain": rng.choice(DOMAINS), "constructs": []}],
            "themes": [rng.choice(THEMES)], "source": f"Results, p. {j + 3}",
        } for j in range(n_findings)]
        write_atomic(review.studies_dir / f"{sid}.yaml", yaml.safe_dump({
            "id": sid, "records": [f"rec-{i}"], "citation": f"Author {i} et al. Study {i}. "
            "J Impl 2024.", "year": 2024, "country": "Denmark", "design": "qualitative",
            "findings": findings}, sort_keys=False, allow_unicode=True))
    return Review(root)


def stats(times: list[float]) -> tuple[float, float]:
    """Median and p95, in milliseconds."""
    ms = sorted(t * 1000 for t in times)
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]


def main() -> None:
    """Build the review, time the saves and the baseline, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studies", type=int, default=1000)
    ap.add_argument("--findings", type=int, default=10)
    ap.add_argument("--saves", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        review = build(Path(tmp) / "review", args.studies, args.findings)
        print(f"review: {args.studies} studies, {args.studies * args.findings} findings "
              f"(built in {time.perf_counter() - t0:.1f} s)")
        rng = random.Random(2)
        keys = [(f"study-{rng.randrange(args.studies):05d}", f"f{rng.randrange(args.findings):02d}")
                for _ in range(args.saves + 1)]
        t0 = time.perf_counter()
        code(review, "ana", *keys[0], ["Knowledge"], ["trust"])
        print(f"first save (parses every study file): {time.perf_counter() - t0:.2f} s")
        saves: list[float] = []
        bare: list[float] = []
        baseline = Path(tmp) / "baseline.jsonl"
        for study, finding in keys[1:]:
            t0 = time.perf_counter()
            entry = code(review, "ana", study, finding,
                         [{"domain": "Environmental Context and Resources",
                           "constructs": ["Resources / material resources"]}], ["support"])
            saves.append(time.perf_counter() - t0)
            line = dump_json_line(entry)
            t0 = time.perf_counter()
            append_line(baseline, line)
            bare.append(time.perf_counter() - t0)
        s_med, s_p95 = stats(saves)
        b_med, b_p95 = stats(bare)
        print(f"code(): median {s_med:.1f} ms, p95 {s_p95:.1f} ms ({len(saves)} saves; "
              f"goal p95 < 50 ms: {'met' if s_p95 < 50 else 'NOT met'})")
        print(f"bare fsynced append_line: median {b_med:.1f} ms, p95 {b_p95:.1f} ms")
        print(f"ratio code() / append_line: median {s_med / b_med:.1f}x, "
              f"p95 {s_p95 / b_p95:.1f}x")
        # what the app answers a coder's `s`: the save, then the progress the page shows
        from implmap.app.chart import ChartSession

        session = ChartSession(review, "ben")
        app_saves: list[float] = []
        for study, finding in keys[1:51]:
            t0 = time.perf_counter()
            session.code(study, finding, ["Knowledge"], ["trust"])
            app_saves.append(time.perf_counter() - t0)
        a_med, a_p95 = stats(app_saves)
        print(f"app save (ChartSession.code: the save and the page's progress): median "
              f"{a_med:.1f} ms, p95 {a_p95:.1f} ms ({len(app_saves)} saves; goal p95 < 50 ms: "
              f"{'met' if a_p95 < 50 else 'NOT met'})")


if __name__ == "__main__":
    main()
