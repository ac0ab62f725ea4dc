"""Accuracy on a labelled question file (../shared/eval format), ours and the naive baseline."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml
from rapidfuzz import fuzz, process

from bot.core.index import Index
from bot.core.matching import Result, Status, match


@dataclass(frozen=True)
class Labelled:
    question: str
    topic: str | None
    also: tuple[str, ...] = ()

    @property
    def accepted(self) -> frozenset[str]:
        return frozenset({self.topic, *self.also}) - {None}


@dataclass
class Report:
    """Counts behind the four figures the project tracks."""

    name: str
    total: int = 0
    in_scope: int = 0
    null: int = 0
    top1: int = 0
    top3: int = 0
    wrong: int = 0
    abstain: int = 0
    permissive: int = 0  # answered with a verdict more permissive than the right entry's
    errors: list[str] = field(default_factory=list)
    confused: Counter = field(default_factory=Counter)  # (wanted topic, answered or first offered topic)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.in_scope if self.in_scope else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.in_scope if self.in_scope else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.total if self.total else 0.0

    @property
    def abstain_rate(self) -> float:
        return self.abstain / self.null if self.null else 0.0


def load_labelled(path: str | Path) -> list[Labelled]:
    """Read a labelled file: `questions: [{q, topic, also?}]`; a label names a topic or one entry's id."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a 'questions:' list")
    out = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or "q" not in item:
            raise ValueError(f"{path}: question {n} has no 'q'")
        out.append(Labelled(str(item["q"]), item.get("topic"), tuple(item.get("also") or ())))
    return out


def evaluate(questions: list[Labelled], answer: Callable[[str], Result], name: str,
             verdicts: dict[str, int | None] | None = None) -> Report:
    """Run every question through `answer` and count hits and misses.

    `verdicts` (topic -> permissiveness, see `topic_permissiveness`) enables the count of
    answers more permissive than the right one.
    """
    rep = Report(name)
    for lab in questions:
        res = answer(lab.question)
        rep.total += 1
        offered = set()
        if res.status in (Status.ANSWERED, Status.SUGGEST):
            offered = {name for c in res.candidates for name in (c.topic, c.entry_id)}
        if res.status is Status.ANSWERED:
            offered |= {res.topic, res.entry_id}
        if lab.topic is None:
            rep.null += 1
            if res.status in (Status.UNANSWERED, Status.SMALLTALK):
                rep.abstain += 1
            else:
                if res.status is Status.ANSWERED:
                    rep.wrong += 1
                rep.errors.append(f"NULL  {res.status.value:10} {res.topic or '-':28} {lab.question}")
            continue
        rep.in_scope += 1
        hit1 = res.status is Status.ANSWERED and bool({res.topic, res.entry_id} & lab.accepted)
        rep.top1 += hit1
        rep.top3 += bool(offered & lab.accepted)
        if res.status is Status.ANSWERED and not hit1:
            rep.wrong += 1
            rep.confused[(lab.topic, res.topic)] += 1
            worse = _more_permissive(res.topic, lab.accepted, verdicts)
            rep.permissive += worse
            rep.errors.append(f"{'PERMISSIVE' if worse else 'WRONG'} {res.topic:28} want {lab.topic:28} {lab.question}")
        elif not hit1:
            got = ",".join(c.topic for c in res.candidates[:3])
            first = res.candidates[0] if res.candidates else None
            if first and not {first.topic, first.entry_id} & lab.accepted:
                rep.confused[(lab.topic, res.candidates[0].topic)] += 1
            rep.errors.append(f"MISS  {res.status.value:10} want {lab.topic:28} got [{got}] {lab.question}")
    return rep


def topic_permissiveness(index: Index) -> dict[str, int | None]:
    """Each topic's verdict as a permissiveness rank (the strictest of its entries), and each
    entry's own, for labels that name one entry rather than its topic."""
    out: dict[str, int | None] = {}
    for e in index.entries:
        rank = e.verdict.permissiveness
        if rank is not None:
            out[e.topic] = rank if out.get(e.topic) is None else min(out[e.topic], rank)
        else:
            out.setdefault(e.topic, None)
    topics = set(out)
    for e in index.entries:
        if e.id not in topics:
            out[e.id] = e.verdict.permissiveness
    return out


def unknown_labels(questions: list[Labelled], index: Index) -> dict[str, int]:
    """Labels that name neither a topic nor an entry of the knowledge base, with their counts."""
    known = {e.topic for e in index.entries} | {e.id for e in index.entries}
    out: dict[str, int] = {}
    for lab in questions:
        for name in lab.accepted - known:
            out[name] = out.get(name, 0) + 1
    return out


def _more_permissive(got: str | None, accepted: frozenset[str], verdicts: dict[str, int | None] | None) -> bool:
    """Whether the answered topic allows more than every accepted one (info counts as neither)."""
    if not verdicts or got is None or verdicts.get(got) is None:
        return False
    wanted = [verdicts.get(t) for t in accepted if verdicts.get(t) is not None]
    return bool(wanted) and verdicts[got] > max(wanted)


def format_confusions(rep: Report, most: int = 10) -> str:
    """The topic pairs most often confused: wanted -> answered (or offered first)."""
    lines = [f"{rep.name}: most confused topic pairs (wanted -> got)"]
    lines += [f"  {n:3}  {want} -> {got}" for (want, got), n in rep.confused.most_common(most)]
    return "\n".join(lines)


class NaiveBaseline:
    """What most FAQ bots do: extractOne over lower-cased titles and examples with WRatio."""

    def __init__(self, index: Index, cutoff: float = 0.0):
        self.choices: list[str] = []
        self.owner: list[int] = []
        for i, e in enumerate(index.entries):
            for text in (e.title, *e.examples):
                self.choices.append(text.lower())
                self.owner.append(i)
        self.index = index
        self.cutoff = cutoff

    def __call__(self, question: str) -> Result:
        best = process.extractOne(question.lower(), self.choices, scorer=fuzz.WRatio, score_cutoff=self.cutoff)
        if not best:
            return Result(question, Status.UNANSWERED, None, None, 0.0, (), question.lower(), "below cut-off")
        entry = self.index.entries[self.owner[best[2]]]
        return Result(question, Status.ANSWERED, entry.id, entry.topic, best[1] / 100, (), question.lower(), "naive")


def best_baseline(questions: list[Labelled], index: Index) -> tuple[NaiveBaseline, Report]:
    """The naive bot with the cut-off that serves it best: the most right decisions overall
    (in-scope questions answered with an accepted topic plus null questions left alone)."""
    runs = []
    for cutoff in range(0, 100, 5):
        base = NaiveBaseline(index, float(cutoff))
        rep = evaluate(questions, base, f"naive WRatio (cut-off {cutoff})")
        runs.append((rep.top1 + rep.abstain, -cutoff, base, rep))
    _, _, base, rep = max(runs, key=lambda run: run[:2])
    return base, rep


def format_table(reports: list[Report]) -> str:
    """The figures side by side, one row per bot."""
    head = (f"{'bot':34} {'in-scope top-1':>15} {'in-scope top-3':>15} {'wrong (all)':>12} {'null abstain':>13}"
            f" {'permissive':>10}")
    lines = [head, "-" * len(head)]
    for r in reports:
        lines.append(
            f"{r.name:34} {r.top1_rate:>8.1%} {r.top1:>3}/{r.in_scope:<3} {r.top3_rate:>8.1%} {r.top3:>3}/{r.in_scope:<3}"
            f" {r.wrong_rate:>6.1%} {r.wrong:>2}/{r.total:<3} {r.abstain_rate:>6.1%} {r.abstain:>2}/{r.null:<3}"
            f" {r.permissive:>10}")
    return "\n".join(lines)


def ours(index: Index) -> Callable[[str], Result]:
    return lambda q: match(q, index)
