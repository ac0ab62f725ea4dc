"""Train the learned ranker on the knowledge base's own phrasings, out of fold.

Each example is scored by a matcher built without it (k folds), so the training rows carry
the evidence a new user's question would have, not that of a phrasing the index already
holds; the peer classifier of each fold is trained without it too, so its probabilities
are as honest. Curated out-of-scope questions are scored the same way, every candidate a
wrong one.
"""

from __future__ import annotations

import dataclasses
import random

import numpy as np

from bot.core.index import build_index, ranker_text
from bot.core.matching import gather
from bot.core.peer import Peer, fit_peer
from bot.core.ranker import Model, fit_model
from bot.core.text import Lexicon, normalize
from bot.kb.model import KnowledgeBase

FOLDS = 5
SEED = 20261201


def training_rows(kb: KnowledgeBase, lexicon: Lexicon, *, folds: int = FOLDS,
                  seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, labels, question number) for every held-out example and out-of-scope question."""
    rng = random.Random(seed)
    examples = [(i, n) for i, e in enumerate(kb.entries) for n in range(len(e.examples))]
    rng.shuffle(examples)
    fold_of = {key: k % folds for k, key in enumerate(examples)}
    oos = list(kb.lexicon_data.get("outofscope") or ())
    rows, labels, groups = [], [], []
    question = 0
    for f in range(folds):
        entries = tuple(dataclasses.replace(e, examples=tuple(x for n, x in enumerate(e.examples) if fold_of[(i, n)] != f))
                        for i, e in enumerate(kb.entries))
        data = dict(kb.lexicon_data, outofscope=[q for k, q in enumerate(oos) if k % folds != f])
        part = dataclasses.replace(kb, entries=entries, lexicon_data=data)
        index = build_index(part, lexicon=lexicon, peer=train_peer(part, lexicon))
        held = [(kb.entries[i].examples[n], kb.entries[i].topic) for (i, n), g in fold_of.items() if g == f]
        held += [(q, None) for k, q in enumerate(oos) if k % folds == f]
        for text, topic in held:
            ev = gather(text, index)
            if not ev.candidates:
                continue
            rows.append(ev.rows)
            labels.extend(int(index.entries[c].topic == topic) for c in ev.candidates)
            groups.extend([question] * len(ev.candidates))
            question += 1
    return np.vstack(rows), np.asarray(labels), np.asarray(groups)


def train_peer(kb: KnowledgeBase, lexicon: Lexicon) -> Peer | None:
    """The peer classifier over every entry's title, examples and keywords, normalised."""
    texts, topics = [], []
    for e in kb.entries:
        for text in (e.title, *e.examples, *e.keywords):
            norm = ranker_text(normalize(text, lexicon))
            if norm:
                texts.append(norm)
                topics.append(e.topic)
    return fit_peer(texts, topics)


# Fewer held-out questions than this, and the lexical score decides alone (a tiny knowledge base).
MIN_QUESTIONS = 40


def train(kb: KnowledgeBase, lexicon: Lexicon) -> Model | None:
    """The ranker for this knowledge base, or None when it is too small to learn from."""
    if sum(len(e.examples) for e in kb.entries) < MIN_QUESTIONS or len({e.topic for e in kb.entries}) < 2:
        return None
    rows, labels, groups = training_rows(kb, lexicon)
    if len(set(groups.tolist())) < MIN_QUESTIONS or len(set(labels.tolist())) < 2:
        return None
    return fit_model(rows, labels, peer=train_peer(kb, lexicon))
