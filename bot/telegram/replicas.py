"""This bot process among the replicas sharing one PostgreSQL database (BOT_DB_URL).

Each replica has a name and a heartbeat row. The inbox (bot.telegram.inbox) hands out only
the updates its replica claimed: each pending update is claimed by exactly one replica
(FOR UPDATE SKIP LOCKED), whichever replica's webhook received it. A replica whose heartbeat
is older than BOT_REPLICA_TIMEOUT is taken for dead, and the updates it had claimed but not
finished are claimed by the others (its askers may then get an answer twice, as after any
crash). A replica that stops cleanly gives its unfinished updates back at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from datetime import timedelta

from bot.questionlog.store import LogUnavailable

log = logging.getLogger("bot.replicas")


class Replica:
    """Name, heartbeat and claims of this process; `qlog` is a PostgresLog."""

    def __init__(self, qlog, timeout: float, *, name: str | None = None):
        self.qlog = qlog
        self.timeout = float(timeout)
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self._warned = False        # heartbeat failing, said once
        self._claim_warned = False  # claims failing, said once
        # Since when this replica's heartbeats have been written without a gap (-inf: since start).
        # After the database was out of reach every heartbeat is stale, the live replicas' too: only
        # once ours has been written for a whole timeout would the others' have been as well.
        self._beating_since: float | None = float("-inf")

    async def beat(self) -> bool:
        """Tell the others this replica is alive; False (logged once) when the database cannot be reached."""
        try:
            await self.qlog.heartbeat(self.name)
        except LogUnavailable as exc:
            self._beating_since = None
            if not self._warned:
                self._warned = True
                log.warning("replica %s: heartbeat not written (%s); the others may take over its updates",
                            self.name, exc.__class__.__name__)
            return False
        if self._beating_since is None:
            self._beating_since = time.monotonic()
        if self._warned:
            self._warned = False
            log.warning("replica %s: heartbeat written again", self.name)
        return True

    async def run(self) -> None:
        """Beat every third of the timeout, until cancelled."""
        while True:
            await self.beat()
            await asyncio.sleep(self.timeout / 3)

    async def claim(self, limit: int) -> list[tuple]:
        """Up to `limit` pending updates nobody alive holds, now ours; empty when none or unreachable."""
        if limit <= 0:
            return []
        takeover = self._beating_since is not None and time.monotonic() - self._beating_since >= self.timeout
        try:
            claimed = await self.qlog.claim(self.name, limit, self.timeout, takeover=takeover)
        except LogUnavailable as exc:
            if not self._claim_warned:  # tried twice a second while idle: say it once
                self._claim_warned = True
                log.warning("replica %s: cannot claim updates (%s); retrying", self.name, exc.__class__.__name__)
            return []
        self._claim_warned = False
        return claimed

    async def forget_dead(self, after: timedelta) -> None:
        """Remove the heartbeats of replicas gone for longer than `after` (killed, never back)."""
        try:
            await self.qlog.forget_replicas(after.total_seconds())
        except LogUnavailable:
            pass  # the next prune tries again

    async def leave(self) -> None:
        """Stopping: give the unfinished updates back and remove the heartbeat."""
        try:
            await self.qlog.release(self.name)
        except LogUnavailable as exc:
            log.warning("replica %s: could not give back its updates (%s); the others take them over in %.0f s",
                        self.name, exc.__class__.__name__, self.timeout)
