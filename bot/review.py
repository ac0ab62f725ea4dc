"""What curators ask of the question log: the review queue, decisions, statistics, export."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Sequence

from .clustering import cluster
from .logexport import EXPORT_COLUMNS
from .storage import QuestionLog, stamp

WIB = timezone(timedelta(hours=7), "WIB")  # "today" in the statistics is a day in Jakarta
QUEUE_SCAN_LIMIT = 3000  # the newest queued questions considered for grouping
DOWNVOTED = "EXISTS (SELECT 1 FROM votes v WHERE v.qid = q.qid AND v.vote < 0)"
# Unanswered, offered-but-not-chosen and 👎 questions that no curator has decided about.
IN_QUEUE = (f"q.review IS NULL AND (q.status = 'unanswered' OR "
            f"(q.status = 'suggest' AND q.chosen_entry IS NULL) OR {DOWNVOTED})")


class Review(str, enum.Enum):
    """What a curator decided about a queued question."""

    DONE = "done"
    IGNORED = "ignored"


@dataclass(frozen=True)
class Group:
    """Similar queued questions, shown to curators as one item."""

    qid: str                     # the representative (newest) question; names the group in buttons
    count: int
    samples: tuple[str, ...]     # up to 3 distinct questions, the representative first
    entries: tuple[str, ...]     # entries the bot answered or offered for them, most common first
    unanswered: int
    unchosen: int
    downvoted: int
    qids: tuple[str, ...]


@dataclass(frozen=True)
class Stats:
    today: int
    week: int
    month: int
    month_by_status: dict[str, int]
    top_entries: tuple[tuple[str, int], ...]   # every entry answered or chosen in 30 days, most first
    top_unanswered: tuple[Group, ...]
    votes_up: int
    votes_down: int

    @property
    def answered_rate(self) -> float | None:
        """Share of real questions (not smalltalk) answered outright in the last 30 days."""
        asked = sum(n for status, n in self.month_by_status.items() if status != "smalltalk")
        return self.month_by_status.get("answered", 0) / asked if asked else None


async def queue(log: QuestionLog, *, limit: int | None = None) -> list[Group]:
    """Questions needing a curator, grouped by similarity, the largest group first."""
    rows = await log.read(
        f"SELECT q.qid, q.question, q.normalized, q.status, q.entry_id, q.chosen_entry, {DOWNVOTED} "
        f"FROM questions q WHERE {IN_QUEUE} ORDER BY q.asked_at DESC, q.rowid DESC LIMIT ?",
        (QUEUE_SCAN_LIMIT,))
    groups = [_group([rows[i] for i in idx]) for idx in cluster([r[2] or r[1] for r in rows])]
    return groups[:limit] if limit else groups


async def group_of(log: QuestionLog, qid: str) -> Group | None:
    """The queued group that contains `qid`, if it is still queued."""
    return next((g for g in await queue(log) if qid in g.qids), None)


async def question(log: QuestionLog, qid: str) -> str | None:
    rows = await log.read("SELECT question FROM questions WHERE qid = ?", (qid,))
    return rows[0][0] if rows else None


async def resolve(log: QuestionLog, qid: str, review: Review) -> int:
    """Mark the group containing `qid` done or ignored; how many questions left the queue."""
    group = await group_of(log, qid)
    if group is None:
        return 0
    marks = ",".join("?" * len(group.qids))
    return await log.change(f"UPDATE questions SET review = ?, reviewed_at = ? WHERE qid IN ({marks})",
                            (Review(review).value, stamp(log.now()), *group.qids))


async def stats(log: QuestionLog) -> Stats:
    now = log.now()
    midnight = now.astimezone(WIB).replace(hour=0, minute=0, second=0, microsecond=0)
    day, week, month = stamp(midnight), stamp(now - timedelta(days=7)), stamp(now - timedelta(days=30))
    [(today, last_week)] = await log.read(
        "SELECT COUNT(*) FILTER (WHERE asked_at >= ?), COUNT(*) FILTER (WHERE asked_at >= ?) "
        "FROM questions WHERE asked_at >= ?", (day, week, min(day, week)))
    by_status = dict(await log.read(
        "SELECT status, COUNT(*) FROM questions WHERE asked_at >= ? GROUP BY status", (month,)))
    entries = await log.read(
        "SELECT COALESCE(chosen_entry, entry_id) AS e, COUNT(*) AS n FROM questions "
        "WHERE asked_at >= ? AND (status = 'answered' OR chosen_entry IS NOT NULL) "
        "GROUP BY e ORDER BY n DESC, e", (month,))
    [(up, down)] = await log.read(
        "SELECT COUNT(*) FILTER (WHERE vote > 0), COUNT(*) FILTER (WHERE vote < 0) "
        "FROM votes WHERE voted_at >= ?", (month,))
    return Stats(today=today, week=last_week, month=sum(by_status.values()), month_by_status=by_status,
                 top_entries=tuple((e, n) for e, n in entries),
                 top_unanswered=tuple(await queue(log, limit=5)), votes_up=up, votes_down=down)


async def export(log: QuestionLog, since: timedelta | None = None) -> list[dict]:
    """Every logged question, oldest first, with its votes: dicts with the EXPORT_COLUMNS keys."""
    cutoff = stamp(log.now() - since) if since else ""
    rows = await log.read(
        "SELECT q.asked_at, q.chat_kind, q.question, q.normalized, q.status, q.entry_id, q.score, "
        "q.chosen_entry, COUNT(v.vote) FILTER (WHERE v.vote > 0), COUNT(v.vote) FILTER (WHERE v.vote < 0), "
        "q.review, q.qid FROM questions q LEFT JOIN votes v ON v.qid = q.qid WHERE q.asked_at >= ? "
        "GROUP BY q.qid ORDER BY q.asked_at, q.rowid", (cutoff,))
    return [dict(zip(EXPORT_COLUMNS, row)) for row in rows]


def _group(rows: Sequence[tuple]) -> Group:
    """Summarise clustered queue rows (newest first) as a Group."""
    samples: list[str] = []
    for row in rows:
        if row[1] not in samples and len(samples) < 3:
            samples.append(row[1])
    entries = Counter(e for row in rows for e in (row[4], row[5]) if e)
    return Group(
        qid=rows[0][0], count=len(rows), samples=tuple(samples),
        entries=tuple(e for e, _ in entries.most_common()),
        unanswered=sum(row[3] == "unanswered" for row in rows),
        unchosen=sum(row[3] == "suggest" and not row[5] for row in rows),
        downvoted=sum(bool(row[6]) for row in rows),
        qids=tuple(row[0] for row in rows))
