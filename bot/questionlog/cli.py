"""`log queue|stats|export|report|words|purge` and `kb learned`: the question log from the command line."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from pathlib import Path
from typing import TextIO

import yaml

from bot.kb import merge as kbmerge
from bot.questionlog import report, review, teaching
from bot.kb.knowledge import load
from bot.config import ConfigError, from_env, scrub
from bot.config import describe_db
from bot.questionlog.export import age_label, parse_age, to_csv, to_jsonl
from bot.core.engine import Engine
from bot.questionlog.review import Group, Stats
from bot.questionlog.vocabulary import UnknownWord, unknown_words
from bot.questionlog import storage
from bot.questionlog.storage import LogUnavailable, QuestionLog, stamp


def cmd_log(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one `log` subcommand on the database at BOT_DB_PATH; 0 on success."""
    out, err = out or sys.stdout, err or sys.stderr
    since = None
    if getattr(args, "since", None):
        try:
            since = parse_age(args.since)
        except ValueError as exc:
            err.write(f"--since: {exc}\n")
            return 2
    if args.log_command == "migrate":
        from bot.questionlog.migrate import cmd_migrate
        return cmd_migrate(args.to, out, err)
    if args.log_command == "purge" and args.older_than < 1:
        err.write("--older-than must be at least 1 day\n")
        return 2
    return asyncio.run(_with_log(_LOG_COMMANDS[args.log_command], args, since, out, err))


def cmd_learned(out: TextIO, err: TextIO | None = None, *, args: argparse.Namespace | None = None) -> int:
    """`kb learned`: print the examples in effect as YAML; --list, --undo ID or --apply them."""
    args = args or argparse.Namespace()
    command = (_learned_list if getattr(args, "list", False) else
               _learned_undo if getattr(args, "undo", None) is not None else
               _learned_apply if getattr(args, "apply", False) else _learned)
    return asyncio.run(_with_log(command, args, None, out, err or sys.stderr))


async def _with_log(command, args, since, out: TextIO, err: TextIO) -> int:
    try:
        config = from_env(require_token=False)
    except ConfigError as exc:
        err.write(f"config error: {exc}\n")
        return 2
    where = describe_db(config.db_url) if config.db_url else str(config.db_path)
    if not config.db_url and not config.db_path.is_file():
        # Opening would create an empty database (and a hash secret) wherever we happen to be.
        err.write(f"question log at {config.db_path}: no database there (set BOT_DB_PATH to the bot's database)\n")
        return 1
    # These commands never pseudonymise a user id, so they need no secret: a throwaway one
    # keeps them from creating a hash-secret file next to the database.
    try:
        log = await storage.open_log(config, secret=config.hash_secret or secrets.token_hex(32))
    except ConfigError as exc:
        err.write(f"question log at {where}: {exc}\n")
        return 2
    try:
        if not log.connected:
            raise LogUnavailable("the database cannot be opened (see the warning above)")
        return await command(log, args, since, out)
    except (LogUnavailable, OSError) as exc:
        err.write(f"question log at {where}: {scrub(str(exc), config.hidden())}\n")
        return 1
    finally:
        await log.close()


async def _queue(log: QuestionLog, args, since, out: TextIO) -> int:
    groups = await review.queue(log, since=since)
    period = f" asked in the last {age_label(since)}" if since else ""
    out.write(f"{sum(g.count for g in groups)} question(s){period} to review in {len(groups)} group(s)\n")
    for group in groups:
        out.write(format_group(group))
    return 0


def format_group(group: Group) -> str:
    reasons = ", ".join(f"{label} {n}" for label, n in (
        ("unanswered", group.unanswered), ("suggestion not chosen", group.unchosen),
        ("thumbs down", group.downvoted)) if n)
    lines = [f"\n[{group.count}x] {group.samples[0]}  ({reasons})  id {group.qid}"]
    lines += [f"       also: {sample}" for sample in group.samples[1:]]
    if group.entries:
        lines.append(f"       bot offered: {', '.join(group.entries[:3])}")
    return "\n".join(line.replace("\n", " ") for line in lines) + "\n"


async def _stats(log: QuestionLog, args, since, out: TextIO) -> int:
    stats = await review.stats(log, since or review.STATS_PERIOD)
    out.write(format_stats(stats))
    delivered = await log.delivery_counts(log.now() - stats.period)
    out.write(f"Replies ({age_label(stats.period)}): sent {delivered.get('sent', 0)}, "
              f"send failed {delivered.get('failed', 0)}, timed out after sending {delivered.get('unsure', 0)}, "
              f"not sent yet {delivered.get('pending', 0)}\n")
    return 0


def format_stats(stats: Stats) -> str:
    rate = "-" if stats.answered_rate is None else f"{stats.answered_rate:.0%}"
    statuses = ", ".join(f"{s} {n}" for s, n in sorted(stats.by_status.items())) or "-"
    period = age_label(stats.period)
    lines = [
        f"Questions: today {stats.today}, last 7 days {stats.week}, last 30 days {stats.month}",
        f"Answered outright ({period}, smalltalk excluded): {rate}",
        f"By status ({period}): {statuses}",
        f"Votes ({period}): up {stats.votes_up}, down {stats.votes_down}",
        f"Top entries ({period}):",
        *(f"  {n:5d}  {entry}" for entry, n in stats.top_entries[:10]),
        f"Largest groups waiting for review ({period}):",
        *(f"  {g.count:5d}  {g.samples[0]}".replace("\n", " ") for g in stats.top_unanswered),
    ]
    return "\n".join(lines) + "\n"


async def _export(log: QuestionLog, args, since, out: TextIO) -> int:
    rows = await review.export(log, since)
    data = to_csv(rows) if args.format == "csv" else to_jsonl(rows)
    if args.out:
        Path(args.out).write_bytes(data)
        out.write(f"{len(rows)} row(s) written to {args.out}\n")
    elif hasattr(out, "buffer"):
        out.flush()
        out.buffer.write(data)
        out.buffer.flush()
    else:
        out.write(data.decode("utf-8-sig" if args.format == "csv" else "utf-8"))
    return 0


async def _purge(log: QuestionLog, args, since, out: TextIO) -> int:
    removed = await log.purge(args.older_than)
    out.write(f"{removed} question(s) older than {args.older_than} day(s) deleted\n")
    return 0


async def _learned(log: QuestionLog, args, since, out: TextIO) -> int:
    grouped: dict[str, list[str]] = {}
    for entry_id, question in await log.learned():
        grouped.setdefault(entry_id, []).append(question)
    out.write("# Learned examples approved by curators, per entry id: add them to the entry's\n"
              "# `examples:` in knowledge/entries/*.yaml, then run `python -m bot kb check`.\n")
    if grouped:
        out.write(yaml.safe_dump(grouped, allow_unicode=True, sort_keys=True, width=1000))
    return 0


async def _index(args):
    """The knowledge base's index (for report and words), built off the event loop."""
    engine = await asyncio.to_thread(Engine.from_path, getattr(args, "knowledge", None))
    return engine.index


async def _report(log: QuestionLog, args, since, out: TextIO) -> int:
    page = await report.build(log, await _index(args), period=since or report.PERIOD)
    Path(args.out).write_text(page, encoding="utf-8")
    out.write(f"report of the last {age_label(since or report.PERIOD)} written to {args.out}\n")
    return 0


async def _words(log: QuestionLog, args, since, out: TextIO) -> int:
    index = await _index(args)
    rows = await log.read("SELECT question FROM questions WHERE asked_at >= ? ORDER BY asked_at DESC, rowid DESC "
                          "LIMIT ?", (stamp(log.now() - (since or report.PERIOD)), report.WORD_SCAN_LIMIT))
    words = await asyncio.to_thread(unknown_words, [q for (q,) in rows], index, limit=max(args.limit, 1))
    out.write(format_words(words, since or report.PERIOD))
    return 0


def format_words(words: list[UnknownWord], period) -> str:
    lines = [f"{len(words)} unknown word(s) in questions of the last {age_label(period)}, most frequent first"]
    lines += [f"{w.count:5d}  {w.word:<20} e.g. {w.example}" for w in words]
    if words:
        lines.append("Add the useful ones to knowledge/lexicon/ (slang.yaml, synonyms.yaml), "
                     "then run: python -m bot kb check")
    return "\n".join(lines) + "\n"


async def _learned_list(log: QuestionLog, args, since, out: TextIO) -> int:
    items = await teaching.listing(log)
    out.write(f"{len(items)} learned example(s), newest first\n")
    for item in items:
        out.write(f"#{item.id:<5} {item.state.value:<8} {item.entry_id}  by {teaching.short(item.curator)} "
                  f"at {item.added_at}  from question {item.qid or '-'}  approvals {item.approvals}\n"
                  f"       {' '.join(item.question.split())}\n")
    return 0


async def _learned_undo(log: QuestionLog, args, since, out: TextIO) -> int:
    item = await teaching.undo(log, args.undo, by=teaching.CLI_CURATOR)
    if item is None:
        out.write(f"no learned example #{args.undo} in effect or waiting (see kb learned --list)\n")
        return 1
    out.write(f"#{item.id} undone: {item.entry_id}: {' '.join(item.question.split())}\n"
              f"A running bot forgets it within {int(teaching.sync_interval(log))} s.\n")
    return 0


async def _learned_apply(log: QuestionLog, args, since, out: TextIO) -> int:
    config = from_env(require_token=False)
    kb = await asyncio.to_thread(load, getattr(args, "knowledge", None) or config.knowledge_dir)
    items = sorted((i for i in await teaching.listing(log) if i.state is teaching.State.ACTIVE), key=lambda i: i.id)
    merge = await asyncio.to_thread(kbmerge.apply, kb, [(i.entry_id, i.question) for i in items])
    refused = {(e, q) for e, q, _why in merge.refused}
    done = [i.id for i in items if (i.entry_id, i.question) not in refused]
    await teaching.remove(log, done)
    for path, added in merge.added.items():
        out.write(f"{path}: {len(added)} example(s) added\n")
    for entry_id, question, why in merge.refused:
        out.write(f"kept in the learned table: {entry_id}: {question!r} ({why})\n")
    out.write(f"{merge.count} example(s) written, {len(merge.present)} already there; {len(done)} removed from "
              f"the learned table. Check with: python -m bot kb check\n")
    return 1 if merge.refused else 0


_LOG_COMMANDS = {"queue": _queue, "stats": _stats, "export": _export, "report": _report, "words": _words,
                 "purge": _purge}
