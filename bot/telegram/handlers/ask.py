"""Questions in private chats, /tanya everywhere, and the informational commands."""

from __future__ import annotations

from html import escape

from telegram import Message, MessageEntity, Update
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from bot.core import messages as msg
from bot.telegram.handlers import answering, replies, tracing

DEEP_LINK_ENTRY = "e-"


def command_argument(message: Message) -> str:
    """The text after the leading /command (or /command@bot), with its line breaks kept."""
    text = message.text or ""
    command = next((e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0), None)
    if command is None:
        return text.strip()
    return text[len(message.parse_entity(command)):].strip()


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet; with a deep link (/start e-<entry>) show that entry's full card."""
    payload = context.args[0] if context.args else ""
    if not payload.startswith(DEEP_LINK_ENTRY):
        await update.effective_message.reply_text(msg.WELCOME)
        return
    snapshot = answering.snapshot_of(context)
    entry = snapshot.entry(payload[len(DEEP_LINK_ENTRY):])
    if entry is None:
        tracing.note(context, tracing.Outcome.GONE)
        await update.effective_message.reply_text(msg.ENTRY_GONE)
        return
    tracing.note(context, tracing.Outcome.SHOWN, entry.id)
    reply = replies.browse_card(entry, snapshot.kb)
    await update.effective_message.reply_text(reply.text, reply_markup=reply.markup)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How to ask, in private and in groups."""
    await update.effective_message.reply_text(msg.HELP.format(username=escape(context.bot.username)))


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Sources, limits and privacy."""
    await update.effective_message.reply_text(msg.ABOUT.format(disclaimer=escape(msg.DISCLAIMER)))


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tanya <question>, in private chats and groups."""
    question = command_argument(update.effective_message)
    if not question:
        tracing.note(context, tracing.Outcome.USAGE)
        await update.effective_message.reply_text(msg.ASK_USAGE)
        return
    await answering.answer(update, context, question)


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text in a private chat is a question (edits are answered again)."""
    message = update.effective_message
    if message.via_bot and message.via_bot.id == context.bot.id:
        tracing.note(context, tracing.Outcome.IGNORED)  # one of our own inline cards, sent back to us
        return
    await answering.answer(update, context, message.text)


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes...: ask politely for text."""
    await update.effective_message.reply_text(msg.NON_TEXT)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A /command nobody handles, in a private chat."""
    await update.effective_message.reply_text(msg.UNKNOWN_COMMAND)


PRIVATE = filters.ChatType.PRIVATE
NEW_MESSAGE = filters.UpdateType.MESSAGE

HANDLERS = [
    CommandHandler("start", start),
    CommandHandler("bantuan", help_command),
    CommandHandler("tentang", about),
    CommandHandler("tanya", ask_command),
    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, private_text),
]

# Registered after every other feature's handlers: they catch what nothing else did.
FALLBACKS = [
    MessageHandler(PRIVATE & NEW_MESSAGE & filters.COMMAND, unknown_command),
    MessageHandler(PRIVATE & NEW_MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL, non_text),
]
