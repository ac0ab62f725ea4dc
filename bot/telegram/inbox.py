"""The inbox: every update is written to the database before Telegram is told it arrived.

Polling (bot.intake) confirms a batch with the next getUpdates offset only after the batch
is committed here; the webhook (bot.webhook) answers 200 only after the update is. An
update is finished ('done', or 'failed' when its answer could not be sent) once it is
handled, in the same transaction as its question's log row when it asked one
(QuestionLog.delivered). At start-up the pending rows are handled first, so a crash or
kill loses nothing; an update that was being handled at the crash may be answered twice,
and those are counted. Deduplication is by update_id, so Telegram sending an update
again (it does, until it is confirmed) does not answer it twice.

A malformed update is skipped and counted, logged only with its update_id and the field
that failed. An update whose handling was started MAX_ATTEMPTS times without finishing
(say, it crashes the bot) is given up. The body of a finished update is erased at once
and its row deleted after KEEP_FINISHED; the bodies of pending updates hold what users
sent (their ids and text, not their names) until they are handled.

When the database refuses writes the inbox keeps working in memory (the log holds the
rows and writes them later): answering goes on, but a crash meanwhile would lose the
updates accepted in that time.

With replicas sharing PostgreSQL (bot.telegram.replicas) an accepted update is not handed
out by the replica that received it but by whichever replica claims it from the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Iterable

from telegram import Bot, Update

from bot.telegram.delivery import Ticket
from bot.telegram.replicas import Replica
from bot.questionlog.storage import FINISH_UPDATE, LogUnavailable, QuestionLog, stamp

log = logging.getLogger("bot.inbox")

MAX_BACKLOG = 2000        # updates accepted but not finished; past this, intake waits
MAX_ATTEMPTS = 3
KEEP_FINISHED = timedelta(days=2)  # Telegram keeps unconfirmed updates for 24 hours
RECENT_IDS = 50_000       # update_ids remembered for deduplication (the newest)
ACCEPT = ("INSERT INTO inbox (update_id, received, state, body) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (update_id) DO NOTHING")
# With replicas the row names the replica that received it: no other claims it while that one lives.
ACCEPT_BY = ("INSERT INTO inbox (update_id, received, state, body, claimed_by) VALUES (?, ?, ?, ?, ?) "
             "ON CONFLICT (update_id) DO NOTHING")
STARTED = "UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ?"
FIELD_NAME = re.compile(r"[a-z_]{1,40}")
NAME_FIELDS = {"first_name", "last_name", "username"}
CLAIM_INTERVAL = 0.5      # seconds between looks for unclaimed updates while idle (replicas)
# Updates claimed at a time: a few rounds of the dispatcher's slots, so that the replicas share
# a burst evenly and a killed replica strands few (they wait BOT_REPLICA_TIMEOUT for a takeover).
CLAIM_LIMIT = 20
MISSING = re.compile(r"missing \d+ required (?:positional |keyword-only )?arguments?: (.*)")


class State(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class Counts:
    """What the inbox saw since start-up."""

    accepted: int = 0
    duplicates: int = 0
    malformed: int = 0
    resumed: int = 0        # pending at start-up
    interrupted: int = 0    # of those, being handled when the bot stopped: possibly answered twice
    given_up: int = 0
    in_memory_only: int = 0  # accepted while the database refused writes
    abandoned: int = 0      # left pending at stop, for the next start


def describe_failure(raw: dict, bot: Bot) -> str:
    """Which field of a malformed update failed, by field names only (never a value)."""
    for key, value in raw.items():
        if key == "update_id":
            continue
        try:
            Update.de_json({"update_id": 0, key: value}, bot)
        except Exception as exc:  # noqa: BLE001 - any parsing error
            name = key if FIELD_NAME.fullmatch(key) else "?"
            if isinstance(exc, KeyError):  # PTB reads some required fields by key
                fields = [str(exc.args[0])] if exc.args and FIELD_NAME.fullmatch(str(exc.args[0])) else []
            else:
                missing = MISSING.search(str(exc)) if isinstance(exc, TypeError) else None
                fields = [f for f in re.findall(r"'(\w+)'", missing.group(1)) if FIELD_NAME.fullmatch(f)] if missing else []
            return f"{name} (missing {', '.join(fields)})" if fields else f"{name} ({exc.__class__.__name__})"
    return "update"


def without_names(value: object) -> object:
    """An update as stored: users and chats keep their ids but lose their names (no handler uses them)."""
    if isinstance(value, list):
        return [without_names(v) for v in value]
    if not isinstance(value, dict):
        return value
    stripped = {k: without_names(v) for k, v in value.items() if k not in NAME_FIELDS}
    if "first_name" in value:
        stripped["first_name"] = "-"  # required by the Bot API's User
    return stripped


class Inbox:
    """Received updates, durable until handled; handed out oldest first."""

    def __init__(self, qlog: QuestionLog, bot: Bot, *, backlog: int = MAX_BACKLOG, replica: Replica | None = None):
        self._log = qlog
        self._bot = bot
        self._backlog = backlog
        self.replica = replica
        self._waiting: deque[tuple[Update, Ticket]] = deque()
        self._in_flight = 0
        self._recent: OrderedDict[int, None] = OrderedDict()
        self._arrived = asyncio.Event()
        self._room = asyncio.Event()
        self._memory_warned = False
        self._memory_only: set[int] = set()  # accepted while the database refused writes (replicas)
        self.counts = Counts()

    # ------------------------------------------------------------ start-up

    async def restore(self) -> None:
        """Queue the updates left pending by the last run (by dead replicas), and remember recent update_ids."""
        try:
            await self.prune()
            if self.replica is not None:
                await self.replica.beat()
                rows = [row[1:5] for row in await self.replica.claim(min(CLAIM_LIMIT, self.room()))]
            else:
                rows = await self._log.read("SELECT update_id, received, attempts, body FROM inbox "
                                            "WHERE state = 'pending' ORDER BY seq")
            recent = await self._log.read("SELECT update_id FROM inbox ORDER BY seq DESC LIMIT ?", (RECENT_IDS,))
        except LogUnavailable as exc:
            log.warning("inbox: cannot read pending updates (%s); starting without them", exc)
            return
        for (update_id,) in reversed(recent):
            self._remember(update_id)
        await self._queue(rows, resumed=True)
        if self.counts.resumed:
            log.warning("inbox: %d update(s) pending from the last run; %d were being handled when it stopped "
                        "(their askers may get an answer twice)", self.counts.resumed, self.counts.interrupted)
        self._arrived.set()

    async def _queue(self, rows: Iterable[tuple], *, resumed: bool) -> int:
        """Queue stored updates (update_id, received, attempts, body); give up those tried too often."""
        finished: list[tuple[str, tuple]] = []
        queued = 0
        for update_id, received, attempts, body in rows:
            if attempts >= MAX_ATTEMPTS:
                self.counts.given_up += 1
                log.warning("inbox: update %d given up after %d attempts", update_id, attempts)
                finished.append((FINISH_UPDATE, (State.FAILED.value, stamp(self._log.now()), update_id)))
                continue
            update = self._parse(update_id, body)
            if update is None:
                finished.append((FINISH_UPDATE, (State.SKIPPED.value, stamp(self._log.now()), update_id)))
                continue
            self._waiting.append((update, Ticket(update_id, f"{update_id}@{received}")))
            queued += 1
            self.counts.resumed += resumed
            self.counts.interrupted += attempts > 0
        if finished:
            await self._log.write(finished)
        return queued

    def _parse(self, update_id: int, body: str | None) -> Update | None:
        try:
            raw = json.loads(body or "")
            return Update.de_json(raw, self._bot)
        except Exception:  # noqa: BLE001 - logged without the data
            self.counts.malformed += 1
            log.warning("inbox: update %d skipped: its stored body cannot be read", update_id)
            return None

    # ------------------------------------------------------------ intake

    def room(self) -> int:
        """How many more updates may be accepted before intake should wait."""
        return self._backlog - len(self._waiting) - self._in_flight

    async def wait_for_room(self) -> None:
        while self.room() <= 0:
            self._room.clear()
            await self._room.wait()

    async def accept(self, items: Iterable[object]) -> bool:
        """Write received updates before they are confirmed to Telegram; False when only held in memory.

        Known update_ids are ignored; malformed updates are skipped, counted and logged by field.
        """
        received = stamp(self._log.now())
        statements: list[tuple[str, tuple]] = []
        fresh: list[tuple[Update, Ticket]] = []
        for raw in items:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                self.counts.malformed += 1
                log.warning("inbox: an update without a valid update_id skipped")
                continue
            if update_id in self._recent:
                self.counts.duplicates += 1
                continue
            self._remember(update_id)
            try:
                update = Update.de_json(raw, self._bot)
            except Exception:  # noqa: BLE001 - logged by field name, never with the data
                self.counts.malformed += 1
                log.warning("inbox: update %d skipped: malformed %s", update_id, describe_failure(raw, self._bot))
                statements.append(self._accept(update_id, received, State.SKIPPED, None))
                continue
            body = json.dumps(without_names(raw), ensure_ascii=False, separators=(",", ":"))
            statements.append(self._accept(update_id, received, State.PENDING, body))
            fresh.append((update, Ticket(update_id, f"{update_id}@{received}")))
        durable = await self._log.write(statements) if statements else True
        if not durable:
            self.counts.in_memory_only += len(fresh)
            if not self._memory_warned:
                self._memory_warned = True
                log.warning("inbox: the database refuses writes; updates are accepted in memory only "
                            "until it is back (a crash meanwhile would lose them)")
        elif self._memory_warned and not self._log.failing:
            self._memory_warned = False
        self.counts.accepted += len(fresh)
        if self.replica is None or not durable:
            self._waiting.extend(fresh)  # with replicas, a durable update waits for a claim (take)
        if self.replica is not None and not durable:
            # Handled from memory: when its row is written later, our own claim must not hand it out again.
            self._memory_only.update(ticket.update_id for _, ticket in fresh)
        if fresh:
            self._arrived.set()
        return durable

    def _accept(self, update_id: int, received: str, state: State, body: str | None) -> tuple[str, tuple]:
        if self.replica is None:
            return ACCEPT, (update_id, received, state.value, body)
        return ACCEPT_BY, (update_id, received, state.value, body, self.replica.name)

    def _remember(self, update_id: int) -> None:
        self._recent[update_id] = None
        if len(self._recent) > RECENT_IDS:
            self._recent.popitem(last=False)

    # ------------------------------------------------------------ handling

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def take(self) -> tuple[Update, Ticket]:
        """The oldest waiting update (waits for one; with replicas, claims some when none is waiting)."""
        while not self._waiting:
            self._arrived.clear()
            if self.replica is None:
                await self._arrived.wait()
                continue
            claimed = await self.replica.claim(min(CLAIM_LIMIT, self.room()))
            for _, update_id, *_rest in claimed:
                self._remember(update_id)
            claimed = [row for row in claimed if row[1] not in self._memory_only]
            self._memory_only.difference_update(row[1] for row in claimed)
            interrupted = self.counts.interrupted
            await self._queue((row[1:5] for row in claimed), resumed=False)
            taken = [row for row in claimed if row[5]]
            if taken:
                log.warning("inbox: took over %d update(s) of stopped replica(s) %s; %d were being handled (their "
                            "askers may get an answer twice)", len(taken), ", ".join(sorted({r[5] for r in taken})),
                            self.counts.interrupted - interrupted)
            if not claimed:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), CLAIM_INTERVAL)
        self._in_flight += 1
        return self._waiting.popleft()

    async def started(self, ticket: Ticket) -> None:
        """Count an attempt, so that an update that keeps killing the bot is given up."""
        await self._log.write(((STARTED, (ticket.update_id,)),))

    async def finish(self, ticket: Ticket, state: State) -> None:
        """The update is handled: erase its body and mark it (unless its question's row did)."""
        try:
            if not ticket.finished:
                await self._log.write(((FINISH_UPDATE, (state.value, stamp(self._log.now()), ticket.update_id)),))
                ticket.finished = True
        finally:
            self._release()

    def abandon(self, ticket: Ticket) -> None:
        """The bot stops before the update was handled: it stays pending for the next start."""
        self.counts.abandoned += 1
        self._release()

    def _release(self) -> None:
        self._in_flight -= 1
        self._room.set()

    async def prune(self) -> None:
        """Delete finished rows older than KEEP_FINISHED."""
        cutoff = stamp(self._log.now() - KEEP_FINISHED)
        await self._log.write((("DELETE FROM inbox WHERE state != 'pending' AND finished < ?", (cutoff,)),))
        if self.replica is not None:
            await self.replica.forget_dead(KEEP_FINISHED)
