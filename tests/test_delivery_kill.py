"""kill -9 in the middle of a burst, then a restart: every asker gets one answer and one log row.

The inbox holds every update Telegram was told had arrived; on restart the pending ones
are handled first. With the default send window of 1 only the answer being sent at the
moment of the kill can go out twice.
"""

from __future__ import annotations

import signal

from delivery_support import (answers_per_chat, bot_env, logged, questions, start_bot, start_polling_bot,
                              wait_until_answered, WebhookSender)
from test_bot_run import START_TIMEOUT, env, free_port, post_when_listening  # noqa: F401 (env: a fixture)

import httpx

BURST = 600
KILL_AFTER = 150
DRAIN_TIMEOUT = 60.0


def assert_one_answer_and_one_row_each(api, asked: dict[int, str], db, outputs: list[str]) -> None:
    per_chat = answers_per_chat(api)
    assert set(per_chat) == set(asked), f"{len(set(asked) - set(per_chat))} askers got no answer"
    duplicates = sum(n - 1 for n in per_chat.values())
    assert duplicates <= 1, f"{duplicates} duplicate answers after one kill"
    rows = logged(db)
    assert sorted(q for q, _ in rows) == sorted(asked.values())
    assert {d for _, d in rows} == {"sent"}
    for output in outputs:
        assert "Traceback" not in output


async def test_polling_kill_9_mid_burst_then_restart_answers_everyone_once(python, repo, env, api, tmp_path):
    env = bot_env(env, api)
    asked = questions(BURST)
    bot = await start_polling_bot(python, repo, env, api, tmp_path, "first")
    try:
        for user_id, text in asked.items():
            api.private_text(text, user_id=user_id)
        await api.wait_for("sendMessage", count=KILL_AFTER, timeout=30)
        bot.proc.send_signal(signal.SIGKILL)
        await bot.proc.wait()
        answered_before = len(answers_per_chat(api))
        assert answered_before < BURST, "the kill should land mid-burst"
        second = await start_bot(python, repo, env, tmp_path, "second")
        try:
            await wait_until_answered(api, set(asked), DRAIN_TIMEOUT)
            assert await second.terminate() == 0
            outputs = [bot.text(), second.text()]
        finally:
            await second.kill()
    finally:
        await bot.kill()
    assert "were being handled when it stopped" in outputs[1]
    assert_one_answer_and_one_row_each(api, asked, tmp_path / "data" / "questions.sqlite3", outputs)


async def test_webhook_kill_9_mid_burst_then_restart_answers_everyone_once(python, repo, env, api, tmp_path):
    port = free_port()
    secret = "webhook-secret_for-tests"
    env = bot_env(env, api, BOT_WEBHOOK_URL="https://bot.example.go.id/telegram", BOT_WEBHOOK_SECRET=secret,
                  BOT_WEBHOOK_PORT=str(port))
    asked = questions(BURST)
    updates = [{"update_id": n, "message": api.message(text, user_id=user_id, chat=api.private_chat(user_id))}
               for n, (user_id, text) in enumerate(asked.items(), 1)]
    url = f"http://127.0.0.1:{port}/telegram"
    bot = await start_bot(python, repo, env, tmp_path, "first")
    sender = None
    try:
        await api.wait_for("setWebhook", timeout=START_TIMEOUT)
        async with httpx.AsyncClient(timeout=5) as client:
            await post_when_listening(client, url, {"update_id": 0}, {"X-Telegram-Bot-Api-Secret-Token": secret})
        sender = WebhookSender(url, secret, updates)
        await api.wait_for("sendMessage", count=KILL_AFTER, timeout=30)
        bot.proc.send_signal(signal.SIGKILL)
        await bot.proc.wait()
        assert len(answers_per_chat(api)) < BURST, "the kill should land mid-burst"
        second = await start_bot(python, repo, env, tmp_path, "second")
        try:
            await wait_until_answered(api, set(asked), DRAIN_TIMEOUT)
            assert await second.terminate() == 0
            outputs = [bot.text(), second.text()]
        finally:
            await second.kill()
    finally:
        if sender is not None:
            await sender.close()
        await bot.kill()
    assert sender.confirmed >= {u["update_id"] for u in updates}
    assert_one_answer_and_one_row_each(api, asked, tmp_path / "data" / "questions.sqlite3", outputs)
