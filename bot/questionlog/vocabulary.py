"""Words in logged questions that the normaliser does not know, so curators can grow the lexicon.

Pure: `unknown_words(questions, index) -> list[UnknownWord]`, no I/O.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from bot.core.index import Index
from bot.core.text import Lexicon, clean, squeeze

MIN_LENGTH = 2
EXAMPLE_CHARS = 160


@dataclass(frozen=True)
class UnknownWord:
    word: str
    count: int       # in how many questions it occurs
    example: str     # the newest question with it (as typed, clipped)


def known_words(index: Index) -> frozenset[str]:
    """Every word the normaliser knows: lexicons, the knowledge base's vocabulary and its roots."""
    lexicon: Lexicon = index.lexicon
    words = set(lexicon.roots) | set(lexicon.slang) | set(lexicon.stopwords) | set(index.idf)
    for variant, canon in lexicon.synonyms.items():
        words.update(variant)
        words.update(canon.split())
    words.update(index.smalltalk)
    words.update(index.domain)
    words.update(index.normative)
    words.update(w for phrase in index.offtopic for w in phrase)
    for entry in index.entries:
        for text in (entry.title, entry.answer, *entry.examples, *entry.keywords):
            words.update(clean(text).split())
    return frozenset(words)


def unknown_words(questions: Iterable[str], index: Index, *, known: frozenset[str] | None = None,
                  limit: int | None = None) -> list[UnknownWord]:
    """Words of `questions` (newest first) that neither the lexicons nor the knowledge base know.

    A word counts as known when it, its squeezed spelling (bolehhh) or its stem is known;
    numbers and one-letter words are left out. Most frequent first, then alphabetical.
    """
    known = known_words(index) if known is None else known
    lexicon = index.lexicon
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for question in questions:
        seen = set()
        for token in clean(question).split():
            if len(token) < MIN_LENGTH or token.isdigit() or token in seen:
                continue
            seen.add(token)
            if _is_known(token, known, lexicon):
                continue
            counts[token] += 1
            examples.setdefault(token, _clip(question))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    rows = [UnknownWord(word, n, examples[word]) for word, n in ranked]
    return rows[:limit] if limit else rows


def _is_known(token: str, known: frozenset[str], lexicon: Lexicon) -> bool:
    if token in known or any(ch.isdigit() for ch in token):
        return True
    squeezed = squeeze(token, known)
    return squeezed in known or lexicon.stem(squeezed) in known


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS - 1] + "…"
