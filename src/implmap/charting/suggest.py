"""Suggested TDF domains and themes for findings that nobody has tagged yet.

A TF-IDF representation of the statements (words and word pairs) feeds one logistic regression
per label (one-vs-rest). The training examples are the review's tagged findings (their agreed
tags) plus, as cold-start examples, the vocabulary itself: each TDF domain's name and
description, each construct's name, and each theme's name and description. Suggestions carry a
confidence (the model's probability for that label) and are never written into a study file:
they are printed, or written to ``charting/suggestions.yaml`` for a person to accept or not.

How good are they? ``bench/suggest.py`` measures leave-one-study-out accuracy on the bundled
review; see the charting guide.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .store import load_studies
from .vocab import load_vocabulary

if TYPE_CHECKING:
    import numpy as np

    from ..folder import ReviewFolder
    from .model import Study
    from .vocab import Vocabulary

__all__ = [
    "Suggestion",
    "TagModel",
    "loso_accuracy",
    "suggest",
    "suggest_texts",
    "write_suggestions",
]

VOCAB_WEIGHT = 0.5  # a cold-start example counts half as much as a tagged finding


@dataclass(frozen=True)
class Suggestion:
    """One suggested tag for one finding: ``kind`` is ``"domain"`` or ``"theme"``."""

    study: str
    finding: str
    statement: str
    kind: str
    label: str
    confidence: float
    rank: int

    def to_dict(self) -> dict[str, Any]:
        return {"study": self.study, "finding": self.finding, "kind": self.kind,
                "label": self.label, "confidence": round(self.confidence, 3), "rank": self.rank}


class TagModel:
    """TF-IDF + one-vs-rest logistic regression over a fixed list of labels."""

    def __init__(self, labels: Sequence[str], C: float = 4.0):
        self.labels = list(labels)
        self.C = C
        self._vec: Any = None
        self._models: list[Any] = []

    def fit(self, texts: Sequence[str], label_sets: Sequence[Sequence[str]],
            weights: Sequence[float] | None = None) -> TagModel:
        """Learn from ``texts`` tagged with ``label_sets`` (each a list of labels)."""
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self._vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                    stop_words="english", strip_accents="unicode")
        x = self._vec.fit_transform(texts)
        w = np.ones(len(texts)) if weights is None else np.asarray(weights, dtype=float)
        self._models = []
        for label in self.labels:
            y = np.array([label in s for s in label_sets], dtype=int)
            if y.min() == y.max():  # a label with no example (or only examples): a constant
                self._models.append(float(y[0]) if len(y) else 0.0)
                continue
            m = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear")
            m.fit(x, y, sample_weight=w)
            self._models.append(m)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, one row per text and one column per label."""
        import numpy as np

        x = self._vec.transform(texts)
        cols = [np.full(x.shape[0], m) if isinstance(m, float) else m.predict_proba(x)[:, 1]
                for m in self._models]
        return np.column_stack(cols) if cols else np.zeros((x.shape[0], 0))

    def rank(self, texts: Sequence[str], top: int = 3) -> list[list[tuple[str, float]]]:
        """The ``top`` labels for each text with their probabilities, best first."""
        probs = self.predict_proba(texts)
        out = []
        for row in probs:
            order = sorted(range(len(self.labels)), key=lambda j: (-row[j], j))[:top]
            out.append([(self.labels[j], float(row[j])) for j in order])
        return out


def _training(studies: Sequence[Study], vocab: Vocabulary, kind: str, use_vocab: bool = True,
              ) -> tuple[list[str], list[list[str]], list[float]]:
    texts: list[str] = []
    labels: list[list[str]] = []
    weights: list[float] = []
    for s in studies:
        for f in s.findings:
            tags = f.domains if kind == "domain" else list(f.themes)
            if tags:
                texts.append(f.statement)
                labels.append(tags)
                weights.append(1.0)
    if use_vocab:
        dt, dl, tt, tl = vocab.training_texts()
        vt, vl = (dt, dl) if kind == "domain" else (tt, tl)
        texts += vt
        labels += [[x] for x in vl]
        weights += [VOCAB_WEIGHT] * len(vt)
    return texts, labels, weights


def train(studies: Sequence[Study], vocab: Vocabulary, kind: str = "domain",
          use_vocab: bool = True) -> TagModel | None:
    """A :class:`TagModel` for ``kind`` ("domain" or "theme"), or None with nothing to learn."""
    labels = vocab.domain_names if kind == "domain" else vocab.theme_ids
    texts, tags, weights = _training(studies, vocab, kind, use_vocab)
    if not labels or not texts:
        return None
    return TagModel(labels).fit(texts, tags, weights)


def suggest_texts(review: ReviewFolder, texts: Sequence[str], top: int = 3
                  ) -> list[dict[str, list[tuple[str, float]]]]:
    """Suggested domains and themes for free ``texts`` (for example a new statement)."""
    studies = load_studies(review)
    vocab = load_vocabulary(review)
    out: list[dict[str, list[tuple[str, float]]]] = [{} for _ in texts]
    for kind in ("domain", "theme"):
        model = train(studies, vocab, kind)
        if model is None:
            continue
        for i, ranked in enumerate(model.rank(list(texts), top)):
            out[i][kind] = ranked
    return out


def suggest(review: ReviewFolder, top: int = 3, study: str | None = None) -> list[Suggestion]:
    """Suggestions for every finding without TDF domains (and for every one without themes).

    ``study`` restricts them to one study (its ID, a unique prefix, or its file path). The
    review's files are not changed.
    """
    studies = load_studies(review)
    if study is not None:
        from pathlib import Path

        if study.endswith((".yaml", ".yml")):
            study = Path(study).stem
        from .vocab import match_choice

        study = match_choice(study, [s.id for s in studies], "study")
    vocab = load_vocabulary(review)
    out: list[Suggestion] = []
    for kind in ("domain", "theme"):
        todo = [(s, f) for s in studies for f in s.findings
                if (study is None or s.id == study)
                and not (f.domains if kind == "domain" else f.themes)]
        if not todo:
            continue
        model = train(studies, vocab, kind)
        if model is None:
            continue
        for (s, f), ranked in zip(todo, model.rank([f.statement for _, f in todo], top),
                                  strict=True):
            out.extend(Suggestion(s.id, f.id, f.statement, kind, label, p, r)
                       for r, (label, p) in enumerate(ranked, start=1))
    out.sort(key=lambda x: (x.study, x.finding, x.kind, x.rank))
    return out


def write_suggestions(review: ReviewFolder, suggestions: Sequence[Suggestion]) -> str:
    """Write ``charting/suggestions.yaml`` (atomically); returns its path relative to the review.

    The file is separate from the study files: accept a suggestion by copying it into the
    finding's ``tdf`` or ``themes`` yourself.
    """
    import yaml

    from ..fsio import write_atomic

    by: dict[tuple[str, str], dict[str, Any]] = {}
    for s in suggestions:
        entry = by.setdefault((s.study, s.finding), {
            "study": s.study, "finding": s.finding, "statement": s.statement})
        key = "domains" if s.kind == "domain" else "themes"
        entry.setdefault(key, []).append({s.kind: s.label, "confidence": round(s.confidence, 3)})
    head = ("# Suggested tags written by `implmap suggest --write`. Nothing here is applied:\n"
            "# copy what you accept into the finding's tdf/themes in charting/studies/.\n")
    body = yaml.safe_dump({"suggestions": list(by.values())}, sort_keys=False,
                          allow_unicode=True, width=100)
    write_atomic(review.suggestions_path, head + body)
    return str(review.rel(review.suggestions_path))


def loso_accuracy(studies: Sequence[Study], vocab: Vocabulary, kind: str = "domain"
                  ) -> dict[str, dict[str, float]]:
    """Leave-one-study-out top-1 and top-3 accuracy of the suggestions and two baselines.

    For each study, the models learn from the other studies' tagged findings and are scored on
    that study's tagged findings: a hit when a suggested label (the first, or any of the first
    three) is among the agreed tags. Methods: ``model`` (tagged findings + vocabulary),
    ``majority`` (the labels most frequent in the other studies), ``vocabulary only`` (the
    model trained on the vocabulary's names and descriptions alone).
    """
    labels = vocab.domain_names if kind == "domain" else vocab.theme_ids
    hits: dict[str, list[tuple[bool, bool]]] = {"model": [], "majority": [],
                                                "vocabulary only": []}

    def tags(f: Any) -> list[str]:
        return f.domains if kind == "domain" else list(f.themes)

    vocab_model = train([], vocab, kind)
    for held in studies:
        test = [f for f in held.findings if tags(f)]
        if not test:
            continue
        rest = [s for s in studies if s.id != held.id]
        texts = [f.statement for f in test]
        ranked: dict[str, list[list[str]]] = {}
        model = train(rest, vocab, kind)
        ranked["model"] = [[lab for lab, _ in r] for r in model.rank(texts, 3)] if model else []
        counts = Counter(t for s in rest for f in s.findings for t in tags(f))
        order = sorted(labels, key=lambda lab: (-counts[lab], labels.index(lab)))[:3]
        ranked["majority"] = [order for _ in test]
        ranked["vocabulary only"] = ([[lab for lab, _ in r] for r in vocab_model.rank(texts, 3)]
                                     if vocab_model else [])
        for method, rows in ranked.items():
            for f, r in zip(test, rows, strict=True):
                gold = set(tags(f))
                hits[method].append((r[0] in gold, bool(gold & set(r[:3]))))
    out: dict[str, dict[str, float]] = {}
    for method, hs in hits.items():
        n = len(hs)
        out[method] = {"n": float(n),
                       "top1": sum(h[0] for h in hs) / n if n else float("nan"),
                       "top3": sum(h[1] for h in hs) / n if n else float("nan")}
    return out
