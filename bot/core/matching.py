"""Match a question to a knowledge-base entry: the evidence of every view, then the decision.

Pure and deterministic: `match(question, index) -> Result`, no I/O, no hidden state. The
decision itself is bot/core/decision.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from rapidfuzz import fuzz, process

from bot.core.decision import Status, close_rivals, decide
from bot.core.index import Cutoffs, Index, ranker_text
from bot.core.ranker import FEATURES, Signals, candidate_features
from bot.core.text import Normalized, normalize

VOWELS = set("aiueo")
# How close an unknown word must be to a known one to be read as its typo: kampaye ->
# kampanye (93), netralitsa -> netralitas (90); not buatin -> bupati (83).
TYPO_CUTOFF = 88
# "bolehkah PNS tidak ikut kampanye": a negator right before one of these actions asks about
# NOT doing it, and the card that forbids doing it would read as the opposite answer. After a
# permission word the negator is a question tag instead ("boleh gak ikut kampanye?").
NEGATOR = "tidak"
NEGATED_ACTIONS = frozenset({"ikut", "hadir", "datang", "pilih", "coblos", "like", "pasang", "pakai", "dukung"})
# "tidak usah ikut", "tidak perlu datang": not doing it, never a question tag.
NEEDLESS = frozenset({"usah", "perlu"})
TAG_AFTER = frozenset({"boleh", "bolehkah", "bisa", "apa", "apakah", "kah", "tiasa", "wajib", "harus"})
QUESTION_WORDS = frozenset({"apa", "apakah", "siapa", "bagaimana", "kenapa", "mengapa", "kapan", "dimana",
                            "berapa", "boleh", "bisa"})


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    topic: str
    score: float


@dataclass(frozen=True)
class Result:
    """The decision for one question, with the evidence behind it."""

    question: str
    status: Status
    entry_id: str | None
    topic: str | None
    score: float
    candidates: tuple[Candidate, ...]
    normalized: str
    reason: str
    details: tuple[str, ...] = ()
    rivals: tuple[Candidate, ...] = ()  # other topics almost as close as the answer


    @property
    def choices(self) -> tuple[Candidate, ...]:
        """The entries to offer as buttons when the status is `suggest`."""
        return self.candidates if self.status is Status.SUGGEST else ()


def match(question: str, index: Index, *, explain: bool = False, limit: int = 3) -> Result:
    """Decide how to answer `question`: one entry, a few choices, unknown, or small talk."""
    if not isinstance(question, str):
        question = "" if question is None else str(question)
    details: list[str] | None = [] if explain else None
    ev = gather(question, index, details)
    return conclude(question, ev, index, details=details, limit=limit)


def ranked(ev: Evidence, index: Index) -> list[tuple[float, int]]:
    """The candidates by the ranker's probability that each is right, best first ([] without a ranker).

    The ranker learns whether a topic is right (the peer's view is a topic's), so within a
    topic the entry the wording and the nearest phrasings favour goes first, with the
    topic's best probability.
    """
    if index.model is None or not ev.candidates:
        return []
    probs = index.model.probabilities(ev.rows).tolist()
    knn, lex = FEATURES.index("knn"), FEATURES.index("lex")
    topic_p: dict[str, float] = {}
    for p, e in zip(probs, ev.candidates):
        topic = index.entries[e].topic
        topic_p[topic] = max(p, topic_p.get(topic, 0.0))
    order = sorted(range(len(probs)), key=lambda k: (
        -topic_p[index.entries[ev.candidates[k]].topic], index.entries[ev.candidates[k]].topic,
        -(ev.rows[k][knn] + ev.rows[k][lex]), ev.candidates[k]))
    out, seen = [], set()
    for k in order:
        topic = index.entries[ev.candidates[k]].topic
        out.append((topic_p[topic] if topic not in seen else probs[k], ev.candidates[k]))
        seen.add(topic)
    return out


def conclude(question: str, ev: Evidence, index: Index, *, cutoffs: Cutoffs | None = None,
             details: list[str] | None = None, limit: int = 3) -> Result:
    """The decision for gathered evidence; `cutoffs` replaces the index's own (calibration tries several)."""
    norm, terms = ev.norm, ev.terms
    explain = details is not None
    details = details if explain else []
    if explain:
        details[:0] = [f"normalised: {norm.text!r}", f"terms: {' '.join(terms)}"]

    def candidates(scored: list[tuple[float, int]]) -> tuple[Candidate, ...]:
        return tuple(Candidate(index.entries[i].id, index.entries[i].topic, round(s, 4)) for s, i in scored)

    if _is_smalltalk(terms, index) and not (terms and _asks(question, norm)):
        return Result(question, Status.SMALLTALK, None, None, 0.0, (), norm.text, "greeting, thanks or noise",
                      tuple(details))
    if index.model is not None and ev.candidates and (ev.verbatim is not None or ev.oos_verbatim):
        if ev.oos_verbatim:
            return Result(question, Status.UNANSWERED, None, None, 0.0, (), norm.text,
                          "one of the curated out-of-scope questions", tuple(details))
        entry = index.entries[ev.verbatim]
        status = Status.SMALLTALK if ev.verbatim in index.about_bot else Status.ANSWERED
        return Result(question, status, entry.id, entry.topic, 1.0,
                      (Candidate(entry.id, entry.topic, 1.0),), norm.text, "one of the entry's phrasings",
                      tuple(details))
    if index.model is not None and ev.candidates:
        scored = ranked(ev, index)
        cut = cutoffs or index.thresholds.ranked
        if explain:
            details.append("ranker (P that the entry is right):")
            shown = ("knn", "lex", "peer")
            cols = [FEATURES.index(name) for name in shown]
            details.extend(f"  {index.entries[i].id}: p={p:.3f} " + " ".join(
                f"{name}={ev.rows[ev.candidates.index(i)][c]:.2f}" for name, c in zip(shown, cols))
                for p, i in scored[:limit + 2])
    else:
        scored = [(c.score, c.entry) for c in ev.lexical]
        cut = cutoffs or index.thresholds.lexical
    vetoed = frozenset(c.entry for c in ev.lexical if c.excluded) if ev.rows is not None else frozenset()
    status, reason, shown, best = decide(scored, ev.signals, index, cut, views=_views(ev, scored), vetoed=vetoed,
                                          contenders=_close_calls(ev, scored))
    entry = index.entries[best] if best is not None else None
    close = candidates(close_rivals(scored, index, cut)) if entry else ()
    return Result(question, status, entry.id if entry else None, entry.topic if entry else None,
                  round(scored[0][0], 4) if scored else 0.0, candidates(shown[:limit]), norm.text, reason,
                  tuple(details), close)


def _views(ev: Evidence, scored: list[tuple[float, int]]) -> tuple[tuple[float, int], ...]:
    """The scored candidates the lexical view, then the nearest phrasings, rank first (() without a ranker)."""
    if ev.rows is None or not len(ev.candidates) or not ev.lexical:
        return ()
    firsts = (ev.lexical[0].entry, ev.candidates[int(np.argmax(ev.rows[:, FEATURES.index("knn")]))])
    by_entry = {i: (s, i) for s, i in scored}
    return tuple(by_entry[e] for e in dict.fromkeys(firsts) if e in by_entry)


# A lexical score this close to the best one is a close call in the lexical view.
CLOSE_CALL = 0.03


def _close_calls(ev: Evidence, scored: list[tuple[float, int]]) -> tuple[tuple[float, int], ...]:
    """The scored candidates the lexical view all but ties with its best one."""
    if ev.rows is None or not ev.lexical:
        return ()
    best = ev.lexical[0].score
    close = {c.entry for c in ev.lexical if c.score >= best - CLOSE_CALL}
    return tuple((s, i) for s, i in scored if i in close)


# How many entries the lexical view scores in full (by coverage first).
SCORED = 15
# How many candidates each view (lexical, nearest phrasings) brings to the ranker.
SHORTLIST = 10
# How many of the peer classifier's best topics bring their entries to the ranker.
PEER_TOPICS = 3
# N-gram similarity at which a question is one of the phrasings, give or take a typo: the
# ranker never sees such pairs in training (each example is held out), so they are decided
# here. Curators' learned examples rely on it to take effect for the very next question.
VERBATIM = 0.92


@dataclass(frozen=True)
class Evidence:
    """Everything known about a question before the decision: its words and the candidates' evidence."""

    norm: Normalized
    terms: list[str]
    lexical: list[Lexical]
    signals: Signals
    candidates: tuple[int, ...] = ()
    rows: object = None  # np.ndarray of ranker FEATURES, one row per candidate
    verbatim: int | None = None  # the entry one of whose phrasings the question all but repeats
    oos_verbatim: bool = False   # the question all but repeats a curated out-of-scope question


def gather(question: str, index: Index, details: list[str] | None = None) -> Evidence:
    """Normalise the question and collect the lexical and nearest-phrasing evidence for it."""
    norm = normalize(question, index.lexicon)
    terms = _correct(_dedupe(norm.content), index)
    lexical = _score(terms, index, details)
    tokens = set(norm.tokens) | set(terms)
    signals = Signals(domain=bool(tokens & index.domain), offtopic=_has_offtopic(norm.tokens, index),
                      normative=bool(tokens & index.normative), length=len(terms),
                      negates=negates_action(norm.tokens, index.domain),
                      outsiders=frozenset() if tokens & index.asn else frozenset(tokens & index.outsiders))
    nb = index.neighbours
    if nb is None or not index.entries:
        return Evidence(norm, terms, lexical, signals)
    text = ranker_text(norm)
    sims, oos = nb.similarities(text)
    knn = nb.per_entry(sims)
    near = np.argpartition(-knn, min(SHORTLIST, len(knn) - 1))[:SHORTLIST] if len(knn) > SHORTLIST else range(len(knn))
    cands = [*(c.entry for c in lexical[:SHORTLIST]), *(int(i) for i in near if knn[i] > 0)]
    peer = None
    if index.peer is not None:
        probs = index.peer.probabilities(text)
        cands += [e for k in np.argsort(-probs)[:PEER_TOPICS] for e in index.peer_entries[k]]
    cands = tuple(dict.fromkeys(cands))
    if index.peer is not None:
        peer = [probs[index.peer_class[e]] if index.peer_class[e] >= 0 else 0.0 for e in cands]
    by_entry = {c.entry: c for c in lexical}
    rows = candidate_features(cands, by_entry, knn, [nb.top_two(sims, e) for e in cands], oos, signals, peer)
    same = [e for e in cands if knn[e] >= VERBATIM]
    topics = {index.entries[e].topic for e in same}
    verbatim = max(same, key=lambda e: knn[e]) if len(topics) == 1 else None
    return Evidence(norm, terms, lexical, signals, cands, rows, verbatim, oos >= VERBATIM)


def negates_action(tokens: tuple[str, ...], domain: frozenset[str]) -> bool:
    """Whether a negator stands right before an action on an election matter, not as a question tag.

    "tidak ikut kampanye" asks about staying away; "datang tapi tidak ikut bersorak" does not.
    "tidak usah/perlu ikut" is never a tag, even after "boleh" ("boleh gak usah ikut apel kampanye?").
    """
    for i, tok in enumerate(tokens[:-2]):
        if tok != NEGATOR:
            continue
        needless = tokens[i + 1] in NEEDLESS
        j = i + 1 + needless
        tag = not needless and i > 0 and tokens[i - 1] in TAG_AFTER
        if (j < len(tokens) and tokens[j] in NEGATED_ACTIONS and not tag
                and any(t in domain for t in tokens[j + 1:j + 4])):
            return True
    return False


def _dedupe(tokens: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(tokens))


def _correct(terms: list[str], index: Index) -> list[str]:
    """Replace unknown words by the closest word of the knowledge base (typos: kampaye)."""
    out = []
    for t in terms:
        if t in index.idf or len(t) < 5 or t.isdigit():
            out.append(t)
            continue
        pool = index.vocab_by_letter.get(t[0], ())
        best = process.extractOne(t, pool, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF) if pool else None
        out.append(best[0] if best else t)
    return _dedupe(out)


def _asks(question: str, norm: Normalized) -> bool:
    """Whether the text is phrased as a question ('bot ini apa?'), not a greeting."""
    return "?" in question or bool(QUESTION_WORDS & set(norm.tokens))


def _is_smalltalk(terms: list[str], index: Index) -> bool:
    meaningful = [t for t in terms if t not in index.smalltalk and not _is_noise(t, index)]
    return not meaningful


def _is_noise(token: str, index: Index) -> bool:
    if token in index.idf or token in index.lexicon.roots:
        return False
    if token.isdigit():
        return True
    vowels = sum(ch in VOWELS for ch in token)
    return len(token) > 25 or vowels / len(token) < 0.2


def _has_any(phrases: tuple[tuple[str, ...], ...], words: frozenset[str]) -> bool:
    return any(all(t in words for t in p) for p in phrases)


def _has_offtopic(tokens: tuple[str, ...], index: Index) -> bool:
    for phrase in index.offtopic:
        k = len(phrase)
        if any(tokens[i:i + k] == phrase for i in range(len(tokens) - k + 1)):
            return True
    return False


@dataclass(frozen=True)
class Lexical:
    """The lexical evidence for one entry: its score and the parts it is made of."""

    entry: int
    score: float
    best: float      # the closest phrasing's weighted token F1
    coverage: float  # share of the question's weight the entry's vocabulary covers
    fuzzy: float     # rapidfuzz similarity to the closest phrasing
    keywords: int    # the entry's distinctive keywords found in the question
    anchored: int    # 1: an anchor word is there, 0: the entry has no anchors, -1: anchors, none there
    excluded: bool   # a word that shows the question is not about this entry


def _score(terms: list[str], index: Index, details: list[str] | None) -> list[Lexical]:
    """Score entries: coverage of the question by the entry, best phrasing, fuzzy text, keywords."""
    weights = {t: index.idf.get(t, index.unknown_idf * index.thresholds.unknown_weight) for t in terms}
    total = sum(weights.values())
    if total <= 0:
        return []
    coverage = np.zeros(len(index.entries))
    for t in terms:
        posting = index.postings.get(t)
        if posting is not None:
            ids, shares = posting
            coverage[ids] += weights[t] * (0.4 + 0.6 * shares)
    hit = np.flatnonzero(coverage)
    if not len(hit):
        return []
    if len(hit) > SCORED:
        hit = hit[np.argpartition(-coverage[hit], SCORED - 1)[:SCORED]]
    shortlist = sorted(hit.tolist(), key=lambda i: (-coverage[i], i))
    qset = frozenset(terms)
    qtext = " ".join(sorted(terms))
    th = index.thresholds
    scored = []
    for i in shortlist:
        best_f, best_doc = 0.0, None
        for d_id in index.entry_docs[i]:
            doc = index.docs[d_id]
            shared = qset & doc.tokens
            if not shared:
                continue
            ov = sum(weights[t] for t in shared)
            cq, cd = ov / total, ov / doc.total if doc.total else 0.0
            f = doc.weight * 2 * cq * cd / (cq + cd)
            if f > best_f:
                best_f, best_doc = f, doc
        fz = fuzz.token_sort_ratio(qtext, " ".join(sorted(best_doc.tokens))) / 100 if best_doc else 0.0
        kw = sum(1 for kw in index.keywords[i] if all(t in qset for t in kw))
        cov = coverage[i] / total
        score = th.w_best * best_f + th.w_cov * cov + th.w_fuzzy * fz + th.w_kw * min(1.0, kw / 2)
        if best_f < th.fuzzy_floor:
            score *= 0.85
        anchored = (1 if _has_any(index.anchors[i], qset) else -1) if index.anchors[i] else 0
        if anchored:
            score = score + th.anchor_bonus if anchored > 0 else score * th.anchor_penalty
        excluded = _has_any(index.excludes[i], qset)
        if excluded:
            score *= th.anchor_penalty
        scored.append(Lexical(i, score, best_f, cov, fz, kw, anchored, excluded))
        if details is not None:
            details.append(f"  {index.entries[i].id}: score={score:.3f} best={best_f:.2f} cov={cov:.2f} "
                           f"fuzzy={fz:.2f} kw={kw} doc={best_doc.text if best_doc else ''!r}")
    scored.sort(key=lambda x: (-x.score, x.entry))
    return scored
