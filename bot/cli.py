"""The command-line subcommands: console chat, ask, eval and kb check."""

from __future__ import annotations

import json
import re
import shutil
import sys
import textwrap
from html import unescape
from typing import TextIO

from bot.core import cards
from bot.core import messages as msg
from bot.core import smalltalk
from bot.core.asker import status_of
from bot.core.engine import Engine
from bot.evaluation import (best_baseline, evaluate, format_confusions, format_table, load_labelled, ours,
                         topic_permissiveness, unknown_labels)
from bot.kb.check import check
from bot.kb.rules import STALE_DAYS, recheck_list, stale_warnings
from bot.kb.model import KnowledgeBase, KnowledgeError
from bot.core.index import Index
from bot.core.matching import Result, Status, match


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
        return cards.render_text(about, kb) if about else smalltalk.reply(res.question, kb.lexicon_data)
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
    """The console chat: line editing and history on a terminal, replies wrapped to its width."""
    kb, index = load_index(root)
    read = _line_reader(inp, out)
    width = max(40, shutil.get_terminal_size(fallback=(80, 24)).columns - 1)
    chat = Console(kb, index)
    out.write(wrap(msg.CONSOLE_WELCOME, width) + "\n\n")
    while True:
        line = read("Anda> ")
        if line is None or line.strip().lower() in msg.CONSOLE_QUIT_WORDS:
            out.write("\n" + msg.CONSOLE_BYE + "\n")
            return 0
        reply = chat.respond(line)
        if reply:
            out.write("\n" + wrap(reply, width) + "\n\n")
            out.flush()


class Console:
    """What the console says to each line: answers, numbered choices, /topik, /bantuan, /tentang."""

    def __init__(self, kb: KnowledgeBase, index: Index):
        self.kb = kb
        self.index = index
        self.choices: list[tuple[str, str]] = []  # ("entry" | "area", id) offered under numbers
        self.asked = ""  # the question the choices were offered for: its asker's status comes first

    def respond(self, line: str) -> str | None:
        """The reply to one typed line; None for an empty line."""
        text = line.strip()
        if not text:
            return None
        if text.isdigit():
            return self._choose(int(text))
        if text.startswith("/"):
            return self._command(text.split()[0][1:].split("@")[0].lower())
        res = match(text, self.index)
        self.choices = [("entry", c.entry_id) for c in res.choices] if res.status is Status.SUGGEST else []
        self.asked = text
        reply = render_result(res, self.kb)
        return reply + "\n" + msg.CONSOLE_PICK if self.choices else reply

    def _choose(self, n: int) -> str:
        if not self.choices:
            return msg.CONSOLE_NO_CHOICE
        if not 1 <= n <= len(self.choices):
            return msg.CONSOLE_BAD_CHOICE.format(n=n, last=len(self.choices))
        kind, ident = self.choices[n - 1]
        if kind == "area":
            area = next(a for a in self.kb.areas if a.id == ident)
            self.choices = [("entry", e) for e in area.entries]
            return self._numbered(msg.CONSOLE_AREA.format(title=area.title),
                                  [self.kb.entry(e).title for e in area.entries])
        self.choices = []
        return cards.render_text(self.kb.entry(ident), self.kb, status=status_of(self.asked))

    def _command(self, name: str) -> str:
        self.choices = []
        if name == "topik":
            self.choices = [("area", a.id) for a in self.kb.areas]
            return self._numbered(msg.CONSOLE_AREAS, [f"{a.title} ({len(a.entries)})" for a in self.kb.areas])
        if name in ("bantuan", "help"):
            return msg.CONSOLE_HELP
        if name == "tentang":
            return plain(msg.ABOUT.format(disclaimer=msg.DISCLAIMER))
        if name == "start":
            return msg.CONSOLE_WELCOME + "\n\n" + msg.CONSOLE_HELP
        return msg.CONSOLE_UNKNOWN_COMMAND

    @staticmethod
    def _numbered(title: str, labels: list[str]) -> str:
        return "\n".join([title, *(f"  {n}. {label}" for n, label in enumerate(labels, 1))])


def _line_reader(inp: TextIO, out: TextIO):
    """read(prompt) -> the line, or None at end of input. On a terminal: readline editing and history."""
    if inp is sys.stdin and out is sys.stdout and inp.isatty():
        import readline  # noqa: F401 - importing it gives input() line editing and history

        def read_tty(prompt: str) -> str | None:
            try:
                return input(prompt)
            except (EOFError, KeyboardInterrupt):
                return None

        return read_tty

    def read_stream(prompt: str) -> str | None:
        out.write(prompt)
        out.flush()
        line = inp.readline()
        return line if line else None

    return read_stream


BULLET_RE = re.compile(r"^(\s*(?:[•*-]|\d+\.)?\s*)")


def wrap(text: str, width: int) -> str:
    """Each line wrapped at word boundaries to `width`, continuation lines indented under the first word."""
    lines = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        hang = " " * len(BULLET_RE.match(line).group(1))
        lines.append(textwrap.fill(line, width, subsequent_indent=hang, break_long_words=False,
                                   break_on_hyphens=False))
    return "\n".join(lines)


def plain(html: str) -> str:
    """Telegram HTML as console text."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def cmd_eval(path: str, *, errors: bool, baseline: bool, root: str | None, out: TextIO) -> int:
    kb, index = load_index(root)
    questions = load_labelled(path)
    verdicts = topic_permissiveness(index)
    reports = [evaluate(questions, ours(index), "Tanya Netral matcher", verdicts)]
    if baseline:
        reports.append(best_baseline(questions, index)[1])
    out.write(f"{len(questions)} questions, {sum(1 for q in questions if q.topic)} in scope, "
              f"{sum(1 for q in questions if not q.topic)} null; {len(kb.entries)} entries\n")
    for name, count in sorted(unknown_labels(questions, index).items()):
        out.write(f"{path}: label {name!r} ({count} questions) names no topic or entry; they count as missed\n")
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
