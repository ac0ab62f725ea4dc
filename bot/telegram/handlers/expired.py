"""The last resort for buttons: one that no handler knows still gets an answer (no spinning button)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.core import messages as msg
from bot.telegram.handlers import tracing


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button from an older version of the bot, or forged data: say it no longer works."""
    tracing.note(context, tracing.Outcome.EXPIRED)
    await update.callback_query.answer(msg.BUTTON_EXPIRED)


# Registered after every other handler (app.feature_handlers).
HANDLERS = [CallbackQueryHandler(expired_button)]
