"""Does the ranker's confidence mean something? Reliability and the answer cut-offs' trade-off.

For each set — the labelled tuning sets (dev, team, fresh; never fresh2) and the knowledge
base's own examples asked out of fold (two folds, each with a ranker trained on the other
half, as benchmarks/crossval.py) — prints:

- reliability: questions binned by the best candidate's probability, with the mean
  probability and the share whose best candidate is right (an out-of-scope question's
  best candidate is never right). Calibrated means the two columns agree.
- the decision at a few cut-offs (the answer cut-off and the lead over another topic; the
  rest as shipped): in-scope top-1, wrong answers, out-of-scope abstention, permissive
  answers. The shipped cut-offs are marked *. The last table sums the tuning sets and the
  folds, the figures the decision rule is chosen on.

    python benchmarks/calibration.py [--answer 0.5,0.6,0.7,0.8] [--margin 0.15,0.25,0.35]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.crossval import fold, total  # noqa: E402
from bot.core.index import Index, build_index, build_lexicon  # noqa: E402
from bot.core.matching import Evidence, conclude, gather, ranked  # noqa: E402
from bot.core.modelcache import load_or_train  # noqa: E402
from bot.core.training import train  # noqa: E402
from bot.evaluation import Labelled, Report, evaluate, load_labelled, topic_permissiveness  # noqa: E402
from bot.kb.knowledge import load  # noqa: E402

TUNING_SETS = ("dev", "team", "fresh")
BINS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


@dataclasses.dataclass
class Asked:
    """One labelled question with its evidence, gathered once and decided many times."""

    question: Labelled
    evidence: Evidence
    index: Index


def gathered(questions: list[Labelled], index: Index) -> list[Asked]:
    return [Asked(q, gather(q.question, index), index) for q in questions]


def reliability(asked: list[Asked]) -> str:
    """Bins of the best candidate's probability: count, mean probability, share right."""
    rows = []
    for a in asked:
        scored = ranked(a.evidence, a.index)
        if scored:
            p, best = scored[0]
            entry = a.index.entries[best]
            rows.append((p, bool({entry.topic, entry.id} & a.question.accepted)))
    lines = [f"  {'P(best)':>11} {'questions':>9} {'mean P':>7} {'right':>6}"]
    for lo, hi in zip(BINS, BINS[1:]):
        part = [(p, ok) for p, ok in rows if lo <= p < hi]
        if part:
            mean = sum(p for p, _ in part) / len(part)
            right = sum(ok for _, ok in part) / len(part)
            lines.append(f"  {lo:.1f} - {min(hi, 1.0):.1f} {len(part):>9} {mean:>7.2f} {right:>6.0%}")
    return "\n".join(lines)


def decide(asked: list[Asked], cut) -> Report:
    """The decision for every question at cut-offs `cut` (None: as shipped), counted as `eval` counts it."""
    pending = iter(asked)

    def answer(_question: str):
        a = next(pending)  # evaluate() asks in order; each question has its own gathered evidence
        return conclude(a.question.question, a.evidence, a.index, cutoffs=cut)

    # Every fold's index has the same entries and verdicts: one table serves them all.
    verdicts = topic_permissiveness(asked[0].index) if asked else None
    return evaluate([a.question for a in asked], answer, "", verdicts)


def line(r: Report) -> str:
    return f"{r.top1_rate:>7.1%} {r.wrong_rate:>7.1%} {r.wrong:>4} {r.abstain_rate:>8.1%} {r.permissive:>5}"


def grid(answers: list[float], margins: list[float], shipped) -> list[tuple[str, object]]:
    out = [("* shipped", None)]
    for a in answers:
        for m in margins:
            cut = dataclasses.replace(shipped, answer=a, margin=m)
            mark = "*" if cut == shipped else " "
            out.append((f"{mark} answer {a:.2f} margin {m:.2f}", cut))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answer", default="0.5,0.6,0.7,0.8")
    parser.add_argument("--margin", default="0.15,0.25,0.35")
    args = parser.parse_args()
    kb = load()
    lexicon = build_lexicon(kb)
    index = build_index(kb, lexicon=lexicon, model=load_or_train(kb, lexicon))
    sets: dict[str, list[Asked]] = {
        name: gathered(load_labelled(ROOT / "evalsets" / f"{name}.yaml"), index) for name in TUNING_SETS}
    folds = []
    for keep in (0, 1):
        part, held = fold(kb, keep)
        folds += gathered(held, build_index(part, lexicon=lexicon, model=train(part, lexicon)))
    sets["kb out of fold"] = folds

    shipped = index.thresholds.ranked
    cuts = grid([float(x) for x in args.answer.split(",")], [float(x) for x in args.margin.split(",")], shipped)
    header = f"  {'cut-offs':30} {'top-1':>7} {'wrong':>7} {'n':>4} {'abstain':>8} {'perm':>5}"
    totals: dict[str, list[Report]] = {name: [] for name, _ in cuts}
    for name, asked in sets.items():
        print(f"== {name}: {len(asked)} questions")
        print(reliability(asked))
        print(header)
        for label, cut in cuts:
            report = decide(asked, cut)
            totals[label].append(report)
            print(f"  {label:30} {line(report)}")
        print()
    print("== all of the above together")
    print(header)
    for label, _ in cuts:
        print(f"  {label:30} {line(total(totals[label]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
