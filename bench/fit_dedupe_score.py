"""Fit the learned score for uncertain pairs (src/implmap/dedupe/score.py) on the labelled sets.

Every pair that the rules of :func:`implmap.dedupe.match.compare` leave *uncertain* in the
labelled sets (../shared/corpora/dedup, read by ``bench/dedupe.py``'s ``load_set``) is a
training example: its :func:`implmap.dedupe.score.features`, labelled by whether the two
records are one work. A logistic regression is cross-validated leave-one-set-out (each set is
scored by a model fitted on the other sets only); the thresholds are chosen on those held-out
scores: ``high`` above every distinct pair's score (no false merge), ``low`` below every
duplicate pair's score. Then each held-out set is deduplicated with its fold's model and those
thresholds, and the sets' figures are printed (false merges must be 0 on every set).

    PYTHONPATH=src python bench/fit_dedupe_score.py            # cross-validate and report
    PYTHONPATH=src python bench/fit_dedupe_score.py --write    # ... and write MODEL into score.py

The model is written only when every held-out set has no false merge.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedupe import DEDUP, SETS, load_set, score
from implmap.dedupe import score as score_mod
from implmap.dedupe.blocking import candidate_pairs
from implmap.dedupe.groups import dedupe_records
from implmap.dedupe.keys import make_keys
from implmap.dedupe.match import UNCERTAIN, compare

SCORE_PY = Path(__file__).resolve().parent.parent / "src/implmap/dedupe/score.py"
MARGIN = 0.02  # thresholds this far beyond the nearest wrong held-out score
C = 1.0
MIN_RULE = 3  # the score decides only the uncertain rules with this many training pairs


def examples(name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    records, truth = load_set(DEDUP / name)
    keys = [make_keys(r, i) for i, r in enumerate(records)]
    xs, ys, rules = [], [], []
    for i, j in sorted(candidate_pairs(keys)):
        v = compare(keys[i], keys[j])
        if v.decision == UNCERTAIN:
            xs.append(score_mod.features(keys[i], keys[j]))
            ys.append(truth[i] == truth[j])
            rules.append(v.rule)
    return np.array(xs, dtype=float), np.array(ys, dtype=int), rules


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, LogisticRegression]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    lr.fit((x - mean) / scale, y)
    return mean, scale, lr


def learned_rules(rules: list[str]) -> frozenset[str]:
    return frozenset(r for r in set(rules) if rules.count(r) >= MIN_RULE)


def model_of(mean, scale, lr, high: float, low: float,
             rules: frozenset[str]) -> score_mod.ScoreModel:
    return score_mod.ScoreModel(
        mean=tuple(round(float(v), 6) for v in mean),
        scale=tuple(round(float(v), 6) for v in scale),
        coef=tuple(round(float(v), 6) for v in lr.coef_[0]),
        intercept=round(float(lr.intercept_[0]), 6), high=round(high, 4), low=round(low, 4),
        rules=rules)


def _fill(text: str) -> str:
    return textwrap.fill(text, 99, initial_indent="    ", subsequent_indent="        ",
                         break_on_hyphens=False, break_long_words=False)


def source(m: score_mod.ScoreModel) -> str:
    """The model as Python source, lines of at most 99 characters."""
    out = ["ScoreModel("]
    for name in ("mean", "scale", "coef"):
        out.append(_fill(f"{name}=({', '.join(repr(v) for v in getattr(m, name))}),"))
    out.append(f"    intercept={m.intercept!r}, high={m.high!r}, low={m.low!r},")
    out.append(_fill(f"rules=frozenset({sorted(m.rules)!r}),"))
    out.append(")")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write the fitted MODEL into score.py")
    args = ap.parse_args()
    names = [n for n in SETS if (DEDUP / n).exists()]
    data = {n: examples(n) for n in names}
    for n in names:
        x, y, rules = data[n]
        print(f"{n}: {len(y)} uncertain pairs, {int(y.sum())} duplicates")
    folds, held, fold_rules = {}, {}, {}
    for n in names:
        fold_rules[n] = learned_rules([r for m in names if m != n for r in data[m][2]])
        x = np.vstack([data[m][0] for m in names if m != n])
        y = np.concatenate([data[m][1] for m in names if m != n])
        folds[n] = fit(x, y)
        mean, scale, lr = folds[n]
        held[n] = lr.predict_proba((data[n][0] - mean) / scale)[:, 1]
        # a rule that the fold did not learn is left to a person: no score
        held[n][[r not in fold_rules[n] for r in data[n][2]]] = np.nan
    p_all = np.concatenate([held[n] for n in names])
    y_all = np.concatenate([data[n][1] for n in names])
    scored = ~np.isnan(p_all)
    neg, pos = p_all[scored & (y_all == 0)], p_all[scored & (y_all == 1)]
    high = min(1.0, float(neg.max()) + MARGIN) if len(neg) else 0.5
    low = max(0.0, float(pos.min()) - MARGIN) if len(pos) else 0.5
    print(f"\nheld-out scores: distinct pairs max {neg.max():.4f}, duplicate pairs min "
          f"{pos.min():.4f}; thresholds high {high:.4f}, low {low:.4f}")
    for n in names:
        p, y, rules = held[n], data[n][1], data[n][2]
        print(f"  {n}: scored duplicate {int((p >= high).sum())} (wrong "
              f"{int(((p >= high) & (y == 0)).sum())}), scored distinct {int((p <= low).sum())}"
              f" (wrong {int(((p <= low) & (y == 1)).sum())}), left "
              f"{int(((p > low) & (p < high)).sum()) + int(np.isnan(p).sum())}"
              f" (not scored: {int(np.isnan(p).sum())})")
        for pi, yi, r in sorted(zip(np.nan_to_num(p, nan=-1), y, rules, strict=True)):
            print(f"      {pi:.4f} {'dup' if yi else 'dis'} {r}")
    print("\nleave-one-set-out deduplication (each set with the model that did not see it):")
    ok = True
    for n in names:
        mean, scale, lr = folds[n]
        score_mod.MODEL = model_of(mean, scale, lr, high, low, fold_rules[n])
        records, truth = load_set(DEDUP / n)
        result = dedupe_records(records)
        m = score(records, truth, result)
        ok = ok and m["FP"] == 0
        print(f"  {n:<32} sens {m['sens']:.4f}  FP {m['FP']}  pending {len(result.uncertain)}"
              f"  ({len(records)} records: {100 * len(result.uncertain) / len(records):.2f} %)")
    mean, scale, lr = fit(np.vstack([data[n][0] for n in names]), y_all)
    final = model_of(mean, scale, lr, high, low,
                     learned_rules([r for n in names for r in data[n][2]]))
    print(f"\nfinal model (all sets), scoring the rules {sorted(final.rules)}:")
    for f, c in zip(score_mod.FEATURES, final.coef, strict=True):
        print(f"  {f:<18}{c:+.3f}")
    if args.write:
        if not ok:
            sys.exit("a held-out set had a false merge: MODEL not written")
        text = SCORE_PY.read_text()
        head = text.split("# fitted by bench/fit_dedupe_score.py")[0]
        SCORE_PY.write_text(head + "# fitted by bench/fit_dedupe_score.py (do not edit by hand)"
                            f"\nMODEL: ScoreModel | None = {source(final)}\n")
        print(f"written: {SCORE_PY}")


if __name__ == "__main__":
    main()
