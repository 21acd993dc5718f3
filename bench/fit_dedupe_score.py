"""Fit the learned score for uncertain pairs (src/implmap/dedupe/score.py) on the labelled sets.

Every pair that the rules of :func:`implmap.dedupe.match.compare` leave *uncertain* in the
labelled sets (../shared/corpora/dedup, read by ``bench/dedupe.py``'s ``load_set``) is a
training example: its :func:`implmap.dedupe.score.features`, labelled by whether the two
records are one work. A logistic regression is cross-validated leave-one-set-out (each set is
scored by a model fitted on the other sets only); the final model's thresholds are chosen on those
held-out scores: ``high`` above every distinct pair's score (no false merge), ``low`` below every
duplicate pair's score. Then each set is deduplicated with a model fitted on the other sets and
thresholds chosen by the same leave-one-out on those other sets alone, so that no set is tuned on
itself, and the sets' figures are printed before and after people decide the pairs left (false
merges must be 0 on every set).

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
from implmap.dedupe.groups import Decision, dedupe_records
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
        if v.decision == UNCERTAIN and not v.hard:  # a hard one is only ever a person's
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


def held_out(data: dict, sets: list[str]) -> dict[str, np.ndarray]:
    """Each set's pairs scored by a model fitted on the other ``sets`` only (NaN where the rule
    was not learned by that model: such a pair is left to a person)."""
    out = {}
    for n in sets:
        rules = learned_rules([r for m in sets if m != n for r in data[m][2]])
        mean, scale, lr = fit(np.vstack([data[m][0] for m in sets if m != n]),
                              np.concatenate([data[m][1] for m in sets if m != n]))
        p = lr.predict_proba((data[n][0] - mean) / scale)[:, 1]
        p[[r not in rules for r in data[n][2]]] = np.nan
        out[n] = p
    return out


def thresholds(data: dict, held: dict[str, np.ndarray]) -> tuple[float, float]:
    """``high`` just above every held-out distinct pair's score, ``low`` just below every
    held-out duplicate pair's score."""
    p = np.concatenate([held[n] for n in held])
    y = np.concatenate([data[n][1] for n in held])
    scored = ~np.isnan(p)
    neg, pos = p[scored & (y == 0)], p[scored & (y == 1)]
    high = min(1.0, float(neg.max()) + MARGIN) if len(neg) else 0.5
    low = max(0.0, float(pos.min()) - MARGIN) if len(pos) else 0.5
    return high, low


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write the fitted MODEL into score.py")
    args = ap.parse_args()
    names = [n for n in SETS if (DEDUP / n).exists()]
    data = {n: examples(n) for n in names}
    for n in names:
        y = data[n][1]
        print(f"{n}: {len(y)} uncertain pairs, {int(y.sum())} duplicates")
    held = held_out(data, names)
    high, low = thresholds(data, held)
    y_all = np.concatenate([data[n][1] for n in names])
    print(f"\nheld-out scores (leave one set out); thresholds of the final model: high "
          f"{high:.4f}, low {low:.4f}")
    for n in names:
        p, y, rules = held[n], data[n][1], data[n][2]
        print(f"  {n}: scored duplicate {int((p >= high).sum())} (wrong "
              f"{int(((p >= high) & (y == 0)).sum())}), scored distinct {int((p <= low).sum())}"
              f" (wrong {int(((p <= low) & (y == 1)).sum())}), left "
              f"{int(((p > low) & (p < high)).sum()) + int(np.isnan(p).sum())}"
              f" (not scored: {int(np.isnan(p).sum())})")
        for pi, yi, r in sorted(zip(np.nan_to_num(p, nan=-1), y, rules, strict=True)):
            print(f"      {pi:.4f} {'dup' if yi else 'dis'} {r}")
    print("\nleave-one-set-out deduplication: each set with a model fitted on the other sets and "
          "thresholds\nchosen on those sets' own leave-one-out scores (no set tuned on itself):")
    ok = True
    for n in names:
        others = [m for m in names if m != n]
        h, lo = thresholds(data, held_out(data, others))
        mean, scale, lr = fit(np.vstack([data[m][0] for m in others]),
                              np.concatenate([data[m][1] for m in others]))
        score_mod.MODEL = model_of(mean, scale, lr, h, lo,
                                   learned_rules([r for m in others for r in data[m][2]]))
        records, truth = load_set(DEDUP / n)
        result = dedupe_records(records)
        m = score(records, truth, result)
        work = dict(zip((r["id"] for r in records), truth, strict=True))
        decisions = [Decision("merge" if work[a] == work[b] else "keep_apart", (a, b))
                     for a, b in (u["pair"] for u in result.uncertain)]
        after = score(records, truth, dedupe_records(records, decisions))
        ok = ok and m["FP"] == 0 and after["FP"] == 0
        print(f"  {n:<32} sens {m['sens']:.4f}  FP {m['FP']}  pending {len(result.uncertain)}"
              f"  ({len(records)} records: {100 * len(result.uncertain) / len(records):.2f} %)"
              f"  after people decide: sens {after['sens']:.4f}  FP {after['FP']}"
              f"  (thresholds {h:.4f} / {lo:.4f})")
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
