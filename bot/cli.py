"""The command-line subcommands: console chat, ask, eval and kb check."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from . import cards
from . import messages as msg
from .asker import status_of
from .engine import Engine
from .evaluation import (best_baseline, evaluate, format_confusions, format_table, load_labelled, ours,
                         topic_permissiveness)
from .kbcheck import check
from .kbrules import STALE_DAYS, recheck_list, stale_warnings
from .knowledge import KnowledgeBase, KnowledgeError
from .index import Index
from .matching import Result, Status, match


def load_index(root: str | None = None) -> tuple[KnowledgeBase, Index]:
    """Load the knowledge base (refusing a broken one) and index it, with the learned ranker."""
    engine = Engine.from_path(root)
    return engine.kb, engine.index


def result_json(res: Result, kb: KnowledgeBase) -> dict:
    entry = kb.entry(res.entry_id) if res.entry_id else None
    return {
        "question": res.question,
        "status": res.status.value,
        "entry_id": res.entry_id,
        "topic": res.topic,
        "verdict": entry.verdict.value if entry else None,
        "score": res.score,
        "alternatives": [{"entry_id": c.entry_id, "topic": c.topic, "score": c.score} for c in res.candidates],
    }


def render_result(res: Result, kb: KnowledgeBase) -> str:
    """The console version of what the Telegram bot would send."""
    if res.status is Status.ANSWERED:
        return cards.render_text(kb.entry(res.entry_id), kb, status=status_of(res.question))
    if res.status is Status.SUGGEST:
        lines = [msg.SUGGEST_INTRO]
        lines += [f"  {n}. {kb.entry(c.entry_id).title}" for n, c in enumerate(res.choices, 1)]
        return "\n".join(lines + [msg.SUGGEST_FOOTER])
    if res.status is Status.SMALLTALK:
        about = kb.entry(res.entry_id) if res.entry_id else None
        return cards.render_text(about, kb) if about else msg.SMALLTALK
    return msg.UNANSWERED


def cmd_ask(question: str, *, as_json: bool, explain: bool, root: str | None, out: TextIO) -> int:
    kb, index = load_index(root)
    questions = sys.stdin if question == "-" else [question]
    for line in questions:
        q = line.rstrip("\n") if question == "-" else line
        res = match(q, index, explain=explain)
        if as_json:
            data = result_json(res, kb)
            if explain:
                data["explain"] = list(res.details)
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
            out.flush()
        else:
            if explain:
                out.write("\n".join(res.details) + f"\nstatus: {res.status.value} ({res.reason})\n\n")
            out.write(render_result(res, kb) + "\n")
    return 0


def cmd_chat(root: str | None, inp: TextIO, out: TextIO) -> int:
    kb, index = load_index(root)
    out.write(msg.CONSOLE_WELCOME + "\n\n")
    pending: Result | None = None
    while True:
        out.write("Anda> ")
        out.flush()
        line = inp.readline()
        if not line or line.strip().lower() in msg.CONSOLE_QUIT_WORDS:
            out.write("\n" + msg.CONSOLE_BYE + "\n")
            return 0
        text = line.strip()
        if pending and text.isdigit() and 1 <= int(text) <= len(pending.choices):
            entry = kb.entry(pending.choices[int(text) - 1].entry_id)
            out.write("\n" + cards.render_text(entry, kb, status=status_of(pending.question)) + "\n\n")
            pending = None
            continue
        res = match(text, index)
        pending = res if res.status is Status.SUGGEST else None
        reply = render_result(res, kb)
        if pending:
            reply += "\n" + msg.CONSOLE_PICK
        out.write("\n" + reply + "\n\n")


def cmd_eval(path: str, *, errors: bool, baseline: bool, root: str | None, out: TextIO) -> int:
    kb, index = load_index(root)
    questions = load_labelled(path)
    verdicts = topic_permissiveness(index)
    reports = [evaluate(questions, ours(index), "Tanya Netral matcher", verdicts)]
    if baseline:
        reports.append(best_baseline(questions, index)[1])
    out.write(f"{len(questions)} questions, {sum(1 for q in questions if q.topic)} in scope, "
              f"{sum(1 for q in questions if not q.topic)} null; {len(kb.entries)} entries\n")
    out.write(format_table(reports) + "\n\n" + format_confusions(reports[0]) + "\n")
    if errors:
        for rep in reports:
            out.write(f"\n{rep.name}: {len(rep.errors)} misses\n")
            out.write("\n".join(rep.errors) + "\n")
    return 0


def cmd_kb_check(root: str | None, topics: str | None, out: TextIO, *, stale: bool = False,
                 days: int = STALE_DAYS) -> int:
    """Problems (exit 1) and warnings; with `stale`, also what to re-check before an election season."""
    kb, problems = check(root, topics)
    warnings = stale_warnings(kb, days=days)
    for p in [*problems, *warnings]:
        out.write(f"{p}\n")
    examples = sum(len(e.examples) for e in kb.entries)
    out.write(f"{len(kb.entries)} entries, {examples} examples, {len(kb.sources)} sources: "
              f"{len(problems)} problem(s), {len(warnings)} warning(s)\n")
    if stale:
        rows = recheck_list(kb, days=days)
        out.write(f"\nto re-check before the next election season ({len(rows)}):\n")
        for p in rows:
            out.write(f"{p}\n")
    return 1 if problems else 0


def report_broken(exc: KnowledgeError, err: TextIO) -> int:
    err.write("Knowledge base is broken; fix these first:\n")
    for p in exc.problems:
        err.write(f"{p}\n")
    return 1
