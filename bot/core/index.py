"""The matcher's index: a knowledge base and its lexicon, precomputed for fast scoring.

Built once at start (and again on reload or when curators teach a new phrasing); pure.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from bot.kb.model import Entry, KnowledgeBase
from bot.core.peer import Peer
from bot.core.ranker import Model, Neighbours
from bot.core.text import Lexicon, _candidates, clean, normalize

# A keyword counts only when at most this share of the entries use its words.
KEYWORD_MAX_SHARE = 0.12


@dataclass(frozen=True)
class Cutoffs:
    """Where the decision between answered / suggest / unanswered falls, on one score scale."""

    answer: float              # minimum score to answer outright
    margin: float              # lead over the best entry of another topic to answer outright
    agree_margin: float        # the smaller lead that suffices when every close rival also prohibits
    suggest: float             # minimum score to offer an entry as a choice
    suggest_gap: float         # choices within this distance of the best one
    strong: float              # a question without election words, or about an out-of-scope
                               # matter, is answered only at this score
    single: float              # the best one answered when no other topic is near enough to offer
    floor: float               # below this an entry is not offered at all
    rival: float = 0.0         # an entry of another topic below this is no rival
    permissive: float = 0.0    # the least score to answer with a verdict that allows anything
    stricter: float = 1.0      # a stricter entry of another topic at this score blocks such an answer


# The lexical score alone (no ranker): calibrated on the development set in the first build.
LEXICAL = Cutoffs(answer=0.36, margin=0.08, agree_margin=0.04, suggest=0.28, suggest_gap=0.12, strong=0.80,
                  single=0.36, floor=0.22, permissive=0.36, stricter=1.01)
# The ranker's probability that an entry is right: fitted on the project's labelled sets
# (benchmarks/calibration.py prints the table behind these).
RANKED = Cutoffs(answer=0.6, margin=0.15, agree_margin=0.1, suggest=0.15, suggest_gap=0.5, strong=0.9,
                 single=0.4, floor=0.05, rival=0.1, permissive=0.5, stricter=0.1)


@dataclass(frozen=True)
class Thresholds:
    """The lexical score's weights and the two decision scales; see benchmarks/ and the eval command."""

    lexical: Cutoffs = LEXICAL
    ranked: Cutoffs = RANKED
    fuzzy_floor: float = 0.30  # a best-example similarity below this is penalised
    w_best: float = 0.50       # weight of the closest single phrasing (weighted token F1)
    w_cov: float = 0.40        # weight of how much of the question the entry's vocabulary covers
    w_fuzzy: float = 0.10      # weight of the fuzzy text similarity to the closest phrasing
    w_kw: float = 0.10         # weight of the entry's keywords found in the question
    unknown_weight: float = 1.0  # weight of a word the knowledge base never uses, relative to the rarest
    anchor_bonus: float = 0.03  # an entry one of whose anchor words the question has
    anchor_penalty: float = 0.80  # an entry with anchors none of which the question has


@dataclass(frozen=True)
class _Doc:
    entry: int
    tokens: frozenset[str]
    text: str
    weight: float
    total: float = 0.0  # sum of the tokens' IDF, filled in once the IDF is known


@dataclass(frozen=True)
class Index:
    """Everything the matcher needs, precomputed from a knowledge base and its lexicon."""

    lexicon: Lexicon
    entries: tuple[Entry, ...]
    docs: tuple[_Doc, ...]
    entry_docs: tuple[tuple[int, ...], ...]
    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # term -> (entries, share of their phrasings)
    idf: dict[str, float]
    keywords: tuple[tuple[tuple[str, ...], ...], ...]
    anchors: tuple[tuple[tuple[str, ...], ...], ...]
    excludes: tuple[tuple[tuple[str, ...], ...], ...]
    vocab_by_letter: dict[str, tuple[str, ...]]
    domain: frozenset[str]
    offtopic: tuple[tuple[str, ...], ...]
    normative: frozenset[str]
    smalltalk: frozenset[str]
    unknown_idf: float
    about_bot: frozenset[int]  # entries (by position) that describe the bot itself
    neighbours: Neighbours | None = None  # n-gram similarity to every phrasing (the ranker's input)
    model: Model | None = None  # the learned ranker; None: the lexical score decides alone
    thresholds: Thresholds = field(default_factory=Thresholds)
    peer: Peer | None = None  # the topic classifier whose view the ranker weighs
    peer_class: np.ndarray | None = None  # entry -> the peer's class of its topic, -1 when it has none
    peer_entries: tuple[tuple[int, ...], ...] = ()  # the peer's class -> the entries of that topic
    outsiders: frozenset[str] = frozenset()  # people the ASN rules do not bind (scope.yaml)
    asn: frozenset[str] = frozenset()  # words that name a civil servant's status


def build_lexicon(kb: KnowledgeBase) -> Lexicon:
    """Turn the knowledge base's lexicon files into a Lexicon that knows the KB's root words."""
    data = kb.lexicon_data
    slang = {str(k).lower(): tuple(str(v).lower().split()) if v else () for k, v in (data.get("slang") or {}).items()}
    stopwords = frozenset(str(w).lower() for w in data.get("stopwords") or ())
    synonyms: dict[tuple[str, ...], str] = {}
    canon_words: set[str] = set()
    for canon, variants in (data.get("synonyms") or {}).items():
        canon = str(canon).lower()
        canon_words.update(canon.split())
        for variant in [canon, *(variants or ())]:
            words = tuple(w for tok in clean(str(variant)).split() for w in slang.get(tok, (tok,)))
            if words and words != tuple(canon.split()):
                synonyms.setdefault(words, canon)
    base = Lexicon(slang=slang, synonyms=synonyms, stopwords=stopwords,
                   roots=frozenset(canon_words) | frozenset(w for v in slang.values() for w in v),
                   max_phrase=max((len(k) for k in synonyms), default=1))
    roots = _derive_roots(kb, base) | frozenset(str(w).lower() for w in data.get("roots") or ())
    lexicon = base.with_roots(roots | _scope_words(data))
    # Variants are also matched after stemming: add their stemmed forms.
    stemmed: dict[tuple[str, ...], str] = dict(lexicon.synonyms)
    for words, canon in lexicon.synonyms.items():
        key = tuple(lexicon.stem(w) for w in words)
        # A one-word variant whose root is a word of its own ("pengikut" -> "ikut") must
        # not capture that word.
        if key != tuple(canon.split()) and not (len(key) == 1 and key != words and key[0] in lexicon.roots):
            stemmed.setdefault(key, canon)
    return Lexicon(lexicon.slang, stemmed, lexicon.stopwords, lexicon.roots,
                   max(len(k) for k in stemmed) if stemmed else 1)


def _scope_words(data: dict) -> frozenset[str]:
    scope = data.get("scope") or {}
    words = set()
    for key in ("domain", "normative", "outsiders", "asn"):
        for w in scope.get(key) or ():
            words.update(clean(str(w)).split())
    return frozenset(words)


def _derive_roots(kb: KnowledgeBase, lexicon: Lexicon) -> frozenset[str]:
    """Words of the knowledge base that other words of it are affixed forms of."""
    vocab: set[str] = set()
    for entry in kb.entries:
        for text in (entry.title, *entry.examples, *entry.keywords):
            for tok in clean(text).split():
                vocab.update(lexicon.slang.get(tok, (tok,)))
    roots = set()
    for word in vocab:
        if len(word) > 4:
            for cand in _candidates(word)[1:]:
                if cand in vocab and len(cand) >= 3:
                    roots.add(cand)
    return frozenset(roots)


def build_index(kb: KnowledgeBase, learned: Iterable[tuple[str, str]] = (),
                thresholds: Thresholds | None = None, lexicon: Lexicon | None = None,
                model: Model | None = None, peer: Peer | None = None) -> Index:
    """Index every entry's title, examples and keywords, plus learned (entry_id, question) pairs.

    `model` is the learned ranker trained for this knowledge base (see bot/core/training.py);
    without it the lexical score decides alone. `peer` is the topic classifier whose view the
    ranker weighs (by default the one trained with the model).
    """
    peer = peer or (model.peer if model is not None else None)
    lexicon = lexicon or build_lexicon(kb)
    entries = kb.entries
    pos = {e.id: i for i, e in enumerate(entries)}
    texts: list[tuple[int, str, float]] = []
    for i, e in enumerate(entries):
        texts.append((i, e.title, 0.9))
        texts.extend((i, ex, 1.0) for ex in e.examples)
    texts.extend((pos[eid], q, 1.0) for eid, q in learned if eid in pos)

    docs: list[_Doc] = []
    entry_docs: list[list[int]] = [[] for _ in entries]
    phrasings: list[str] = []
    for i, text, weight in texts:
        norm = normalize(text, lexicon)
        phrasings.append(ranker_text(norm) or text.lower())
        if not norm.content:
            continue
        entry_docs[i].append(len(docs))
        docs.append(_Doc(i, frozenset(norm.content), norm.content_text, weight))

    keywords = tuple(
        tuple(dict.fromkeys(kw for kw in (tuple(normalize(k, lexicon).content) for k in e.keywords) if kw))
        for e in entries)
    # Term statistics at entry level: in how many entries a term appears, and in what
    # share of each entry's phrasings.
    counts: list[dict[str, int]] = [defaultdict(int) for _ in entries]
    for d in docs:
        for t in d.tokens:
            counts[d.entry][t] += 1
    for i, kws in enumerate(keywords):
        for kw in kws:
            for t in kw:
                counts[i][t] = max(counts[i][t], 1)
    df: dict[str, int] = defaultdict(int)
    for c in counts:
        for t in c:
            df[t] += 1
    n = max(len(entries), 1)
    idf = {t: math.log(1 + n / f) for t, f in df.items()}
    # A keyword only counts as evidence when it is distinctive: common words such as
    # "calon" stay out even where a writer listed them.
    keywords = tuple(tuple(kw for kw in kws if any(df[t] <= max(2, n * KEYWORD_MAX_SHARE) for t in kw))
                     for kws in keywords)
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, c in enumerate(counts):
        total = max(len(entry_docs[i]), 1)
        for t, k in c.items():
            postings[t].append((i, min(1.0, k / total)))

    docs = [dataclasses.replace(d, total=sum(idf[t] for t in d.tokens)) for d in docs]
    vocab_by_letter: dict[str, list[str]] = defaultdict(list)
    for t in sorted(df):
        vocab_by_letter[t[0]].append(t)

    def phrases(key: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
        raw = kb.lexicon_data.get(key) or {}
        return tuple(
            tuple(dict.fromkeys(p for p in (tuple(normalize(str(w), lexicon).content) for w in raw.get(e.id) or ()) if p))
            for e in entries)

    anchors, excludes = phrases("anchors"), phrases("excludes")
    scope = kb.lexicon_data.get("scope") or {}

    def norm_words(key: str) -> frozenset[str]:
        return frozenset(t for w in scope.get(key) or () for t in normalize(str(w), _no_stop(lexicon)).tokens)

    offtopic = tuple(sorted({tuple(normalize(str(w), _no_stop(lexicon)).tokens) for w in scope.get("offtopic") or ()} - {()}))
    talk = kb.lexicon_data.get("smalltalk") or {}
    smalltalk = frozenset(t for group in talk.values() for w in group or ()
                          for t in normalize(str(w), _no_stop(lexicon)).tokens)
    oos = [ranker_text(normalize(str(q), lexicon)) for q in kb.lexicon_data.get("outofscope") or ()]
    oos = [q for q in oos if q]
    neighbours = Neighbours([*phrasings, *oos], [*(i for i, _, _ in texts), *(len(entries) for _ in oos)],
                            len(entries)) if entries else None
    peer_class, peer_entries = None, ()
    if peer is not None:
        classes = {c: k for k, c in enumerate(peer.classes)}
        peer_class = np.asarray([classes.get(e.topic, -1) for e in entries], dtype=np.int64)
        peer_entries = tuple(tuple(int(i) for i in np.flatnonzero(peer_class == k)) for k in range(len(peer.classes)))
    return Index(
        neighbours=neighbours, model=model, peer=peer, peer_class=peer_class, peer_entries=peer_entries,
        lexicon=lexicon, entries=entries, docs=tuple(docs),
        entry_docs=tuple(tuple(x) for x in entry_docs),
        postings={t: (np.array([i for i, _ in p], dtype=np.int64), np.array([w for _, w in p])) for t, p in postings.items()}, idf=idf, keywords=keywords, anchors=anchors, excludes=excludes,
        vocab_by_letter={k: tuple(v) for k, v in vocab_by_letter.items()},
        domain=norm_words("domain"), offtopic=offtopic, normative=norm_words("normative"),
        outsiders=norm_words("outsiders"), asn=norm_words("asn"),
        smalltalk=smalltalk, unknown_idf=math.log(1 + n),
        about_bot=frozenset(pos[eid] for a in kb.areas if a.about_bot for eid in a.entries if eid in pos),
        thresholds=thresholds or Thresholds(),
    )


def ranker_text(norm) -> str:
    """What the ranker's n-grams read: the normalised words, stop words included."""
    return " ".join(norm.tokens)


def _no_stop(lexicon: Lexicon) -> Lexicon:
    return Lexicon(lexicon.slang, lexicon.synonyms, frozenset(), lexicon.roots, lexicon.max_phrase)
