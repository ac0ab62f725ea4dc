"""One INFO line per update: its kind, the handler that took it, the outcome and the latency.

The line carries only what the bot decided, never a user id, name, chat id or text.
A question writes its own, richer line (answering.log_question); the update's line is
then not repeated.

Wiring (app.build_application): `begin` runs first (group FIRST_GROUP) and stamps the
start time; every feature handler is registered wrapped in `Traced`, which notes its
name and whether it raised; `finish` runs last (group LAST_GROUP) and writes the line.
Feature handlers must block (the default): `finish` would log a non-blocking one before
it is done, so `install` refuses them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from telegram import Chat, MessageEntity, Update
from telegram.ext import Application, ApplicationHandlerStop, BaseHandler, ContextTypes, TypeHandler

FIRST_GROUP = -1
LAST_GROUP = 99
# The attribute of the update's CallbackContext (one per update, shared by all groups).
TRACE_ATTRIBUTE = "update_trace"


class Outcome(StrEnum):
    """How an update ended, beside a question's own statuses (answered, suggest...)."""

    OK = "ok"              # handled; nothing more to say
    IGNORED = "ignored"    # not for the bot (group chatter, another bot, no handler)
    ERROR = "error"        # the handler raised (logged separately with the update id)
    USAGE = "usage"        # a command without its argument: the bot explained how to use it
    SHOWN = "shown"        # an entry's card was shown
    GONE = "gone"          # the entry or area asked for is no longer in the knowledge base
    CHOSEN = "chosen"      # a suggested entry was picked
    UP = "up"              # feedback on an answer
    DOWN = "down"
    REFUSED = "refused"    # a vote by someone other than the asker
    EXPIRED = "expired"    # a button no handler knows (an old or forged one)
    EMPTY = "empty"        # an empty inline query
    INTRODUCED = "introduced"  # the bot introduced itself to a group
    REMOVED = "removed"    # the bot left or was removed from a group


log = logging.getLogger("bot.updates")


@dataclass
class Trace:
    """What happened to one update so far."""

    started: float = field(default_factory=time.perf_counter)
    handler: str = "-"
    status: str | None = None
    entry: str | None = None
    logged: bool = False  # the update's line is written already (a question's)

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


def trace_of(context: ContextTypes.DEFAULT_TYPE) -> Trace:
    """The update's trace; a fresh one when the update did not pass `begin` (a bare test app)."""
    trace = getattr(context, TRACE_ATTRIBUTE, None)
    if trace is None:
        trace = Trace()
        setattr(context, TRACE_ATTRIBUTE, trace)
    return trace


def note(context: ContextTypes.DEFAULT_TYPE, status: str, entry: str | None = None) -> None:
    """Record the outcome of the update (and the entry it concerned) for its log line."""
    trace = trace_of(context)
    trace.status = status
    trace.entry = entry


def mark_logged(context: ContextTypes.DEFAULT_TYPE) -> float:
    """The handler writes the update's line itself; returns the update's latency so far in ms."""
    trace = trace_of(context)
    trace.logged = True
    return trace.elapsed_ms()


def kind_of(update: object) -> str:
    """What sort of update this is, in one word."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query:
        return "callback"
    if update.inline_query:
        return "inline"
    if update.chosen_inline_result:
        return "chosen"
    if update.my_chat_member:
        return "member"
    message = update.message or update.edited_message
    if message is None:
        return "other"
    if message.new_chat_members or message.left_chat_member:
        return "member"
    if message.text:
        if any(e.type == MessageEntity.BOT_COMMAND and e.offset == 0 for e in message.entities):
            return "command"
        return "edited" if update.edited_message else "text"
    return "media" if message.effective_attachment else "service"


def chat_of(update: object) -> str:
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None:
        return "-"
    return "private" if chat.type == Chat.PRIVATE else "group"


async def begin(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stamp the update's start time."""
    setattr(context, TRACE_ATTRIBUTE, Trace())


async def finish(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write the update's line, unless its handler wrote one."""
    trace = trace_of(context)
    if trace.logged:
        return
    status = trace.status or (Outcome.OK if trace.handler != "-" else Outcome.IGNORED)
    log.info("update kind=%s chat=%s handler=%s status=%s entry=%s latency_ms=%.1f", kind_of(update),
             chat_of(update), trace.handler, status, trace.entry or "-", trace.elapsed_ms())


class Traced(BaseHandler[Update, ContextTypes.DEFAULT_TYPE, Any]):
    """A feature handler that tells the update's trace its name and whether it raised."""

    __slots__ = ("inner",)

    def __init__(self, inner: BaseHandler):
        super().__init__(inner.callback, block=inner.block)
        self.inner = inner

    def check_update(self, update: object) -> Any:
        return self.inner.check_update(update)

    async def handle_update(self, update: Any, application: Application, check_result: Any,
                            context: ContextTypes.DEFAULT_TYPE) -> Any:
        trace = trace_of(context)
        trace.handler = getattr(self.inner.callback, "__name__", type(self.inner).__name__)
        try:
            return await self.inner.handle_update(update, application, check_result, context)
        except ApplicationHandlerStop:
            raise
        except Exception:
            trace.status = Outcome.ERROR
            raise


def install(application: Application, handlers: list[BaseHandler]) -> None:
    """Register the feature handlers (group 0, in order) between the stamp and the log line."""
    application.add_handler(TypeHandler(Update, begin), group=FIRST_GROUP)
    for handler in handlers:
        if handler.block is False:
            raise ValueError(f"{handler!r} does not block: its update would be logged before it is handled")
        application.add_handler(Traced(handler))
    application.add_handler(TypeHandler(Update, finish), group=LAST_GROUP)
