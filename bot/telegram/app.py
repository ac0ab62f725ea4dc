"""All the wiring: build the Telegram Application, and `python -m bot run`."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import os
import sys

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, BaseHandler, ContextTypes, Defaults

from bot.telegram import delivery
from bot.core import messages as msg
from bot.cli import report_broken
from bot.config import Config, ConfigError, from_env
from bot.telegram.delivery import DeliveryLimiter, SendAborted, SendPolicy
from bot.core.engine import Engine
from bot.telegram.handlers import ask, curator, digest, expired, feedback, groups, inline, teaching, topics, tracing
from bot.telegram.handlers.answering import QuestionSink
from bot.kb.model import KnowledgeError
from bot.ops import scrub
from bot.telegram.ratelimit import FloodGuard
from bot.telegram.runner import Intake, Runner
from bot.questionlog import storage
from bot.questionlog.storage import QuestionLog

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY,
                   Update.CHOSEN_INLINE_RESULT, Update.MY_CHAT_MEMBER]
# A few updates are handled at once so that one chat held back by Telegram's rate limits
# (or one slow database write) does not hold up every other chat. More is slower: every
# concurrent request opens another pooled connection that httpcore scans per request
# (benchmarks/bench_updates.py: 64 is some 15% slower than 8).
CONCURRENT_UPDATES = 8
# For the tests and benchmarks that run `python -m bot run` against a fake Bot API: no
# rate limits, and short timeouts and backoffs. Never set it in production.
TESTING_ENV = "TANYA_NETRAL_TESTING"
TESTING_POLICY = dict(throttle=False, timeout=1.0, first_backoff=0.1, max_backoff=0.5, deadline=30.0)
# Libraries' loggers and the least severe level they may log at, whatever BOT_LOG_LEVEL says:
# at DEBUG, python-telegram-bot logs whole getUpdates results and sendMessage parameters
# (user ids, names, questions) and aiosqlite every statement with its parameters (the
# question log's rows); httpx and httpcore log request URLs, which contain the token, and
# apscheduler chatters about jobs.
# tornado (the webhook listener) logs client addresses.
LIBRARY_LOG_FLOORS = {"telegram": logging.INFO, "telegram.ext": logging.INFO, "aiosqlite": logging.INFO,
                      "httpx": logging.WARNING, "httpcore": logging.WARNING, "apscheduler": logging.WARNING,
                      "tornado": logging.WARNING}

log = logging.getLogger("bot.app")


def feature_handlers() -> list[BaseHandler]:
    """Every feature's handlers, in the order they are tried; the fallbacks come last."""
    return [*curator.HANDLERS, *ask.HANDLERS, *topics.HANDLERS, *feedback.HANDLERS, *groups.HANDLERS,
            *inline.HANDLERS, *ask.FALLBACKS, *expired.HANDLERS]


def build_application(config: Config, engine: Engine, *, question_log: QuestionSink | None = None,
                      open_log: bool = False, rate_limit: bool = True,
                      policy: SendPolicy | None = None) -> Application:
    """The bot, ready to run: handlers, HTML defaults, sends that retry, and start/stop hooks.

    `question_log` is an open log (QuestionLog or a stand-in); with `open_log` the
    QuestionLog at config.db_path is opened on start-up instead. `rate_limit=False` (no
    Telegram rate limits) is for benchmarks only; `policy` sets retries and timeouts.
    """
    policy = policy or SendPolicy(window=config.send_window, throttle=rate_limit)
    builder = (Application.builder()
               .token(config.token)
               .defaults(Defaults(parse_mode=ParseMode.HTML))
               .concurrent_updates(CONCURRENT_UPDATES)
               .rate_limiter(DeliveryLimiter(policy))
               .read_timeout(policy.timeout)
               .post_init(functools.partial(_post_init, open_log=open_log))
               .post_shutdown(_post_shutdown))
    if config.api_base_url:
        builder = builder.base_url(config.api_base_url).base_file_url(file_base_url(config.api_base_url))
    application = builder.build()
    application.bot_data.update(config=config, engine=engine, log=question_log,
                                flood=FloodGuard(config.flood_per_minute))
    tracing.install(application, feature_handlers())
    application.add_error_handler(on_error)
    return application


def file_base_url(api_base_url: str) -> str:
    """https://host/bot -> https://host/file/bot, the Bot API's file download prefix."""
    base = api_base_url.rstrip("/")
    return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"


async def _post_init(application: Application, *, open_log: bool) -> None:
    """Open the question log, say who we are, and publish the command menu."""
    data = application.bot_data
    config: Config = data["config"]
    if open_log and data.get("log") is None:
        data["log"] = await storage.open_log(config)
    if isinstance(data["log"], QuestionLog):
        learned = await data["log"].learned()
        if learned:
            data["engine"] = Engine(data["engine"].kb, tuple(learned))
            log.info("%d learned example(s) loaded", len(learned))
        curator.schedule_retention(application, data["log"], config.retention_days)
        teaching.schedule_sync(application, data["log"])
        digest.schedule_digest(application)
    me = await application.bot.get_me()
    log.info("running as @%s", me.username)
    try:
        await application.bot.set_my_commands([BotCommand(c, d) for c, d in msg.COMMANDS.items()])
        if config.curators:
            await curator.set_curator_menu(application, config.curators)
    except TelegramError as exc:
        log.warning("command menu not set (%s); the bot works without it", exc)


async def _post_shutdown(application: Application) -> None:
    """Close the question log, if it can be closed."""
    close = getattr(application.bot_data.get("log"), "close", None)
    if close is not None:
        result = close()
        if inspect.isawaitable(result):
            await result


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a handler failure with its update id; tell the user something went wrong, if that can help.

    No notice when the Bot API could not be reached (it would not arrive either), when
    the bot is stopping (the update is handled again at the next start), or when the
    user already got (or probably got) a reply to the update.
    """
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    ticket = delivery.current()
    if ticket is not None:
        ticket.failed = True
    if isinstance(error, SendAborted):
        log.info("update %s left for the next start (stopping)", update_id)
        return
    if isinstance(error, (NetworkError, RetryAfter)) and not isinstance(error, BadRequest):
        log.warning("update %s not answered: the Bot API failed (%s)", update_id, error.__class__.__name__)
        return
    log.error("update %s failed", update_id, exc_info=error)
    if not isinstance(update, Update) or (ticket is not None and ticket.delivered):
        return
    try:
        if update.callback_query:
            await update.callback_query.answer(msg.ERROR, show_alert=True)
        elif update.effective_message and update.effective_message.chat:
            await context.bot.send_message(update.effective_message.chat.id, msg.ERROR)
    except TelegramError as exc:
        log.warning("could not tell the user about the failure of update %s (%s)", update_id, exc)


# ---------------------------------------------------------------- python -m bot run

class _RedactingFormatter(logging.Formatter):
    """Replaces secrets anywhere in a formatted record, tracebacks included."""

    def __init__(self, fmt: str, hidden: list[str]):
        super().__init__(fmt)
        self._hidden = hidden

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record), self._hidden)


def setup_logging(config: Config) -> None:
    """Log to stderr at BOT_LOG_LEVEL, secrets redacted; the libraries never below their floor."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                             config.hidden()))
    level = logging.getLevelName(config.log_level)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name, floor in LIBRARY_LOG_FLOORS.items():
        logging.getLogger(name).setLevel(max(level, floor))


def cmd_run(knowledge_dir: str | None) -> int:
    """Run the bot until SIGINT/SIGTERM: long polling, or a webhook when BOT_WEBHOOK_URL is set.

    BOT_WEBHOOK_URL is the full public URL Telegram posts to; the local listener answers
    on BOT_WEBHOOK_LISTEN:BOT_WEBHOOK_PORT/BOT_WEBHOOK_PATH behind a TLS reverse proxy.
    Updates go through the durable inbox (bot.inbox, bot.runner).
    """
    try:
        config = from_env()
    except ConfigError as exc:
        print(f"tanya-netral: {exc}", file=sys.stderr)
        return 2
    try:
        engine = Engine.from_path(knowledge_dir or config.knowledge_dir)
    except KnowledgeError as exc:
        return report_broken(exc, sys.stderr)
    setup_logging(config)
    testing = os.environ.get(TESTING_ENV) == "1"
    policy = SendPolicy(window=config.send_window, **(TESTING_POLICY if testing else {}))
    application = build_application(config, engine, open_log=True, policy=policy)
    intake = Intake(allowed_updates=tuple(ALLOWED_UPDATES), poll_timeout=1.0 if testing else 30.0,
                    url=config.webhook_url, listen=config.webhook_listen, port=config.webhook_port,
                    path=config.webhook_path, secret=config.webhook_secret)
    try:
        return asyncio.run(Runner(application, config, intake, concurrency=CONCURRENT_UPDATES).run())
    except ConfigError as exc:  # found only once connected: a replica's BOT_HASH_SECRET differs
        print(f"tanya-netral: {scrub(str(exc), config.hidden())}", file=sys.stderr)
        return 2
    except InvalidToken:
        print("tanya-netral: Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?)", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"tanya-netral: cannot reach the Telegram Bot API ({exc.__class__.__name__})", file=sys.stderr)
        return 1
    return 0
