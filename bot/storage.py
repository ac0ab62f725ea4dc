"""The question log: what was asked and how the bot did, pseudonymous, in SQLite (aiosqlite).

Writes never stop the bot answering. When the database is healthy, `record()` commits
before it returns (so a reply sent afterwards is never lost to a crash); when a write
fails (locked, read-only, disk full) the row is held in memory and a background task
retries until the database takes it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
from collections import deque
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable

import aiosqlite

logger = logging.getLogger(__name__)

QUESTION_LIMIT = 1000
SECRET_FILE = "hash-secret"
MAX_PENDING = 50_000

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE questions (
            qid TEXT PRIMARY KEY,
            asked_at TEXT NOT NULL,
            chat_kind TEXT NOT NULL,
            question TEXT NOT NULL,
            normalized TEXT NOT NULL,
            status TEXT NOT NULL,
            entry_id TEXT,
            score REAL NOT NULL,
            asker TEXT NOT NULL,
            chosen_entry TEXT,
            review TEXT,
            reviewed_at TEXT
        )""",
        "CREATE INDEX questions_asked_at ON questions (asked_at)",
        "CREATE INDEX questions_open ON questions (review, status)",
        """CREATE TABLE votes (
            qid TEXT NOT NULL REFERENCES questions (qid) ON DELETE CASCADE,
            asker TEXT NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            voted_at TEXT NOT NULL,
            PRIMARY KEY (qid, asker)
        )""",
        """CREATE TABLE learned (
            id INTEGER PRIMARY KEY,
            entry_id TEXT NOT NULL,
            question TEXT NOT NULL,
            added_at TEXT NOT NULL,
            UNIQUE (entry_id, question)
        )""",
    ),
    (
        # Provenance of learned examples (bot/teaching.py): the curator's pseudonym, the logged
        # question, when it took effect (NULL while it awaits approvals) and its undo. Examples
        # taught before this migration took effect when they were added.
        "ALTER TABLE learned ADD COLUMN curator TEXT",
        "ALTER TABLE learned ADD COLUMN qid TEXT",
        "ALTER TABLE learned ADD COLUMN approved_at TEXT",
        "ALTER TABLE learned ADD COLUMN undone_at TEXT",
        "ALTER TABLE learned ADD COLUMN undone_by TEXT",
        "UPDATE learned SET approved_at = added_at",
        """CREATE TABLE learned_approvals (
            learned_id INTEGER NOT NULL REFERENCES learned (id) ON DELETE CASCADE,
            curator TEXT NOT NULL,
            approved_at TEXT NOT NULL,
            PRIMARY KEY (learned_id, curator)
        )""",
    ),
)

INSERT_QUESTION = ("INSERT INTO questions (qid, asked_at, chat_kind, question, normalized, status, "
                   "entry_id, score, asker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
# A vote for an unknown qid (forged or purged) is silently ignored.
UPSERT_VOTE = ("INSERT INTO votes (qid, asker, vote, voted_at) SELECT ?, ?, ?, ? "
               "WHERE EXISTS (SELECT 1 FROM questions WHERE qid = ?) "
               "ON CONFLICT (qid, asker) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at")
REOPEN = "UPDATE questions SET review = NULL, reviewed_at = NULL WHERE qid = ?"
SET_CHOSEN = "UPDATE questions SET chosen_entry = ? WHERE qid = ?"

Statement = tuple[str, tuple]


class LogUnavailable(Exception):
    """A curator query or change could not reach the database."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    """UTC ISO text; lexical order is time order."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


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


class QuestionLog:
    """The pseudonymous log of questions, votes, curator reviews and learned examples."""

    def __init__(self, path: Path, secret: str, *, clock: Callable[[], datetime] = utcnow,
                 busy_timeout: float = 0.25, retry_interval: float = 1.0, max_retry_interval: float = 30.0):
        self.path = Path(path)
        self._key = secret.encode()
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._retry_interval = retry_interval
        self._max_retry_interval = max_retry_interval
        self._db: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._pending: deque[tuple[Statement, ...]] = deque()
        self._lock = asyncio.Lock()
        self._failing = False
        self._dropped = 0
        self._retry_task: asyncio.Task | None = None
        self._closed = False

    @classmethod
    async def open(cls, path: Path, secret: str | None = None, **options) -> QuestionLog:
        """Open (creating and migrating) the log; a database that cannot be opened is retried later."""
        path = Path(path)
        if secret is None:
            try:
                secret = load_secret(path.parent)
            except (OSError, ValueError) as exc:
                logger.warning("question log: cannot keep the hash secret in %s (%s); using a "
                               "temporary one until restart", path.parent, exc.__class__.__name__)
                secret = secrets.token_hex(32)
        log = cls(path, secret, **options)
        if not await log._connect():
            log._start_retry()
        return log

    # ------------------------------------------------------------ bot-facing writes

    def asker(self, user_id: int) -> str:
        """The pseudonym stored instead of a Telegram user id."""
        return hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()

    async def record(self, *, chat_kind: str, question: str, normalized: str, status: str,
                     entry_id: str | None, score: float, user_id: int) -> str:
        """Log one question; returns its qid. Committed on return unless the database is failing."""
        qid = secrets.token_hex(6)
        row = (qid, stamp(self._clock()), str(chat_kind), question[:QUESTION_LIMIT],
               normalized[:QUESTION_LIMIT], str(getattr(status, "value", status)), entry_id,
               float(score), self.asker(user_id))
        await self._write(((INSERT_QUESTION, row),))
        return qid

    async def vote(self, qid: str, user_id: int, vote: int) -> None:
        """+1 or -1 on an answer; a second vote by the same person replaces the first."""
        if vote not in (1, -1):
            return
        statements: tuple[Statement, ...] = (
            (UPSERT_VOTE, (qid, self.asker(user_id), vote, stamp(self._clock()), qid)),)
        if vote < 0:
            statements += ((REOPEN, (qid,)),)
        await self._write(statements)

    async def chosen(self, qid: str, entry_id: str) -> None:
        """The asker tapped one of the suggested entries."""
        await self._write(((SET_CHOSEN, (entry_id, qid)),))

    @property
    def connected(self) -> bool:
        """Whether the database is open (it may still refuse writes)."""
        return self._db is not None

    @property
    def pending(self) -> int:
        """Writes held in memory because the database refused them."""
        return len(self._pending)

    async def flush(self) -> bool:
        """Try to write the held rows now; True when nothing is left in memory."""
        async with self._lock:
            return await self._flush()

    async def close(self) -> None:
        """Write what is held (one last try) and close the database."""
        self._closed = True
        if self._retry_task:
            self._retry_task.cancel()
            await asyncio.gather(self._retry_task, return_exceptions=True)
        if not await self.flush():
            logger.error("question log: closing with %d unwritten rows", len(self._pending))
        for conn in (self._reader, self._db):
            if conn is not None:
                try:
                    await conn.close()
                except Exception:  # noqa: BLE001 - closing a broken connection must not raise
                    pass
        self._db = self._reader = None

    # ------------------------------------------------------------ write path

    async def _write(self, statements: tuple[Statement, ...]) -> None:
        if len(self._pending) >= MAX_PENDING:
            self._pending.popleft()
            self._dropped += 1
            if self._dropped == 1:
                logger.error("question log: %d rows held in memory, dropping the oldest from now on", MAX_PENDING)
        self._pending.append(statements)
        if self._failing or self._closed:
            self._start_retry()
            return
        async with self._lock:
            if not self._pending:  # a concurrent flush already wrote it
                return
            ok = await self._flush()
        if not ok:
            self._start_retry()

    async def _flush(self) -> bool:
        """Write every held statement, one transaction per batch. Caller holds the lock."""
        # Writes arriving meanwhile are appended without the lock (a failing database must not
        # delay them): keep going until none is left, or they would wait for the next write.
        while self._pending:
            if self._db is None and not await self._connect():
                return False
            batch = list(self._pending)
            try:
                await self._db.execute("BEGIN IMMEDIATE")
                for statements in batch:
                    try:
                        for sql, params in statements:
                            await self._db.execute(sql, params)
                    except sqlite3.IntegrityError as exc:  # a bad row must not block the others
                        logger.error("question log: dropped an inconsistent write (%s)", exc)
                await self._db.execute("COMMIT")
            except Exception as exc:  # noqa: BLE001 - any storage failure only delays the write
                await self._rollback()
                self._note_failure(exc)
                return False
            # By identity: when the memory cap dropped the oldest rows meanwhile, the batch no
            # longer starts the queue, and counting would remove rows not yet written.
            written = {id(statements) for statements in batch}
            while self._pending and id(self._pending[0]) in written:
                self._pending.popleft()
            self._healthy(len(batch))
        return True

    def _healthy(self, written: int) -> None:
        if self._failing:
            self._failing = False
            logger.warning("question log: database writable again, wrote %d held rows (%d dropped)",
                           written, self._dropped)
            self._dropped = 0

    async def _rollback(self) -> None:
        try:
            if self._db is not None and self._db.in_transaction:
                await self._db.execute("ROLLBACK")
        except Exception:  # noqa: BLE001
            pass

    def _note_failure(self, exc: BaseException) -> None:
        if not self._failing:
            self._failing = True
            logger.warning("question log: cannot write to %s (%s: %s); holding %d rows in memory "
                           "and retrying", self.path, exc.__class__.__name__, exc, len(self._pending))

    def _start_retry(self) -> None:
        if self._retry_task is None or self._retry_task.done():
            if not self._closed:
                self._retry_task = asyncio.get_running_loop().create_task(self._retry())

    async def _retry(self) -> None:
        delay = self._retry_interval
        while not self._closed:
            await asyncio.sleep(delay)
            async with self._lock:
                if (self._db is not None or await self._connect()) and await self._flush():
                    self._healthy(0)
                    return
            delay = min(delay * 2, self._max_retry_interval)

    async def _connect(self) -> bool:
        """Open both connections and migrate; False (logged) when the database is unusable."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = await _connect(self.path, self._busy_timeout)
            try:
                await db.execute("PRAGMA journal_mode = WAL")
                await db.execute("PRAGMA synchronous = NORMAL")
                await db.execute("PRAGMA foreign_keys = ON")
                await _migrate(db)
                reader = await _connect(self.path, max(self._busy_timeout, 2.0))
            except BaseException:
                await db.close()
                raise
        except Exception as exc:  # noqa: BLE001
            self._note_failure(exc)
            return False
        self._db, self._reader = db, reader
        return True

    # ------------------------------------------------------------ curator reads and changes

    def now(self) -> datetime:
        return self._clock()

    async def read(self, sql: str, params: Iterable = ()) -> list[tuple]:
        """Rows of a query on the reading connection (it never waits for the writer)."""
        if self._reader is None:
            raise LogUnavailable("the question log database is not open")
        try:
            cursor = await self._reader.execute(sql, tuple(params))
            rows = await cursor.fetchall()
            await cursor.close()
            return rows
        except sqlite3.Error as exc:
            raise LogUnavailable(str(exc)) from exc

    async def change(self, sql: str, params: Iterable = ()) -> int:
        """One curator write, committed now; LogUnavailable when it fails."""
        async with self._lock:
            if self._db is None and not await self._connect():
                raise LogUnavailable("the question log database is not open")
            try:
                cursor = await self._db.execute(sql, tuple(params))
                return cursor.rowcount
            except sqlite3.Error as exc:
                raise LogUnavailable(str(exc)) from exc

    async def purge(self, older_than_days: int) -> int:
        """Delete questions (and their votes) older than the given number of days."""
        cutoff = stamp(self._clock() - timedelta(days=older_than_days))
        return await self.change("DELETE FROM questions WHERE asked_at < ?", (cutoff,))

    async def add_learned(self, entry_id: str, question: str) -> bool:
        """Keep a curator-approved phrasing of an entry; False when it was already there."""
        now = stamp(self._clock())
        return await self.change(
            "INSERT OR IGNORE INTO learned (entry_id, question, added_at, approved_at) VALUES (?, ?, ?, ?)",
            (entry_id, question[:QUESTION_LIMIT], now, now)) > 0

    async def learned(self) -> list[tuple[str, str]]:
        """Every learned (entry_id, question) in effect, oldest first; empty when the database is unavailable."""
        try:
            rows = await self.read("SELECT entry_id, question FROM learned "
                                   "WHERE approved_at IS NOT NULL AND undone_at IS NULL ORDER BY id")
        except LogUnavailable as exc:
            logger.warning("question log: cannot read learned examples (%s)", exc)
            return []
        return [(e, q) for e, q in rows]


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
    if current > len(MIGRATIONS):
        logger.warning("question log: database schema %d is newer than this bot knows (%d)",
                       current, len(MIGRATIONS))
    for version, statements in enumerate(MIGRATIONS[current:], start=current + 1):
        await db.execute("BEGIN IMMEDIATE")
        try:
            for sql in statements:
                await db.execute(sql)
            await db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
