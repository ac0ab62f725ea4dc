"""Matcher speed and accuracy, side by side with the naive FAQ bot.

Prints latency (median, p99) and questions per second for our matcher (lexicon + learned ranker) and for the naive
`rapidfuzz.process.extractOne(question.lower(), titles+examples, scorer=WRatio)` bot, on the
shipped knowledge base and on synthetic knowledge bases 10x and 100x larger, then the
accuracy of both on a labelled set.

    python benchmarks/bench_matcher.py [--eval evalsets/dev.yaml] [--sizes 1,10,100]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.evaluation import NaiveBaseline, best_baseline, evaluate, format_table, load_labelled, ours  # noqa: E402
from bot.kb.model import Area, KnowledgeBase  # noqa: E402
from bot.kb.knowledge import load  # noqa: E402
from bot.core.index import build_index, build_lexicon  # noqa: E402
from bot.core.matching import match  # noqa: E402
from bot.core.modelcache import load_or_train  # noqa: E402

SYLLABLES = ["ka", "ri", "mo", "tu", "la", "pe", "si", "no", "da", "gu", "be", "ra", "wi", "ja", "ko"]


def synthetic(kb: KnowledgeBase, factor: int, seed: int = 7) -> KnowledgeBase:
    """The knowledge base `factor` times over: copies whose phrasings swap in invented words,
    so the vocabulary and the postings grow as a real, larger knowledge base's would."""
    if factor == 1:
        return kb
    rng = random.Random(seed)
    entries = list(kb.entries)
    for copy in range(1, factor):
        for e in kb.entries:
            def vary(text: str) -> str:
                words = text.split()
                for _ in range(max(1, len(words) // 3)):
                    words[rng.randrange(len(words))] = "".join(rng.choice(SYLLABLES) for _ in range(3))
                return " ".join(words)
            entries.append(dataclasses.replace(
                e, id=f"{e.id}-x{copy}", topic=f"{e.topic}-x{copy}", title=vary(e.title),
                examples=tuple(vary(x) for x in e.examples), keywords=(), related=()))
    areas = (Area("synthetic", "Synthetic", 999, tuple(e.id for e in entries)),)
    return KnowledgeBase(tuple(entries), areas, kb.sources, kb.lexicon_data, kb.root)


def timed(fn, questions: list[str], rounds: int) -> tuple[float, float, float]:
    """(median ms, p99 ms, questions per second) over `rounds` passes of the questions."""
    lat = []
    start = time.perf_counter()
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            fn(q)
            lat.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - start
    lat.sort()
    return statistics.median(lat), lat[int(len(lat) * 0.99) - 1], len(lat) / total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_eval = Path(__file__).resolve().parent.parent / "evalsets" / "dev.yaml"
    parser.add_argument("--eval", default=str(default_eval), help="labelled questions (also the timing load)")
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    kb = load()
    labelled = load_labelled(args.eval)
    questions = [q.question for q in labelled]
    lexicon = build_lexicon(kb)
    t0 = time.perf_counter()
    model = load_or_train(kb, lexicon)  # the ranker weighs generic evidence: one model serves every size
    print(f"ranker: {time.perf_counter() - t0:.2f} s to load or train")
    print(f"knowledge base: {len(kb.entries)} entries, {sum(len(e.examples) for e in kb.entries)} examples; "
          f"{len(questions)} questions from {args.eval}; python {sys.version.split()[0]}")
    print()
    print(f"{'size':>5} {'entries':>8} {'bot':8} {'build s':>8} {'median ms':>10} {'p99 ms':>8} {'q/s':>8}")
    for factor in [int(x) for x in args.sizes.split(",")]:
        big = synthetic(kb, factor)
        t0 = time.perf_counter()
        index = build_index(big, lexicon=lexicon, model=model)
        build_s = time.perf_counter() - t0
        naive = NaiveBaseline(index, 0)
        rounds = args.rounds if factor < 100 else 1
        med, p99, qps = timed(lambda q: match(q, index), questions, rounds)
        print(f"{factor:>4}x {len(big.entries):>8} {'ours':8} {build_s:>8.2f} {med:>10.3f} {p99:>8.3f} {qps:>8.0f}")
        med, p99, qps = timed(naive, questions, rounds)
        print(f"{factor:>4}x {len(big.entries):>8} {'naive':8} {'':>8} {med:>10.3f} {p99:>8.3f} {qps:>8.0f}")
    print()
    index = build_index(kb, lexicon=lexicon, model=model)
    reports = [evaluate(labelled, ours(index), "Tanya Netral matcher"), best_baseline(labelled, index)[1],
               evaluate(labelled, NaiveBaseline(index, 0), "naive WRatio (no cut-off)")]
    print(format_table(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
