"""Commands for prioritised screening: progress (with the stopping estimate) and simulate."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import open_review, review_option

__all__ = ["COMMANDS"]


@click.command()
@click.option("--reviewer", required=True, help="Your reviewer ID (only your decisions count).")
@click.option("--stage", default="title_abstract", show_default=True, help="The stage.")
@click.option("--target", default=0.95, show_default=True, type=click.FloatRange(0.01, 0.99),
              help="The recall target the estimate tests.")
@click.option("--confidence", default=0.95, show_default=True,
              type=click.FloatRange(0.5, 0.999), help="The confidence level.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@review_option
def progress(reviewer: str, stage: str, target: float, confidence: float, as_json: bool,
             review_path: Path) -> None:
    """Your screening progress and an estimate of the recall reached so far.

    Blinded: it counts only your own decisions and resolved final decisions. The estimate
    informs; it never stops screening.
    """
    from ..prioritise.progress import screening_progress

    review = open_review(review_path)
    p = screening_progress(review, reviewer, stage, target=target, confidence=confidence)
    if as_json:
        click.echo(json.dumps(p.to_dict(), indent=2, sort_keys=True))
        return
    click.echo(f"Reviewer {p.reviewer}, stage {p.stage}: {p.screened} of {p.total} records "
               f"screened ({p.remaining} to go), {p.included} included or maybe.")
    if p.resolved:
        click.echo(f"{p.resolved} of them carry a resolved final decision.")
    click.echo("Stopping estimate: " + p.estimate.sentence())
    click.echo("(It assumes your most recent decisions followed the ranking; it informs, "
               "it never stops screening.)")
    if p.textless:
        click.echo(f"{len(p.textless)} record(s) have no title and no abstract: the model cannot "
                   "judge them, look at them by hand:")
        for rid in p.textless:
            click.echo(f"  {rid}")


@click.command()
@click.argument("labelled", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", default=0, show_default=True, help="Seed for the starting records.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for recall.png, recall.svg and simulation.json.")
@click.option("--classifier", default="svm", show_default=True,
              type=click.Choice(["svm", "lr", "sgd", "nb"]), help="The classifier.")
@click.option("--every", is_flag=True,
              help="Retrain after every label (slower) instead of the adaptive schedule.")
def simulate(labelled: Path, seed: int, out_dir: Path | None, classifier: str,
             every: bool) -> None:
    """Replay LABELLED.csv (record_id, title, abstract, label_included) to measure the ranking."""
    from ..prioritise.simulate import simulate_csv

    r = simulate_csv(labelled, seed=seed, out_dir=out_dir, classifier=classifier,
                     schedule="every" if every else "adaptive")
    click.echo(f"{labelled}: {r.records} records, {r.inclusions} included; seed {r.seed}.")
    click.echo(f"WSS@95 (asreview-insights definition): {r.wss95_insights:.1%}")
    click.echo(f"WSS@95 (classic, Cohen 2006):           {r.wss95_classic:.1%}")
    click.echo(f"Recall after screening 10%:             {r.recall_at_10:.1%}")
    click.echo(f"Records screened to find 95% / 100%:    {r.to_95} / {r.to_100}")
    if r.stop_at is not None:
        click.echo(f"Stopping estimate first claims 95% recall (95% confidence) after "
                   f"{r.stop_at} records; true recall then {r.stop_recall:.1%}.")
    click.echo(f"{r.refits} refits, {r.seconds:.1f} s.")
    if out_dir is not None:
        click.echo(f"Wrote {out_dir / 'recall.png'}, {out_dir / 'recall.svg'} and "
                   f"{out_dir / 'simulation.json'}.")


COMMANDS = [progress, simulate]
