"""Answer one question, in any chat: flood check, match, log, reply, and one log line.

Also the helpers every feature uses to show a reply.
"""

from __future__ import annotations

import logging
import secrets
from typing import Awaitable, Protocol

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.telegram import delivery
from bot.core import messages as msg
from bot.core import smalltalk
from bot.core.asker import status_of
from bot.telegram.delivery import Outcome, SendAborted
from bot.core.engine import Engine, Snapshot
from bot.kb.model import Entry, KnowledgeBase
from bot.core.matching import Result, Status
from bot.telegram.ratelimit import Admission, FloodGuard
from bot.telegram.handlers import replies, tracing


class QuestionSink(Protocol):
    """What the handlers need from the question log (storage.QuestionLog); calls never raise."""

    async def record(self, *, chat_kind: str, question: str, normalized: str, status: str,
                     entry_id: str | None, score: float, user_id: int, key: str | None = None,
                     delivery: str | None = None) -> str: ...

    async def delivered(self, qid: str | None, outcome: str, *, update_id: int | None = None,
                        update_state: str = "done") -> bool: ...

    async def vote(self, qid: str, user_id: int, vote: int) -> bool | None: ...

    async def chosen(self, qid: str, entry_id: str) -> None: ...


PRIVATE = "private"
GROUP = "group"
INLINE = "inline"

log = logging.getLogger("bot.questions")


def chat_kind(chat: Chat | None) -> str:
    return PRIVATE if chat is None or chat.type == Chat.PRIVATE else GROUP


def engine_of(context: ContextTypes.DEFAULT_TYPE) -> Engine:
    return context.bot_data["engine"]


def snapshot_of(context: ContextTypes.DEFAULT_TYPE) -> Snapshot:
    """The knowledge base and index to use for the whole update, even if a reload lands meanwhile."""
    return engine_of(context).snapshot()


async def tapped_entry(update: Update, context: ContextTypes.DEFAULT_TYPE,
                       entry_id: str) -> tuple[Snapshot, Entry | None]:
    """The snapshot and the entry a tapped button names; answers the tap, saying so if the entry is gone."""
    query = update.callback_query
    snapshot = snapshot_of(context)
    entry = snapshot.entry(entry_id)
    if entry is None:
        tracing.note(context, tracing.Outcome.GONE)
        await query.answer(msg.ENTRY_GONE)
    return snapshot, entry


async def record(context: ContextTypes.DEFAULT_TYPE, *, kind: str, question: str, result: Result,
                 user_id: int | None, outcome: Outcome | None = None) -> str:
    """Write the question to the log when one is configured; return its id for the buttons.

    A question that came through the inbox keeps one row however often it is handled.
    """
    qlog: QuestionSink | None = context.bot_data.get("log")
    if qlog is None:
        return secrets.token_hex(6)
    ticket = delivery.current()
    qid = await qlog.record(chat_kind=kind, question=question, normalized=result.normalized,
                            status=result.status.value, entry_id=result.entry_id, score=result.score,
                            user_id=user_id, key=ticket.key if ticket else None,
                            delivery=outcome.value if outcome else None)
    return str(qid) if qid else secrets.token_hex(6)


async def mark_delivered(context: ContextTypes.DEFAULT_TYPE, qid: str, outcome: Outcome) -> None:
    """Record what the asker got; with the same write, the update is finished in the inbox."""
    qlog: QuestionSink | None = context.bot_data.get("log")
    if qlog is None:
        return
    ticket = delivery.current()
    state = "failed" if outcome is Outcome.FAILED else "done"
    await qlog.delivered(qid, outcome.value, update_id=ticket.update_id if ticket else None, update_state=state)
    if ticket is not None:
        ticket.finished = True


def card(entry: Entry, kb: KnowledgeBase, *, kind: str, username: str, qid: str | None = None,
         also: tuple[Entry, ...] = (), status: str | None = None) -> replies.Reply:
    """An entry's card: short with a Detail link in groups; in private full, with vote buttons
    when it answers a question (`qid`) and buttons for the close alternatives (`also`).
    The asker's employment status (`status`) puts the part that applies to them first."""
    if kind == GROUP:
        return replies.group_card(entry, kb, username, status)
    return replies.browse_card(entry, kb) if qid is None else replies.answer_card(entry, kb, qid, also, status)


def compose(result: Result, kb: KnowledgeBase, qid: str, *, kind: str, username: str) -> replies.Reply:
    """The reply to a matched question, shaped for a private chat or a group."""
    if result.status is Status.ANSWERED and (entry := kb.entry(result.entry_id)) is not None:
        also = tuple(e for c in result.rivals if (e := kb.entry(c.entry_id)))
        return card(entry, kb, kind=kind, username=username, qid=qid, also=also,
                    status=status_of(result.question))
    if result.status is Status.SUGGEST:
        entries = [e for e in (kb.entry(c.entry_id) for c in result.choices) if e is not None]
        if entries:
            return replies.suggestions(entries, qid)
    if result.status is Status.SMALLTALK:
        about = kb.entry(result.entry_id)
        if about is not None and kind != GROUP:
            return replies.browse_card(about, kb)
        return replies.Reply(smalltalk.reply(result.question, kb.lexicon_data))
    return replies.unanswered(result.question, echo=kind == PRIVATE)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Reply to `question`, asked in the update's message (a reply to it in groups)."""
    message = update.effective_message
    user = update.effective_user
    kind = chat_kind(update.effective_chat)
    guard: FloodGuard = context.bot_data["flood"]
    admission = guard.admit(user.id) if user else Admission.ANSWER
    if admission is not Admission.ANSWER:
        if admission is Admission.NOTICE:
            await message.reply_text(msg.TOO_FAST, do_quote=kind == GROUP)
        tracing.mark_logged(context)
        log.info("question chat=%s status=throttled", kind)
        return

    snapshot = snapshot_of(context)
    result = snapshot.ask(question)
    # Logged before it is sent (a kill after the send loses no row), as pending until then.
    qid = await record(context, kind=kind, question=question, result=result, user_id=user.id if user else None,
                       outcome=Outcome.PENDING)
    reply = compose(result, snapshot.kb, qid, kind=kind, username=context.bot.username)
    try:
        if kind == GROUP:
            await message.reply_text(reply.text, reply_markup=reply.markup, reply_to_message_id=message.message_id,
                                     allow_sending_without_reply=True)
        else:
            await message.reply_text(reply.text, reply_markup=reply.markup, do_quote=False)
    except SendAborted:
        raise  # stopping: the update is handled again at the next start
    except TelegramError:
        ticket = delivery.current()
        unsure = ticket is not None and ticket.unsure
        await mark_delivered(context, qid, Outcome.UNSURE if unsure else Outcome.FAILED)
        if not unsure:
            raise
        log_question(context, kind, result, result.entry_id)  # probably delivered: no error notice
        return
    await mark_delivered(context, qid, Outcome.SENT)
    log_question(context, kind, result, result.entry_id)


def log_question(context: ContextTypes.DEFAULT_TYPE, kind: str, result: Result, entry_id: str | None) -> None:
    """The question's update line: no user, chat or question text, only what was decided."""
    latency_ms = tracing.mark_logged(context)
    log.info("question chat=%s status=%s entry=%s score=%.3f latency_ms=%.1f", kind, result.status.value,
             entry_id or "-", result.score, latency_ms)


async def edit(query: CallbackQuery, reply: replies.Reply) -> None:
    """Replace the message under a tapped button."""
    await _unless_unchanged(query.edit_message_text(reply.text, reply_markup=reply.markup))


async def edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Replace only the buttons under the message."""
    await _unless_unchanged(query.edit_message_reply_markup(markup))


# A second tap on the same button asks for the same content, and a button under a message
# that is gone or too old can no longer change it: Telegram refuses, harmlessly.
HARMLESS_EDIT_ERRORS = ("not modified", "message to edit not found", "message can't be edited")


async def _unless_unchanged(call: Awaitable[object]) -> None:
    try:
        await call
    except BadRequest as exc:
        if not any(reason in exc.message.lower() for reason in HARMLESS_EDIT_ERRORS):
            raise
