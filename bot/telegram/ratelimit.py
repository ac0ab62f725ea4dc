"""Flood protection: how many questions one user may ask per minute."""

from __future__ import annotations

import enum
import time
from collections import deque
from typing import Callable


class Admission(enum.Enum):
    """What to do with one more question from a user."""

    ANSWER = "answer"
    NOTICE = "notice"  # the first question over the limit: say "slow down" once
    DROP = "drop"      # further questions while over the limit: stay silent


class FloodGuard:
    """Sliding window per user: at most `limit` answered questions within `window` seconds."""

    def __init__(self, limit: int, window: float = 60.0, *, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._answered: dict[int, deque[float]] = {}
        self._noticed: set[int] = set()
        self._checks = 0

    def __len__(self) -> int:
        """How many users are being tracked."""
        return len(self._answered)

    def admit(self, user_id: int) -> Admission:
        """Decide, and count the question when it will be answered."""
        now = self._clock()
        self._checks += 1
        if self._checks % 1024 == 0:
            self._forget_idle(now)
        times = self._answered.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._noticed.discard(user_id)
            return Admission.ANSWER
        if user_id in self._noticed:
            return Admission.DROP
        self._noticed.add(user_id)
        return Admission.NOTICE

    def _forget_idle(self, now: float) -> None:
        """Drop users whose window is empty, so memory follows active users only."""
        idle = [u for u, t in self._answered.items() if not t or now - t[-1] >= self.window]
        for user_id in idle:
            del self._answered[user_id]
            self._noticed.discard(user_id)
