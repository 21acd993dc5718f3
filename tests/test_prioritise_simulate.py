"""Simulation CLI on a small hand-made labelled CSV, metric definitions, bad CSVs, progress."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from implmap.cli import cli
from implmap.errors import InputFormatError
from implmap.prioritise.dataset import read_labelled_csv
from implmap.prioritise.results import wss_classic, wss_insights
from support.builders import write_decisions

TOY = Path(__file__).parent / "fixtures" / "prioritise" / "toy.ris"

TOPICS = ["soil carbon under tillage", "graphene thermal conductivity", "tern migration routes",
          "steel corrosion in seawater", "surface code thresholds", "volcanic ash forecasts",
          "gut microbes and fibre", "traffic sign recognition", "membrane transporter structure",
          "statins for heart disease"]
RELEVANT = ["barriers to exercise therapy for knee osteoarthritis in primary care",
            "physiotherapists implementing osteoarthritis guidelines: barriers and facilitators",
            "general practitioners' barriers to referral for osteoarthritis exercise therapy",
            "implementing an osteoarthritis education and exercise programme: barriers",
            "patients' barriers to exercise therapy for hip osteoarthritis"]


def _write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _small_set(tmp_path: Path) -> Path:
    rows = []
    n = 0
    for i, topic in enumerate(TOPICS):
        for variant in ("a study of", "new findings on", "a review of", "methods for"):
            n += 1
            rows.append({"record_id": n, "title": f"{variant.capitalize()} {topic}",
                         "abstract": f"We describe {variant} {topic} (site {i}).",
                         "label_included": 0})
    for t in RELEVANT:
        n += 1
        rows.append({"record_id": n, "title": t.capitalize(),
                     "abstract": f"Interviews about {t}.", "label_included": 1})
    n += 1
    rows.append({"record_id": n, "title": "", "abstract": "", "label_included": 0})
    return _write_csv(tmp_path / "small.csv", rows)


def test_simulate_cli_writes_png_svg_and_figures(tmp_path):
    data = _small_set(tmp_path)
    out = tmp_path / "sim"
    result = CliRunner().invoke(cli, ["simulate", str(data), "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "WSS@95 (asreview-insights definition)" in result.output
    assert "WSS@95 (classic, Cohen 2006)" in result.output
    png, svg = out / "recall.png", out / "recall.svg"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:500]
    figures = json.loads((out / "simulation.json").read_text())
    assert figures["records"] == 46 and figures["inclusions"] == 5
    # the model finds the five inclusions long before a random order would (46 records)
    assert figures["to_100"] <= 12
    assert figures["stop_at"] is not None and figures["stop_recall"] == 1.0


def test_wss_definitions_on_a_known_order():
    # 100 records, 20 inclusions: 19 found after 20 records (2 starting ones), the 20th last
    lab = np.asarray([1, 0] + [1] * 18 + [0] * 79 + [1])
    assert lab.sum() == 20 and lab.size == 100
    # classic: ceil(0.95 * 20) = 19 inclusions after 20 records: 80/100 - 0.05
    assert wss_classic(lab) == pytest.approx(0.75)
    # insights (priors dropped): 19 inclusions left in 98 records; ceil(0.95*19) = 19 = all,
    # so the last one (record 98 of 98) counts; the "random" curve round(linspace(0, 19, 98))
    # reaches 19 at record 96: (95 - 97) / 98 (0-based positions, as asreview-insights does)
    assert wss_insights(lab, n_priors=2) == pytest.approx(-2 / 98)
    # all found at once after the priors: random needs 96 records, this order 19
    best = np.asarray([1, 0] + [1] * 19 + [0] * 79)
    assert wss_insights(best, n_priors=2) == pytest.approx((95 - 18) / 98)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"record_id": 1, "title": "t", "label_included": 1}], "missing column.*abstract"),
        ([{"record_id": 1, "title": "t", "abstract": "a", "label_included": 0},
          {"record_id": 2, "title": "u", "abstract": "b", "label_included": 0}],
         "no record has label_included = 1"),
        ([{"record_id": 1, "title": "t", "abstract": "a", "label_included": 1},
          {"record_id": 2, "title": "u", "abstract": "b", "label_included": "yes"}],
         r"line 3: label_included must be 0 or 1, not 'yes'"),
        ([{"record_id": 1, "title": "t", "abstract": "a", "label_included": 1},
          {"record_id": 1, "title": "u", "abstract": "b", "label_included": 0}],
         "line 3: record_id '1' repeats line 2"),
    ],
)
def test_bad_csv_errors_name_file_and_line(tmp_path, rows, message):
    path = _write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(InputFormatError, match=message) as info:
        read_labelled_csv(path)
    assert str(path) in str(info.value)
    result = CliRunner().invoke(cli, ["simulate", str(path)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "Traceback" not in result.output


def test_missing_file(tmp_path):
    result = CliRunner().invoke(cli, ["simulate", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1 and "no such file" in result.output


def test_progress_is_blinded_and_lists_textless_records(review):
    review.import_file(TOY, database="Hand-made")
    recs = review.record_dicts()
    titles = {r["id"]: r.get("title") or "" for r in recs}
    rel = [r for r, t in titles.items() if "osteoarthritis" in t.lower()]
    irr = [r for r, t in titles.items() if t and "osteoarthritis" not in t.lower()]
    write_decisions(review, "ana", "title_abstract", dict.fromkeys(rel[:3], "include"))
    write_decisions(review, "ana", "title_abstract", dict.fromkeys(irr[:4], "exclude"))
    runner = CliRunner()
    args = ["progress", "--reviewer", "ana", "--review", str(review.root), "--json"]
    before = runner.invoke(cli, args)
    assert before.exit_code == 0, before.output
    # ben screens everything: ana's progress must not change
    write_decisions(review, "ben", "title_abstract", dict.fromkeys(titles, "include"))
    after = runner.invoke(cli, args)
    assert after.output == before.output
    p = json.loads(before.output)
    assert p["screened"] == 7 and p["included"] == 3 and p["total"] == 16
    assert len(p["textless"]) == 1
    assert p["estimate"]["found"] == 3 and not p["estimate"]["reached"]
    text = runner.invoke(cli, args[:-1])
    assert "7 of 16 records screened" in text.output
    assert p["textless"][0] in text.output and "by hand" in text.output


def test_progress_unknown_reviewer_is_a_clear_error(review):
    result = CliRunner().invoke(cli, ["progress", "--reviewer", "zed", "-r", str(review.root)])
    assert result.exit_code == 1 and "unknown reviewer 'zed'" in result.output
