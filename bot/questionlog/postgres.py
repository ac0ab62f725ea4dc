"""The question log in PostgreSQL (asyncpg), shared by several replicas of the bot (BOT_DB_URL).

Migrations run at start-up under an advisory lock, so replicas starting together apply
each one once. Every replica must pseudonymise with the same BOT_HASH_SECRET: its
fingerprint is kept in the database and a replica started with another one is refused.
The inbox is shared too: `claim()` hands each pending update to exactly one replica
(FOR UPDATE SKIP LOCKED); a replica whose heartbeat is older than BOT_REPLICA_TIMEOUT is
taken for dead and its unfinished updates are claimed by the others.

Rows PostgreSQL refuses while it is unreachable are held in memory like SQLite's, and spilled
at close beside BOT_DB_PATH (`postgres.unwritten-*.jsonl`), written at the next start.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from pathlib import Path
from typing import Iterable

import asyncpg

from bot.config import ConfigError, describe_db
from bot.questionlog import dbfile
from bot.questionlog.schema import POSTGRES_MIGRATIONS, postgres_sql
from bot.questionlog.buffer import Statement
from bot.questionlog.store import LogUnavailable, QuestionLog

logger = logging.getLogger("bot.storage")

POOL_SIZE = 8
CONNECT_TIMEOUT = 5.0
MIGRATION_LOCK = 7_316_455_104  # pg_advisory_xact_lock key: "tanya-netral migrations"
FINGERPRINT = "hash_secret_fingerprint"
SPILL_NAME = "postgres"
# Errors that only one write's data causes: that write is dropped (logged), the others go on.
DATA_ERRORS = (asyncpg.IntegrityConstraintViolationError, asyncpg.DataError, ValueError)
FAILURES = (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)

# A replica claims the updates it received itself (claimed_by is its name, claimed_at not yet
# set), those given back (NULL) and, when $4, those of other replicas without a recent heartbeat.
CLAIM = """WITH picked AS (
    SELECT seq, claimed_by AS previous FROM inbox WHERE state = 'pending' AND (claimed_by IS NULL OR
        (claimed_by = $1 AND claimed_at IS NULL) OR ($4 AND claimed_by <> $1 AND
        claimed_by NOT IN (SELECT name FROM replicas WHERE seen > now() - make_interval(secs => $2))))
    ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED)
UPDATE inbox SET claimed_by = $1, claimed_at = now() FROM picked WHERE inbox.seq = picked.seq
RETURNING inbox.seq, inbox.update_id, inbox.received, inbox.attempts, inbox.body,
    CASE WHEN picked.previous <> $1 THEN picked.previous END"""
HEARTBEAT = ("INSERT INTO replicas (name, seen) VALUES ($1, now()) "
             "ON CONFLICT (name) DO UPDATE SET seen = excluded.seen")


class SecretMismatch(ConfigError):
    """This replica's BOT_HASH_SECRET is not the one the database was started with."""


def fingerprint(secret: bytes) -> str:
    return hmac.new(secret, b"tanya-netral hash secret fingerprint", hashlib.sha256).hexdigest()[:16]


class PostgresLog(QuestionLog):
    """The question log in the PostgreSQL database at `url`."""

    shared = True

    def __init__(self, url: str, secret: str, *, spill_dir: Path, **options):
        super().__init__(Path(spill_dir) / SPILL_NAME, secret, **options)
        self._url = url
        self._pool: asyncpg.Pool | None = None
        self._opened = False  # past open(): a secret mismatch found later is held, not raised
        self._mismatch_said = False

    @classmethod
    async def open(cls, url: str, secret: str | None, *, spill_dir: Path = Path("data"), **options) -> PostgresLog:
        """Connect, migrate and check the hash secret; an unreachable server is retried later.

        SecretMismatch is raised: a replica pseudonymising differently would split the log.
        """
        if not secret:
            raise SecretMismatch("BOT_HASH_SECRET is required with PostgreSQL")
        log = cls(url, secret, spill_dir=spill_dir, **options)
        await log._start()
        log._opened = True
        return log

    @property
    def where(self) -> str:
        return describe_db(self._url)

    @property
    def connected(self) -> bool:
        return self._pool is not None

    def _keeps_connection(self, exc: BaseException) -> bool:
        # The server answered (a full disk, a read-only standby): the connections are fine.
        return isinstance(exc, asyncpg.PostgresError) and not isinstance(exc, asyncpg.PostgresConnectionError)

    async def _connect(self) -> bool:
        try:
            pool = await asyncpg.create_pool(self._url, min_size=1, max_size=POOL_SIZE, timeout=CONNECT_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - unreachable, refused, bad password: retried later
            self._note_failure(exc)
            return False
        try:
            async with pool.acquire() as conn:
                await _migrate(conn, fingerprint(self._key))
                await _replay_spills(conn, self.path)
        except SecretMismatch as exc:
            await pool.close()
            if not self._opened:
                raise
            # Found only now (the server was down at start): keep holding, never write those pseudonyms.
            if not self._mismatch_said:
                self._mismatch_said = True
                logger.error("question log: %s; holding rows in memory", exc)
            self._note_failure(exc)
            return False
        except Exception as exc:  # noqa: BLE001
            pool.terminate()
            self._note_failure(exc)
            return False
        self._pool = pool
        return True

    async def _disconnect(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), 2.0)
            except Exception:  # noqa: BLE001 - a broken pool is terminated instead
                pool.terminate()

    async def _commit(self, batch: list[tuple[Statement, ...]]) -> None:
        async with self._pool.acquire() as conn:
            async with conn.transaction():
                for statements in batch:
                    await _apply(conn, statements)

    async def read(self, sql: str, params: Iterable = ()) -> list[tuple]:
        if self._pool is None:
            raise LogUnavailable("the question log database is not connected")
        try:
            return [tuple(row) for row in await self._pool.fetch(postgres_sql(sql), *params)]
        except FAILURES as exc:
            raise LogUnavailable(f"{exc.__class__.__name__}: {exc}") from exc

    async def change(self, sql: str, params: Iterable = ()) -> int:
        if self._pool is None:
            async with self._lock:
                if self._pool is None and not await self._connect():
                    raise LogUnavailable("the question log database is not connected")
        try:
            status = await self._pool.execute(postgres_sql(sql), *params)
        except FAILURES as exc:
            raise LogUnavailable(f"{exc.__class__.__name__}: {exc}") from exc
        count = status.rsplit(" ", 1)[-1]
        return int(count) if count.isdigit() else 0

    # ------------------------------------------------------------ replicas

    async def heartbeat(self, replica: str) -> None:
        """This replica is alive (LogUnavailable when the database cannot be reached)."""
        await self._direct("execute", HEARTBEAT, replica)

    async def claim(self, replica: str, limit: int, timeout: float, *, takeover: bool = True) -> list[tuple]:
        """Pending updates nobody alive holds (with `takeover`, those of dead replicas too), now held by
        `replica`: (seq, update_id, received, attempts, body, the dead replica that held it or None)."""
        rows = await self._direct("fetch", CLAIM, replica, float(timeout), limit, takeover)
        return sorted(tuple(row) for row in rows)

    async def release(self, replica: str) -> None:
        """A replica stopping: its unfinished updates go back to the others at once."""
        await self._direct("execute", "UPDATE inbox SET claimed_by = NULL, claimed_at = NULL "
                           "WHERE claimed_by = $1 AND state = 'pending'", replica)
        await self._direct("execute", "DELETE FROM replicas WHERE name = $1", replica)

    async def forget_replicas(self, seconds: float) -> None:
        """Delete the heartbeats older than `seconds`."""
        await self._direct("execute", "DELETE FROM replicas WHERE seen < now() - make_interval(secs => $1)",
                           float(seconds))

    async def once(self, key: str) -> bool:
        """True for the first replica to ask with this key, False for every later one (a weekly job, say)."""
        status = await self._direct("execute", "INSERT INTO settings (name, value) VALUES ($1, now()::text) "
                                    "ON CONFLICT (name) DO NOTHING", key)
        return status.endswith(" 1")

    async def _direct(self, method: str, sql: str, *args):
        if self._pool is None:
            raise LogUnavailable("the question log database is not connected")
        try:
            return await getattr(self._pool, method)(sql, *args)
        except FAILURES as exc:
            raise LogUnavailable(f"{exc.__class__.__name__}: {exc}") from exc


async def _apply(conn: asyncpg.Connection, statements: tuple[Statement, ...]) -> None:
    """One held write, in a savepoint: when its data is impossible it alone is dropped."""
    try:
        async with conn.transaction():
            for sql, params in statements:
                await conn.execute(postgres_sql(sql), *params)
    except DATA_ERRORS as exc:
        logger.error("question log: dropped an inconsistent write (%s)", exc.__class__.__name__)


async def _migrate(conn: asyncpg.Connection, secret_print: str) -> None:
    """Apply the migrations this database has not seen and check the hash secret, under an advisory lock."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        current = await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        if current > len(POSTGRES_MIGRATIONS):
            logger.warning("question log: database schema %d is newer than this bot knows (%d)",
                           current, len(POSTGRES_MIGRATIONS))
        for version, statements in enumerate(POSTGRES_MIGRATIONS[current:], start=current + 1):
            for sql in statements:
                await conn.execute(sql)
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", version)
        await conn.execute("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                           FINGERPRINT, secret_print)
        kept = await conn.fetchval("SELECT value FROM settings WHERE name = $1", FINGERPRINT)
    if not hmac.compare_digest(kept, secret_print):
        raise SecretMismatch("BOT_HASH_SECRET differs from the one this database was started with "
                             "(every replica must use the same one)")


async def _replay_spills(conn: asyncpg.Connection, path: Path) -> None:
    """Write the rows an earlier run could not, then delete their files."""
    for spill in dbfile.spill_files(path):
        writes = dbfile.read_spill(spill)
        async with conn.transaction():
            for statements in writes:
                await _apply(conn, statements)
        spill.unlink()
        logger.warning("question log: wrote %d rows kept from an earlier run", len(writes))
