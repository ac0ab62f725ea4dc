"""Telegram fixtures: a fake Bot API server and the real Application polling it.

`bot.send(update_id)` waits until the Application has completely handled that update
(every handler group ran) and returns the requests it made meanwhile. Any exception a
handler raised fails the test, because PTB would otherwise only log it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.config import Config, from_env

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakebotapi import Call, FakeBotAPI  # noqa: E402

TOKEN = "123456:" + "A" * 35
REPO = Path(__file__).resolve().parent.parent
# Runs after every feature handler of an update: marks the update as completely handled.
DONE_GROUP = 1000
IGNORED_METHODS = {"getUpdates"}


class RecordingLog:
    """Stands in for storage.QuestionLog: the same interface, calls kept in lists."""

    def __init__(self) -> None:
        self.records: list[dict] = []
        self.votes: list[tuple[str, int, int]] = []
        self.choices: list[tuple[str, str]] = []
        self.deliveries: list[tuple[str | None, str]] = []
        self.closed = False
        self._ids = itertools.count(1)

    async def record(self, *, chat_kind: str, question: str, normalized: str, status: str,
                     entry_id: str | None, score: float, user_id: int, key: str | None = None,
                     delivery: str | None = None) -> str:
        qid = f"q{next(self._ids)}"
        self.records.append(dict(qid=qid, chat_kind=chat_kind, question=question, normalized=normalized,
                                 status=status, entry_id=entry_id, score=score, user_id=user_id))
        return qid

    async def delivered(self, qid: str | None, outcome: str, *, update_id: int | None = None,
                        update_state: str = "done") -> bool:
        self.deliveries.append((qid, outcome))
        return True

    async def vote(self, qid: str, user_id: int, vote: int) -> None:
        self.votes.append((qid, user_id, vote))

    async def chosen(self, qid: str, entry_id: str) -> None:
        self.choices.append((qid, entry_id))

    async def close(self) -> None:
        self.closed = True


class BotHarness:
    """A started Application polling the fake server, plus helpers to talk to it."""

    def __init__(self, application: Application, api: FakeBotAPI, log: RecordingLog | None):
        self.app = application
        self.api = api
        self.log = log
        self.errors: list[BaseException] = []
        self._done: set[int] = set()
        self._progress = asyncio.Event()
        self._stopped = False
        application.add_error_handler(self._collect_error)
        application.add_handler(TypeHandler(Update, self._mark_done), group=DONE_GROUP)

    @property
    def username(self) -> str:
        return self.api.me["username"]

    async def start(self) -> BotHarness:
        """What Application.run_polling does, step by step, inside the test's event loop."""
        await self.app.initialize()
        await self.app.post_init(self.app)
        await self.app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES,
                                             error_callback=self.errors.append)
        await self.app.start()
        return self

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        await self.app.post_shutdown(self.app)

    async def _collect_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.errors.append(context.error)

    async def _mark_done(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self._done.add(update.update_id)
        self._progress.set()

    async def wait_handled(self, *update_ids: int, timeout: float = 5.0) -> None:
        async def all_done() -> None:
            while not self._done.issuperset(update_ids):
                self._progress.clear()
                await self._progress.wait()

        try:
            await asyncio.wait_for(all_done(), timeout)
        except asyncio.TimeoutError:
            missing = sorted(set(update_ids) - self._done)
            raise AssertionError(f"updates {missing} not handled within {timeout} s") from None

    async def send(self, *update_ids: int, timeout: float = 5.0) -> list[Call]:
        """Wait until the queued updates are handled; the requests the bot made meanwhile."""
        since = len(self.api.calls)
        await self.wait_handled(*update_ids, timeout=timeout)
        return [c for c in self.api.calls[since:] if c.method not in IGNORED_METHODS]

    async def ask(self, text: str, *, user_id: int = 501) -> Call:
        """A private question; its single reply."""
        calls = await self.send(self.api.private_text(text, user_id=user_id))
        replies = [c for c in calls if c.method == "sendMessage"]
        assert len(replies) == 1, f"expected one reply to {text!r}, got {[c.method for c in calls]}"
        return replies[0]

    def take_errors(self) -> list[BaseException]:
        """The collected handler errors, for a test that provokes one on purpose."""
        errors, self.errors = self.errors, []
        return errors


@pytest.fixture
async def api():
    server = await FakeBotAPI(TOKEN).start()
    yield server
    await server.stop()


@pytest.fixture
def config(api, monkeypatch) -> Config:
    for name in [n for n in os.environ if n.startswith("BOT_") and n != "BOT_CACHE_DIR"]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", api.base_url)
    return from_env()


@pytest.fixture
async def make_bot(api, config, engine):
    """Start a bot: make_bot(question_log=..., config=...); stopped and error-checked after the test."""
    started: list[BotHarness] = []

    async def make(*, question_log: RecordingLog | None = None, config: Config = config) -> BotHarness:
        application = build_application(config, engine, question_log=question_log)
        harness = await BotHarness(application, api, question_log).start()
        started.append(harness)
        return harness

    yield make
    for harness in started:
        await harness.stop()
    errors = [e for h in started for e in h.errors]
    if errors:
        pytest.fail("a handler raised: " + "; ".join(f"{e.__class__.__name__}: {e}" for e in errors))


@pytest.fixture
async def bot(make_bot) -> BotHarness:
    """The bot with a recording question log."""
    return await make_bot(question_log=RecordingLog())


@pytest.fixture
def python() -> str:
    return sys.executable


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL 15 server for the whole session (tests/pgserver.py); fails when PostgreSQL is missing."""
    from pgserver import PgServer

    server = PgServer().start()
    yield server
    server.stop()


@pytest.fixture
async def pg_url(pg_server) -> str:
    """The URL of a fresh, empty PostgreSQL database."""
    return await pg_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def logdb(request, tmp_path):
    """A question log database on each back end in turn (tests/logdb.py)."""
    from logdb import LogDB

    server = request.getfixturevalue("pg_server") if request.param == "postgresql" else None
    return LogDB(request.param, tmp_path, server)
