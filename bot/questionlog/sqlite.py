"""The question log in one SQLite file (aiosqlite): the default back end.

A write refused for a lock or a full disk is retried on the same connection, any other
failure on a new one. A database file deleted or replaced while open is noticed
(bot.questionlog.dbfile) and created anew, and the hash secret file beside it is put back.
The same file holds the inbox of received Telegram updates (bot.telegram.inbox), so that an
answer's log row and its update's "done" mark are committed together.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sqlite3
from pathlib import Path
from typing import Iterable

import aiosqlite

from bot.questionlog import dbfile
from bot.questionlog.schema import SQLITE_MIGRATIONS
from bot.questionlog.buffer import Statement
from bot.questionlog.store import LogUnavailable, QuestionLog

logger = logging.getLogger("bot.storage")

SECRET_FILE = "hash-secret"
WATCH_INTERVAL = 2.0  # seconds between checks that the database file is still there


def load_secret(folder: Path) -> str:
    """The pseudonymisation key kept in <folder>/hash-secret (0600), created on first use."""
    path = folder / SECRET_FILE
    folder.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made by an earlier run, or by another process just now
        secret = path.read_text(encoding="ascii").strip()
        if not secret:
            raise ValueError(f"{path} is empty") from None
        return secret
    secret = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret + "\n")
    return secret


class SqliteLog(QuestionLog):
    """The question log in the SQLite file at `path`."""

    def __init__(self, path: Path, secret: str, *, busy_timeout: float = 0.25,
                 watch_interval: float = WATCH_INTERVAL, **options):
        super().__init__(path, secret, **options)
        self._busy_timeout = busy_timeout
        self._watch_interval = watch_interval
        self._db: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._file: dbfile.FileId | None = None
        self._secret_file: Path | None = None  # rewritten when the database folder was deleted

    @classmethod
    async def open(cls, path: Path, secret: str | None = None, **options) -> SqliteLog:
        """Open (creating and migrating) the log; a database that cannot be opened is retried later."""
        path = Path(path)
        secret_file = None
        if secret is None:
            try:
                secret = load_secret(path.parent)
                secret_file = path.parent / SECRET_FILE
            except (OSError, ValueError) as exc:
                logger.warning("question log: cannot keep the hash secret in %s (%s); using a "
                               "temporary one until restart", path.parent, exc.__class__.__name__)
                secret = secrets.token_hex(32)
        log = cls(path, secret, **options)
        log._secret_file = secret_file
        await log._start()
        log._tasks.append(asyncio.get_running_loop().create_task(log._watch()))
        return log

    @property
    def connected(self) -> bool:
        return self._db is not None

    def _stale(self) -> bool:
        return dbfile.file_id(self.path) != self._file

    def _keeps_connection(self, exc: BaseException) -> bool:
        return dbfile.keeps_connection(exc)

    async def _commit(self, batch: list[tuple[Statement, ...]]) -> None:
        try:
            await self._db.execute("BEGIN IMMEDIATE")
            for statements in batch:
                try:
                    for sql, params in statements:
                        await self._db.execute(sql, params)
                except sqlite3.IntegrityError as exc:  # a bad row must not block the others
                    logger.error("question log: dropped an inconsistent write (%s)", exc)
            await self._db.execute("COMMIT")
        except BaseException:
            await self._rollback()
            raise

    async def _rollback(self) -> None:
        try:
            if self._db is not None and self._db.in_transaction:
                await self._db.execute("ROLLBACK")
        except Exception:  # noqa: BLE001
            pass

    async def _watch(self) -> None:
        """Notice a deleted or replaced database file while nothing is written, and create it anew."""
        while not self._closed:
            await asyncio.sleep(self._watch_interval)
            if self._db is None or dbfile.file_id(self.path) == self._file:
                continue
            async with self._lock:
                if self._db is not None and dbfile.file_id(self.path) != self._file:
                    logger.warning("question log: the database file %s was deleted or replaced; "
                                   "creating it anew", self.path)
                    await self._disconnect()
                    if not await self._connect() or not await self._flush():
                        self._start_retry()

    async def _disconnect(self) -> None:
        for conn in (self._reader, self._db):
            if conn is not None:
                try:
                    await conn.close()
                except Exception:  # noqa: BLE001 - closing a broken connection must not raise
                    pass
        self._db = self._reader = None
        self._file = None

    async def _connect(self) -> bool:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._keep_secret()
            db = await _connect(self.path, self._busy_timeout)
            try:
                await db.execute("PRAGMA journal_mode = WAL")
                await db.execute("PRAGMA synchronous = NORMAL")
                await db.execute("PRAGMA foreign_keys = ON")
                await _migrate(db)
                await _replay_spills(db, self.path)
                reader = await _connect(self.path, max(self._busy_timeout, 2.0))
            except BaseException:
                await db.close()
                raise
        except Exception as exc:  # noqa: BLE001
            self._note_failure(exc)
            return False
        self._db, self._reader = db, reader
        self._file = dbfile.file_id(self.path)
        return True

    def _keep_secret(self) -> None:
        """Put the hash secret file back when the folder holding it was deleted (pseudonyms stay stable)."""
        if self._secret_file is None or self._secret_file.exists():
            return
        try:
            fd = os.open(self._secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(self._key.decode() + "\n")

    async def read(self, sql: str, params: Iterable = ()) -> list[tuple]:
        """Rows of a query on the reading connection (it never waits for the writer)."""
        if self._reader is None:
            raise LogUnavailable("the question log database is not open")
        try:
            cursor = await self._reader.execute(sql, tuple(params))
            rows = await cursor.fetchall()
            await cursor.close()
            return rows
        except (sqlite3.Error, ValueError) as exc:  # ValueError: closed meanwhile by a reconnect
            raise LogUnavailable(str(exc)) from exc

    async def change(self, sql: str, params: Iterable = ()) -> int:
        async with self._lock:
            if self._db is None and not await self._connect():
                raise LogUnavailable("the question log database is not open")
            try:
                cursor = await self._db.execute(sql, tuple(params))
                return cursor.rowcount
            except sqlite3.Error as exc:
                raise LogUnavailable(str(exc)) from exc


async def _connect(path: Path, timeout: float) -> aiosqlite.Connection:
    """aiosqlite.connect in autocommit mode (we issue BEGIN ourselves)."""
    conn = aiosqlite.connect(path, timeout=timeout, isolation_level=None)
    try:
        return await conn
    except BaseException:
        # On failure aiosqlite stops its worker thread without waiting; wait here, or the
        # thread may later report to an event loop that has already been closed.
        await asyncio.to_thread(conn._thread.join, 1.0)
        raise


async def _migrate(db: aiosqlite.Connection) -> None:
    """Apply the migrations this database has not seen, each in its own transaction."""
    await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    cursor = await db.execute("SELECT MAX(version) FROM schema_version")
    (current,) = await cursor.fetchone()
    current = current or 0
    if current > len(SQLITE_MIGRATIONS):
        logger.warning("question log: database schema %d is newer than this bot knows (%d)",
                       current, len(SQLITE_MIGRATIONS))
    for version, statements in enumerate(SQLITE_MIGRATIONS[current:], start=current + 1):
        await db.execute("BEGIN IMMEDIATE")
        try:
            for sql in statements:
                await db.execute(sql)
            await db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise


async def _replay_spills(db: aiosqlite.Connection, path: Path) -> None:
    """Write the rows an earlier run could not (bot.dbfile), then delete their files."""
    for spill in dbfile.spill_files(path):
        writes = dbfile.read_spill(spill)
        await db.execute("BEGIN IMMEDIATE")
        try:
            for statements in writes:
                try:
                    for sql, params in statements:
                        await db.execute(sql, params)
                except sqlite3.IntegrityError:
                    pass  # written before the spill after all
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        spill.unlink()
        logger.warning("question log: wrote %d rows kept from an earlier run", len(writes))
