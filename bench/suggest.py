"""How good are `implmap suggest`'s TDF-domain and theme suggestions? Leave-one-study-out.

    PYTHONPATH=$PWD/src python bench/suggest.py [REVIEW_DIR]   (default: evidence/)

For each study of the review, the suggestion model learns from the *other* studies' tagged
findings (plus the vocabulary's names and descriptions) and ranks labels for the held-out
study's findings. A finding scores a top-1 hit when the first suggestion is among its agreed
(consensus) tags, and a top-3 hit when any of the first three is. Printed beside it, from the
same folds: two baselines, "majority" (always suggest the labels most frequent in the other
studies) and "vocabulary only" (the same model trained on the vocabulary alone, i.e. no
tagged findings: the cold start).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("review", nargs="?", default=str(ROOT / "evidence"))
    args = ap.parse_args()

    from implmap import Review
    from implmap.charting.suggest import loso_accuracy

    review = Review(args.review)
    studies = review.studies()
    vocab = review.vocabulary()
    n_find = sum(len(s.findings) for s in studies)
    print(f"review: {review.root.name}: {len(studies)} studies, {n_find} findings; "
          f"{len(vocab.domain_names)} TDF domains, {len(vocab.themes)} themes")
    print("leave-one-study-out; hit = suggested label among the finding's agreed tags\n")
    print(f"{'labels':<8} {'method':<16} {'n':>4} {'top-1':>7} {'top-3':>7}")
    for kind in ("domain", "theme"):
        t0 = time.perf_counter()
        res = loso_accuracy(studies, vocab, kind)
        took = time.perf_counter() - t0
        for method, r in res.items():
            print(f"{kind + 's':<8} {method:<16} {int(r['n']):>4} {r['top1']:>7.1%} "
                  f"{r['top3']:>7.1%}")
        m, b = res["model"], res["majority"]
        print(f"{'':<8} model - majority: top-1 {m['top1'] - b['top1']:+.1%}, top-3 "
              f"{m['top3'] - b['top3']:+.1%}   ({len(studies)} folds in {took:.1f} s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
