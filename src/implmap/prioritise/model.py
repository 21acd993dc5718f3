"""The learning model behind prioritisation: TF-IDF features and a linear classifier.

Kept apart from the review folder so that the app's ranking and the simulations run the very
same code. The vectoriser is fitted once per set of records (it needs no labels); each refit
trains only the classifier on the labelled rows and re-scores every row with one sparse
matrix-vector product.

Choice (measured with ``bench/prioritise.py``; see docs/guides/prioritisation.md): word
1–2-gram TF-IDF with sublinear term frequencies and no stop-word list (dropping stop words and
unigram-only features both lost several points of WSS@95 on Kitchenham), and a linear SVM
(``LinearSVC``, C = 0.11, balanced class weights). Logistic regression ranked about as well but
refitted several times slower; SGD was fast but less stable across seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["CLASSIFIERS", "fit_scores", "query_scores", "vectorise"]

CLASSIFIERS = ("svm", "lr", "sgd", "nb")


def _vectoriser() -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        # keeping terms seen once (min_df=2 made refits ~2.5x faster but cost ~4 points of
        # WSS@95 on Cohen ACE in the benchmark)
        min_df=1,
        max_df=0.95,
        strip_accents="unicode",
        dtype=_float32(),
    )


def _float32() -> type[np.float32]:
    import numpy as np

    return np.float32


def vectorise(texts: Sequence[str]) -> tuple[TfidfVectorizer | None, sp.csr_matrix]:
    """Fit TF-IDF on ``texts``; returns ``(vectoriser, matrix)`` (CSR, one row per text).

    Texts that are all empty give an all-zero matrix of one column (nothing to learn from).
    """
    import numpy as np
    import scipy.sparse as sp

    vec = _vectoriser()
    try:
        X = vec.fit_transform(list(texts))
    except ValueError:  # empty vocabulary: no text at all (or only stop words)
        return None, sp.csr_matrix((len(texts), 1), dtype=np.float32)
    return vec, X.tocsr()


def query_scores(
    vec: TfidfVectorizer | None, X: sp.csr_matrix, terms: Sequence[str]
) -> np.ndarray:
    """Cosine similarity of every row of ``X`` to a query made of ``terms`` (cold start)."""
    import numpy as np

    if vec is None or not terms:
        return np.zeros(X.shape[0], dtype=np.float64)
    q = vec.transform([" ".join(terms)])
    return np.asarray((X @ q.T).todense()).ravel().astype(np.float64)


def _classifier(name: str, seed: int) -> Any:
    if name == "lr":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=1.0, solver="liblinear", max_iter=200)
    if name == "svm":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=0.11)
    if name == "sgd":
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(loss="modified_huber", alpha=1e-4, random_state=seed,
                             max_iter=30, tol=None)
    if name == "nb":
        from sklearn.naive_bayes import MultinomialNB

        return MultinomialNB(alpha=3.822)
    raise ValueError(f"unknown classifier {name!r} (known: {', '.join(CLASSIFIERS)})")


#: The included class carries this many times the total weight of the excluded class in each
#: fit (inclusions are rare; weighting them up finds them sooner). ASReview's default uses a
#: similar ratio (9.8); a plain "balanced" weighting (1.0) lost WSS on every benchmark set.
POSITIVE_WEIGHT = 10.0

#: At most this many excluded records train one refit (all included ones always do): beyond a
#: few thousand, more exclusions change the ranking little but make a refit slow (20,000
#: labelled records: 3.8 s; capped: well under 1 s). The sample is fixed by ``seed``.
MAX_NEGATIVES = 4000


def _weights(y: np.ndarray, ratio: float) -> np.ndarray:
    import numpy as np

    n1, n0 = int((y == 1).sum()), int((y == 0).sum())
    w = np.where(y == 1, 1.0, n1 / (ratio * n0))
    return w * (y.size / w.sum())


def fit_scores(
    X: sp.csr_matrix,
    train: np.ndarray,
    y: np.ndarray,
    *,
    classifier: str = "svm",
    seed: int = 0,
) -> np.ndarray:
    """Train on rows ``train`` with labels ``y`` (0/1, both present); score every row.

    Higher scores mean more likely relevant. Only the classifier is fitted here; with more
    than :data:`MAX_NEGATIVES` exclusions a seeded sample of them is used.
    """
    import numpy as np

    train = np.asarray(train)
    y = np.asarray(y)
    neg = np.flatnonzero(y == 0)
    if neg.size > MAX_NEGATIVES:
        keep = np.random.default_rng(seed).choice(neg, MAX_NEGATIVES, replace=False)
        rows = np.sort(np.concatenate([np.flatnonzero(y == 1), keep]))
        train, y = train[rows], y[rows]
    clf = _classifier(classifier, seed)
    if classifier == "nb":
        # Naive Bayes on few, unbalanced labels: balance by sample weights like ASReview does.
        w = np.where(y == 1, (y == 0).sum() / max(1, (y == 1).sum()), 1.0)
        clf.fit(X[train], y, sample_weight=w)
        return clf.predict_log_proba(X)[:, 1] - clf.predict_log_proba(X)[:, 0]
    clf.fit(X[train], y, sample_weight=_weights(y, POSITIVE_WEIGHT))
    coef = np.asarray(clf.coef_, dtype=np.float32).ravel()
    return np.asarray(X @ coef, dtype=np.float64).ravel() + float(np.ravel(clf.intercept_)[0])
