"""Benchmark: build the evidence map of a big review (1,000 studies, 10,000 findings).

Prints the time to write the pages, the time of the whole site build, and the size of the
matrix and "find barriers" pages and their data assets, against a baseline measured in the
same run: ``mkdocs build`` of this repository's own docs without the map.

Targets: the site builds in under 60 s; the matrix and "find barriers" pages are each under
1 MB (the findings load from a script asset and render 50 rows at a time).

    PYTHONPATH=src python bench/site.py [--studies 1000] [--findings 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DOMAINS = [
    "Knowledge", "Skills", "Social/Professional Role and Identity", "Beliefs about Capabilities",
    "Optimism", "Beliefs about Consequences", "Reinforcement", "Intentions", "Goals",
    "Memory, Attention and Decision Processes", "Environmental Context and Resources",
    "Social Influences", "Emotion", "Behavioural Regulation",
]
THEMES = [
    ("time-money", "Time and money"), ("know-how", "Knowledge and skills"),
    ("trust", "Trust and commitment"), ("support", "Support"),
    ("preferences", "Patient preferences"), ("usual-care", "Long way from usual care"),
    ("roles", "Roles and responsibilities"), ("systems", "Systems and rules"),
]
PERSPECTIVES = ["patients", "general practitioners", "physiotherapists", "managers", "nurses",
                "caseworkers"]
LEVELS = ["individual", "organisational", "system"]
_TEXT = """clinicians patients time exercise advice referral guideline trust pain work sick leave
training confidence funding consultation waiting list support family employer scan injection
expectation routine documentation pathway team manager nurse physiotherapy follow-up self-care
motivation fear movement belief evidence cost travel language"""
WORDS = _TEXT.split()


def make_review(root: Path, n_studies: int, n_findings: int, seed: int = 7) -> Path:
    """Write a synthetic review folder (manifest, codebook, one YAML file per study)."""
    from implmap.folder import ReviewFolder
    from implmap.manifest import Manifest

    rnd = random.Random(seed)
    folder = ReviewFolder.create(root, Manifest.model_validate({
        "format_version": 1, "title": "Synthetic review for the site benchmark",
        "question": "What helps and hinders the care that the synthetic studies describe?",
        "reviewers": [{"id": "ana"}, {"id": "ben"}],
    }))
    folder.studies_dir.mkdir(parents=True)
    folder.themes_path.write_text(yaml.safe_dump(
        [{"id": i, "name": n, "description": f"Findings about {n.lower()}."} for i, n in THEMES]))
    per = [n_findings // n_studies + (1 if k < n_findings % n_studies else 0)
           for k in range(n_studies)]
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for k in range(n_studies):
        sid = f"study-{k:04d}"
        findings = []
        for j in range(per[k]):
            doms = rnd.sample(DOMAINS, rnd.choice([1, 1, 2]))
            findings.append({
                "id": f"f{j + 1:02d}",
                "statement": " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(12, 30))) + ".",
                "type": rnd.choice(["barrier", "barrier", "facilitator"]),
                "perspective": rnd.sample(PERSPECTIVES, rnd.choice([1, 1, 2])),
                "level": rnd.choice(LEVELS),
                "tdf": [{"domain": d, "constructs": []} for d in doms],
                "themes": [t for t, _ in rnd.sample(THEMES, rnd.choice([1, 1, 2]))],
                "source": f"Results, p. {rnd.randint(2, 14)}",
                "coded_by": ["ana", "ben"],
            })
        study = {
            "id": sid, "records": [f"bench{k:04d}-1"], "year": 1995 + k % 30,
            "citation": f"Author{k} A, Writer B. A study of care number {k}. J Synth. "
                        f"{1995 + k % 30};{k % 40}:{k}-{k + 9}.",
            "doi": f"10.9999/synth.{k}", "country": rnd.choice(["Denmark", "UK", "Sweden"]),
            "setting": "General practice", "design": "Qualitative interviews",
            "participants": [{"group": "patients", "n": rnd.randint(8, 40)}],
            "implemented": "A synthetic intervention", "aims": "To benchmark the site.",
            "findings": findings,
        }
        (folder.studies_dir / f"{sid}.yaml").write_text(
            yaml.dump(study, Dumper=dumper, sort_keys=False, allow_unicode=True))
    return root


def baseline(tmp: Path) -> float:
    """Seconds for ``mkdocs build`` of this repository's docs without the evidence map."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    cfg = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    cfg["plugins"] = [p for p in cfg["plugins"] if not (isinstance(p, dict) and "implmap" in p)]
    cfg["nav"] = [n for n in cfg["nav"] if "Evidence map" not in n]
    cfg["docs_dir"] = str(ROOT / "docs")
    cfg["strict"] = False
    path = tmp / "mkdocs-baseline.yml"
    path.write_text(yaml.safe_dump(cfg))
    t = time.perf_counter()
    build(load_config(str(path), site_dir=str(tmp / "baseline-site")))
    return time.perf_counter() - t


def kb(path: Path) -> str:
    return f"{path.stat().st_size / 1024:8.1f} KB"


def _page(out: Path, name: str) -> Path:
    """The built page ``name``: ``name.html`` (implmap site build), or ``name/index.html`` in a
    site with directory URLs."""
    flat = out / f"{name}.html"
    return flat if flat.exists() else out / name / "index.html"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--studies", type=int, default=1000)
    ap.add_argument("--findings", type=int, default=10000)
    ap.add_argument("--keep", type=Path, default=None, help="keep the built site here")
    args = ap.parse_args()

    import logging

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    from implmap.site import build_pages
    from implmap.site.serve import build_site

    with tempfile.TemporaryDirectory(prefix="implmap-bench-") as tmp_s:
        tmp = Path(tmp_s)
        t = time.perf_counter()
        review = make_review(tmp / "review", args.studies, args.findings)
        t_make = time.perf_counter() - t

        c = time.process_time()
        t_base = baseline(tmp)
        c_base = time.process_time() - c

        t, c = time.perf_counter(), time.process_time()
        written = build_pages(review, tmp / "pages")
        t_pages, c_pages = time.perf_counter() - t, time.process_time() - c

        out = tmp / "site"
        t, c = time.perf_counter(), time.process_time()
        build_site(review, out, strict=False)
        t_site, c_site = time.perf_counter() - t, time.process_time() - c

        pages = sum(1 for p in written if p.suffix == ".md")
        print(f"review: {args.studies} studies, {args.findings} findings "
              f"(generated in {t_make:.1f} s)")
        print("times are wall clock (CPU time of this process in brackets; the machine is shared)")
        print(f"baseline  mkdocs build of the repo docs without the map: {t_base:6.1f} s "
              f"({c_base:.1f} s CPU)")
        print(f"map       build_pages ({pages} Markdown pages + assets):  {t_pages:6.1f} s "
              f"({c_pages:.1f} s CPU)")
        print(f"map       full site build (mkdocs + search index):      {t_site:6.1f} s "
              f"({c_site:.1f} s CPU; {t_site / t_base:.1f}x the baseline; target < 60 s: "
              f"{'met' if t_site < 60 else 'MISSED'})")
        sizes = {
            "matrix page      matrix.html": _page(out, "matrix"),
            "find page        find.html": _page(out, "find"),
            "find data        assets/find-data.js": out / "assets" / "find-data.js",
            "find script      assets/implmap-find.js": out / "assets" / "implmap-find.js",
            "stylesheet       assets/implmap.css": out / "assets" / "implmap.css",
            "download         downloads/findings.json": out / "downloads" / "findings.json",
            "search index     search/search_index.json": out / "search" / "search_index.json",
        }
        for label, path in sizes.items():
            print(f"size  {label:45s} {kb(path)}")
        domain_pages = [p for p in (out / "domains").rglob("*.html") if p.name != "index.html"]
        domain_pages += list((out / "domains").glob("*/index.html"))
        biggest = max(domain_pages, key=lambda p: p.stat().st_size)
        print(f"size  {'largest domain page':16s} {biggest.relative_to(out).as_posix():28s} "
              f"{kb(biggest)}")
        for key in ("matrix", "find"):
            ok = _page(out, key).stat().st_size < 1024 * 1024
            print(f"target {key} page < 1 MB: {'met' if ok else 'MISSED'}")
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(out, args.keep)


if __name__ == "__main__":
    main()
