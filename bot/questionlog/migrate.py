"""`log migrate --to postgresql://...`: copy the SQLite question log into an empty PostgreSQL database.

Every table is copied (questions, votes, learned examples with their provenance and approvals,
the inbox), in one transaction: the target ends up with all of it or none of it. The target
must be empty. It is created with the SQLite log's hash secret (BOT_HASH_SECRET, else the
hash-secret file beside the database), so pseudonyms stay the same; every replica must then
run with that secret as BOT_HASH_SECRET.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TextIO

import asyncpg

from bot.config import Config, ConfigError, from_env
from bot.config import describe_db
from bot.questionlog.postgres import PostgresLog
from bot.questionlog.schema import COPIED_TABLES, SERIALS
from bot.questionlog.sqlite import SECRET_FILE, SqliteLog
from bot.questionlog.store import LogUnavailable


class MigrateError(Exception):
    """The copy cannot be made; the message says why (never with a password)."""


def cmd_migrate(target: str, out: TextIO, err: TextIO) -> int:
    """Copy the log at BOT_DB_PATH into the PostgreSQL database at `target`; 0 when copied."""
    try:
        config = from_env(require_token=False)
        if not target.startswith(("postgresql://", "postgres://")):
            raise ConfigError("--to must be a postgresql://user:password@host:port/database URL")
    except ConfigError as exc:
        err.write(f"config error: {exc}\n")
        return 2
    try:
        counts, secret_from_file = asyncio.run(migrate(config, target))
    except (MigrateError, LogUnavailable, ConfigError, OSError, ValueError, asyncpg.PostgresError) as exc:
        text = str(exc).replace(target, describe_db(target))
        err.write(f"log migrate: {text}\n")
        return 1
    for table, count in counts.items():
        out.write(f"{table}: {count}\n")
    out.write(f"copied {sum(counts.values())} row(s) from {config.db_path} into {describe_db(target)}\n")
    if secret_from_file:
        out.write(f"set BOT_HASH_SECRET on every replica to the secret in {secret_from_file} "
                  "(the same pseudonyms; a replica with another secret is refused)\n")
    return 0


def _secret(config: Config) -> tuple[str, Path | None]:
    if config.hash_secret:
        return config.hash_secret, None
    path = config.db_path.parent / SECRET_FILE
    try:
        secret = path.read_text(encoding="ascii").strip()
    except OSError:
        secret = ""
    if not secret:
        raise MigrateError(f"no hash secret: set BOT_HASH_SECRET or keep {path} beside the database")
    return secret, path


async def migrate(config: Config, target: str) -> tuple[dict[str, int], Path | None]:
    """Copy every table; the rows copied per table, and the secret file used (None: BOT_HASH_SECRET)."""
    if not config.db_path.is_file():
        raise MigrateError(f"no database at {config.db_path} (set BOT_DB_PATH to the bot's database)")
    secret, secret_file = _secret(config)
    source = await SqliteLog.open(config.db_path, secret)  # brings an older file up to date first
    try:
        if not source.connected:
            raise MigrateError(f"cannot open {config.db_path}")
        rows = {table: await source.read(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")
                for table, columns in COPIED_TABLES}
    finally:
        await source.close()
    prepared = await PostgresLog.open(target, secret, spill_dir=config.db_path.parent)  # migrates the target
    try:
        if not prepared.connected:
            raise MigrateError(f"cannot connect to {describe_db(target)}")
    finally:
        await prepared.close()
    conn = await asyncpg.connect(target)
    try:
        async with conn.transaction():
            for table, _ in COPIED_TABLES:
                if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
                    raise MigrateError(f"{describe_db(target)} is not empty ({table} has rows); "
                                       "migrate only into a new database")
            for table, columns in COPIED_TABLES:
                types = dict(await conn.fetch("SELECT column_name, data_type FROM information_schema.columns "
                                              "WHERE table_name = $1", table))
                records = [tuple(_coerce(value, types[name]) for name, value in zip(columns, row))
                           for row in rows[table]]
                await conn.copy_records_to_table(table, records=records, columns=list(columns))
            for table, column in SERIALS:
                await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                                   f"COALESCE(MAX({column}), 0) + 1, false) FROM {table}")
    finally:
        await conn.close()
    return {table: len(rows[table]) for table, _ in COPIED_TABLES}, secret_file


def _coerce(value: object, pg_type: str) -> object:
    """SQLite keeps any value in any column: give PostgreSQL the type its column has."""
    if value is None:
        return None
    if pg_type in ("integer", "bigint"):
        return int(value)
    if pg_type == "double precision":
        return float(value)
    if pg_type == "text" and not isinstance(value, str):
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return value
