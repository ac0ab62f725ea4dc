"""The peer view: a topic classifier over the whole question, one more voice for the ranker.

TF-IDF over character n-grams (char_wb 2-5) and words (1-2) of the normalised text, and a
multinomial logistic regression over topics, trained on every entry's title, examples and
keywords (as benchmarks/peer.py's classifier, on normalised instead of lower-cased text).
Forced to name a topic it is right for about nine in-scope questions in ten, but it never
abstains; the ranker reads its probabilities as features beside the lexical and
nearest-phrasing evidence, and its best topics join the candidates.

Stored as plain arrays (vocabularies, IDF, weights), never as a pickle; read with
bot/core/vectors.py, so answering needs no scikit-learn (training does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse

from bot.core.vectors import Tfidf

C = 20.0
TOL = 1e-3
MIN_DF = 2
# The array names of `to_arrays()`, for the cache.
ARRAYS = ("peer_char_vocab", "peer_char_idf", "peer_word_vocab", "peer_word_idf", "peer_weights", "peer_bias",
          "peer_classes")


CHAR, WORD = ("char_wb", (2, 5)), ("word", (1, 2))


@dataclass(frozen=True, eq=False)
class Peer:
    """A fitted topic classifier: P(topic | question) for every topic in `classes`."""

    char: Tfidf
    word: Tfidf
    weights: np.ndarray  # (features, classes), float32, row-major: a question touches its own rows
    bias: np.ndarray     # (classes,)
    classes: tuple[str, ...]

    def probabilities(self, text: str) -> np.ndarray:
        """P(topic) for the normalised `text`, in `classes` order (uniform for an empty text)."""
        q = sparse.hstack([self.char.transform([text]), self.word.transform([text])], format="csr")
        z = self.bias + (self.weights[q.indices].T @ q.data if q.nnz else 0.0)
        z = np.exp(z - z.max())
        return z / z.sum()

    def to_arrays(self) -> dict[str, np.ndarray]:
        return dict(zip(ARRAYS, (np.asarray(self.char.terms, dtype=str), self.char.idf.astype(np.float32),
                                 np.asarray(self.word.terms, dtype=str), self.word.idf.astype(np.float32),
                                 self.weights, self.bias, np.asarray(self.classes, dtype=str))))

    @classmethod
    def from_arrays(cls, arrays) -> Peer:
        """Rebuild from `to_arrays()`; ValueError when the arrays do not fit together."""
        char_vocab, char_idf, word_vocab, word_idf, weights, bias, classes = (np.asarray(arrays[k]) for k in ARRAYS)
        n = len(char_vocab) + len(word_vocab)
        if (char_idf.shape != char_vocab.shape or word_idf.shape != word_vocab.shape or weights.ndim != 2
                or weights.shape != (n, len(classes)) or bias.shape != (len(classes),) or len(classes) < 2
                or not (np.isfinite(weights).all() and np.isfinite(bias).all() and np.isfinite(char_idf).all()
                        and np.isfinite(word_idf).all())):
            raise ValueError("peer arrays are malformed")
        char = Tfidf(*CHAR, {t: k for k, t in enumerate(char_vocab.tolist())}, char_idf)
        word = Tfidf(*WORD, {t: k for k, t in enumerate(word_vocab.tolist())}, word_idf)
        return cls(char, word, np.ascontiguousarray(weights, dtype=np.float32), bias.astype(np.float32),
                   tuple(classes.tolist()))


def fit_peer(texts: Sequence[str], topics: Sequence[str]) -> Peer | None:
    """Fit the classifier on normalised texts labelled with topics; None with fewer than two topics."""
    from sklearn.linear_model import LogisticRegression

    if len(set(topics)) < 2:
        return None
    char, word = Tfidf.fit(texts, *CHAR, min_df=MIN_DF), Tfidf.fit(texts, *WORD, min_df=MIN_DF)
    x = sparse.hstack([char.transform(texts), word.transform(texts)], format="csr")
    # newton-cg reaches lbfgs's optimum at this tolerance in a quarter of the time.
    clf = LogisticRegression(C=C, tol=TOL, solver="newton-cg", max_iter=200).fit(x, list(topics))
    classes = tuple(str(c) for c in clf.classes_)
    weights, bias = clf.coef_, clf.intercept_
    if len(classes) == 2:  # the binary case has one row of weights: the second class's
        weights, bias = np.vstack([-weights[0] / 2, weights[0] / 2]), np.asarray([-bias[0] / 2, bias[0] / 2])
    return Peer(char, word, np.ascontiguousarray(weights.T, dtype=np.float32), bias.astype(np.float32), classes)
