"""Buttons under answers: 👍/👎 feedback and the choice among suggested entries."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.core import messages as msg
from bot.telegram.handlers import answering, replies, tracing


async def vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """fb:u|d:<qid>:<entry>: record the asker's vote, thank them, drop the vote buttons; refuse anyone else."""
    query = update.callback_query
    _prefix, direction, qid, entry_id = (query.data.split(":", 3) + ["", "", ""])[:4]
    up = direction == "u"
    snapshot = answering.snapshot_of(context)
    entry = snapshot.entry(entry_id)
    tracing.note(context, tracing.Outcome.UP if up else tracing.Outcome.DOWN, entry.id if entry else None)
    qlog = context.bot_data.get("log")
    if qlog is not None and qid:
        if await qlog.vote(qid, query.from_user.id, 1 if up else -1) is False:
            tracing.note(context, tracing.Outcome.REFUSED, entry.id if entry else None)
            await query.answer(msg.FEEDBACK_NOT_YOURS)  # the buttons stay for the asker
            return
    await query.answer(msg.FEEDBACK_THANKS if up else msg.FEEDBACK_DOWN)
    await answering.edit_markup(query, replies.feedback_done(entry, snapshot.kb) if entry else None)


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """s:<qid>:<entry>: turn the 'did you mean' message into the chosen answer."""
    query = update.callback_query
    _prefix, qid, entry_id = (query.data.split(":", 2) + ["", ""])[:3]
    snapshot, entry = await answering.tapped_entry(update, context, entry_id)
    if entry is None:
        return
    tracing.note(context, tracing.Outcome.CHOSEN, entry.id)
    await query.answer()
    kind = answering.chat_kind(update.effective_chat)
    await answering.edit(query, answering.card(entry, snapshot.kb, kind=kind, username=context.bot.username, qid=qid))
    qlog = context.bot_data.get("log")
    if qlog is not None and qid:
        await qlog.chosen(qid, entry_id)


HANDLERS = [
    CallbackQueryHandler(vote, pattern=r"^fb:[ud]:"),
    CallbackQueryHandler(choose, pattern=r"^s:"),
]
