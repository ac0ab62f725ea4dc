"""Two replicas sharing PostgreSQL in webhook mode; one is killed with kill -9 in the middle of a burst.

Both are real `python -m bot run` processes behind a round-robin sender (nginx's part). Each
update is claimed by one replica; the updates the killed one had claimed are taken over by
the other once its heartbeat is BOT_REPLICA_TIMEOUT old. Every asker gets an answer, the log
has one row per question, and at most one answer (the one being sent at the kill) goes twice.
"""

from __future__ import annotations

import asyncio
import signal
import time

import asyncpg
import httpx

from pgserver import PASSWORD
from delivery_support import WebhookSender, answers_per_chat, bot_env, questions, start_bot, wait_until_answered
from test_bot_run import START_TIMEOUT, env, free_port  # noqa: F401 (env: a fixture)

BURST = 2000
KILL_AFTER = 1000
DRAIN_TIMEOUT = 240.0
SECRET = "webhook-secret_for-tests"


async def test_two_replicas_answer_a_2000_burst_once_each_when_one_is_killed(python, repo, env, api, pg_url,
                                                                             tmp_path):
    asked = questions(BURST)
    updates = [{"update_id": n, "message": api.message(text, user_id=user_id, chat=api.private_chat(user_id))}
               for n, (user_id, text) in enumerate(asked.items(), 1)]
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}/telegram" for port in ports]
    bots, sender = [], None
    try:
        for name, port, url in zip(("a", "b"), ports, urls):
            replica_env = bot_env(env, api, BOT_WEBHOOK_URL="https://bot.example.go.id/telegram",
                                  BOT_WEBHOOK_SECRET=SECRET, BOT_WEBHOOK_PORT=str(port), BOT_DB_URL=pg_url,
                                  BOT_HASH_SECRET="replica-shared-secret", BOT_REPLICA_TIMEOUT="3",
                                  BOT_DB_PATH=str(tmp_path / name / "data" / "unused.sqlite3"))
            bots.append(await start_bot(python, repo, replica_env, tmp_path, name))
            await wait_listening(bots[-1], url)
        started = time.monotonic()
        sender = WebhookSender(urls, SECRET, updates)
        await api.wait_for("sendMessage", count=KILL_AFTER, timeout=120)
        bots[1].proc.send_signal(signal.SIGKILL)
        await bots[1].proc.wait()
        assert len(answers_per_chat(api)) < BURST, "the kill should land mid-burst"
        await wait_until_answered(api, set(asked), DRAIN_TIMEOUT)
        elapsed = time.monotonic() - started
        assert await bots[0].terminate() == 0
        outputs = [bot.text() for bot in bots]
    finally:
        if sender is not None:
            await sender.close()
        for bot in bots:
            await bot.kill()
    per_chat = answers_per_chat(api)
    duplicates = sum(n - 1 for n in per_chat.values())
    conn = await asyncpg.connect(pg_url)
    try:
        rows = await conn.fetch("SELECT question, delivery FROM questions")
        claimed = await conn.fetchval("SELECT COUNT(DISTINCT claimed_by) FROM inbox WHERE update_id > 0")
    finally:
        await conn.close()
    print(f"2000 burst, 2 replicas, one killed: {len(per_chat)} answered, {len(rows)} rows, "
          f"{duplicates} duplicate(s), {elapsed:.0f} s")
    assert set(per_chat) == set(asked)
    assert duplicates <= 1, f"{duplicates} duplicate answers after one kill"
    assert sorted(r["question"] for r in rows) == sorted(asked.values())
    assert {r["delivery"] for r in rows} == {"sent"}
    assert claimed >= 1
    assert "replica" in outputs[0] and "took over" in outputs[0]
    for output in outputs:
        assert "Traceback" not in output and PASSWORD not in output
    assert sender.confirmed >= {u["update_id"] for u in updates}


async def wait_listening(bot, url: str) -> None:
    """Start-up (getMe, migrations, the ranker) comes before the listener: post a probe until it answers."""
    deadline = time.monotonic() + START_TIMEOUT
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            if bot.proc.returncode is not None:
                raise AssertionError(f"the replica exited: {bot.text()[-2000:]}")
            try:
                await client.post(url, json={"update_id": 0}, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"nothing listening on {url}") from None
                await asyncio.sleep(0.1)
