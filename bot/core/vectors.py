"""TF-IDF over character n-grams of words or over word n-grams, without scikit-learn at run time.

The same numbers as scikit-learn's TfidfVectorizer (analyzer "char_wb" or "word" with
token_pattern r"\\S+", sublinear_tf, smooth_idf, l2 norm, alphabetical vocabulary), so a
model trained with scikit-learn reads these vectors as its own. Importing scikit-learn
takes over a second; the bot needs it only to train.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Sequence

import numpy as np
from scipy import sparse


def char_wb_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Character n-grams inside word boundaries, each word padded with a space (as scikit-learn)."""
    out: list[str] = []
    for w in text.split():
        w = f" {w} "
        size = len(w)
        for n in range(lo, hi + 1):
            if size <= n:  # a short word counts once, whole
                out.append(w)
                break
            out.extend(w[k:k + n] for k in range(size - n + 1))
    return out


def word_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Word n-grams of the whitespace-separated tokens."""
    tokens = text.split()
    return [" ".join(tokens[k:k + n]) for n in range(lo, hi + 1) for k in range(len(tokens) - n + 1)]


ANALYZERS = {"char_wb": char_wb_ngrams, "word": word_ngrams}


class Tfidf:
    """A fitted TF-IDF vectoriser: vocabulary (term -> column) and the columns' IDF."""

    def __init__(self, analyzer: str, ngram: tuple[int, int], vocabulary: dict[str, int], idf: np.ndarray):
        self.analyzer, self.ngram = analyzer, ngram
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self._ngrams = ANALYZERS[analyzer]

    @classmethod
    def fit(cls, texts: Sequence[str], analyzer: str, ngram: tuple[int, int], *, min_df: int = 1) -> Tfidf:
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(ANALYZERS[analyzer](text, *ngram)))
        terms = sorted(t for t, n in df.items() if n >= min_df)
        idf = np.asarray([math.log((1 + len(texts)) / (1 + df[t])) + 1.0 for t in terms])
        return cls(analyzer, ngram, {t: k for k, t in enumerate(terms)}, idf)

    @property
    def terms(self) -> list[str]:
        return sorted(self.vocabulary, key=self.vocabulary.get)

    def transform(self, texts: Iterable[str]) -> sparse.csr_matrix:
        """One l2-normalised row of sublinear TF times IDF per text (float32)."""
        indptr, indices, data = [0], [], []
        vocab = self.vocabulary
        for text in texts:
            counts = Counter(g for g in self._ngrams(text, *self.ngram) if g in vocab)
            cols = np.fromiter((vocab[g] for g in counts), dtype=np.int64, count=len(counts))
            vals = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[cols]
            norm = math.sqrt(float(vals @ vals)) if len(vals) else 0.0
            order = np.argsort(cols)
            indices.append(cols[order])
            data.append(vals[order] / norm if norm else vals[order])
            indptr.append(indptr[-1] + len(cols))
        return sparse.csr_matrix(
            (np.concatenate(data).astype(np.float32) if data else np.zeros(0, np.float32),
             np.concatenate(indices) if indices else np.zeros(0, np.int64), np.asarray(indptr)),
            shape=(len(indptr) - 1, len(vocab)))
