"""The question log: what was asked and how the bot did, pseudonymous, in SQLite (aiosqlite).

Writes never stop the bot answering. When the database is healthy, `record()` commits
before it returns (so a reply sent afterwards is never lost to a crash); when a write
fails (locked, read-only, disk full) the row is held in memory and a background task
retries until the database takes it, on a new connection unless the failure was a lock
or a full disk. A database file deleted or replaced while open is noticed (bot.dbfile)
and created anew; rows still unwritten at close are kept in a file beside it.

The same database holds the inbox of received Telegram updates (bot.inbox), so that an
answer's log row and its update's "done" mark are committed together.
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

from bot.questionlog import dbfile

logger = logging.getLogger("bot.storage")

QUESTION_LIMIT = 1000
SECRET_FILE = "hash-secret"
MAX_PENDING = 50_000
AMEND_SCAN = 64  # held writes searched for a question's row when its outcome arrives
WATCH_INTERVAL = 2.0  # seconds between checks that the database file is still there

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
    # Delivery: what the asker actually got, and the inbox of received updates (bot.inbox).
    (
        "ALTER TABLE questions ADD COLUMN delivery TEXT",
        """CREATE TABLE inbox (
            seq INTEGER PRIMARY KEY,
            update_id INTEGER NOT NULL UNIQUE,
            received TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            body TEXT,
            finished TEXT
        )""",
        "CREATE INDEX inbox_state ON inbox (state, seq)",
    ),
)

INSERT_QUESTION = ("INSERT INTO questions (qid, asked_at, chat_kind, question, normalized, status, "
                   "entry_id, score, asker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
# A question handled again after a crash keeps its first row (its qid comes from the update).
RECORD_QUESTION = ("INSERT INTO questions (qid, asked_at, chat_kind, question, normalized, status, "
                   "entry_id, score, asker, delivery) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (qid) DO NOTHING")
# Only the asker may vote on an answer; a vote for an unknown qid (forged or purged) is ignored.
# A vote never reopens a question a curator has decided about.
UPSERT_VOTE = ("INSERT INTO votes (qid, asker, vote, voted_at) SELECT ?, ?, ?, ? "
               "WHERE EXISTS (SELECT 1 FROM questions WHERE qid = ? AND asker = ?) "
               "ON CONFLICT (qid, asker) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at")
SET_CHOSEN = "UPDATE questions SET chosen_entry = ? WHERE qid = ?"
SET_DELIVERY = "UPDATE questions SET delivery = ? WHERE qid = ?"
FINISH_UPDATE = "UPDATE inbox SET state = ?, body = NULL, finished = ? WHERE update_id = ?"

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
                 busy_timeout: float = 0.25, retry_interval: float = 1.0, max_retry_interval: float = 5.0,
                 watch_interval: float = WATCH_INTERVAL):
        self.path = Path(path)
        self._key = secret.encode()
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._retry_interval = retry_interval
        self._max_retry_interval = max_retry_interval
        self._watch_interval = watch_interval
        self._db: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._file: dbfile.FileId | None = None
        self._secret_file: Path | None = None  # rewritten when the database folder was deleted
        self._pending: deque[tuple[Statement, ...]] = deque()
        self._in_batch: set[int] = set()  # ids of the held writes being committed right now
        self._lock = asyncio.Lock()
        self._failing = False
        self._dropped = 0
        self._retry_task: asyncio.Task | None = None
        self._watch_task: asyncio.Task | None = None
        self._closed = False

    @classmethod
    async def open(cls, path: Path, secret: str | None = None, **options) -> QuestionLog:
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
        async with log._lock:
            if not await log._connect() or not await log._flush():
                log._start_retry()
        log._watch_task = asyncio.get_running_loop().create_task(log._watch())
        return log

    # ------------------------------------------------------------ bot-facing writes

    def asker(self, user_id: int) -> str:
        """The pseudonym stored instead of a Telegram user id."""
        return hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()

    def qid_for(self, key: str) -> str:
        """The question id of a received update (`key` names it), the same each time it is handled."""
        return hmac.new(self._key, f"qid:{key}".encode(), hashlib.sha256).hexdigest()[:12]

    async def record(self, *, chat_kind: str, question: str, normalized: str, status: str,
                     entry_id: str | None, score: float, user_id: int, key: str | None = None,
                     delivery: str | None = None) -> str:
        """Log one question; returns its qid. Committed on return unless the database is failing.

        `key` names the received update the question came in (bot.inbox): handled again after a
        crash, it keeps its first row. `delivery` is what the asker got so far ('pending' before
        the answer is sent; see `delivered`).
        """
        qid = self.qid_for(key) if key else secrets.token_hex(6)
        row = (qid, stamp(self._clock()), str(chat_kind), question[:QUESTION_LIMIT],
               normalized[:QUESTION_LIMIT], str(getattr(status, "value", status)), entry_id,
               float(score), self.asker(user_id), delivery)
        await self._write(((RECORD_QUESTION, row),))
        return qid

    async def delivered(self, qid: str | None, outcome: str, *, update_id: int | None = None,
                        update_state: str = "done") -> bool:
        """What the asker got ('sent', 'failed', 'unsure'), and the update finished, in one transaction."""
        finish: tuple[Statement, ...] = ()
        if update_id is not None:
            finish = ((FINISH_UPDATE, (update_state, stamp(self._clock()), update_id)),)
        if qid and self._amend_held(qid, outcome, finish):
            return False
        statements = (((SET_DELIVERY, (outcome, qid)),) if qid else ()) + finish
        return await self._write(statements) if statements else True

    def _amend_held(self, qid: str, outcome: str, finish: tuple[Statement, ...]) -> bool:
        """While the database is failing, put the outcome into the question's held row instead of
        holding one more write; False when that row is not among the newest held ones."""
        if not self._failing:
            return False
        for i in range(len(self._pending) - 1, max(-1, len(self._pending) - AMEND_SCAN - 1), -1):
            held = self._pending[i]
            if id(held) in self._in_batch:  # being written right now: leave it be
                return False
            if len(held) == 1 and held[0][0] is RECORD_QUESTION and held[0][1][0] == qid:
                self._pending[i] = ((RECORD_QUESTION, held[0][1][:-1] + (outcome,)), *finish)
                return True
        return False

    async def vote(self, qid: str, user_id: int, vote: int) -> bool:
        """+1 or -1 on an answer by its asker (a second vote replaces the first); False when refused."""
        if vote not in (1, -1):
            return False
        asker = self.asker(user_id)
        try:
            rows = await self.read("SELECT asker FROM questions WHERE qid = ?", (qid,))
        except LogUnavailable:
            rows = None  # cannot check now: the statement itself still refuses anyone else
        if rows is not None:
            if rows and not hmac.compare_digest(rows[0][0], asker):
                return False
            if not rows and not self._pending:  # unknown, and not waiting in memory either
                return False
        await self._write(((UPSERT_VOTE, (qid, asker, vote, stamp(self._clock()), qid, asker)),))
        return True

    async def chosen(self, qid: str, entry_id: str) -> None:
        """The asker tapped one of the suggested entries."""
        await self._write(((SET_CHOSEN, (entry_id, qid)),))

    async def write(self, statements: Iterable[Statement]) -> bool:
        """Write statements in one transaction; True when committed, False when held in memory."""
        return await self._write(tuple(statements))

    @property
    def connected(self) -> bool:
        """Whether the database is open (it may still refuse writes)."""
        return self._db is not None

    @property
    def failing(self) -> bool:
        """Whether writes are being held in memory because the database refused them."""
        return self._failing

    @property
    def pending(self) -> int:
        """Writes held in memory because the database refused them."""
        return len(self._pending)

    async def flush(self) -> bool:
        """Try to write the held rows now; True when nothing is left in memory."""
        async with self._lock:
            return await self._flush()

    async def close(self) -> None:
        """Write what is held (one last try, on a fresh connection too) and close the database.

        Rows the database still refuses are kept in a file beside it, written on the next open.
        """
        self._closed = True
        for task in (self._retry_task, self._watch_task):
            if task:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        async with self._lock:
            if not await self._flush():
                await self._disconnect()
                await self._flush()
            if self._pending:
                spilled = dbfile.write_spill(self.path, self._pending)
                if spilled:
                    logger.warning("question log: %d unwritten rows kept in %s until the next start",
                                   len(self._pending), spilled.name)
                else:
                    logger.error("question log: closing with %d unwritten rows", len(self._pending))
            await self._disconnect()

    # ------------------------------------------------------------ write path

    async def _write(self, statements: tuple[Statement, ...]) -> bool:
        if len(self._pending) >= MAX_PENDING:
            self._pending.popleft()
            self._dropped += 1
            if self._dropped == 1:
                logger.error("question log: %d rows held in memory, dropping the oldest from now on", MAX_PENDING)
        self._pending.append(statements)
        if self._failing or self._closed:
            self._start_retry()
            return False
        async with self._lock:
            if not any(held is statements for held in self._pending):  # a concurrent flush wrote it
                return True
            ok = await self._flush()
        if not ok:
            self._start_retry()
        return ok

    async def _flush(self) -> bool:
        """Write every held statement, one transaction per batch. Caller holds the lock."""
        # Writes arriving meanwhile are appended without the lock (a failing database must not
        # delay them): keep going until none is left, or they would wait for the next write.
        while self._pending:
            if self._db is not None and dbfile.file_id(self.path) != self._file:
                logger.warning("question log: the database file %s was deleted or replaced; creating it anew",
                               self.path)
                await self._disconnect()
            if self._db is None and not await self._connect():
                return False
            batch = list(self._pending)
            self._in_batch = {id(statements) for statements in batch}
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
                self._in_batch = set()
                await self._rollback()
                self._note_failure(exc)
                if not dbfile.keeps_connection(exc):
                    await self._disconnect()  # the next attempt opens a new connection
                return False
            written, self._in_batch = self._in_batch, set()
            if dbfile.file_id(self.path) != self._file:
                continue  # committed into a file unlinked meanwhile: write the batch again, anew
            # By identity: when the memory cap dropped the oldest rows meanwhile, the batch no
            # longer starts the queue, and counting would remove rows not yet written.
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
                if await self._flush():
                    self._healthy(0)
                    return
            delay = min(delay * 2, self._max_retry_interval)

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
        """Open both connections, migrate, replay spilled rows; False (logged) when the database is unusable."""
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
        except (sqlite3.Error, ValueError) as exc:  # ValueError: closed meanwhile by a reconnect
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

    async def delivery_counts(self, since: datetime) -> dict[str, int]:
        """How many answers since `since` reached the asker ('sent'), failed or may have ('unsure')."""
        rows = await self.read("SELECT delivery, COUNT(*) FROM questions WHERE asked_at >= ? "
                               "AND delivery IS NOT NULL GROUP BY delivery", (stamp(since),))
        return {delivery: n for delivery, n in rows}


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
