"""The learned ranker: nearest phrasings by character and word n-grams, weighed with the lexical evidence.

Two parts. `Neighbours` finds, for a question, how close it is to every entry's phrasings
(and to curated out-of-scope questions) by TF-IDF over character n-grams of words and over
words and word pairs of the normalised text. `Model` is a logistic regression (scikit-learn)
that turns the evidence for one candidate entry — its nearest phrasings, its lexical score
and the parts of that score, anchors, the question's scope signals and the peer topic
classifier's view (bot/core/peer.py) — into the probability that this entry is the right
answer. It is trained on the knowledge base's own
phrasings, each scored by a matcher built without it (out-of-fold), so its probabilities
mean what they say on questions it has not seen.

Because the model weighs evidence rather than memorising entries, a phrasing that curators
teach takes effect for the very next question: it joins the neighbours and the lexical index
at once, and the model needs no retraining. The model is retrained when the knowledge base
changes, and cached on disk keyed by the knowledge base's content hash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse

from bot.core.peer import ARRAYS as PEER_ARRAYS, Peer
from bot.core.vectors import Tfidf

# The features of one (question, candidate entry) pair, in the model's order.
FEATURES = (
    "knn", "knn2", "knn_gap", "knn_first", "lex", "lex_gap", "lex_first", "best", "coverage", "fuzzy",
    "keyword", "anchored", "unanchored", "excluded", "oos", "oos_lead", "domain", "offtopic", "normative",
    "length", "peer", "peer_rank", "peer_gap",
)


class Neighbours:
    """Similarity of a question to every entry's phrasings and to out-of-scope questions."""

    def __init__(self, texts: Sequence[str], owner: Sequence[int], n_entries: int,
                 vectorizers: tuple[Tfidf, Tfidf] | None = None):
        # Rows are kept grouped by owner (entries in order, then out-of-scope as n_entries),
        # so per-entry maxima are one reduceat.
        order = sorted(range(len(texts)), key=lambda k: owner[k])
        self.texts = [texts[k] for k in order]
        self.owner = np.asarray([owner[k] for k in order], dtype=np.int32)
        self.n_entries = n_entries
        if vectorizers is None:
            vectorizers = (Tfidf.fit(self.texts, "char_wb", (3, 5)), Tfidf.fit(self.texts, "word", (1, 2)))
        self.vectorizers = vectorizers
        # Column-major, so a question touches only the columns of its own n-grams.
        self.matrix = self._vectors(self.texts).T.tocsr()
        self._starts = np.searchsorted(self.owner, np.arange(n_entries + 2))

    def _vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        char, word = (v.transform(texts) for v in self.vectorizers)
        # Equal say for spelling (character n-grams) and wording (words, pairs).
        both = sparse.hstack([char, word], format="csr") * np.float32(math.sqrt(0.5))
        return both

    def with_texts(self, texts: Sequence[str], owner: Sequence[int]) -> Neighbours:
        """The same vectorisers over more phrasings (curators' learned examples)."""
        return Neighbours([*self.texts, *texts], [*self.owner.tolist(), *owner], self.n_entries, self.vectorizers)

    def similarities(self, text: str) -> tuple[np.ndarray, float]:
        """(similarity to every phrasing, in row order; best out-of-scope similarity)."""
        q = self._vectors([text])
        if not q.nnz:
            return np.zeros(len(self.owner), dtype=np.float32), 0.0
        sims = np.asarray(self.matrix[q.indices].T @ q.data, dtype=np.float32).ravel()
        oos = sims[self._starts[self.n_entries]:]
        return sims, float(oos.max()) if len(oos) else 0.0

    def per_entry(self, sims: np.ndarray) -> np.ndarray:
        """The best similarity of each entry's phrasings (every entry has at least its title)."""
        return np.maximum.reduceat(sims, self._starts[:self.n_entries]) if self.n_entries else sims[:0]

    def top_two(self, sims: np.ndarray, entry: int) -> float:
        """The mean of an entry's two closest phrasings (the one when it has one)."""
        group = sims[self._starts[entry]:self._starts[entry + 1]]
        if len(group) < 2:
            return float(group.max()) if len(group) else 0.0
        two = np.partition(group, len(group) - 2)[-2:]
        return float(two.mean())


@dataclass(frozen=True)
class Signals:
    """What the question as a whole shows, the same for every candidate."""

    domain: bool     # has an election or neutrality word
    offtopic: bool   # names an ASN matter that is out of scope (leave, salary, polling station ...)
    normative: bool  # asks whether something is allowed
    length: int      # content words
    negates: bool = False  # asks about NOT doing something ("bolehkah PNS tidak ikut kampanye")
    outsiders: frozenset[str] = frozenset()  # soldiers, police, employees named, when no ASN is


def candidate_features(cands: Sequence[int], lexical: dict, knn: np.ndarray, knn2: Sequence[float],
                       oos: float, signals: Signals, peer: np.ndarray | None = None) -> np.ndarray:
    """One row of FEATURES per candidate entry (`lexical`: entry -> its Lexical evidence).

    `peer`: the peer classifier's probability for each candidate's topic (zeros without one).
    """
    peer = np.zeros(len(cands)) if peer is None else np.asarray(peer, dtype=np.float64)
    peer_best = float(peer.max()) if len(peer) else 0.0
    # Rank among the candidates' topics: entries of one topic share it.
    levels = sorted(set(peer.tolist()), reverse=True)
    peer_rank = [levels.index(p) for p in peer.tolist()]
    knn_best = float(knn.max()) if len(knn) else 0.0
    knn_order = {e: r for r, e in enumerate(sorted(cands, key=lambda e: -knn[e]))}
    lex_best = max((c.score for c in lexical.values()), default=0.0)
    lex_order = {e: r for r, e in enumerate(sorted(lexical, key=lambda e: -lexical[e].score))}
    rows = []
    for k, e in enumerate(cands):
        lx = lexical.get(e)
        rows.append((
            knn[e], knn2[k], knn[e] - knn_best, float(knn_order[e] == 0),
            lx.score if lx else 0.0, (lx.score if lx else 0.0) - lex_best, float(lex_order.get(e) == 0),
            lx.best if lx else 0.0, lx.coverage if lx else 0.0, lx.fuzzy if lx else 0.0,
            float(bool(lx and lx.keywords)), float(bool(lx and lx.anchored > 0)),
            float(bool(lx and lx.anchored < 0)), float(bool(lx and lx.excluded)),
            oos, oos - knn_best, float(signals.domain), float(signals.offtopic), float(signals.normative),
            math.log1p(signals.length), peer[k], math.log1p(peer_rank[k]), peer[k] - peer_best,
        ))
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


@dataclass(frozen=True)
class Model:
    """A fitted logistic regression over standardised FEATURES: P(candidate is the right entry).

    `peer` is the topic classifier whose view three of the features carry; it travels with
    the model because the model was trained on its probabilities.
    """

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    features: tuple[str, ...] = FEATURES
    peer: Peer | None = None

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        z = ((rows - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays (numbers and strings) for the cache: no pickle."""
        out = {"features": np.asarray(self.features, dtype=str), "mean": np.asarray(self.mean),
               "scale": np.asarray(self.scale), "coef": np.asarray(self.coef),
               "intercept": np.asarray([self.intercept])}
        if self.peer is not None:
            out.update(self.peer.to_arrays())
        return out

    @classmethod
    def from_arrays(cls, data) -> Model:
        """Rebuild a model from `to_arrays()`; ValueError when it does not fit today's features."""
        if tuple(np.asarray(data["features"]).tolist()) != FEATURES:
            raise ValueError("model features differ from this version's")
        n = len(FEATURES)
        mean, scale, coef, intercept = (np.asarray(data[k], dtype=np.float64).ravel()
                                        for k in ("mean", "scale", "coef", "intercept"))
        if not (len(mean) == len(scale) == len(coef) == n and len(intercept) == 1):
            raise ValueError("model arrays are malformed")
        if not all(np.isfinite(a).all() for a in (mean, scale, coef, intercept)):
            raise ValueError("model arrays are not finite")
        if (scale <= 0).any():
            raise ValueError("model scale must be positive")
        peer = Peer.from_arrays(data) if PEER_ARRAYS[0] in data else None
        return cls(tuple(mean.tolist()), tuple(scale.tolist()), tuple(coef.tolist()), float(intercept[0]),
                   peer=peer)


def fit_model(rows: np.ndarray, labels: np.ndarray, *, c: float = 1.0, peer: Peer | None = None) -> Model:
    """Fit the logistic regression (scikit-learn) on candidate rows labelled right (1) or not (0)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(rows)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    clf = LogisticRegression(C=c, max_iter=2000).fit((rows - scaler.mean_) / scale, labels)
    return Model(tuple(scaler.mean_.tolist()), tuple(scale.tolist()), tuple(clf.coef_[0].tolist()),
                 float(clf.intercept_[0]), peer=peer)
