"""The question log's interface: what the bot and the curators write and read, on either back end.

`record()` commits before it returns while the database is healthy, and is held in memory
while it is not (bot.questionlog.buffer). A back end (bot.questionlog.sqlite,
bot.questionlog.postgres) supplies the connection and `read`/`change`. Statements are written
in SQLite's dialect; the PostgreSQL back end translates them (bot.questionlog.schema).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable

from bot.questionlog.buffer import Statement, WriteBuffer

logger = logging.getLogger("bot.storage")

QUESTION_LIMIT = 1000
AMEND_SCAN = 64  # held writes searched for a question's row when its outcome arrives

INSERT_QUESTION = ("INSERT INTO questions (qid, asked_at, chat_kind, question, normalized, status, "
                   "entry_id, score, asker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
# A question handled again after a crash keeps its first row (its qid comes from the update).
RECORD_QUESTION = ("INSERT INTO questions (qid, asked_at, chat_kind, question, normalized, status, "
                   "entry_id, score, asker, delivery) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (qid) DO NOTHING")
# Only the asker may vote on an answer; a vote for an unknown qid (forged or purged) is ignored.
# A vote never reopens a question a curator has decided about.
UPSERT_VOTE = ("INSERT INTO votes (qid, asker, vote, voted_at) SELECT ?, ?, CAST(? AS INTEGER), ? "
               "WHERE EXISTS (SELECT 1 FROM questions WHERE qid = ? AND asker = ?) "
               "ON CONFLICT (qid, asker) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at")
SET_CHOSEN = "UPDATE questions SET chosen_entry = ? WHERE qid = ?"
SET_DELIVERY = "UPDATE questions SET delivery = ? WHERE qid = ?"
FINISH_UPDATE = "UPDATE inbox SET state = ?, body = NULL, finished = ? WHERE update_id = ?"


class LogUnavailable(Exception):
    """A curator query or change could not reach the database."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    """UTC ISO text; lexical order is time order."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


class QuestionLog(WriteBuffer):
    """The pseudonymous log of questions, votes, curator reviews and learned examples."""

    # Whether several bot processes share this database (PostgreSQL): the inbox then claims
    # updates row by row, and learned examples are synchronised often.
    shared = False

    def __init__(self, path: Path, secret: str, *, clock: Callable[[], datetime] = utcnow, **options):
        super().__init__(path, **options)
        self._key = secret.encode()
        self._clock = clock

    @classmethod
    async def open(cls, path: Path, secret: str | None = None, **options) -> QuestionLog:
        """Open the SQLite log at path (the default back end; see bot.questionlog.storage.open_log)."""
        from bot.questionlog.sqlite import SqliteLog

        return await SqliteLog.open(path, secret, **options)

    async def read(self, sql: str, params: Iterable = ()) -> list[tuple]:
        """Rows of a query; LogUnavailable when the database cannot answer."""
        raise NotImplementedError

    async def change(self, sql: str, params: Iterable = ()) -> int:
        """One curator write, committed now; the number of rows changed; LogUnavailable when it fails."""
        raise NotImplementedError

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

    # ------------------------------------------------------------ curator reads and changes

    def now(self) -> datetime:
        return self._clock()

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
