"""Two-fold cross-validation over the knowledge base's own examples.

A held-out proxy for tuning: index the entries with half of their examples, ask the other
half, and swap. Prints the same figures as `eval` (the examples are all in scope), so a
lexicon or scoring change can be checked on questions the index has never seen, not only
on the development set.

    python benchmarks/crossval.py
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.evaluation import Labelled, evaluate, format_table, ours  # noqa: E402
from bot.kb.model import KnowledgeBase  # noqa: E402
from bot.kb.knowledge import load  # noqa: E402
from bot.core.index import build_index, build_lexicon  # noqa: E402


def fold(kb: KnowledgeBase, keep: int) -> tuple[KnowledgeBase, list[Labelled]]:
    """The knowledge base with every other example (parity `keep`), and the others as questions."""
    entries, held = [], []
    for e in kb.entries:
        kept = tuple(x for n, x in enumerate(e.examples) if n % 2 == keep)
        held += [Labelled(x, e.topic) for n, x in enumerate(e.examples) if n % 2 != keep]
        entries.append(dataclasses.replace(e, examples=kept))
    return dataclasses.replace(kb, entries=tuple(entries)), held


def main() -> int:
    kb = load()
    lexicon = build_lexicon(kb)
    reports = []
    for keep in (0, 1):
        part, held = fold(kb, keep)
        reports.append(evaluate(held, ours(build_index(part, lexicon=lexicon)), f"fold {keep + 1} ({len(held)} q)"))
    total = dataclasses.replace(reports[0], name="both folds", errors=[])
    for field in ("total", "in_scope", "null", "top1", "top3", "wrong", "abstain"):
        setattr(total, field, sum(getattr(r, field) for r in reports))
    print(format_table(reports + [total]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
