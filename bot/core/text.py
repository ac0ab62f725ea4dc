"""Normalisation of everyday Indonesian text: pure functions over a Lexicon."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b\S+\.(?:com|co\.id|go\.id|id|org|net)\b\S*", re.IGNORECASE)
MENTION_RE = re.compile(r"@\w+")
TAG_RE = re.compile(r"<[^>]{0,200}>")
# Reduplication written with a digit: "bagi2" -> "bagi", "teman2nya" -> "temannya".
REDUP_RE = re.compile(r"([a-z]{2,})2([a-z]*)")
REPEAT_RE = re.compile(r"([a-z])\1{2,}")
DOUBLE_RE = re.compile(r"([a-z])\1")
TRAILING_DOUBLE_RE = re.compile(r"([a-z])\1+$")

NEGATOR = "tanpa"
MAX_INPUT_CHARS = 2000
MAX_TOKENS = 80

PARTICLES = ("lah", "kah", "tah", "pun")
POSSESSIVES = ("nya", "ku", "mu")
SUFFIXES = ("kan", "an", "i")
# Suffixes stripped even when the result is not a known root ("-i", "-ku" are too often
# part of the word: lokasi, berlaku).
FALLBACK_SUFFIXES = ("nyalah", "kanlah", "nya", "lah", "kah", "kan", "an")
# Longest prefixes first so that "meng" is tried before "me".
PREFIXES = (
    "memper", "diper", "menge", "penge", "meng", "meny", "peng", "peny", "mem", "men",
    "pem", "pen", "ber", "ter", "per", "nge", "me", "di", "ke", "se", "pe", "be", "ng",
)
# Prefixes stripped even when the result is not a known root.
PLAIN_PREFIXES = ("meng", "meny", "mem", "men", "nge", "ber", "ter", "di", "me")
# Nasal prefixes replace the root's first consonant: meny+ukai <- sukai, mem+ilih <- pilih.
NASAL_RESTORE = {"meny": "s", "peny": "s", "mem": "p", "pem": "p", "men": "t", "pen": "t",
                 "meng": "k", "peng": "k", "nge": "k", "ng": "k"}


@dataclass(frozen=True)
class Lexicon:
    """Word lists that drive normalisation; loaded from knowledge/lexicon/."""

    slang: dict[str, tuple[str, ...]] = field(default_factory=dict)
    synonyms: dict[tuple[str, ...], str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    roots: frozenset[str] = frozenset()
    max_phrase: int = 1
    # Memo of stem() results for these roots: an optimisation, not observable state.
    _stems: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def with_roots(self, words: frozenset[str]) -> Lexicon:
        """The same lexicon knowing extra root words (the knowledge base's vocabulary)."""
        roots = self.roots | words | frozenset(self.slang) | self.stopwords
        return Lexicon(self.slang, self.synonyms, self.stopwords, roots, self.max_phrase)

    def stem(self, word: str) -> str:
        """stem() with this lexicon's roots, memoised."""
        got = self._stems.get(word)
        if got is None:
            got = stem(word, self.roots)
            if len(self._stems) < 200_000:
                self._stems[word] = got
        return got


@dataclass(frozen=True)
class Normalized:
    """A text after normalisation: all tokens, and the meaningful ones."""

    text: str
    tokens: tuple[str, ...]
    content: tuple[str, ...]

    @property
    def content_text(self) -> str:
        return " ".join(self.content)


def clean(text: str) -> str:
    """Unicode-normalise, lower-case and strip URLs, markup, emoji and punctuation."""
    text = unicodedata.normalize("NFKC", text[:MAX_INPUT_CHARS]).lower()
    text = URL_RE.sub(" ", text)
    text = TAG_RE.sub(" ", text)
    text = MENTION_RE.sub(" ", text)
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch if ch.isalnum() else " ")
        elif unicodedata.category(ch)[0] == "L":
            # Accented Latin letters lose the accent; other scripts are dropped.
            base = unicodedata.normalize("NFKD", ch)[0]
            out.append(base if base.isascii() and base.isalpha() else " ")
        else:
            out.append(" ")
    return REDUP_RE.sub(r"\1\2", "".join(out))


def squeeze(token: str, known: frozenset[str]) -> str:
    """Collapse letters repeated for emphasis: bolehhh -> boleh, kampanyeee -> kampanye."""
    if token in known or not DOUBLE_RE.search(token):
        return token
    once = REPEAT_RE.sub(r"\1", token)
    if once in known:
        return once
    twice = REPEAT_RE.sub(r"\1\1", token)
    if twice in known:
        return twice
    trimmed = TRAILING_DOUBLE_RE.sub(r"\1", once)
    if trimmed in known:
        return trimmed
    return once


def stem(word: str, roots: frozenset[str]) -> str:
    """Strip Indonesian affixes, preferring a result that is a known root word."""
    if len(word) <= 4 or word in roots or word.isdigit():
        return word
    candidates = _candidates(word)
    for cand in candidates:
        if cand in roots:
            return cand
    return _fallback(word)


def _strip_suffixes(word: str) -> list[str]:
    """The word with its particle, possessive and derivational suffix removed in turn."""
    forms = [word]
    w = word
    for group in (PARTICLES, POSSESSIVES, SUFFIXES):
        for suffix in group:
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[: -len(suffix)]
                forms.append(w)
                break
    return forms


def _strip_prefix(word: str) -> list[str]:
    out = []
    for prefix in PREFIXES:
        if not word.startswith(prefix) or len(word) - len(prefix) < 3:
            continue
        rest = word[len(prefix):]
        out.append(rest)
        restore = NASAL_RESTORE.get(prefix)
        if restore and rest[0] in "aiueo":
            out.append(restore + rest)
    return out


def _candidates(word: str) -> list[str]:
    """Possible roots, least stripped first."""
    seen: dict[str, None] = {}
    for form in _strip_suffixes(word):
        seen.setdefault(form)
        for once in _strip_prefix(form):
            seen.setdefault(once)
            for twice in _strip_prefix(once):
                seen.setdefault(twice)
    return list(seen)


def _fallback(word: str) -> str:
    """Conservative strip for an unknown word: clear suffixes and one common prefix."""
    base = word
    for suffix in FALLBACK_SUFFIXES:
        if base.endswith(suffix) and len(base) - len(suffix) >= 4:
            base = base[: -len(suffix)]
            break
    for prefix in PLAIN_PREFIXES:
        if base.startswith(prefix) and len(base) - len(prefix) >= 4:
            return base[len(prefix):]
    return base


def normalize(text: str, lexicon: Lexicon) -> Normalized:
    """Turn raw user text into canonical tokens (slang expanded, synonyms mapped, stemmed)."""
    tokens: list[str] = []
    for tok in clean(text).split()[: MAX_TOKENS * 2]:
        tok = squeeze(tok, lexicon.roots)
        tokens.extend(lexicon.slang.get(tok, (tok,)))
    tokens = _map_synonyms(tokens, lexicon)
    stemmed = [t if t in lexicon.roots else lexicon.stem(t) for t in tokens]
    stemmed = _map_synonyms(stemmed, lexicon)[:MAX_TOKENS]
    content = tuple(_drop_negated(t for t in stemmed if t not in lexicon.stopwords and len(t) > 1))
    return Normalized(" ".join(stemmed), tuple(stemmed), content)


def _drop_negated(tokens) -> list[str]:
    """'tanpa atribut' says there is no attribute: drop the word that 'tanpa' negates."""
    out: list[str] = []
    skip = False
    for tok in tokens:
        if tok == NEGATOR:
            skip = True
        elif skip:
            skip = False
        else:
            out.append(tok)
    return out


def _map_synonyms(tokens: list[str], lexicon: Lexicon) -> list[str]:
    """Replace the longest matching variant phrase at each position by its canonical words."""
    if not lexicon.synonyms:
        return tokens
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        for size in range(min(lexicon.max_phrase, n - i), 0, -1):
            canon = lexicon.synonyms.get(tuple(tokens[i:i + size]))
            if canon is not None:
                out.extend(canon.split())
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out
