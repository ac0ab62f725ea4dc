"""Match a question to a knowledge-base entry: index, scoring and the four-way decision.

Pure and deterministic: `match(question, index) -> Result`, no I/O, no hidden state.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz, process

from .knowledge import Entry, KnowledgeBase, Verdict
from .text import Lexicon, Normalized, _candidates, clean, normalize

VOWELS = set("aiueo")
KEYWORD_MAX_SHARE = 0.12
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
class Thresholds:
    """Calibrated on the development set; see benchmarks/ and the eval command."""

    answer: float = 0.36       # minimum score to answer outright
    margin: float = 0.08       # lead over the best entry of another topic to answer outright
    agree_margin: float = 0.04  # the smaller lead that suffices when every close rival also prohibits
    suggest: float = 0.28      # minimum score to offer an entry as a choice
    suggest_gap: float = 0.12  # choices within this distance of the best one
    fuzzy_floor: float = 0.30  # a best-example similarity below this is penalised
    strong: float = 0.80       # a question without election words, or about an out-of-scope
                               # matter, is answered only at this score
    w_best: float = 0.50       # weight of the closest single phrasing (weighted token F1)
    w_cov: float = 0.40        # weight of how much of the question the entry's vocabulary covers
    w_fuzzy: float = 0.10      # weight of the fuzzy text similarity to the closest phrasing
    w_kw: float = 0.10         # weight of the entry's keywords found in the question
    unknown_weight: float = 1.0  # weight of a word the knowledge base never uses, relative to the rarest
    anchor_bonus: float = 0.03  # an entry one of whose anchor words the question has
    anchor_penalty: float = 0.80  # an entry with anchors none of which the question has


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
    postings: dict[str, tuple[tuple[int, float], ...]]
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
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def size(self) -> int:
        return len(self.entries)


# ---------------------------------------------------------------- building

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
    for key in ("domain", "normative"):
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
                thresholds: Thresholds | None = None, lexicon: Lexicon | None = None) -> Index:
    """Index every entry's title, examples and keywords, plus learned (entry_id, question) pairs."""
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
    for i, text, weight in texts:
        norm = normalize(text, lexicon)
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
    return Index(
        lexicon=lexicon, entries=entries, docs=tuple(docs),
        entry_docs=tuple(tuple(x) for x in entry_docs),
        postings={t: tuple(p) for t, p in postings.items()}, idf=idf, keywords=keywords, anchors=anchors, excludes=excludes,
        vocab_by_letter={k: tuple(v) for k, v in vocab_by_letter.items()},
        domain=norm_words("domain"), offtopic=offtopic, normative=norm_words("normative"),
        smalltalk=smalltalk, unknown_idf=math.log(1 + n),
        thresholds=thresholds or Thresholds(),
    )


def _no_stop(lexicon: Lexicon) -> Lexicon:
    return Lexicon(lexicon.slang, lexicon.synonyms, frozenset(), lexicon.roots, lexicon.max_phrase)


# ---------------------------------------------------------------- matching

def match(question: str, index: Index, *, explain: bool = False, limit: int = 3) -> Result:
    """Decide how to answer `question`: one entry, a few choices, unknown, or small talk."""
    if not isinstance(question, str):
        question = "" if question is None else str(question)
    norm = normalize(question, index.lexicon)
    terms = _correct(_dedupe(norm.content), index)
    details: list[str] = [f"normalised: {norm.text!r}", f"terms: {' '.join(terms)}"] if explain else []

    def result(status: Status, reason: str, scored: list[tuple[float, int]] = (), best: int | None = None) -> Result:
        cands = tuple(Candidate(index.entries[i].id, index.entries[i].topic, round(s, 4)) for s, i in scored[:limit])
        entry = index.entries[best] if best is not None else None
        top = scored[0][0] if scored else 0.0
        rivals = tuple(c for c in cands[1:] if entry and c.topic != entry.topic
                       and top - c.score < index.thresholds.margin)
        return Result(question, status, entry.id if entry else None, entry.topic if entry else None,
                      round(top, 4), cands, norm.text, reason, tuple(details), rivals)

    if _is_smalltalk(terms, index) and not (terms and _asks(question, norm)):
        return result(Status.SMALLTALK, "greeting, thanks or noise")
    scored = _score(terms, index, details if explain else None)
    if not scored:
        return result(Status.UNANSWERED, "no candidate")
    th = index.thresholds
    top_score, top = scored[0]
    other = next((s for s, i in scored[1:] if index.entries[i].topic != index.entries[top].topic), 0.0)
    clear = top_score - other >= th.margin
    tokens = set(norm.tokens) | set(terms)
    if not tokens & index.domain or (_has_offtopic(norm.tokens, index) and not tokens & index.normative):
        # Out of scope (no election word; or salary, leave, schedules, fees ... asked as
        # such) unless the question is nearly one of our phrasings.
        if top_score >= th.strong and clear:
            return result(Status.ANSWERED, "strong match outside election vocabulary", scored, top)
        return result(Status.UNANSWERED, "out of scope", scored)
    if top_score >= th.answer and clear:
        return result(Status.ANSWERED, "clear match", scored, top)
    if top_score >= th.answer and _agree_on_prohibition(scored, index):
        # The close candidates differ in topic but all say "dilarang": the verdict the user
        # gets is right either way, and the card links the neighbours.
        return result(Status.ANSWERED, "close candidates all prohibit", scored, top)
    choices = _choices(scored, index)
    if choices and choices[0][0] >= th.suggest:
        return result(Status.SUGGEST, "close candidates", choices)
    return result(Status.UNANSWERED, "no entry close enough", scored)


def _agree_on_prohibition(scored: list[tuple[float, int]], index: Index) -> bool:
    """Whether the best entry prohibits and so does every other-topic entry within the margin."""
    th = index.thresholds
    top_score, top = scored[0]
    entry = index.entries[top]
    if entry.verdict is not Verdict.DILARANG:
        return False
    rivals = [(s, i) for s, i in scored[1:] if index.entries[i].topic != entry.topic and top_score - s < th.margin]
    return (all(index.entries[i].verdict is Verdict.DILARANG for _, i in rivals)
            and (not rivals or top_score - rivals[0][0] >= th.agree_margin))


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
