"""The question log: what was asked and how the bot did, pseudonymous; `open_log(config)` picks the back end.

SQLite (bot.questionlog.sqlite, one file at BOT_DB_PATH) is the default; with BOT_DB_URL set,
PostgreSQL (bot.questionlog.postgres), which several replicas of the bot can share. Both keep
the same interface and write buffer (bot.questionlog.store) and the same tables
(bot.questionlog.schema), including the inbox of received Telegram updates (bot.telegram.inbox).
"""

from __future__ import annotations

from bot.config import Config
from bot.questionlog.schema import SQLITE_MIGRATIONS as MIGRATIONS
from bot.questionlog.sqlite import SECRET_FILE, SqliteLog, load_secret
from bot.questionlog.buffer import MAX_PENDING, Statement
from bot.questionlog.store import (FINISH_UPDATE, INSERT_QUESTION, QUESTION_LIMIT, RECORD_QUESTION, LogUnavailable,
                                   QuestionLog, stamp, utcnow)

__all__ = ["FINISH_UPDATE", "INSERT_QUESTION", "MAX_PENDING", "MIGRATIONS", "QUESTION_LIMIT", "RECORD_QUESTION",
           "SECRET_FILE", "LogUnavailable", "QuestionLog", "SqliteLog", "Statement", "load_secret", "open_log",
           "stamp", "utcnow"]


async def open_log(config: Config, *, secret: str | None = None, **options) -> QuestionLog:
    """The question log the settings name: PostgreSQL at BOT_DB_URL, else the SQLite file at BOT_DB_PATH."""
    secret = secret or config.hash_secret
    if config.db_url:
        from bot.questionlog.postgres import PostgresLog

        return await PostgresLog.open(config.db_url, secret, spill_dir=config.db_path.parent, **options)
    return await SqliteLog.open(config.db_path, secret, **options)
