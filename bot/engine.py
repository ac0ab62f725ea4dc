"""The live question-answering engine: the knowledge base and its index, swappable at run time."""

from __future__ import annotations

import threading
from pathlib import Path

from .knowledge import Entry, KnowledgeBase, Problem, load, load_with_problems
from .index import Index, build_index, build_lexicon
from .matching import Result, match


class Engine:
    """Holds the current knowledge base and index; reload and learned examples replace them whole.

    Readers take a reference to the current (immutable) index, so an answer is never
    computed against a half-built one.
    """

    def __init__(self, kb: KnowledgeBase, learned: tuple[tuple[str, str], ...] = ()):
        self._lock = threading.Lock()
        self._kb = kb
        self._learned = tuple(learned)
        self._lexicon = build_lexicon(kb)
        self._index = build_index(kb, self._learned, lexicon=self._lexicon)

    @classmethod
    def from_path(cls, root: str | Path | None = None, learned: tuple[tuple[str, str], ...] = ()) -> Engine:
        """Load the knowledge base (raising KnowledgeError when it is broken) and index it."""
        return cls(load(root), learned)

    @property
    def kb(self) -> KnowledgeBase:
        return self._kb

    @property
    def index(self) -> Index:
        return self._index

    def ask(self, question: str) -> Result:
        return match(question, self._index)

    def entry(self, entry_id: str | None) -> Entry | None:
        return self._kb.entry(entry_id) if entry_id else None

    def add_learned(self, entry_id: str, question: str) -> bool:
        """Teach the matcher a new phrasing of an entry; effective for the next question."""
        if self._kb.entry(entry_id) is None or not question.strip():
            return False
        with self._lock:
            self._learned = self._learned + ((entry_id, question),)
            self._index = build_index(self._kb, self._learned, lexicon=self._lexicon)
        return True

    def reload(self, root: str | Path | None = None) -> list[Problem]:
        """Reload the knowledge base from disk; on any problem keep the current one and return them.

        Like start-up, this refuses a structurally broken knowledge base; ambiguous examples
        are for `kb check` to report, not a reason to keep stale answers.
        """
        kb, problems = load_with_problems(root or self._kb.root)
        if problems:
            return problems
        with self._lock:
            self._kb = kb
            self._lexicon = build_lexicon(kb)
            self._index = build_index(kb, self._learned, lexicon=self._lexicon)
        return []
