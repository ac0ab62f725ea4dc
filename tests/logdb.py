"""A question log database of either back end, for tests parametrized over both (conftest `logdb`).

`open()` opens the log (again: a second open reaches the same database, as a restart would)
and `rows()` looks at the database from outside, through a connection of its own, the way
another process would see what was committed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg

from bot.questionlog.postgres import PostgresLog
from bot.questionlog.schema import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, postgres_sql
from bot.questionlog.storage import QuestionLog

PG_SECRET = "test-hash-secret"


class LogDB:
    """One database: SQLite file under `folder`, or a fresh PostgreSQL database on the test server."""

    def __init__(self, backend: str, folder: Path, pg_server=None):
        self.backend = backend
        self.folder = folder
        self.path = folder / "data" / "log.sqlite3"
        self._server = pg_server
        self.url: str | None = None

    @property
    def migrations(self) -> tuple:
        return SQLITE_MIGRATIONS if self.backend == "sqlite" else POSTGRES_MIGRATIONS

    async def open(self, secret: str | None = None, **options) -> QuestionLog:
        if self.backend == "sqlite":
            return await QuestionLog.open(self.path, secret, **options)
        if self.url is None:
            self.url = await self._server.new_database()
        return await PostgresLog.open(self.url, secret or PG_SECRET, spill_dir=self.path.parent, **options)

    def settings(self) -> dict[str, str]:
        """The environment variables that point a `python -m bot` command at this database."""
        if self.backend == "sqlite":
            return {"BOT_DB_PATH": str(self.path)}
        return {"BOT_DB_URL": self.url, "BOT_HASH_SECRET": PG_SECRET, "BOT_DB_PATH": str(self.path)}

    async def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """What another process sees now (SQL in SQLite's dialect)."""
        if self.backend == "sqlite":
            with sqlite3.connect(self.path) as con:
                rows = con.execute(sql, params).fetchall()
                con.commit()
            con.close()
            return rows
        conn = await asyncpg.connect(self.url)
        try:
            return [tuple(r) for r in await conn.fetch(postgres_sql(sql), *params)]
        finally:
            await conn.close()
