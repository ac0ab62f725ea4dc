"""Sends that survive the Bot API, and what each update's asker actually got.

Every Bot API request (except getUpdates, which bot.intake fetches itself) passes through
`DeliveryLimiter`: Telegram's rate limits when throttling is on, and retries with
exponential backoff until a deadline for 429 (honouring retry_after, which pauses every
request), 5xx answers and network errors. A request that timed out after it was sent may
have been delivered: it is not retried (the asker would get the answer twice) and the
update's `Ticket` says so, so that no error notice follows it.

The ticket of the update being handled travels in a context variable: bot.intake sets it
for each update it dispatches, and the handlers and this limiter read it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Callable, Coroutine

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger("bot.delivery")

# Telegram's documented limits: about 30 messages per second overall, 20 per minute per group.
OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
MAX_GROUP_LIMITERS = 512


class Outcome(StrEnum):
    """What the asker got, as the question log records it."""

    PENDING = "pending"  # the answer is being sent
    SENT = "sent"
    FAILED = "failed"    # the Bot API refused or could not be reached until the deadline
    UNSURE = "unsure"    # timed out after it was sent: probably delivered, not sent again


@dataclass
class Ticket:
    """One received update being handled: its inbox identity and what was delivered for it."""

    update_id: int
    key: str                # names the update for the question log (its qid is derived from it)
    sent: int = 0           # messages that reached Telegram
    unsure: bool = False    # a send timed out after it was sent
    aborted: bool = False   # the bot began stopping while a send waited: leave the update pending
    failed: bool = False    # a handler raised (the error handler says so)
    finished: bool = False  # its inbox row was finished together with the question's log row
    window: bool = False    # holds a place in the send window (see DeliveryLimiter)

    @property
    def delivered(self) -> bool:
        """Whether the asker got (or probably got) something for this update."""
        return self.sent > 0 or self.unsure


CURRENT: ContextVar[Ticket | None] = ContextVar("tanya_netral_ticket", default=None)


def current() -> Ticket | None:
    """The ticket of the update being handled in this task, if it came through the inbox."""
    return CURRENT.get()


class SendAborted(NetworkError):
    """A send waiting to be retried was given up because the bot is stopping."""

    def __init__(self) -> None:
        super().__init__("the bot is stopping")


@dataclass(frozen=True)
class SendPolicy:
    """How long and how often a failing request is retried."""

    deadline: float = 60.0      # seconds from the first attempt
    timeout: float = 5.0        # seconds to wait for the Bot API's answer to a request
    first_backoff: float = 0.5
    max_backoff: float = 10.0
    # Sends of different updates in flight at once. A kill -9 can only duplicate an answer
    # whose send was in flight (delivered, but not yet marked done), so this bounds the
    # duplicates per kill, at a throughput cost of about one send per round trip.
    window: int = 1
    throttle: bool = True       # Telegram's rate limits; off only for tests and benchmarks


def sent_nothing(exc: TimedOut) -> bool:
    """Whether a timed-out request surely never reached Telegram (it timed out connecting or queueing)."""
    cause = exc.__cause__
    return isinstance(cause, (httpx.ConnectTimeout, httpx.PoolTimeout)) or "Pool timeout" in str(exc)


def delivers(endpoint: str) -> bool:
    """Whether the request puts a new message in front of a user (a duplicate would show)."""
    return endpoint.startswith("send") and endpoint != "sendChatAction"


class DeliveryLimiter(BaseRateLimiter[int]):
    """Rate limits and retries for every Bot API request the handlers make."""

    def __init__(self, policy: SendPolicy = SendPolicy()):
        self.policy = policy
        self._overall = AsyncLimiter(OVERALL_PER_SECOND, 1) if policy.throttle else None
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._window: asyncio.Semaphore | None = None
        self._stopping: asyncio.Event | None = None
        self._resume_at = 0.0
        self._retrying = 0  # requests retried since the last success after a failure
        self.retries = True  # off while starting up: the runner retries start-up as a whole

    async def initialize(self) -> None:
        self._window = asyncio.Semaphore(self.policy.window)
        self._stopping = asyncio.Event()

    async def shutdown(self) -> None:
        """Nothing to close."""

    def stop(self) -> None:
        """Give up sends waiting to be retried (their updates stay in the inbox for the next start);
        requests that need not wait still go out."""
        if self._stopping is not None:
            self._stopping.set()

    def release(self, ticket: Ticket) -> None:
        """The update's answer is marked done (or will never be): its place in the send window is free."""
        if ticket.window and self._window is not None:
            ticket.window = False
            self._window.release()

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        ticket = current()
        if ticket is not None and delivers(endpoint) and not ticket.window and self._window is not None:
            await self._window.acquire()
            ticket.window = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.policy.deadline
        backoff = self.policy.first_backoff
        while True:
            await self._pause(max(0.0, self._resume_at - loop.time()))
            try:
                result = await self._throttled(callback, args, kwargs, data)
            except BadRequest:
                raise
            except RetryAfter as exc:
                wait = retry_after(exc) + 0.1
                self._resume_at = max(self._resume_at, loop.time() + wait)
                failure: Exception = exc
            except TimedOut as exc:
                if not sent_nothing(exc):
                    if ticket is not None and delivers(endpoint):
                        ticket.unsure = True
                    log.warning("%s timed out after it was sent; not sending it again", endpoint)
                    raise
                wait, backoff, failure = backoff, min(backoff * 2, self.policy.max_backoff), exc
            except NetworkError as exc:  # 5xx answers and broken connections
                wait, backoff, failure = backoff, min(backoff * 2, self.policy.max_backoff), exc
            else:
                if self._retrying:
                    log.warning("Bot API requests succeed again (%d retried)", self._retrying)
                    self._retrying = 0
                if ticket is not None and delivers(endpoint):
                    ticket.sent += 1
                return result
            if not self.retries or loop.time() + wait > deadline:
                if self.retries:
                    log.warning("%s failed for %.0f s, giving up (%s)", endpoint, self.policy.deadline,
                                failure.__class__.__name__)
                raise failure
            if not self._retrying:
                log.warning("%s failed (%s: %s); retrying for up to %.0f s", endpoint,
                            failure.__class__.__name__, failure, self.policy.deadline)
            self._retrying += 1
            await self._pause(wait)

    async def _pause(self, seconds: float) -> None:
        """Sleep, unless the bot is stopping (then SendAborted); a request that need not wait goes ahead."""
        if seconds <= 0:
            return
        if self._stopping is not None and self._stopping.is_set():
            ticket = current()
            if ticket is not None:
                ticket.aborted = True
            raise SendAborted()
        if self._stopping is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        if self._stopping.is_set():
            ticket = current()
            if ticket is not None:
                ticket.aborted = True
            raise SendAborted()

    async def _throttled(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                         kwargs: dict[str, Any], data: dict[str, Any]) -> Any:
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        group = chat_id if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str) else None
        overall = self._overall if chat_id is not None and self._overall else contextlib.nullcontext()
        per_group = self._group(group) if group is not None and self.policy.throttle else contextlib.nullcontext()
        async with per_group, overall:
            return await callback(*args, **kwargs)

    def _group(self, group: int | str) -> AsyncLimiter:
        if len(self._groups) > MAX_GROUP_LIMITERS:
            for key, limiter in list(self._groups.items()):
                if key != group and limiter.has_capacity(limiter.max_rate):
                    del self._groups[key]
        if group not in self._groups:
            self._groups[group] = AsyncLimiter(GROUP_PER_MINUTE, 60)
        return self._groups[group]


def retry_after(exc: RetryAfter) -> float:
    """Seconds Telegram asked to wait (read without PTB's deprecation warning for the int form)."""
    value = getattr(exc, "_retry_after", None)
    return value.total_seconds() if hasattr(value, "total_seconds") else float(exc.retry_after)
