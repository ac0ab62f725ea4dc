"""Learned examples with their provenance: who taught what, from which question; approvals and undo.

A curator teaches the bot a phrasing of an entry from /antrian. The example records the
curator's pseudonym (the same keyed hash as askers), the logged question and the time.
With BOT_LEARN_APPROVALS=N it takes effect only once N different curators approved it
(the one who taught it counts as the first). Undo keeps the row, marked undone, as a record.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.questionlog.storage import QUESTION_LIMIT, QuestionLog, stamp

COLUMNS = ("l.id, l.entry_id, l.question, l.added_at, l.curator, l.qid, l.approved_at, l.undone_at, "
           "(SELECT COUNT(*) FROM learned_approvals a WHERE a.learned_id = l.id)")
CLI_CURATOR = "cli"  # who undid an example from the command line
SYNC_INTERVAL = 15.0  # seconds: how soon a running bot sees another process's teaching or a KB edit
# With replicas sharing PostgreSQL a curator's tap on one must reach the others within 5 s.
SHARED_SYNC_INTERVAL = 2.0


def sync_interval(log: QuestionLog) -> float:
    """How often a running bot reads the learned examples others changed in this log."""
    return SHARED_SYNC_INTERVAL if getattr(log, "shared", False) else SYNC_INTERVAL


class State(str, enum.Enum):
    ACTIVE = "active"      # the bot uses it
    PENDING = "pending"    # waiting for more curators' approval
    UNDONE = "undone"      # a curator took it back


@dataclass(frozen=True)
class Learned:
    id: int
    entry_id: str
    question: str
    added_at: str
    curator: str | None      # pseudonym of the curator who taught it (None: taught before provenance)
    qid: str | None          # the logged question it came from
    approved_at: str | None
    undone_at: str | None
    approvals: int

    @property
    def state(self) -> State:
        if self.undone_at:
            return State.UNDONE
        return State.ACTIVE if self.approved_at else State.PENDING


class Outcome(str, enum.Enum):
    """What a curator's teaching or approval did."""

    ACTIVE = "active"          # in effect now (this tap made it so)
    PENDING = "pending"        # recorded; more approvals needed
    ALREADY = "already"        # this curator had already approved it, or it was already in effect
    GONE = "gone"              # no such example, or it was undone


async def get(log: QuestionLog, learned_id: int) -> Learned | None:
    rows = await log.read(f"SELECT {COLUMNS} FROM learned l WHERE l.id = ?", (learned_id,))
    return Learned(*rows[0]) if rows else None


async def listing(log: QuestionLog, *, include_undone: bool = True, limit: int | None = None) -> list[Learned]:
    """Learned examples, newest first."""
    where = "" if include_undone else "WHERE l.undone_at IS NULL"
    bound = " LIMIT ?" if limit else ""  # no LIMIT at all: portable (SQLite's -1 is PostgreSQL's error)
    rows = await log.read(f"SELECT {COLUMNS} FROM learned l {where} ORDER BY l.id DESC{bound}",
                          (limit,) if limit else ())
    return [Learned(*row) for row in rows]


async def in_effect(log: QuestionLog) -> tuple[tuple[str, str], ...]:
    """The (entry_id, question) pairs the bot should use, oldest first; LogUnavailable when unreadable."""
    rows = await log.read("SELECT entry_id, question FROM learned WHERE approved_at IS NOT NULL "
                          "AND undone_at IS NULL ORDER BY id")
    return tuple((e, q) for e, q in rows)


async def teach(log: QuestionLog, *, entry_id: str, question: str, curator_id: int, qid: str | None,
                needed: int) -> tuple[Learned, Outcome]:
    """Record a curator's example (or their approval of the same one) and whether it is in effect."""
    question = question[:QUESTION_LIMIT]
    find = "SELECT id, undone_at FROM learned WHERE entry_id = ? AND question = ?"
    provenance = (stamp(log.now()), log.asker(curator_id), qid)
    rows = await log.read(find, (entry_id, question))
    if not rows:
        await log.change("INSERT OR IGNORE INTO learned (entry_id, question, added_at, curator, qid) "
                         "VALUES (?, ?, ?, ?, ?)", (entry_id, question, *provenance))
        rows = await log.read(find, (entry_id, question))
    elif rows[0][1]:
        # Taught again after an undo: it starts afresh, with this curator's provenance.
        await log.change("DELETE FROM learned_approvals WHERE learned_id = ?", (rows[0][0],))
        await log.change("UPDATE learned SET added_at = ?, curator = ?, qid = ?, approved_at = NULL, "
                         "undone_at = NULL, undone_by = NULL WHERE id = ?", (*provenance, rows[0][0]))
    learned_id = rows[0][0]
    return await approve(log, learned_id, curator_id, needed)


async def approve(log: QuestionLog, learned_id: int, curator_id: int, needed: int) -> tuple[Learned | None, Outcome]:
    """One curator's approval; the example takes effect when `needed` curators approved it."""
    current = await get(log, learned_id)
    if current is None or current.state is State.UNDONE:
        return current, Outcome.GONE
    added = await log.change(
        "INSERT OR IGNORE INTO learned_approvals (learned_id, curator, approved_at) VALUES (?, ?, ?)",
        (learned_id, log.asker(curator_id), stamp(log.now())))
    activated = await log.change(
        "UPDATE learned SET approved_at = ? WHERE id = ? AND approved_at IS NULL AND undone_at IS NULL "
        "AND (SELECT COUNT(*) FROM learned_approvals WHERE learned_id = ?) >= ?",
        (stamp(log.now()), learned_id, learned_id, needed))
    after = await get(log, learned_id)
    if activated:
        return after, Outcome.ACTIVE
    if not added:
        return after, Outcome.ALREADY
    return after, Outcome.ACTIVE if after and after.state is State.ACTIVE else Outcome.PENDING


async def undo(log: QuestionLog, learned_id: int, *, by: str) -> Learned | None:
    """Take an example back (kept, marked undone); None when it does not exist or was already undone."""
    changed = await log.change("UPDATE learned SET undone_at = ?, undone_by = ? WHERE id = ? AND undone_at IS NULL",
                               (stamp(log.now()), by, learned_id))
    return await get(log, learned_id) if changed else None


async def remove(log: QuestionLog, ids: list[int]) -> int:
    """Delete these examples (now in the knowledge files) from the learned table."""
    if not ids:
        return 0
    return await log.change(f"DELETE FROM learned WHERE id IN ({','.join('?' * len(ids))})", ids)


def short(pseudonym: str | None) -> str:
    """A curator's pseudonym as shown: its first 8 characters."""
    return (pseudonym or "-")[:8]
