"""Deduplication benchmark: quality on the labelled sets, then speed and memory at 100,000 records.

Run from the repository root::

    PYTHONPATH=$PWD/src python bench/dedupe.py            # everything
    PYTHONPATH=$PWD/src python bench/dedupe.py --sets     # only the labelled sets
    PYTHONPATH=$PWD/src python bench/dedupe.py --scale 100000

Part 1 reads every CSV in ``../shared/corpora/dedup/`` (a ``dup_group`` column marks records of
the same work) and prints TP, FP, FN, TN, sensitivity and specificity, counted like ASySD and
bib-dedupe: every work should keep exactly one record; a *removable copy* that was set aside is a
true positive, one left in is a false negative; a work that lost all its records counts one false
positive (its last record was wrongly set aside); every other kept work is a true negative. The
figures measured with bib-dedupe 0.11.0 on the same sets (from the corpora README) are printed
beside, as the baseline.

Under each set's row, the misses are sorted by what kept them apart (see :func:`miss_reasons`):
a rule of :data:`implmap.dedupe.match.STAY_APART_RULES` (errata, replies, conference abstracts,
one-page notices, opposed populations... which the issue requires to stay apart even where the
benchmark's truth counts them as one work), a pair pending for a person, or another rule; and a
second sensitivity counts only the copies that no stay-apart rule keeps apart.

Part 2 builds a synthetic review of N records (default 100,000) from the corpora's records: every
work is copied 0-3 times with the variations real exports show (case, trailing period, HTML
entities, British spellings, author formats, abbreviated journals, missing DOI/pages/volume,
years one apart), and distinct "sibling" works that share words, authors or journals with others
are added to make blocking work hard (a sibling has the other work's abstract: two works do not
share one). It reports wall time, peak memory (the child process's
maximum resident set size), quality on the synthetic truth, and the pairs compared against the
all-pairs baseline. (The screening sets themselves hold a few records twice, which the synthetic
truth counts as two works: most of its "false positives" are such real duplicates.)
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from implmap.dedupe.groups import Decision, dedupe_records  # noqa: E402
from implmap.records.normalise import normalise  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora"
DEDUP = SHARED / "dedup"
SETS = ["cytology_screening_grouped.csv", "haematology_grouped.csv", "respiratory_grouped.csv",
        "digital_work_grouped.csv"]
# bib-dedupe 0.11.0 on the same sets, same convention (corpora/README.md)
BIB_DEDUPE = {"cytology_screening_grouped.csv": (0.992, 1.000, 6.1),
              "haematology_grouped.csv": (0.889, 0.9992, 5.6),
              "respiratory_grouped.csv": (0.936, 1.000, 7.5),
              "digital_work_grouped.csv": (0.997, 1.000, 32.8)}


def _s(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


_RIS_TYPE = {"article": "JOUR", "inproceedings": "CPAPER", "conference": "CONF", "book": "BOOK",
             "incollection": "CHAP", "inbook": "CHAP", "phdthesis": "THES", "misc": "GEN"}


def as_imported(tags: dict[str, list[str]], rid: str) -> dict:
    """The record dict that ``implmap import`` makes of these RIS tags (empty tags left out)."""
    rec = normalise({k: v for k, v in tags.items() if v and any(v)})
    rec["id"] = rid
    return rec


def load_set(path: Path) -> tuple[list[dict], list[str]]:
    """Record dicts and the true work of each record: each CSV row is turned into the RIS tags
    an export would carry and goes through the import normaliser
    (:func:`implmap.records.normalise.normalise`), the path users' records take. Placeholder
    values ("NA") are passed on as the exports hold them."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    records, truth = [], []
    for row in df.to_dict("records"):
        pages = _s(row.get("pages")).replace("--", "-")
        start, _, end = pages.partition("-")
        tags = {
            "TY": [_RIS_TYPE.get(_s(row.get("ENTRYTYPE")).lower(), "JOUR")],
            "TI": [_s(row.get("title"))],
            "AU": [a.strip() for a in _s(row.get("author")).split(" and ") if a.strip()],
            "PY": [_s(row.get("year"))],
            "T2": [_s(row.get("journal")) or _s(row.get("booktitle"))],
            "VL": [_s(row.get("volume"))], "IS": [_s(row.get("number"))],
            "SP": [start.strip()], "EP": [end.strip()],
            "DO": [_s(row.get("doi"))], "AB": [_s(row.get("abstract"))],
        }
        records.append(as_imported(tags, row["ID"]))
        g = _s(row.get("dup_group"))
        truth.append(f"g{g}" if g else f"r{row['ID']}")
    return records, truth


def score(records: list[dict], truth: list[str], result) -> dict[str, float]:
    """TP, FP, FN, TN, sensitivity, specificity (see the module docstring)."""
    removed = {m for g in result.groups for m in g.removed}
    n_work: Counter[str] = Counter(truth)
    kept: Counter[str] = Counter(t for r, t in zip(records, truth, strict=True)
                                 if r["id"] not in removed)
    tp = fp = fn = tn = 0
    for w, n in n_work.items():
        k = kept[w]
        if k >= 1:
            tp += n - k
            fn += k - 1
            tn += 1
        else:
            fp += 1
            tp += n - 1
    return {"TP": tp, "FP": fp, "FN": fn, "TN": tn, "sens": tp / (tp + fn) if tp + fn else 1.0,
            "spec": tn / (tn + fp) if tn + fp else 1.0}


def errors(records: list[dict], truth: list[str], result, limit: int = 20) -> None:
    """Print false merges and missed pairs (for tuning on real errors, not on the records)."""
    by_id = {r["id"]: (r, t) for r, t in zip(records, truth, strict=True)}
    print("  false merges:")
    shown = 0
    for g in result.groups:
        works = {by_id[m][1] for m in g.members}
        if len(works) > 1 and shown < limit:
            shown += 1
            for e in g.evidence:
                a, b = e["pair"]
                if by_id[a][1] != by_id[b][1]:
                    print(f"   {e['rule']} {e.get('details')}")
                    for x in (a, b):
                        r = by_id[x][0]
                        print(f"     {x} {r['title'][:90]!r} {r['authors'][:2]} {r['year']} "
                              f"{r['journal'][:30]} v{r['volume']} p{r['pages']} {r['doi']}")
    group_of = {m: i for i, g in enumerate(result.groups) for m in g.members}
    members = defaultdict(list)
    for r, t in zip(records, truth, strict=True):
        if t.startswith("g"):
            members[t].append(r)
    print("  missed:")
    shown = 0
    from implmap.dedupe.keys import make_keys
    from implmap.dedupe.match import compare
    for rs in members.values():
        gs = {group_of.get(r["id"], r["id"]) for r in rs}
        if len(gs) > 1 and shown < limit:
            shown += 1
            v = compare(make_keys(rs[0]), make_keys(rs[1]))
            print(f"   {v.rule} {v.decision} {v.details}")
            for r in rs[:3]:
                print(f"     {r['id']} {r['title'][:90]!r} {r['authors'][:2]} {r['year']} "
                      f"{r['journal'][:30]} v{r['volume']} p{r['pages']} {r['doi']}")


_KIND_LABEL = {"erratum": "erratum", "retraction": "retraction", "reply": "reply",
               "comment": "comment", "protocol": "protocol", "preprint": "preprint",
               "conference": "conference abstract"}
_RULE_LABEL = {"different-parts": "part I/II", "different-numbers": "numbered series",
               "different-authors": "other authors", "different-years": "other year",
               "contrasting-titles": "opposed words (other trial/population)",
               "one-page-notice": "one-page notice", "different-journal": "another journal"}


def _stay_label(rule: str, a, b) -> str:
    if rule == "different-kinds":  # the kind that marks the item, errata first
        kind = next((k for k in _KIND_LABEL if k in (a.kind, b.kind)), a.kind)
        return _KIND_LABEL.get(kind, kind)
    return _RULE_LABEL.get(rule, rule)


class _Cross:
    """The rules' verdicts (rule names) on the pairs across two sets of records, cached."""

    def __init__(self, keys: dict, compare) -> None:
        self.keys, self.compare, self.cache = keys, compare, {}

    def __call__(self, x: list[str], y: list[str]) -> list[tuple[str, str, str]]:
        out = []
        for i in x:
            for j in y:
                pair = (i, j) if i < j else (j, i)
                if pair not in self.cache:
                    self.cache[pair] = self.compare(self.keys[pair[0]], self.keys[pair[1]]).rule
                out.append((self.cache[pair], *pair))
        return out


def miss_reasons(records: list[dict], truth: list[str], result) -> Counter[str]:
    """Why each missed copy (false negative) was left in, from the rules' own verdicts.

    For each work whose records ended in several groups, the groups are joined one by one
    wherever no pair across them is kept apart by a rule of
    :data:`implmap.dedupe.match.STAY_APART_RULES`: first where a pair across them is pending
    for a person (``pending``), then any other (``other: <rule that said distinct>``). Each
    join is one miss that the issue's rules do not require. Every group left after that is one
    miss kept apart by a stay-apart rule (``stay-apart: <kind or rule>``). The counts add up to
    the false negatives.
    """
    from implmap.dedupe.keys import make_keys
    from implmap.dedupe.match import STAY_APART_RULES, compare

    cluster = {m: f"g{i}" for i, g in enumerate(result.groups) for m in g.members}
    pending = {frozenset(u["pair"]) for u in result.uncertain}
    by_work: dict[str, list[dict]] = defaultdict(list)
    for r, t in zip(records, truth, strict=True):
        by_work[t].append(r)
    reasons: Counter[str] = Counter()
    for rs in by_work.values():
        parts: dict[str, list[str]] = {}
        for r in rs:
            parts.setdefault(cluster.get(r["id"], r["id"]), []).append(r["id"])
        if len(parts) < 2:
            continue
        keys = {r["id"]: make_keys(r) for r in rs}
        cross = _Cross(keys, compare)
        sets = list(parts.values())
        while len(sets) > 1:
            best = None
            for i in range(len(sets)):
                for j in range(i + 1, len(sets)):
                    links = cross(sets[i], sets[j])
                    if any(rule in STAY_APART_RULES for rule, _, _ in links):
                        continue
                    if any(frozenset((a, b)) in pending for _, a, b in links):
                        label = "pending"
                    else:
                        label = "other: " + Counter(r for r, _, _ in links).most_common(1)[0][0]
                    cand = (label != "pending", label, i, j)
                    best = cand if best is None or cand < best else best
            if best is None:
                break
            _, label, i, j = best
            reasons[label] += 1
            sets[i] = sets[i] + sets.pop(j)
        for k in range(1, len(sets)):
            done = [x for s in sets[:k] for x in s]
            rule, a, b = min((r, a, b) for r, a, b in cross(sets[k], done)
                             if r in STAY_APART_RULES)
            reasons["stay-apart: " + _stay_label(rule, keys[a], keys[b])] += 1
    return reasons


def _apart_sens(m: dict[str, float], reasons: Counter[str]) -> float:
    """Sensitivity counting only the copies that no stay-apart rule keeps apart."""
    tp = m["TP"]
    fn = m["FN"] - sum(n for k, n in reasons.items() if k.startswith("stay-apart"))
    return tp / (tp + fn) if tp + fn else 1.0


def _print_reasons(m: dict[str, float], reasons: Counter[str]) -> None:
    apart = {k.split(": ", 1)[1]: n for k, n in reasons.items() if k.startswith("stay-apart")}
    other = {k.split(": ", 1)[1]: n for k, n in reasons.items() if k.startswith("other")}
    n_apart = sum(apart.values())
    print(f"    misses ({m['FN']}): kept apart by a stay-apart rule {n_apart}"
          + (f" ({', '.join(f'{k} {n}' for k, n in sorted(apart.items()))})" if apart else "")
          + f"; uncertain (pending) {reasons['pending']}; other {sum(other.values())}"
          + (f" ({', '.join(f'{k} {n}' for k, n in sorted(other.items()))})" if other else ""))
    tp, fn = m["TP"], m["FN"] - n_apart
    print(f"    sensitivity counting only copies the issue does not require kept apart: "
          f"{tp / (tp + fn) if tp + fn else 1.0:.4f} (TP {tp}, FN {fn})")


def run_sets(show_errors: bool) -> None:
    print("Part 1: labelled sets (../shared/corpora/dedup), convention of ASySD / bib-dedupe")
    print("(pend: pairs left to a person; 'after': if a person decides each of them rightly)")
    head = (f"{'set':<20}{'records':>6}{'TP':>5}{'FP':>4}{'FN':>5}{'TN':>6}{'sens':>8}"
            f"{'spec':>8}{'time s':>7}{'pend':>6}{'after:sens':>11}{'spec':>8} | "
            f"{'bib:sens':>8}{'spec':>8}{'time s':>7}")
    print(head)
    print("-" * len(head))
    for name in SETS:
        path = DEDUP / name
        if not path.exists():
            print(f"{name}: absent, skipped")
            continue
        records, truth = load_set(path)
        t0 = time.perf_counter()
        result = dedupe_records(records)
        dt = time.perf_counter() - t0
        m = score(records, truth, result)
        # a person who decides every pending pair correctly (merge / keep-apart), run after
        # run, until none is left (a pair kept apart may bring up another)
        work = {r["id"]: t for r, t in zip(records, truth, strict=True)}
        decisions: list[Decision] = []
        after_result = result
        for _ in range(20):
            new = [u["pair"] for u in after_result.uncertain
                   if not any(set(d.records) == set(u["pair"]) for d in decisions)]
            if not new:
                break
            decisions += [Decision("merge" if work[a] == work[b] else "keep_apart", (a, b))
                          for a, b in new]
            after_result = dedupe_records(records, decisions)
        after = score(records, truth, after_result)
        bs, bsp, bt = BIB_DEDUPE[name]
        print(f"{name.replace('_grouped.csv', ''):<20}{len(records):>6}{m['TP']:>5}{m['FP']:>4}"
              f"{m['FN']:>5}{m['TN']:>6}{m['sens']:>8.4f}{m['spec']:>8.4f}{dt:>7.2f}"
              f"{len(result.uncertain):>6}{after['sens']:>11.4f}{after['spec']:>8.4f} | "
              f"{bs:>8.3f}{bsp:>8.4f}{bt:>7.1f}")
        _print_reasons(m, miss_reasons(records, truth, result))
        a_sens = _apart_sens(after, miss_reasons(records, truth, after_result))
        share = len(result.uncertain) / len(records)
        print(f"    after people decide, counting the same way: {a_sens:.4f}; pairs left "
              f"{len(result.uncertain)} = {100 * share:.2f} % of records (a person decides "
              f"{len(decisions)} in all); vs bib-dedupe "
              f"{bs:.3f}: before {'>=' if round(m['sens'], 3) >= bs else '<'}, after "
              f"{'>=' if round(after['sens'], 3) >= bs else '<'}, after (not kept apart) "
              f"{'>=' if round(a_sens, 3) >= bs else '<'}; false merges {m['FP']} / "
              f"{after['FP']}")
        if show_errors:
            errors(records, truth, result)


def run_screening_sets() -> None:
    """The screening sets read as records (title, abstract, year, authors where given): how
    many pairs a person is left, and (Kitchenham 2010 labels some) the labelled copies grouped."""
    print("\nPart 1b: screening sets (../shared/corpora/screening) as records: pairs left to a "
          "person")
    print(f"{'set':<28}{'records':>8}{'groups':>8}{'set aside':>10}{'pending':>9}   labelled "
          "copies grouped")
    for f in sorted((SHARED / "screening").glob("*.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        records = []
        for row in df.to_dict("records"):
            tags = {"TY": ["JOUR"], "TI": [row.get("title", "")], "AB": [row.get("abstract", "")],
                    "PY": [row.get("year", "")],
                    "AU": [a.strip() for a in row.get("authors", "").split(";") if a.strip()]}
            records.append(as_imported(tags, row["record_id"]))
        result = dedupe_records(records)
        labelled = ""
        if "duplicate_record_id" in df.columns:
            group = {m: i for i, g in enumerate(result.groups) for m in g.members}
            pairs = [(r["record_id"], r["duplicate_record_id"]) for r in df.to_dict("records")
                     if r["duplicate_record_id"]]
            hit = sum(1 for a, b in pairs if a in group and group[a] == group.get(b))
            labelled = f"{hit} of {len(pairs)}"
        print(f"{f.stem:<28}{len(records):>8}{len(result.groups):>8}"
              f"{result.duplicates_removed:>10}{len(result.uncertain):>9}   {labelled}")


# ------------------------------------------------------------------------------------- scale
_JOURNAL_ABBR = {"journal": "J", "international": "Int", "clinical": "Clin", "american": "Am",
                 "medicine": "Med", "medical": "Med", "research": "Res", "review": "Rev",
                 "reviews": "Rev", "british": "Br", "european": "Eur", "cancer": "Cancer"}
_BRITISH = [("hemat", "haemat"), ("pediatric", "paediatric"), ("randomized", "randomised"),
            ("behavior", "behaviour"), ("center", "centre"), ("tumor", "tumour")]


def _initials(name: str) -> str:
    surname, _, given = name.partition(",")
    return f"{surname.strip()} {''.join(w[0] for w in given.replace('.', ' ').split())}".strip()


def _variant(r: dict, rnd: random.Random, new_id: str) -> dict:
    v = dict(r, id=new_id, authors=list(r["authors"]))
    t = v["title"]
    roll = rnd.random()
    if roll < 0.2:
        t = t.rstrip(".") + "."
    elif roll < 0.3:
        t = t.upper()
    elif roll < 0.4:
        t = html.escape(t).replace("&#x27;", "&apos;")
    elif roll < 0.5:
        for us, gb in _BRITISH:
            t = t.replace(us, gb)
    elif roll < 0.55:
        t = f"[{t}]"
    v["title"] = t
    if rnd.random() < 0.5 and v["authors"]:  # "Zuna, Rosemary E." -> "Zuna RE" (PubMed AU)
        v["authors"] = [_initials(a) for a in v["authors"]]
    if rnd.random() < 0.1 and len(v["authors"]) > 3:
        v["authors"] = v["authors"][:3]
    if rnd.random() < 0.3 and v["journal"]:
        v["journal"] = " ".join(_JOURNAL_ABBR.get(w.lower(), w) for w in v["journal"].split()
                                if w.lower() not in {"of", "the", "and"})
    for f, p in (("doi", 0.4), ("pages", 0.15), ("volume", 0.1), ("abstract", 0.3),
                 ("issue", 0.3)):
        if rnd.random() < p:
            v[f] = ""
    if rnd.random() < 0.05 and v["year"].isdigit():
        v["year"] = str(int(v["year"]) + 1)
    return v


def synthetic(n: int, seed: int = 7) -> tuple[list[dict], list[str]]:
    """A review of ``n`` records with a known truth, built from the corpora's records."""
    rnd = random.Random(seed)
    base: list[dict] = []
    for name in SETS:
        records, truth = load_set(DEDUP / name)
        seen = set()
        for r, t in zip(records, truth, strict=True):
            if t not in seen and r["title"]:
                seen.add(t)
                base.append(r)
    for f in sorted((SHARED / "screening").glob("*.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        for row in df.to_dict("records"):
            if not row.get("title"):
                continue
            authors = [a.strip() for a in row.get("authors", "").replace(";", ",").split(",")
                       if a.strip()] if ";" in row.get("authors", "") else []
            base.append({"id": "", "title": row["title"], "authors": authors,
                         "year": _s(row.get("year")), "journal": "", "volume": "", "issue": "",
                         "pages": "", "doi": "", "pmid": _s(row.get("pubmedID")),
                         "abstract": row.get("abstract", ""), "type": "article"})
    works: list[dict] = []
    n_works = int(n * 0.7)
    words = [w for r in base[:5000] for w in r["title"].split()[:6]]
    while len(works) < n_works:
        r = dict(rnd.choice(base))
        if len(works) >= len(base):  # a distinct sibling work: other words, authors, year, pages
            ws = r["title"].split()
            k = max(2, len(ws) // 3)
            ws[-k:] = rnd.sample(words, k)
            other = rnd.choice(base)
            r.update(title=" ".join(ws), authors=list(other["authors"]),
                     year=other["year"] or r["year"], pages=other["pages"],
                     abstract=other.get("abstract", ""), sibling=True,
                     volume=other["volume"], doi=f"10.9999/syn.{len(works)}" if r["doi"] else "",
                     pmid="")
        else:
            r = dict(base[len(works)])
        r["id"] = f"w{len(works)}"
        works.append(r)
    records, truth = [], []
    for w in works:
        records.append(w)
        truth.append(w["id"])
    i = 0
    while len(records) < n:
        w = rnd.choice(works)
        records.append(_variant(w, rnd, f"c{i}"))
        truth.append(w["id"])
        i += 1
    order = list(range(len(records)))
    rnd.shuffle(order)
    return [records[i] for i in order], [truth[i] for i in order]


def run_scale(n: int) -> None:
    """Run in a child process so that its peak memory is its own."""
    out = subprocess.run([sys.executable, __file__, "--scale-child", str(n)], capture_output=True,
                         text=True, check=True)
    print(out.stdout, end="")


def scale_child(n: int) -> None:
    t0 = time.perf_counter()
    records, truth = synthetic(n)
    build = time.perf_counter() - t0
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    result = dedupe_records(records)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    m = score(records, truth, result)
    all_pairs = n * (n - 1) // 2
    print(f"\nPart 2: synthetic review of {n:,} records ({len(set(truth)):,} works; built in "
          f"{build:.1f} s)")
    load = os.getloadavg()[0]
    print(f"  dedupe wall time        {dt:8.1f} s   (target < 60 s; load average {load:.1f} on "
          f"{os.cpu_count()} cores while it ran)")
    print(f"  dedupe CPU time         {cpu:8.1f} s   (one core; what an idle machine needs)")
    print(f"  peak memory (max RSS)   {rss / 1024:8.0f} MiB (target < 2048 MiB; "
          f"{rss0 / 1024:.0f} MiB before dedupe, data included)")
    print(f"  pairs compared          {result.pairs_compared:>12,}  vs all pairs {all_pairs:,} "
          f"(ratio 1:{all_pairs / max(1, result.pairs_compared):,.0f})")
    print(f"  quality on the synthetic truth: TP {m['TP']} FP {m['FP']} FN {m['FN']} TN "
          f"{m['TN']} sensitivity {m['sens']:.4f} specificity {m['spec']:.4f}")
    work = {r["id"]: t for r, t in zip(records, truth, strict=True)}
    made = {r["id"] for r in records if r.get("sibling")}
    joins = [(a, b) for g in result.groups for e in g.evidence for a, b in [e["pair"]]
             if work[a] != work[b]]
    by_builder = sum(1 for a, b in joins if a in made or b in made)
    print(f"  false joins (merges of two works' records): {len(joins)}; {by_builder} involve a "
          f"distinct work the builder made (a sibling), {len(joins) - by_builder} join two of "
          "the corpora's own records (some of them the same paper, listed twice by a set)")
    print(json.dumps({"n": n, "seconds": round(dt, 2), "cpu_seconds": round(cpu, 2),
                      "max_rss_mib": round(rss / 1024),
                      "pairs": result.pairs_compared}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", action="store_true", help="only the labelled sets")
    ap.add_argument("--scale", type=int, default=100_000, help="records in the synthetic set")
    ap.add_argument("--errors", action="store_true", help="print false merges and misses")
    ap.add_argument("--scale-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.scale_child:
        scale_child(args.scale_child)
        return
    if not DEDUP.exists():
        sys.exit(f"{DEDUP} is absent: the benchmark needs ../shared/corpora")
    run_sets(args.errors)
    run_screening_sets()
    if not args.sets:
        run_scale(args.scale)


if __name__ == "__main__":
    main()
