"""What each part of the normaliser and the lexicon is worth: accuracy with it taken out.

    python benchmarks/ablation.py [--eval evalsets/dev.yaml]

Rows: the full matcher; without the affix stripper (stemmer); without the synonym lexicon;
without the slang lexicon; without anchors/excludes. Figures as in `python -m bot eval`.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core import text  # noqa: E402
from bot.evaluation import evaluate, format_table, load_labelled, ours  # noqa: E402
from bot.core.index import build_index, build_lexicon  # noqa: E402
from bot.kb.knowledge import load  # noqa: E402


def without(kb, *keys: str):
    """The knowledge base with some lexicon sections emptied."""
    data = {k: v for k, v in kb.lexicon_data.items() if k not in keys}
    return dataclasses.replace(kb, lexicon_data=data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_eval = Path(__file__).resolve().parent.parent / "evalsets" / "dev.yaml"
    parser.add_argument("--eval", default=str(default_eval))
    args = parser.parse_args()
    questions = load_labelled(args.eval)
    kb = load()
    rows = [("full matcher", kb), ("without synonyms", without(kb, "synonyms")),
            ("without slang", without(kb, "slang")), ("without anchors", without(kb, "anchors", "excludes"))]
    reports = [evaluate(questions, ours(build_index(k)), name) for name, k in rows]
    real_stem = text.stem
    text.stem = lambda word, roots: word  # the stemmer switched off for one row
    try:
        lexicon = build_lexicon(kb)
        reports.insert(1, evaluate(questions, ours(build_index(kb, lexicon=lexicon)), "without stemmer"))
    finally:
        text.stem = real_stem
    print(f"{len(questions)} questions from {args.eval}")
    print(format_table(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
