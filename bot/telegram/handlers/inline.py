"""Inline mode: '@bot question' in any chat offers answer cards to send."""

from __future__ import annotations

import re

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Update
from telegram.ext import ChosenInlineResultHandler, ContextTypes, InlineQueryHandler

from bot.core import cards
from bot.core import messages as msg
from bot.core.asker import status_of
from bot.kb.model import Entry, KnowledgeBase
from bot.core.matching import Result, Status
from bot.telegram.handlers import answering, tracing

MAX_RESULTS = 5
DESCRIPTION_LIMIT = 120
CACHE_SECONDS = 60
START_PARAMETER = "inline"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def first_sentence(text: str) -> str:
    sentence = SENTENCE_END.split(text.strip(), 1)[0]
    return sentence if len(sentence) <= DESCRIPTION_LIMIT else sentence[: DESCRIPTION_LIMIT - 1].rstrip() + "…"


def result_entries(result: Result, kb: KnowledgeBase) -> list[Entry]:
    """The entries to offer: the answer or the choices, then other candidates and related entries."""
    if result.status not in (Status.ANSWERED, Status.SUGGEST):
        return []
    ids = [result.entry_id] if result.entry_id else []
    ids += [c.entry_id for c in result.candidates]
    if result.entry_id and (top := kb.entry(result.entry_id)) is not None:
        ids += top.related
    entries = [e for e in (kb.entry(i) for i in dict.fromkeys(ids)) if e is not None]
    return entries[:MAX_RESULTS]


def article(entry: Entry, kb: KnowledgeBase, status: str | None = None) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=entry.id,
        title=f"{cards.badge(entry)} {entry.title}",
        description=first_sentence(entry.answer),
        input_message_content=InputTextMessageContent(cards.render_html(entry, kb, status=status)),
    )


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer up to five cards for the typed question; a hint button when there is nothing to offer."""
    query = update.inline_query
    text = query.query.strip()
    snapshot = answering.snapshot_of(context)
    result = snapshot.ask(text) if text else None
    entries = result_entries(result, snapshot.kb) if result else []
    tracing.note(context, result.status.value if result else tracing.Outcome.EMPTY, entries[0].id if entries else None)
    button = None
    if not entries:
        button = InlineQueryResultsButton(msg.INLINE_UNANSWERED if text else msg.INLINE_EMPTY,
                                          start_parameter=START_PARAMETER)
    status = status_of(text)
    await query.answer([article(e, snapshot.kb, status) for e in entries], button=button, cache_time=CACHE_SECONDS)


async def chosen_result(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A card was sent through inline mode: log the question and the chosen entry."""
    chosen = update.chosen_inline_result
    qlog = context.bot_data.get("log")
    result = answering.engine_of(context).ask(chosen.query)
    if qlog is not None:
        qid = await answering.record(context, kind=answering.INLINE, question=chosen.query, result=result,
                                     user_id=chosen.from_user.id)
        await qlog.chosen(qid, chosen.result_id)
    answering.log_question(context, answering.INLINE, result, chosen.result_id)


HANDLERS = [
    InlineQueryHandler(inline_query),
    ChosenInlineResultHandler(chosen_result),
]
