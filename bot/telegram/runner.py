"""`python -m bot run` after the settings are read: start, receive into the inbox, handle, stop.

Start-up retries with backoff while the Bot API cannot be reached (a bad token still
stops it at once). Updates arrive by long polling (fetched here, one item parsed at a
time, confirmed only once the inbox holds them) or by webhook (bot.webhook). A pool of
CONCURRENT_UPDATES tasks hands them to the Application oldest first, each with its
delivery Ticket. On SIGTERM/SIGINT the bot stops receiving, gives up sends waiting to be
retried, gives the updates in hand STOP_GRACE seconds, and leaves everything not yet
handled in the inbox for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.config import Config
from bot.telegram.delivery import CURRENT, DeliveryLimiter, SendAborted, Ticket, retry_after
from bot.telegram.inbox import Inbox, State
from bot.telegram.replicas import Replica
from bot.questionlog.storage import QuestionLog

log = logging.getLogger("bot.run")

STOP_GRACE = 10.0       # seconds the updates in hand get to finish at stop
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0
PRUNE_EVERY = 3600.0
GET_UPDATES_LIMIT = 100


@dataclass(frozen=True)
class Intake:
    """How updates arrive: long polling, or the webhook at `url` (listening on listen:port/path)."""

    allowed_updates: tuple[str, ...]
    poll_timeout: float = 30.0
    url: str | None = None
    listen: str = "127.0.0.1"
    port: int = 8443
    path: str = "telegram"
    secret: str | None = None


class Runner:
    """One run of the bot, from start-up to a clean stop."""

    def __init__(self, application: Application, config: Config, intake: Intake, *, concurrency: int):
        self.app = application
        self.config = config
        self.intake = intake
        self.concurrency = concurrency
        self.stopping = asyncio.Event()
        self.inbox: Inbox | None = None
        self._tasks: set[asyncio.Task] = set()

    @property
    def limiter(self) -> DeliveryLimiter:
        return self.app.bot.rate_limiter

    async def run(self) -> int:
        """Serve until a stop signal; the process exit code."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stopping.set)
        if not await self._bootstrap():
            return 0
        try:
            await self.app.post_init(self.app)
            qlog = self.app.bot_data["log"]
            if not isinstance(qlog, QuestionLog):
                raise TypeError("the runner needs the QuestionLog (build_application(open_log=True))")
            replica = Replica(qlog, self.config.replica_timeout) if qlog.shared else None
            self.inbox = Inbox(qlog, self.app.bot, replica=replica)
            await self.inbox.restore()
            await self.app.start()
            receiving = await self._start_receiving()
            background = [asyncio.create_task(self._dispatch(), name="dispatch"),
                          asyncio.create_task(self._prune(), name="prune")]
            if replica is not None:
                log.info("replica %s: sharing the inbox with the other replicas", replica.name)
                background.append(asyncio.create_task(replica.run(), name="heartbeat"))
            await self.stopping.wait()
            log.info("stopping: %d update(s) in hand, %d waiting", self.inbox.in_flight, self.inbox.waiting)
            for task in (*background, *receiving):
                task.cancel()
            await asyncio.gather(*background, *receiving, return_exceptions=True)
            await self._drain()
            if replica is not None:
                await replica.leave()
        except SendAborted:
            pass  # stopped during start-up
        finally:
            await self._shutdown()
        return 0

    # ------------------------------------------------------------ start-up

    async def _bootstrap(self) -> bool:
        """Initialize (getMe), retrying with backoff while the network is down; False when stopped first.

        InvalidToken is raised: a rejected token will not fix itself.
        """
        self.limiter.retries = False  # one warning per attempt here, not the limiter's own retries
        try:
            return await self._initialize()
        finally:
            self.limiter.retries = True

    async def _initialize(self) -> bool:
        delay = FIRST_BACKOFF
        while True:
            init = asyncio.create_task(self.app.initialize())
            stop = asyncio.create_task(self.stopping.wait())
            await asyncio.wait({init, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not init.done():
                self.limiter.stop()
                await asyncio.gather(init, return_exceptions=True)
                return False
            stop.cancel()
            try:
                init.result()
                return True
            except (NetworkError, RetryAfter) as exc:
                log.warning("cannot reach the Telegram Bot API (%s); retrying in %.0f s", _reason(exc), delay)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), delay)
            if self.stopping.is_set():
                return False
            delay = min(delay * 2, MAX_BACKOFF)

    async def _start_receiving(self) -> list[asyncio.Task]:
        if self.intake.url:
            from bot.telegram.webhook import WebhookServer

            server = WebhookServer(self.inbox, self.intake.secret or "", path=self.intake.path)
            server.listen(self.intake.listen, self.intake.port)
            await self.app.bot.set_webhook(self.intake.url, secret_token=self.intake.secret,
                                           allowed_updates=list(self.intake.allowed_updates))
            log.info("webhook listening on %s:%d", self.intake.listen, self.intake.port)
            return [asyncio.create_task(server.serve_until_cancelled(), name="webhook")]
        await self.app.bot.delete_webhook()
        return [asyncio.create_task(self._poll(), name="poll")]

    # ------------------------------------------------------------ polling

    async def _poll(self) -> None:
        """getUpdates in a loop; a batch is confirmed (next offset) only once the inbox holds it."""
        offset: int | None = None
        delay = FIRST_BACKOFF
        while True:
            await self.inbox.wait_for_room()
            data = {"timeout": self.intake.poll_timeout, "limit": min(GET_UPDATES_LIMIT, self.inbox.room()),
                    "allowed_updates": list(self.intake.allowed_updates)}
            if offset is not None:
                data["offset"] = offset
            try:
                # The raw items, not Bot.get_updates: it parses the whole batch at once, and one
                # malformed update would make the batch fail (and be fetched again) forever.
                items = await self.app.bot._post("getUpdates", data,  # noqa: SLF001
                                                 read_timeout=self.intake.poll_timeout + 10)
            except (NetworkError, Conflict, InvalidToken, RetryAfter) as exc:
                wait = retry_after(exc) if isinstance(exc, RetryAfter) else delay
                log.warning("getUpdates failed (%s); retrying in %.1f s", _reason(exc), wait)
                await asyncio.sleep(wait)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            delay = FIRST_BACKOFF
            if not isinstance(items, list) or not items:
                continue
            await self.inbox.accept(items)
            ids = [u["update_id"] for u in items if isinstance(u, dict) and type(u.get("update_id")) is int]
            if ids:
                offset = max(ids) + 1

    # ------------------------------------------------------------ handling

    async def _dispatch(self) -> None:
        slots = asyncio.Semaphore(self.concurrency)
        while True:
            await slots.acquire()
            try:
                update, ticket = await self.inbox.take()
            except BaseException:
                slots.release()
                raise
            task = asyncio.create_task(self._handle(update, ticket), name=f"update-{ticket.update_id}")
            self._tasks.add(task)
            task.add_done_callback(lambda t: (self._tasks.discard(t), slots.release()))

    async def _handle(self, update: Update, ticket: Ticket) -> None:
        CURRENT.set(ticket)  # this task's own context: seen by the handlers and the limiter
        try:
            await self.inbox.started(ticket)
            await self.app.process_update(update)
        except asyncio.CancelledError:
            ticket.aborted = True
            raise
        finally:
            if ticket.aborted:
                self.inbox.abandon(ticket)
            else:
                failed = ticket.failed and not ticket.delivered
                await asyncio.shield(self.inbox.finish(ticket, State.FAILED if failed else State.DONE))
            self.limiter.release(ticket)

    async def _drain(self) -> None:
        """Give up sends waiting for a retry, let the updates in hand finish, then cancel what is left."""
        self.limiter.stop()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=STOP_GRACE)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _prune(self) -> None:
        while True:
            await asyncio.sleep(PRUNE_EVERY)
            await self.inbox.prune()

    async def _shutdown(self) -> None:
        self.limiter.stop()
        if self.app.running:
            await self.app.stop()
        if self.app.post_stop:
            await self.app.post_stop(self.app)
        await self.app.shutdown()
        if self.app.post_shutdown:
            await self.app.post_shutdown(self.app)
        if self.inbox is not None:
            c = self.inbox.counts
            left = self.inbox.waiting + c.abandoned
            log.info("stopped: %d update(s) received and %d resumed, %d duplicate(s) ignored, %d malformed "
                     "skipped, %d left for the next start", c.accepted, c.resumed, c.duplicates, c.malformed, left)


def _reason(exc: TelegramError) -> str:
    cause = exc.__cause__
    return f"{exc.__class__.__name__}: {cause.__class__.__name__}" if cause else exc.__class__.__name__
