"""The write buffer both back ends of the question log share (bot.questionlog.sqlite, .postgres).

Writes never stop the bot answering. When the database is healthy, a write commits before it
returns (so a reply sent afterwards is never lost to a crash); when it fails (locked,
read-only, disk full, server gone) the statements are held in memory and a background task
retries until the database takes them. Statements still unwritten at close are kept in a
file beside the database (bot.questionlog.dbfile) and written on the next open.

A back end supplies the connection: `_connect`, `_disconnect`, `_commit` of a batch, and
says when a connection is stale or worth keeping after a failure.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from pathlib import Path
from typing import Iterable

from bot.questionlog import dbfile

logger = logging.getLogger("bot.storage")

MAX_PENDING = 50_000

Statement = tuple[str, tuple]


class WriteBuffer:
    """Statements written in transactions, held in memory while the database refuses them."""

    def __init__(self, path: Path, *, retry_interval: float = 1.0, max_retry_interval: float = 5.0):
        self.path = Path(path)  # the SQLite file, or where PostgreSQL's unwritten rows are kept
        self._retry_interval = retry_interval
        self._max_retry_interval = max_retry_interval
        self._pending: deque[tuple[Statement, ...]] = deque()
        self._in_batch: set[int] = set()  # ids of the held writes being committed right now
        self._lock = asyncio.Lock()
        self._failing = False
        self._dropped = 0
        self._retry_task: asyncio.Task | None = None
        self._tasks: list[asyncio.Task] = []  # a back end's own background tasks, cancelled at close
        self._closed = False

    async def _start(self) -> None:
        """Connect and write what an earlier run left; a database that cannot be opened is retried later."""
        async with self._lock:
            if not await self._connect() or not await self._flush():
                self._start_retry()

    # ------------------------------------------------------------ back end

    @property
    def connected(self) -> bool:
        """Whether the database is open (it may still refuse writes)."""
        raise NotImplementedError

    async def _connect(self) -> bool:
        """Open the connection(s), migrate, replay spilled rows; False (logged) when unusable."""
        raise NotImplementedError

    async def _disconnect(self) -> None:
        raise NotImplementedError

    async def _commit(self, batch: list[tuple[Statement, ...]]) -> None:
        """Write the batch in one transaction, dropping (logged) a write the data makes impossible."""
        raise NotImplementedError

    def _stale(self) -> bool:
        """Whether the open connection no longer reaches the database (reconnect before writing)."""
        return False

    def _keeps_connection(self, exc: BaseException) -> bool:
        """Whether a failed write should be retried on the same connection."""
        return False

    async def write(self, statements: Iterable[Statement]) -> bool:
        """Write statements in one transaction; True when committed, False when held in memory."""
        return await self._write(tuple(statements))

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
        for task in (self._retry_task, *self._tasks):
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
            if self.connected and self._stale():
                logger.warning("question log: the database file %s was deleted or replaced; creating it anew",
                               self.where)
                await self._disconnect()
            if not self.connected and not await self._connect():
                return False
            batch = list(self._pending)
            self._in_batch = {id(statements) for statements in batch}
            try:
                await self._commit(batch)
            except Exception as exc:  # noqa: BLE001 - any storage failure only delays the write
                self._in_batch = set()
                self._note_failure(exc)
                if not self._keeps_connection(exc):
                    await self._disconnect()  # the next attempt opens a new connection
                return False
            written, self._in_batch = self._in_batch, set()
            if self._stale():
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

    def _note_failure(self, exc: BaseException) -> None:
        if not self._failing:
            self._failing = True
            logger.warning("question log: cannot write to %s (%s: %s); holding %d rows in memory "
                           "and retrying", self.where, exc.__class__.__name__, exc, len(self._pending))

    @property
    def where(self) -> str:
        """The database, as named in log lines (never with a password)."""
        return str(self.path)

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
