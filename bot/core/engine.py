"""The live question-answering engine: the knowledge base and its index, swappable at run time."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from bot.kb.model import Entry, KnowledgeBase, Problem

from bot.kb.knowledge import load, load_with_problems
from bot.core.index import Index, build_index, build_lexicon
from bot.core.matching import Result, match
from bot.core.modelcache import load_or_train


@dataclass(frozen=True)
class Snapshot:
    """One knowledge base and the index built from it: a question matched here renders from here."""

    kb: KnowledgeBase
    index: Index

    def ask(self, question: str) -> Result:
        return match(question, self.index)

    def entry(self, entry_id: str | None) -> Entry | None:
        return self.kb.entry(entry_id) if entry_id else None


class Engine:
    """Holds the current snapshot (knowledge base + index); reload and learned examples replace it whole.

    The snapshot is swapped in one assignment, so a reader never sees the index of one
    knowledge base with the entries of another. A handler that awaits between matching
    and rendering takes one `snapshot()` and uses it for both.
    """

    def __init__(self, kb: KnowledgeBase, learned: tuple[tuple[str, str], ...] = (), *, ranker: bool = True):
        self._lock = threading.Lock()  # serialises writers; readers never wait
        self._learned = tuple(learned)
        self._ranker = ranker
        self._lexicon = build_lexicon(kb)
        self._model = load_or_train(kb, self._lexicon) if ranker else None
        self._snapshot = Snapshot(kb, self._build(kb))

    def _build(self, kb: KnowledgeBase) -> Index:
        return build_index(kb, self._learned, lexicon=self._lexicon, model=self._model)

    @classmethod
    def from_path(cls, root: str | Path | None = None, learned: tuple[tuple[str, str], ...] = (),
                  *, ranker: bool = True) -> Engine:
        """Load the knowledge base (raising KnowledgeError when it is broken) and index it."""
        return cls(load(root), learned, ranker=ranker)

    def snapshot(self) -> Snapshot:
        """The current knowledge base and index, consistent with each other and never changed."""
        return self._snapshot

    @property
    def kb(self) -> KnowledgeBase:
        return self._snapshot.kb

    @property
    def index(self) -> Index:
        return self._snapshot.index

    def ask(self, question: str) -> Result:
        return self._snapshot.ask(question)

    def entry(self, entry_id: str | None) -> Entry | None:
        return self._snapshot.entry(entry_id)

    def add_learned(self, entry_id: str, question: str) -> bool:
        """Teach the matcher a new phrasing of an entry; effective for the next question."""
        if not question.strip():
            return False
        with self._lock:
            kb = self._snapshot.kb
            if kb.entry(entry_id) is None:
                return False
            self._learned = self._learned + ((entry_id, question),)
            # The ranker weighs evidence, not entries: the new phrasing counts at once
            # through the neighbours and the lexical index, without retraining.
            self._snapshot = Snapshot(kb, self._build(kb))
        return True

    def remove_learned(self, entry_id: str, question: str) -> bool:
        """Forget a learned phrasing; effective for the next question. False when it was not known."""
        with self._lock:
            kept = tuple(pair for pair in self._learned if pair != (entry_id, question))
            if len(kept) == len(self._learned):
                return False
            self._learned = kept
            kb = self._snapshot.kb
            self._snapshot = Snapshot(kb, self._build(kb))
        return True

    @property
    def learned(self) -> tuple[tuple[str, str], ...]:
        """The learned (entry_id, question) pairs the index holds, in the order they were added."""
        return self._learned

    def sync_learned(self, learned: tuple[tuple[str, str], ...]) -> bool:
        """Hold exactly these learned pairs (another process taught or undid some); True when changed."""
        learned = tuple(learned)
        with self._lock:
            if learned == self._learned:
                return False
            self._learned = learned
            kb = self._snapshot.kb
            self._snapshot = Snapshot(kb, self._build(kb))
        return True

    def reload(self, root: str | Path | None = None) -> list[Problem]:
        """Reload the knowledge base from disk; on any problem keep the current one and return them.

        Like start-up, this refuses a structurally broken knowledge base; ambiguous examples
        are for `kb check` to report, not a reason to keep stale answers.
        """
        kb, problems = load_with_problems(root or self._snapshot.kb.root)
        if problems:
            return problems
        lexicon = build_lexicon(kb)
        model = load_or_train(kb, lexicon) if self._ranker else None
        with self._lock:
            self._lexicon, self._model = lexicon, model
            self._snapshot = Snapshot(kb, self._build(kb))
        return []
