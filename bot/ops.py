"""`health` and `config`: the operator's checks on a deployed bot."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Mapping, TextIO

from bot.config import (REDACTED, SECRET_ENV, TOKEN_RE, TOKEN_SHAPE, Config, ConfigError, describe_db,
                     env_hidden_values, from_env, hidden_values, scrub)
from bot.kb.model import KnowledgeError

# The environment variable behind each Config field, in the order `config` prints them.
from bot.kb.knowledge import default_root, load

# The environment variable behind each Config field, in the order `config` prints them.
ENV_NAMES = {
    "token": "TELEGRAM_BOT_TOKEN",
    "api_base_url": "TELEGRAM_API_BASE_URL",
    "db_path": "BOT_DB_PATH",
    "hash_secret": "BOT_HASH_SECRET",
    "curators": "BOT_CURATORS",
    "retention_days": "BOT_RETENTION_DAYS",
    "knowledge_dir": "BOT_KNOWLEDGE_DIR",
    "webhook_url": "BOT_WEBHOOK_URL",
    "webhook_listen": "BOT_WEBHOOK_LISTEN",
    "webhook_port": "BOT_WEBHOOK_PORT",
    "webhook_path": "BOT_WEBHOOK_PATH",
    "webhook_secret": "BOT_WEBHOOK_SECRET",
    "flood_per_minute": "BOT_FLOOD_PER_MINUTE",
    "log_level": "BOT_LOG_LEVEL",
    "learn_approvals": "BOT_LEARN_APPROVALS",
    "send_window": "BOT_SEND_WINDOW",
    "db_url": "BOT_DB_URL",
    "replica_timeout": "BOT_REPLICA_TIMEOUT",
}
__all__ = ["REDACTED", "SECRET_ENV", "TOKEN_SHAPE", "env_hidden_values", "hidden_values", "scrub",
           "cmd_config", "cmd_health", "database_problem"]
SQLITE_TIMEOUT = 5.0
MAX_PROBLEMS_SHOWN = 3


def _setup(out: TextIO | None, err: TextIO | None, env: Mapping[str, str] | None
           ) -> tuple[TextIO, TextIO, Config | None]:
    """The output streams and the configuration (None, with the reason on `err`, when invalid)."""
    out, err = out or sys.stdout, err or sys.stderr
    return out, err, _read_config(os.environ if env is None else env, err)


def _read_config(env: Mapping[str, str], err: TextIO) -> Config | None:
    try:
        return from_env(env, require_token=False)
    except ConfigError as exc:
        err.write(f"config error: {scrub(str(exc), env_hidden_values(env))}\n")
        return None


def _probe(target: str, *, uri: bool) -> None:
    """Take SQLite's write lock and write a page, then roll back: raises when SQLite cannot write."""
    con = sqlite3.connect(target, timeout=SQLITE_TIMEOUT, uri=uri, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("CREATE TABLE tanya_netral_health_probe (x)")
        con.execute("ROLLBACK")
    finally:
        con.close()


def database_problem(path: Path) -> str | None:
    """Why the bot could not write its SQLite database at path, or None when it can.

    An existing database is opened without creating anything. A missing one is a problem
    (said last: first whether SQLite could write in the folder, tried with a throw-away
    file, so the check leaves no database behind that the service user could not write).
    """
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        return f"the database folder {folder} is a file, not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the database folder {folder}: {exc.strerror or exc}"
    if path.is_dir():
        return f"{path} is a folder, not a database file"
    if path.exists():
        try:
            _probe(path.resolve().as_uri() + "?mode=rw", uri=True)
        except sqlite3.Error as exc:
            return f"database {path} is not writable: {exc}"
        return None
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".health-", suffix=".sqlite3")
    except OSError as exc:
        return f"database folder {folder} is not writable: {exc.strerror or exc}"
    os.close(fd)
    try:
        _probe(probe, uri=False)
    except sqlite3.Error as exc:
        return f"SQLite cannot write in the database folder {folder}: {exc}"
    finally:
        for leftover in (probe, probe + "-journal"):
            try:
                os.unlink(leftover)
            except FileNotFoundError:
                pass
    # The bot creates its database when it starts and again at once if it is deleted, so a
    # missing file means the bot has not started yet, or the file was deleted under it.
    return f"no database at {path} (the bot has not created it yet, or it was deleted)"


def cmd_health(knowledge_dir: str | None, *, out: TextIO | None = None, err: TextIO | None = None,
               env: Mapping[str, str] | None = None) -> int:
    """Exit 0 when the knowledge base loads and the database is writable; 1 (reason on stderr) if not."""
    out, err, config = _setup(out, err, env)
    if config is None:
        return 2
    try:
        # The same structural check the bot makes at start, without building the index.
        kb = load(knowledge_dir or config.knowledge_dir)
    except KnowledgeError as exc:
        err.write(f"unhealthy: the knowledge base has {len(exc.problems)} problem(s):\n")
        for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
            err.write(f"  {problem}\n")
        if len(exc.problems) > MAX_PROBLEMS_SHOWN:
            err.write(f"  ... and {len(exc.problems) - MAX_PROBLEMS_SHOWN} more (python -m bot kb check)\n")
        return 1
    problem = postgres_problem(config.db_url) if config.db_url else database_problem(config.db_path)
    if problem:
        err.write(f"unhealthy: {scrub(problem, config.hidden())}\n")
        return 1
    where = describe_db(config.db_url) if config.db_url else config.db_path
    out.write(f"ok: {len(kb.entries)} entries, database writable at {where}\n")
    return 0


def postgres_problem(url: str) -> str | None:
    """Why the bot could not write its question log in PostgreSQL at url, or None when it can."""
    import asyncpg  # only with BOT_DB_URL: the SQLite default never loads the driver

    from bot.questionlog.postgres import CONNECT_TIMEOUT

    async def probe() -> str | None:
        conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
        try:
            if await conn.fetchval("SELECT to_regclass('questions')") is None:
                return f"no question log in {describe_db(url)} (the bot has not created it yet)"
            if await conn.fetchval("SELECT pg_is_in_recovery()"):
                return f"{describe_db(url)} is a read-only standby"
            if not await conn.fetchval("SELECT has_table_privilege('questions', 'INSERT')"):
                return f"cannot write the question log in {describe_db(url)} (no INSERT privilege)"
        finally:
            await conn.close()
        return None

    try:
        return asyncio.run(probe())
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return f"cannot reach PostgreSQL at {describe_db(url)} ({exc.__class__.__name__})"


def cmd_config(*, out: TextIO | None = None, err: TextIO | None = None,
               env: Mapping[str, str] | None = None) -> int:
    """Print the effective settings, one `NAME = value` per line, secrets shown only as set/not set."""
    out, err, config = _setup(out, err, env)
    if config is None:
        return 2
    values = config.redacted()
    if config.token and not TOKEN_RE.match(config.token):
        values["token"] = "<set, malformed>"
    if not config.db_path.is_absolute():
        values["db_path"] += f" ({config.db_path.absolute()})"
    if config.knowledge_dir is None:
        values["knowledge_dir"] = f"- (default: {default_root()})"
    # A URL or path may carry a secret (the token in BOT_WEBHOOK_URL, for one): nothing
    # printed is exempt.
    hidden = config.hidden()
    for name, value in values.items():
        out.write(f"{ENV_NAMES[name]} = {scrub(value, hidden)}\n")
    return 0
