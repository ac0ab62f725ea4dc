"""Browsing: /topik, the area menu, and showing an entry from a button."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot.core import messages as msg
from bot.telegram.handlers import answering, replies, tracing


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/topik: one button per area."""
    reply = replies.areas_menu(answering.snapshot_of(context).kb)
    await update.effective_message.reply_text(reply.text, reply_markup=reply.markup)


async def topic_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """t:<area> shows the area's entries; t: goes back to the list of areas."""
    query = update.callback_query
    kb = answering.snapshot_of(context).kb
    area_id = query.data.partition(":")[2]
    reply = replies.area_menu(kb, area_id) if area_id else replies.areas_menu(kb)
    if reply is None:
        tracing.note(context, tracing.Outcome.GONE)
        await query.answer(msg.ENTRY_GONE)
        return
    await query.answer()
    await answering.edit(query, reply)


async def show_entry(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """e:<entry> sends that entry's card as a new message (the menu stays usable)."""
    query = update.callback_query
    snapshot, entry = await answering.tapped_entry(update, context, query.data.partition(":")[2])
    if entry is None:
        return
    tracing.note(context, tracing.Outcome.SHOWN, entry.id)
    await query.answer()
    kind = answering.chat_kind(update.effective_chat)
    reply = answering.card(entry, snapshot.kb, kind=kind, username=context.bot.username)
    await context.bot.send_message(update.effective_chat.id, reply.text, reply_markup=reply.markup)


HANDLERS = [
    CommandHandler("topik", topics),
    CallbackQueryHandler(topic_menu, pattern=r"^t:"),
    CallbackQueryHandler(show_entry, pattern=r"^e:"),
]
