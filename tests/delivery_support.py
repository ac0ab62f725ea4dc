"""Helpers for the delivery tests: `python -m bot run` as a subprocess against the fake Bot API.

The bot runs with TANYA_NETRAL_TESTING=1 (no Telegram rate limits, 1 s request timeout,
short backoffs), so a burst of hundreds of questions takes seconds.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path

import httpx

from conftest import TOKEN
from fakebotapi import FakeBotAPI
from test_bot_run import START_TIMEOUT, BotProcess

FIRST_USER = 3_000_000


def bot_env(env: dict[str, str], api: FakeBotAPI, **settings: str) -> dict[str, str]:
    return {**env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
            "BOT_FLOOD_PER_MINUTE": "1000", "TANYA_NETRAL_TESTING": "1", **settings}


def questions(count: int, first_user: int = FIRST_USER) -> dict[int, str]:
    """One distinct question per asker: user id -> text."""
    return {first_user + n: f"boleh gak share poster paslon nomor {n} ke grup wa?" for n in range(count)}


async def start_bot(python, repo, env, tmp_path: Path, name: str = "bot") -> BotProcess:
    """Start `python -m bot run`, its output in <tmp_path>/<name>/bot.log."""
    (tmp_path / name).mkdir(exist_ok=True)
    return await BotProcess.start(python, repo, env, tmp_path / name)


async def start_polling_bot(python, repo, env, api: FakeBotAPI, tmp_path: Path, name: str = "bot") -> BotProcess:
    """Start the bot and wait until it polls."""
    since = len(api.calls)
    bot = await start_bot(python, repo, env, tmp_path, name)
    await api.wait_for("getUpdates", since=since, timeout=START_TIMEOUT)
    return bot


def answers_per_chat(api: FakeBotAPI) -> Counter:
    """How many messages each chat received (calls the server carried out)."""
    return Counter(int(c.chat_id) for c in api.delivered("sendMessage"))


async def wait_until_answered(api: FakeBotAPI, chats: set[int], timeout: float) -> Counter:
    """Wait until every chat got a message; the messages per chat."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        got = answers_per_chat(api)
        missing = chats - set(got)
        if not missing:
            return got
        if loop.time() > deadline:
            raise AssertionError(f"{len(missing)} of {len(chats)} askers got no answer within {timeout} s")
        await asyncio.sleep(0.1)


def logged(db: Path) -> list[tuple[str, str | None]]:
    """(question, delivery) of every row of the question log."""
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT question, delivery FROM questions").fetchall()
    con.close()
    return rows


class WebhookSender:
    """Telegram's side of a webhook: POST each update until it is answered 200, a few at a time.

    Given several URLs (replicas behind a load balancer), the posts go round the URLs, and a
    post that fails goes to the next one, as nginx's proxy_next_upstream does.
    """

    def __init__(self, url: str | list[str], secret: str, updates: list[dict], *, connections: int = 20):
        self.urls = [url] if isinstance(url, str) else list(url)
        self.secret = secret
        self.queue: asyncio.Queue[dict] = asyncio.Queue()
        for update in updates:
            self.queue.put_nowait(update)
        self.confirmed: set[int] = set()
        self.refused = 0
        self._tasks = [asyncio.create_task(self._worker(n)) for n in range(connections)]

    async def _worker(self, turn: int) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                update = await self.queue.get()
                while True:
                    url = self.urls[turn % len(self.urls)]
                    turn += 1
                    try:
                        response = await client.post(url, json=update,
                                                     headers={"X-Telegram-Bot-Api-Secret-Token": self.secret})
                        if response.status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    self.refused += 1
                    await asyncio.sleep(0.1)
                self.confirmed.add(update["update_id"])

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
