"""Learned examples in Telegram: who taught what (shown in /antrian), approve and undo buttons,
and the job that keeps a running bot in step with the learned table and the knowledge files.

Buttons: l:u:<id> undo, l:a:<id> approve. The curator check is curator.py's (it wires these).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from html import escape
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.core import messages as msg
from bot.questionlog import teaching
from bot.core.engine import Engine
from bot.questionlog.review import WIB
from bot.questionlog.storage import LogUnavailable, QuestionLog
from bot.questionlog.teaching import Learned, Outcome, State

logger = logging.getLogger(__name__)

PREFIX = "l"
OVERVIEW_SHOWN = 5
QUESTION_CHARS = 200


def line(item: Learned, viewer: str, engine: Engine, needed: int) -> str:
    """One learned example with its provenance, as HTML."""
    entry = engine.entry(item.entry_id)
    state = {State.ACTIVE: msg.LEARNED_STATE_ACTIVE, State.UNDONE: msg.LEARNED_STATE_UNDONE,
             State.PENDING: msg.LEARNED_STATE_PENDING.format(n=item.approvals, needed=needed)}[item.state]
    who = msg.LEARNED_BY_YOU if item.curator == viewer else teaching.short(item.curator)
    return msg.LEARNED_LINE.format(
        id=item.id, state=state, question=escape(_clip(item.question)),
        title=escape(entry.title if entry else item.entry_id), curator=escape(who),
        when=_when(item.added_at), qid=escape(item.qid or "-"))


def buttons(item: Learned) -> list[InlineKeyboardButton]:
    row = []
    if item.state is State.PENDING:
        row.append(InlineKeyboardButton(msg.BUTTON_APPROVE.format(id=item.id), callback_data=f"{PREFIX}:a:{item.id}"))
    if item.state is not State.UNDONE:
        row.append(InlineKeyboardButton(msg.BUTTON_UNDO.format(id=item.id), callback_data=f"{PREFIX}:u:{item.id}"))
    return row


async def overview(log: QuestionLog, engine: Engine, viewer: str, needed: int
                   ) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The newest learned examples still in effect or waiting, with their buttons; None when there are none."""
    items = await teaching.listing(log, include_undone=False, limit=OVERVIEW_SHOWN)
    if not items:
        return None
    text = "\n\n".join([msg.LEARNED_OVERVIEW, *(line(i, viewer, engine, needed) for i in items)])
    rows = [row for row in (buttons(i) for i in items) if row]
    return text, InlineKeyboardMarkup(rows) if rows else None


async def teach(context: ContextTypes.DEFAULT_TYPE, *, entry_id: str, question: str, qid: str | None,
                curator_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Record a curator's example, apply it when approved enough, and the note to show under the group."""
    log: QuestionLog = context.bot_data["log"]
    engine: Engine = context.bot_data["engine"]
    needed = context.bot_data["config"].learn_approvals
    item, outcome = await teaching.teach(log, entry_id=entry_id, question=question, curator_id=curator_id,
                                         qid=qid, needed=needed)
    if outcome is Outcome.ACTIVE:
        await asyncio.to_thread(engine.add_learned, entry_id, question)
    elif outcome is Outcome.PENDING:
        await notify_others(context, item, curator_id, needed)
    note = {Outcome.ACTIVE: msg.LEARNED_ACTIVE, Outcome.PENDING: msg.LEARNED_PENDING,
            Outcome.ALREADY: msg.LEARNED_ALREADY}.get(outcome, msg.LEARNED_GONE)
    row = buttons(item) if item else []
    return note.format(id=item.id if item else "-", n=item.approvals if item else 0, needed=needed), \
        InlineKeyboardMarkup([row]) if row else None


async def notify_others(context: ContextTypes.DEFAULT_TYPE, item: Learned, curator_id: int, needed: int) -> None:
    """Ask the other curators to approve (or undo) a phrasing that waits for them."""
    engine: Engine = context.bot_data["engine"]
    text = msg.LEARN_APPROVAL_REQUEST + "\n\n" + line(item, "", engine, needed)
    for other in sorted(context.bot_data["config"].curators - {curator_id}):
        try:
            await context.bot.send_message(other, text, reply_markup=InlineKeyboardMarkup([buttons(item)]))
        except TelegramError as exc:  # that curator has not started a chat with the bot yet
            logger.info("approval request not delivered to one curator (%s)", exc.__class__.__name__)


def without(markup: InlineKeyboardMarkup | None, gone: set[str]) -> InlineKeyboardMarkup | None:
    """The keyboard less the buttons whose callback data is in `gone`."""
    if markup is None:
        return None
    rows = [[b for b in row if b.callback_data not in gone] for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def spent(data: str) -> set[str]:
    """The buttons a successful tap on `data` makes pointless: after undo both, after approve that one."""
    _prefix, action, raw_id = (data.split(":") + ["", ""])[:3]
    return {f"{PREFIX}:a:{raw_id}", f"{PREFIX}:u:{raw_id}"} if action == "u" else {data}


async def on_button(context: ContextTypes.DEFAULT_TYPE, data: str, curator_id: int) -> tuple[str, bool]:
    """Approve or undo from a button: (the answer to show, whether the example changed)."""
    log: QuestionLog = context.bot_data["log"]
    engine: Engine = context.bot_data["engine"]
    needed = context.bot_data["config"].learn_approvals
    _prefix, action, raw_id = (data.split(":") + ["", ""])[:3]
    if not raw_id.isdigit() or action not in ("a", "u"):
        return msg.CURATOR_BAD_BUTTON, False
    learned_id = int(raw_id)
    if action == "u":
        item = await teaching.undo(log, learned_id, by=log.asker(curator_id))
        if item is None:
            return msg.LEARNED_UNDO_ALREADY, False
        await asyncio.to_thread(engine.remove_learned, item.entry_id, item.question)
        return msg.LEARNED_UNDONE.format(id=item.id), True
    item, outcome = await teaching.approve(log, learned_id, curator_id, needed)
    if outcome is Outcome.ACTIVE and item is not None:
        await asyncio.to_thread(engine.add_learned, item.entry_id, item.question)
        return msg.LEARNED_APPROVED_ACTIVE.format(id=item.id), True
    if outcome is Outcome.PENDING and item is not None:
        return msg.LEARNED_APPROVED_PENDING.format(id=item.id, n=item.approvals, needed=needed), True
    if outcome is Outcome.ALREADY:
        return msg.LEARNED_APPROVE_ALREADY, False
    return msg.LEARNED_UNDO_ALREADY, False


# ---------------------------------------------------------------- keeping a running bot in step

def knowledge_signature(root: str | Path) -> tuple:
    """(path, mtime, size) of every knowledge file: changes when any file is edited, added or removed."""
    out = []
    for path in sorted(Path(root).rglob("*.yaml")):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(out)


class LearnedSync:
    """Reload edited knowledge files, then hold exactly the learned examples in effect in the database.

    Another process (`kb learned --undo`, `kb learned --apply`, a second bot) changes the table
    or the files; this brings the running bot in step. Files first: after `--apply` the
    examples are in the files before they leave the table, so the bot never forgets them.
    """

    def __init__(self, log: QuestionLog):
        self._log = log
        self._root: str | None = None
        self._signature: tuple = ()

    def baseline(self, engine: Engine) -> None:
        self._root = engine.kb.root
        self._signature = knowledge_signature(self._root)

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        engine: Engine = context.bot_data["engine"]
        if engine.kb.root != self._root:  # another knowledge folder was swapped in: start from it
            await asyncio.to_thread(self.baseline, engine)
        signature = await asyncio.to_thread(knowledge_signature, engine.kb.root)
        if signature != self._signature:
            self._signature = signature
            problems = await asyncio.to_thread(engine.reload)
            if problems:
                logger.warning("knowledge files changed but have %d problem(s); keeping the loaded ones "
                               "(python -m bot kb check)", len(problems))
            else:
                logger.info("knowledge files changed: reloaded, %d entries", len(engine.kb.entries))
        try:
            learned = await teaching.in_effect(self._log)
        except LogUnavailable as exc:
            logger.warning("learned examples not synchronised (%s)", exc)
            return
        if await asyncio.to_thread(engine.sync_learned, learned):
            logger.info("learned examples synchronised: %d in effect", len(learned))


def schedule_sync(application: Application, log: QuestionLog) -> LearnedSync:
    """Run the learned/knowledge sync every teaching.SYNC_INTERVAL seconds (SHARED_SYNC_INTERVAL with replicas)."""
    sync = LearnedSync(log)
    sync.baseline(application.bot_data["engine"])
    every = teaching.sync_interval(log)
    application.job_queue.run_repeating(sync, interval=every, first=every, name="learned-sync")
    return sync


def _when(stamp_text: str) -> str:
    try:
        return datetime.fromisoformat(stamp_text).astimezone(WIB).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp_text


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUESTION_CHARS else text[:QUESTION_CHARS - 1] + "…"
