"""`kb check`: the structural problems, what entries say (bot.kbrules), ambiguity and topic coverage."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.kb.rules import content_problems
from bot.kb.model import KnowledgeBase, Problem
from bot.kb.knowledge import default_root, load_with_problems
from bot.core.index import Index, build_index
from bot.kb.lexiconcheck import lexicon_problems
from bot.core.matching import Status, match


def check(root: Path | str | None = None, topics_file: Path | str | None = None) -> tuple[KnowledgeBase, list[Problem]]:
    """Everything `python -m bot kb check` reports, in file order."""
    kb, problems = load_with_problems(root)
    problems.extend(lexicon_problems(root))
    if topics_file is None:
        # The topic list ships beside the entries (a copy of shared/topics.yaml).
        shipped = Path(root or default_root()) / "topics.yaml"
        topics_file = shipped if shipped.is_file() else None
    if kb.entries:
        problems.extend(content_problems(kb))
        problems.extend(ambiguities(kb, build_index(kb)))
    if topics_file:
        problems.extend(uncovered_topics(kb, topics_file))
    return kb, problems


def ambiguities(kb: KnowledgeBase, index: Index) -> list[Problem]:
    """Examples that the matcher does not send back to their own entry (or its topic)."""
    out = []
    for entry in kb.entries:
        for n, example in enumerate(entry.examples):
            res = match(example, index)
            line = entry.example_lines[n] if n < len(entry.example_lines) else entry.line
            if res.status in (Status.ANSWERED, Status.SMALLTALK) and res.topic == entry.topic:
                continue
            if res.status is Status.ANSWERED:
                what = f"contoh dijawab dengan entri lain ({res.entry_id}): {example!r}"
            else:
                got = ", ".join(c.entry_id for c in res.candidates) or "-"
                what = f"contoh tidak terjawab ({res.status.value}; kandidat: {got}): {example!r}"
            out.append(Problem(entry.file, line, entry.id, what))
    return out


def uncovered_topics(kb: KnowledgeBase, topics_file: Path | str) -> list[Problem]:
    """Topics of the topics file that no entry covers, and verdicts that contradict it."""
    path = Path(topics_file)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        return [Problem(str(path), 0, "", f"tidak bisa dibaca: {exc}")]
    out = []
    lines = path.read_text(encoding="utf-8").splitlines()
    by_topic: dict[str, list] = {}
    for e in kb.entries:
        by_topic.setdefault(e.topic, []).append(e)
    for topic in data.get("topics") or ():
        tid = topic.get("id")
        line = next((n for n, text in enumerate(lines, 1) if text.strip() == f"- id: {tid}"), 0)
        if tid not in by_topic:
            out.append(Problem(str(path), line, tid, "topik belum dijawab oleh entri mana pun"))
            continue
        want = topic.get("verdict")
        if want:
            for e in by_topic[tid]:
                if e.verdict.value != want:
                    out.append(Problem(e.file, e.line, e.id, f"verdict {e.verdict.value} berbeda dari topics.yaml ({want})"))
    return out
