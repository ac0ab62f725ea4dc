"""Match a question to a knowledge-base entry: scoring and the four-way decision.

Pure and deterministic: `match(question, index) -> Result`, no I/O, no hidden state.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from rapidfuzz import fuzz, process

from .index import Index
from .knowledge import Verdict
from .text import Normalized, normalize

VOWELS = set("aiueo")
# How close an unknown word must be to a known one to be read as its typo: kampaye ->
# kampanye (93), netralitsa -> netralitas (90); not buatin -> bupati (83).
TYPO_CUTOFF = 88
QUESTION_WORDS = frozenset({"apa", "apakah", "siapa", "bagaimana", "kenapa", "mengapa", "kapan", "dimana",
                            "berapa", "boleh", "bisa"})


class Status(str, enum.Enum):
    """What the bot does with a question."""

    ANSWERED = "answered"
    SUGGEST = "suggest"
    UNANSWERED = "unanswered"
    SMALLTALK = "smalltalk"


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
    norm = normalize(question, index.lexicon)
    terms = _correct(_dedupe(norm.content), index)
    details: list[str] = [f"normalised: {norm.text!r}", f"terms: {' '.join(terms)}"] if explain else []

    def candidates(scored: list[tuple[float, int]]) -> tuple[Candidate, ...]:
        return tuple(Candidate(index.entries[i].id, index.entries[i].topic, round(s, 4)) for s, i in scored)

    def result(status: Status, reason: str, scored: list[tuple[float, int]] = (), best: int | None = None) -> Result:
        entry = index.entries[best] if best is not None else None
        top = scored[0][0] if scored else 0.0
        close = candidates(_rivals(scored, index)) if entry else ()
        return Result(question, status, entry.id if entry else None, entry.topic if entry else None,
                      round(top, 4), candidates(scored[:limit]), norm.text, reason, tuple(details), close)

    if _is_smalltalk(terms, index) and not (terms and _asks(question, norm)):
        return result(Status.SMALLTALK, "greeting, thanks or noise")
    scored = _score(terms, index, details if explain else None)
    if not scored:
        return result(Status.UNANSWERED, "no candidate")
    th = index.thresholds
    top_score, top = scored[0]
    rivals = _rivals(scored, index)
    clear = not rivals
    tokens = set(norm.tokens) | set(terms)
    if not tokens & index.domain or (_has_offtopic(norm.tokens, index) and not tokens & index.normative):
        # Out of scope (no election word; or salary, leave, schedules, fees ... asked as
        # such) unless the question is nearly one of our phrasings.
        if top_score >= th.strong and clear:
            return result(Status.ANSWERED, "strong match outside election vocabulary", scored, top)
        return result(Status.UNANSWERED, "out of scope", scored)
    if top in index.about_bot and top_score >= th.suggest:
        # "Who made you?" is small talk: answered with the card about the bot, never
        # counted as a neutrality answer or logged for curators.
        return result(Status.SMALLTALK, "about the bot", scored, top)
    if top_score >= th.answer and clear:
        return result(Status.ANSWERED, "clear match", scored, top)
    if top_score >= th.answer and _all_prohibit(scored, rivals, index):
        # The close candidates differ in topic but all say "dilarang": the verdict the user
        # gets is right either way, and the card links the neighbours.
        return result(Status.ANSWERED, "close candidates all prohibit", scored, top)
    choices = _choices(scored, index)
    if choices and choices[0][0] >= th.suggest:
        return result(Status.SUGGEST, "close candidates", choices)
    return result(Status.UNANSWERED, "no entry close enough", scored)


def _rivals(scored: list[tuple[float, int]], index: Index) -> list[tuple[float, int]]:
    """Entries of other topics than the best one, within the answering margin of it."""
    if not scored:
        return []
    top_score, top = scored[0]
    topic = index.entries[top].topic
    return [(s, i) for s, i in scored[1:]
            if index.entries[i].topic != topic and top_score - s < index.thresholds.margin]


def _all_prohibit(scored: list[tuple[float, int]], rivals: list[tuple[float, int]], index: Index) -> bool:
    """Whether the best entry prohibits, so does every close rival, and it still leads a little."""
    top_score, top = scored[0]
    return (index.entries[top].verdict is Verdict.DILARANG
            and all(index.entries[i].verdict is Verdict.DILARANG for _, i in rivals)
            and top_score - rivals[0][0] >= index.thresholds.agree_margin)


def _choices(scored: list[tuple[float, int]], index: Index) -> list[tuple[float, int]]:
    """Up to three candidates of distinct topics close to the best one."""
    th = index.thresholds
    out: list[tuple[float, int]] = []
    topics: set[str] = set()
    best = scored[0][0]
    for s, i in scored:
        if s < th.suggest or best - s > th.suggest_gap or len(out) == 3:
            break
        topic = index.entries[i].topic
        if topic not in topics:
            topics.add(topic)
            out.append((s, i))
    return out


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


def _score(terms: list[str], index: Index, details: list[str] | None) -> list[tuple[float, int]]:
    """Score entries: coverage of the question by the entry, best phrasing, fuzzy text, keywords."""
    weights = {t: index.idf.get(t, index.unknown_idf * index.thresholds.unknown_weight) for t in terms}
    total = sum(weights.values())
    if total <= 0:
        return []
    coverage: dict[int, float] = defaultdict(float)
    for t in terms:
        w = weights[t]
        for i, share in index.postings.get(t, ()):
            coverage[i] += w * (0.4 + 0.6 * share)
    if not coverage:
        return []
    shortlist = sorted(coverage, key=lambda i: (-coverage[i], i))[:15]
    qset = frozenset(terms)
    qtext = " ".join(sorted(terms))
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
        kw_score = min(1.0, kw / 2)
        cov = coverage[i] / total
        th = index.thresholds
        score = th.w_best * best_f + th.w_cov * cov + th.w_fuzzy * fz + th.w_kw * kw_score
        if best_f < th.fuzzy_floor:
            score *= 0.85
        if index.anchors[i]:
            anchored = _has_any(index.anchors[i], qset)
            score = score + th.anchor_bonus if anchored else score * th.anchor_penalty
        if _has_any(index.excludes[i], qset):
            score *= th.anchor_penalty
        scored.append((score, i))
        if details is not None:
            details.append(f"  {index.entries[i].id}: score={score:.3f} best={best_f:.2f} cov={cov:.2f} "
                           f"fuzzy={fz:.2f} kw={kw} doc={best_doc.text if best_doc else ''!r}")
    scored.sort(key=lambda x: (-x[0], x[1]))
    return scored
