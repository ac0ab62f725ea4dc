"""All the wiring: build the Telegram Application, and `python -m bot run`."""

from __future__ import annotations

import functools
import inspect
import logging
import sys

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application, BaseHandler, ContextTypes, Defaults

from . import messages as msg
from .cli import report_broken
from .config import Config, ConfigError, from_env
from .engine import Engine
from .handlers import ask, curator, digest, feedback, groups, inline, teaching, topics, tracing
from .handlers.answering import QuestionSink
from .knowledge import KnowledgeError
from .ops import hidden_values, scrub
from .ratelimit import FloodGuard
from .storage import QuestionLog

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY,
                   Update.CHOSEN_INLINE_RESULT, Update.MY_CHAT_MEMBER]
# A few updates are handled at once so that one chat held back by Telegram's rate limits
# (or one slow database write) does not hold up every other chat. More is slower: every
# concurrent request opens another pooled connection that httpcore scans per request
# (benchmarks/bench_updates.py: 64 is some 15% slower than 8).
CONCURRENT_UPDATES = 8
RATE_LIMIT_RETRIES = 2
# Libraries' loggers and the least severe level they may log at, whatever BOT_LOG_LEVEL says:
# at DEBUG, python-telegram-bot logs whole getUpdates results and sendMessage parameters
# (user ids, names, questions) and aiosqlite every statement with its parameters (the
# question log's rows); httpx and httpcore log request URLs, which contain the token, and
# apscheduler chatters about jobs.
LIBRARY_LOG_FLOORS = {"telegram": logging.INFO, "telegram.ext": logging.INFO, "aiosqlite": logging.INFO,
                      "httpx": logging.WARNING, "httpcore": logging.WARNING, "apscheduler": logging.WARNING}

log = logging.getLogger("bot.app")


def feature_handlers() -> list[BaseHandler]:
    """Every feature's handlers, in the order they are tried; the fallbacks come last."""
    return [*curator.HANDLERS, *ask.HANDLERS, *topics.HANDLERS, *feedback.HANDLERS, *groups.HANDLERS,
            *inline.HANDLERS, *ask.FALLBACKS]


def build_application(config: Config, engine: Engine, *, question_log: QuestionSink | None = None,
                      open_log: bool = False, rate_limit: bool = True) -> Application:
    """The bot, ready to run: handlers, HTML defaults, rate limiter and start/stop hooks.

    `question_log` is an open log (QuestionLog or a stand-in); with `open_log` the
    QuestionLog at config.db_path is opened on start-up instead. `rate_limit=False` is for
    benchmarks only.
    """
    builder = (Application.builder()
               .token(config.token)
               .defaults(Defaults(parse_mode=ParseMode.HTML))
               .concurrent_updates(CONCURRENT_UPDATES)
               .post_init(functools.partial(_post_init, open_log=open_log))
               .post_shutdown(_post_shutdown))
    if config.api_base_url:
        builder = builder.base_url(config.api_base_url).base_file_url(file_base_url(config.api_base_url))
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
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
        data["log"] = await QuestionLog.open(config.db_path, config.hash_secret)
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
    """Log a handler failure with its update id; tell the user something went wrong."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update):
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
                                             hidden_values(config.token, config.webhook_secret, config.hash_secret)))
    level = logging.getLevelName(config.log_level)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name, floor in LIBRARY_LOG_FLOORS.items():
        logging.getLogger(name).setLevel(max(level, floor))


def cmd_run(knowledge_dir: str | None) -> int:
    """Run the bot until SIGINT/SIGTERM: long polling, or a webhook when BOT_WEBHOOK_URL is set.

    BOT_WEBHOOK_URL is the full public URL Telegram posts to; the local listener answers
    on BOT_WEBHOOK_LISTEN:BOT_WEBHOOK_PORT/BOT_WEBHOOK_PATH behind a TLS reverse proxy.
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
    application = build_application(config, engine, open_log=True)
    try:
        if config.webhook_url:
            application.run_webhook(listen=config.webhook_listen, port=config.webhook_port,
                                    url_path=config.webhook_path, webhook_url=config.webhook_url,
                                    secret_token=config.webhook_secret, allowed_updates=ALLOWED_UPDATES)
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        print("tanya-netral: Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?)", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"tanya-netral: cannot reach the Telegram Bot API ({exc.__class__.__name__})", file=sys.stderr)
        return 1
    return 0
