"""Two-fold cross-validation over the knowledge base's own examples.

A held-out proxy for tuning: index the entries with half of their examples, ask the other
half, and swap. Prints the same figures as `eval` (the examples are all in scope), so a
lexicon or scoring change can be checked on questions the index has never seen, not only
on the development set: first the lexical score alone, then the full matcher, whose ranker
is trained on the fold's half only (as the shipped one is trained on the whole).

    python benchmarks/crossval.py
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.evaluation import Labelled, Report, evaluate, format_table, ours, topic_permissiveness  # noqa: E402
from bot.kb.model import KnowledgeBase  # noqa: E402
from bot.kb.knowledge import load  # noqa: E402
from bot.core.index import build_index, build_lexicon  # noqa: E402
from bot.core.training import train  # noqa: E402


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
    folds = [fold(kb, keep) for keep in (0, 1)]
    for ranker in (False, True):
        reports = []
        for keep, (part, held) in enumerate(folds):
            model = train(part, lexicon) if ranker else None
            index = build_index(part, lexicon=lexicon, model=model)
            reports.append(evaluate(held, ours(index), f"fold {keep + 1} ({len(held)} q)", topic_permissiveness(index)))
        print("lexicon + ranker (trained on the fold)" if ranker else "lexical score alone")
        print(format_table(reports + [total(reports)]))
        print()
    return 0


def total(reports: list[Report]) -> Report:
    """Both folds' counts together."""
    out = dataclasses.replace(reports[0], name="both folds", errors=[])
    for field in ("total", "in_scope", "null", "top1", "top3", "wrong", "abstain", "permissive"):
        setattr(out, field, sum(getattr(r, field) for r in reports))
    return out


if __name__ == "__main__":
    sys.exit(main())
