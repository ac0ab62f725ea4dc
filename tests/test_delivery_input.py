"""Bad input never blocks the bot: malformed updates are skipped, hostile webhook posts refused cheaply."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx

from delivery_support import bot_env, questions, start_bot, start_polling_bot, wait_until_answered
from fakebotapi import FakeBotAPI
from test_bot_run import START_TIMEOUT, env, free_port, post_when_listening  # noqa: F401 (env: a fixture)

SECRET = "webhook-secret_for-tests"
MALFORMED = {"message": {"foo": "bar"}}
MIB = 1024 * 1024


def personal_data(api: FakeBotAPI, asked: dict[int, str]) -> list[str]:
    return [*map(str, asked), *(f"User{u}" for u in asked), *asked.values()]


async def test_a_malformed_update_is_skipped_and_the_rest_of_its_batch_answered_at_once(
        python, repo, env, api, tmp_path):
    asked = questions(20)
    bot = await start_polling_bot(python, repo, bot_env(env, api), api, tmp_path)
    try:
        ids = [api.private_text(text, user_id=user_id) for user_id, text in list(asked.items())[:10]]
        bad = api.enqueue(MALFORMED)
        ids += [api.private_text(text, user_id=user_id) for user_id, text in list(asked.items())[10:]]
        await wait_until_answered(api, set(asked), 10)
        for reply in api.delivered("sendMessage"):
            update_id = ids[list(asked).index(int(reply.chat_id))]
            assert reply.at - api.served_at[update_id] < 2.0
        await api.wait_for("getUpdates", count=2, where=lambda c: int(c.params.get("offset") or 0) > bad)
        assert await bot.terminate() == 0
        output = bot.text()
    finally:
        await bot.kill()
    assert f"update {bad} skipped: malformed message (missing date)" in output
    assert output.count(f"update {bad} ") == 1  # skipped once, never fetched again
    assert "Traceback" not in output and "CRITICAL" not in output
    for value in personal_data(api, asked):
        assert value not in output


async def start_webhook_bot(python, repo, env, api, tmp_path) -> tuple[object, str]:
    port = free_port()
    bot = await start_bot(python, repo, bot_env(env, api, BOT_WEBHOOK_URL="https://bot.example.go.id/telegram",
                                                BOT_WEBHOOK_SECRET=SECRET, BOT_WEBHOOK_PORT=str(port)), tmp_path)
    await api.wait_for("setWebhook", timeout=START_TIMEOUT)
    url = f"http://127.0.0.1:{port}/telegram"
    async with httpx.AsyncClient(timeout=5) as client:
        await post_when_listening(client, url, {"update_id": 10**9}, {"X-Telegram-Bot-Api-Secret-Token": SECRET})
    return bot, url


async def test_webhook_acknowledges_a_malformed_update_once_and_answers_the_next(python, repo, env, api, tmp_path):
    [(user_id, text)] = questions(1).items()
    bot, url = await start_webhook_bot(python, repo, env, api, tmp_path)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            bad = await client.post(url, json={"update_id": 5, **MALFORMED}, headers=headers)
            again = await client.post(url, json={"update_id": 5, **MALFORMED}, headers=headers)
            not_json = await client.post(url, content=b"{not json", headers=headers)
            good = await client.post(url, headers=headers, json={
                "update_id": 6, "message": api.message(text, user_id=user_id, chat=api.private_chat(user_id))})
        await wait_until_answered(api, {user_id}, 10)
        assert await bot.terminate() == 0
        output = bot.text()
    finally:
        await bot.kill()
    assert (bad.status_code, again.status_code, not_json.status_code, good.status_code) == (200, 200, 400, 200)
    assert output.count("update 5 skipped: malformed message") == 1
    assert text not in output and str(user_id) not in output


def raw_post(port: int, headers: dict[str, str], body_size: int, *, send_body: bool) -> tuple[bytes, int]:
    """POST with a raw socket: the response's first bytes and how much of the body went out."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    chunk = b"x" * MIB
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"POST /telegram HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {body_size}\r\n{head}\r\n".encode())
        try:
            while send_body and sent < body_size:
                sock.sendall(chunk[: body_size - sent])
                sent += min(MIB, body_size - sent)
        except OSError:  # the server closed the connection without reading the body
            pass
        try:
            return sock.recv(200), sent
        except OSError:
            return b"", sent


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))


async def test_webhook_refuses_big_or_unsigned_posts_before_reading_them(python, repo, env, api, tmp_path):
    bot, url = await start_webhook_bot(python, repo, env, api, tmp_path)
    port = int(url.split(":")[2].split("/")[0])
    try:
        started = time.perf_counter()
        reply, _ = await asyncio.to_thread(raw_post, port, {}, 60 * MIB, send_body=False)
        assert reply.startswith(b"HTTP/1.1 403") and time.perf_counter() - started < 2  # no body was awaited
        reply, _ = await asyncio.to_thread(raw_post, port, {"X-Telegram-Bot-Api-Secret-Token": SECRET},
                                           2 * MIB, send_body=False)
        assert reply.startswith(b"HTTP/1.1 413")
        before = rss_kib(bot.proc.pid)
        posts = [asyncio.to_thread(raw_post, port, {}, 60 * MIB, send_body=True) for _ in range(8)]
        results = await asyncio.gather(*posts)
        growth_mb = (rss_kib(bot.proc.pid) - before) / 1024
        assert await bot.terminate() == 0
    finally:
        await bot.kill()
    assert all(reply in (b"",) or reply.startswith(b"HTTP/1.1 403") for reply, _ in results)
    assert growth_mb < 20
    assert api.delivered("sendMessage") == []
