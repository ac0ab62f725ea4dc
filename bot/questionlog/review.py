"""What curators ask of the question log: the review queue, decisions, statistics, export."""

from __future__ import annotations

import asyncio
import enum
import json
import secrets
from collections import Counter, OrderedDict
from dataclasses import asdict, dataclass
from datetime import timedelta, timezone
from typing import Sequence

from bot.questionlog.clustering import cluster
from bot.questionlog.export import EXPORT_COLUMNS
from bot.questionlog.storage import LogUnavailable, QuestionLog, stamp

WIB = timezone(timedelta(hours=7), "WIB")  # "today" in the statistics is a day in Jakarta
QUEUE_SCAN_LIMIT = 3000  # the newest queued questions considered for grouping
STATS_PERIOD = timedelta(days=30)
MAX_SHOWN_QIDS = 50_000  # questions of shown groups kept for their buttons (about 4 MB)
SHARED_GROUPS_KEPT = timedelta(days=7)  # with replicas, how long a shown group's buttons keep working
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

    qid: str                     # the representative (newest) question
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
    period: timedelta                          # the window of everything below (30 days unless asked)
    by_status: dict[str, int]
    top_entries: tuple[tuple[str, int], ...]   # every entry answered or chosen in the period, most first
    top_unanswered: tuple[Group, ...]          # the largest queue groups of the period's questions
    votes_up: int
    votes_down: int

    @property
    def answered_rate(self) -> float | None:
        """Share of real questions (not smalltalk) answered outright in the period."""
        asked = sum(n for status, n in self.by_status.items() if status != "smalltalk")
        return self.by_status.get("answered", 0) / asked if asked else None


class ShownGroups:
    """The groups shown to curators, each under a short token that its buttons carry.

    A button acts on the questions the curator saw, not on a regrouping computed when it is
    tapped: new questions may have joined, split or reordered the groups meanwhile. Kept in
    memory (a restart makes old buttons ask for a fresh /antrian); the oldest groups are
    forgotten once more than `max_qids` questions are held. With replicas (a shared `log`)
    they are kept in the database too, for SHARED_GROUPS_KEPT: a button shown by one replica
    may be tapped through another.
    """

    def __init__(self, max_qids: int = MAX_SHOWN_QIDS, *, log: QuestionLog | None = None):
        self._groups: OrderedDict[str, Group] = OrderedDict()
        self._held = 0
        self._max_qids = max_qids
        self._log = log if getattr(log, "shared", False) else None

    async def add(self, group: Group) -> str:
        """Keep `group`; the token (8 URL-safe characters) that names it."""
        token = secrets.token_urlsafe(6)
        while token in self._groups:
            token = secrets.token_urlsafe(6)
        self._groups[token] = group
        self._held += len(group.qids)
        while self._held > self._max_qids and len(self._groups) > 1:
            _token, oldest = self._groups.popitem(last=False)
            self._held -= len(oldest.qids)
        if self._log is not None:
            now = self._log.now()
            await self._log.write((
                ("DELETE FROM shown_groups WHERE shown_at < ?", (stamp(now - SHARED_GROUPS_KEPT),)),
                ("INSERT INTO shown_groups (token, shown_at, body) VALUES (?, ?, ?)",
                 (token, stamp(now), json.dumps(asdict(group), ensure_ascii=False))),
            ))
        return token

    async def get(self, token: str) -> Group | None:
        group = self._groups.get(token)
        if group is not None or self._log is None:
            return group
        try:
            rows = await self._log.read("SELECT body FROM shown_groups WHERE token = ?", (token,))
        except LogUnavailable:
            return None
        if not rows:
            return None
        fields = json.loads(rows[0][0])
        return Group(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})


async def queue(log: QuestionLog, *, since: timedelta | None = None, limit: int | None = None) -> list[Group]:
    """Questions needing a curator (asked within `since`), grouped by similarity, largest first."""
    rows = await log.read(
        f"SELECT q.qid, q.question, q.normalized, q.status, q.entry_id, q.chosen_entry, {DOWNVOTED} "
        f"FROM questions q WHERE {IN_QUEUE} AND q.asked_at >= ? ORDER BY q.asked_at DESC, q.rowid DESC LIMIT ?",
        (_cutoff(log, since), QUEUE_SCAN_LIMIT))
    # Grouping thousands of distinct questions takes seconds of CPU: off the event loop, so
    # the bot keeps answering everyone meanwhile.
    clusters = await asyncio.to_thread(cluster, [r[2] or r[1] for r in rows])
    groups = [_group([rows[i] for i in idx]) for idx in clusters]
    return groups[:limit] if limit else groups


async def resolve(log: QuestionLog, qids: Sequence[str], review: Review) -> int:
    """Mark these questions done or ignored unless already decided; how many were marked."""
    if not qids:
        return 0
    marks = ",".join("?" * len(qids))
    return await log.change(
        f"UPDATE questions SET review = ?, reviewed_at = ? WHERE review IS NULL AND qid IN ({marks})",
        (Review(review).value, stamp(log.now()), *qids))


async def stats(log: QuestionLog, period: timedelta = STATS_PERIOD) -> Stats:
    """Counts for today, 7 and 30 days; outcomes, top entries, votes and queue of the `period`."""
    now = log.now()
    midnight = now.astimezone(WIB).replace(hour=0, minute=0, second=0, microsecond=0)
    day, week, month = stamp(midnight), stamp(now - timedelta(days=7)), stamp(now - timedelta(days=30))
    start = stamp(now - period)
    [(today, last_week, last_month)] = await log.read(
        "SELECT COUNT(*) FILTER (WHERE asked_at >= ?), COUNT(*) FILTER (WHERE asked_at >= ?), "
        "COUNT(*) FILTER (WHERE asked_at >= ?) FROM questions WHERE asked_at >= ?",
        (day, week, month, min(day, week, month)))
    by_status = dict(await log.read(
        "SELECT status, COUNT(*) FROM questions WHERE asked_at >= ? GROUP BY status", (start,)))
    entries = await log.read(
        "SELECT COALESCE(chosen_entry, entry_id) AS e, COUNT(*) AS n FROM questions "
        "WHERE asked_at >= ? AND (status = 'answered' OR chosen_entry IS NOT NULL) "
        "GROUP BY e ORDER BY n DESC, e", (start,))
    [(up, down)] = await log.read(
        "SELECT COUNT(*) FILTER (WHERE vote > 0), COUNT(*) FILTER (WHERE vote < 0) "
        "FROM votes WHERE voted_at >= ?", (start,))
    return Stats(today=today, week=last_week, month=last_month, period=period, by_status=by_status,
                 top_entries=tuple((e, n) for e, n in entries),
                 top_unanswered=tuple(await queue(log, since=period, limit=5)), votes_up=up, votes_down=down)


async def export(log: QuestionLog, since: timedelta | None = None) -> list[dict]:
    """Every logged question, oldest first, with its votes: dicts with the EXPORT_COLUMNS keys."""
    rows = await log.read(
        "SELECT q.asked_at, q.chat_kind, q.question, q.normalized, q.status, q.entry_id, q.score, "
        "q.chosen_entry, COUNT(v.vote) FILTER (WHERE v.vote > 0), COUNT(v.vote) FILTER (WHERE v.vote < 0), "
        "q.review, q.qid FROM questions q LEFT JOIN votes v ON v.qid = q.qid WHERE q.asked_at >= ? "
        "GROUP BY q.qid ORDER BY q.asked_at, q.rowid", (_cutoff(log, since),))
    return [dict(zip(EXPORT_COLUMNS, row)) for row in rows]


def _cutoff(log: QuestionLog, since: timedelta | None) -> str:
    """The asked_at from which rows count: everything when `since` is None."""
    return stamp(log.now() - since) if since else ""


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
