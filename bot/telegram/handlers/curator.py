"""Curators' tools in a private chat: the review queue, learned examples, statistics, export, reload.

Only Telegram user ids listed in BOT_CURATORS may use them; everyone else gets a polite
refusal and nothing from the log, whatever command or button data they send.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import datetime, timezone
from html import escape

from telegram import (BotCommand, BotCommandScopeChat, CallbackQuery, InlineKeyboardMarkup,
                      Message, Update)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.core import messages as msg
from bot.core.engine import Engine
from bot.questionlog.export import parse_age, to_csv
from bot.questionlog import report, review
from bot.questionlog.review import Group, Review, ShownGroups
from bot.questionlog.storage import LogUnavailable, QuestionLog
from bot.telegram.handlers import teaching
from bot.telegram.handlers.answering import edit_markup
from bot.telegram.handlers.curator_views import (
    PREFIX, SAMPLE_CHARS, area_keyboard, clip, areas_keyboard, group_keyboard, group_text, learn_choices, stats_text,
)

logger = logging.getLogger(__name__)

GROUPS_SHOWN = 5
PROBLEM_LINES = 25
PROBLEM_CHARS = 3000


def curators_only(callback):
    """Run the handler only for a curator in a private chat; refuse everyone else politely."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or user.id not in context.bot_data["config"].curators:
            await _refuse(update, msg.CURATOR_ONLY)
        elif chat is None or chat.type != ChatType.PRIVATE:
            await _refuse(update, msg.CURATOR_PRIVATE_ONLY)
        else:
            try:
                await callback(update, context)
            except LogUnavailable as exc:
                logger.warning("curator command: question log unavailable (%s)", exc)
                await _refuse(update, msg.CURATOR_LOG_DOWN)

    return guarded


async def _refuse(update: Update, text: str) -> None:
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(text)


# ---------------------------------------------------------------- commands

@curators_only
async def show_queue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/antrian: the largest groups of questions waiting for review, each with its buttons."""
    log: QuestionLog = context.bot_data["log"]
    engine: Engine = context.bot_data["engine"]
    groups = await review.queue(log)
    if not groups:
        await update.effective_message.reply_text(msg.QUEUE_EMPTY)
    else:
        header = msg.QUEUE_HEADER.format(questions=sum(g.count for g in groups), groups=len(groups))
        if len(groups) > GROUPS_SHOWN:
            header += "\n" + msg.QUEUE_MORE.format(shown=GROUPS_SHOWN)
        await update.effective_message.reply_text(header)
    for group in groups[:GROUPS_SHOWN]:
        token = await shown_groups(context).add(group)
        await update.effective_message.reply_text(
            group_text(group, engine), reply_markup=group_keyboard(token, learn_choices(group, engine), engine))
    learned = await teaching.overview(log, engine, log.asker(update.effective_user.id),
                                      context.bot_data["config"].learn_approvals)
    if learned:
        await update.effective_message.reply_text(learned[0], reply_markup=learned[1])


@curators_only
async def show_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/statistik: counts, answered rate, top areas and answers, largest queue groups, votes; the HTML report."""
    log: QuestionLog = context.bot_data["log"]
    engine: Engine = context.bot_data["engine"]
    stats = await review.stats(log)
    await update.effective_message.reply_text(stats_text(stats, engine))
    page = await report.build(log, engine.index)
    day = datetime.now(timezone.utc).strftime("%Y%m%d")
    await update.effective_message.reply_document(
        document=page.encode("utf-8"), filename=f"laporan-tanya-netral-{day}.html", caption=msg.REPORT_CAPTION)


@curators_only
async def export_log(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ekspor [7d]: the log as a CSV document, the same columns as `python -m bot log export`."""
    age = context.args[0] if context.args else None
    try:
        since = parse_age(age) if age else None
    except ValueError:
        await update.effective_message.reply_text(msg.EXPORT_USAGE)
        return
    rows = await review.export(context.bot_data["log"], since)
    day = datetime.now(timezone.utc).strftime("%Y%m%d")
    await update.effective_message.reply_document(
        document=to_csv(rows), filename=f"tanya-netral-{day}.csv",
        caption=msg.EXPORT_CAPTION.format(rows=len(rows), since=msg.EXPORT_SINCE.format(age=escape(age)) if age else ""))


@curators_only
async def reload_knowledge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/muatulang: reload the knowledge base; on problems keep the old one and list them."""
    engine: Engine = context.bot_data["engine"]
    problems = await asyncio.to_thread(engine.reload)
    if problems:
        lines = [str(p) for p in problems[:PROBLEM_LINES]]
        if len(problems) > PROBLEM_LINES:
            lines.append(f"… +{len(problems) - PROBLEM_LINES}")
        text = escape("\n".join(lines)[:PROBLEM_CHARS])  # clip before escaping: no half entities
        await update.effective_message.reply_text(msg.RELOAD_FAILED.format(n=len(problems), problems=text))
        return
    examples = sum(len(e.examples) for e in engine.kb.entries)
    await update.effective_message.reply_text(msg.RELOAD_OK.format(entries=len(engine.kb.entries), examples=examples))


# ---------------------------------------------------------------- buttons

@curators_only
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every curator button: c:<action>:<token>[:<argument>], acting on the group shown as <token>."""
    query = update.callback_query
    log: QuestionLog = context.bot_data["log"]
    engine: Engine = context.bot_data["engine"]
    action, token, arg = (query.data.split(":", 3)[1:] + ["", ""])[:3]
    group = await shown_groups(context).get(token)
    if group is None:  # shown before a restart, or a forged button
        await query.answer(msg.CURATOR_BAD_BUTTON, show_alert=True)
    elif action in ("d", "i"):
        decision = Review.DONE if action == "d" else Review.IGNORED
        n = await review.resolve(log, group.qids, decision)
        if not n:
            await query.answer(msg.RESOLVED_ALREADY, show_alert=True)
            await edit_markup(query, None)
            return
        await query.answer()
        done = msg.RESOLVED_DONE if decision is Review.DONE else msg.RESOLVED_IGNORED
        await _append_note(query, done.format(n=n))
    elif action == "e":
        await _learn(update, context, group, arg)
    elif action == "a":
        await query.answer(msg.LEARN_PICK_AREA)
        await edit_markup(query, areas_keyboard(token, engine))
    elif action == "A" and (area := next((a for a in engine.kb.areas if a.id == arg), None)):
        await query.answer(msg.LEARN_PICK_ENTRY)
        await edit_markup(query, area_keyboard(token, area.entries, engine))
    elif action == "b":
        await query.answer()
        await edit_markup(query, group_keyboard(token, learn_choices(group, engine), engine))
    else:
        await query.answer(msg.CURATOR_BAD_BUTTON, show_alert=True)


def shown_groups(context: ContextTypes.DEFAULT_TYPE) -> ShownGroups:
    """The groups /antrian showed, by the token in their buttons (kept in bot_data; with replicas, in the log)."""
    if "shown_groups" not in context.bot_data:
        context.bot_data["shown_groups"] = ShownGroups(log=context.bot_data.get("log"))
    return context.bot_data["shown_groups"]


async def _learn(update: Update, context: ContextTypes.DEFAULT_TYPE, group: Group, entry_id: str) -> None:
    """Teach the group's question as an example of the entry (with its provenance), close the group."""
    query = update.callback_query
    log: QuestionLog = context.bot_data["log"]
    engine: Engine = context.bot_data["engine"]
    entry = engine.entry(entry_id)
    if entry is None:
        await query.answer(msg.ENTRY_UNKNOWN, show_alert=True)
        return
    question = group.samples[0]  # the representative (newest) question the curator saw first
    markup, n = None, 0
    try:
        status, markup = await teaching.teach(context, entry_id=entry.id, question=question, qid=group.qid,
                                              curator_id=update.effective_user.id)
    except LogUnavailable as exc:
        if context.bot_data["config"].learn_approvals > 1:
            raise  # without a record there is nothing for a second curator to approve
        logger.warning("curator: learned example not saved (%s)", exc)
        await asyncio.to_thread(engine.add_learned, entry.id, question)
        status = msg.LEARNED_NOT_SAVED
    else:
        try:
            n = await review.resolve(log, group.qids, Review.DONE)
        except LogUnavailable as exc:  # taught and kept; the group just stays in the queue
            logger.warning("curator: group not marked done (%s)", exc)
    await query.answer()
    note = msg.LEARNED.format(title=escape(entry.title), question=escape(clip(question, SAMPLE_CHARS)), n=n)
    await _append_note(query, note + "\n" + status, markup)


@curators_only
async def on_learned_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Approve or undo a learned example: l:a:<id>, l:u:<id>; the outcome is noted, spent buttons go."""
    query = update.callback_query
    text, changed = await teaching.on_button(context, query.data, update.effective_user.id)
    await query.answer(text, show_alert=not changed)
    if changed and isinstance(query.message, Message) and query.message.text:
        await _append_note(query, text, teaching.without(query.message.reply_markup, teaching.spent(query.data)))


async def _append_note(query: CallbackQuery, note: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Add the outcome under the group's text; its buttons are replaced by `markup` (none by default)."""
    original = query.message.text_html if isinstance(query.message, Message) and query.message.text else ""
    await query.edit_message_text(f"{original}\n\n{note}".strip(), reply_markup=markup)


# ---------------------------------------------------------------- wiring

HANDLERS = [
    CommandHandler("antrian", show_queue),
    CommandHandler("statistik", show_stats),
    CommandHandler("ekspor", export_log),
    CommandHandler("muatulang", reload_knowledge),
    CallbackQueryHandler(on_button, pattern=f"^{PREFIX}:"),
    CallbackQueryHandler(on_learned_button, pattern=f"^{teaching.PREFIX}:"),
]


def schedule_retention(application: Application, log: QuestionLog, days: int) -> None:
    """Delete log rows older than `days` once a day, starting a minute after start-up."""

    async def purge(context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            removed = await log.purge(days)
        except LogUnavailable as exc:
            logger.warning("retention: purge failed, will retry tomorrow (%s)", exc)
            return
        logger.info("retention: deleted %d question(s) older than %d days", removed, days)

    application.job_queue.run_repeating(purge, interval=86400, first=60, name="log-retention")


async def set_curator_menu(application: Application, curators: frozenset[int]) -> None:
    """Show the curator commands in each curator's own command menu (public commands stay too)."""
    commands = [BotCommand(c, d) for c, d in {**msg.COMMANDS, **msg.CURATOR_COMMANDS}.items()]
    for user_id in curators:
        try:
            await application.bot.set_my_commands(commands, scope=BotCommandScopeChat(user_id))
        except TelegramError as exc:  # the curator has not started a chat with the bot yet
            logger.info("curator menu not set for one curator (%s)", exc.__class__.__name__)
