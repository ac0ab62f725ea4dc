"""`python -m bot run` as an operator runs it: bad settings, polling and webhook mode, clean stop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess

import httpx
import pytest

from conftest import TOKEN
from test_bot_private import LIKE_QUESTION

START_TIMEOUT = 30.0
USER_ID = 987654321


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """The environment of a fresh deployment: no bot settings but a private database path."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("BOT_", "TELEGRAM_")) or k == "BOT_CACHE_DIR"}
    return {**clean, "PYTHONUNBUFFERED": "1", "BOT_DB_PATH": str(tmp_path / "data" / "questions.sqlite3")}


def run_sync(python, repo, env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-m", "bot", *args], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BotProcess:
    """`python -m bot run` in the background, its output going to a file."""

    def __init__(self, proc: asyncio.subprocess.Process, output):
        self.proc = proc
        self.output = output

    @classmethod
    async def start(cls, python, repo, env, tmp_path) -> BotProcess:
        output = open(tmp_path / "bot.log", "w+b")
        proc = await asyncio.create_subprocess_exec(python, "-m", "bot", "run", cwd=repo, env=env,
                                                    stdout=output, stderr=subprocess.STDOUT)
        return cls(proc, output)

    async def terminate(self) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), 20)

    def text(self) -> str:
        self.output.seek(0)
        return self.output.read().decode(errors="replace")

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self.output.close()


def assert_one_line_without_traceback(result: subprocess.CompletedProcess, *, mentions: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert mentions in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_a_token_exits_2_with_one_line(python, repo, env):
    result = run_sync(python, repo, env, "run")
    assert_one_line_without_traceback(result, mentions="TELEGRAM_BOT_TOKEN")


def test_run_with_a_malformed_token_exits_2_without_showing_it(python, repo, env):
    secret = "12345:this-is-not-a-real-token"
    result = run_sync(python, repo, {**env, "TELEGRAM_BOT_TOKEN": secret}, "run")
    assert_one_line_without_traceback(result, mentions="TELEGRAM_BOT_TOKEN")
    assert "this-is-not-a-real-token" not in result.stderr


def test_run_with_a_broken_knowledge_base_lists_the_problems(python, repo, env, tmp_path):
    (tmp_path / "kb").mkdir()
    result = run_sync(python, repo, {**env, "TELEGRAM_BOT_TOKEN": TOKEN}, "--knowledge", str(tmp_path / "kb"), "run")
    assert result.returncode == 1
    assert "Knowledge base is broken" in result.stderr
    assert "Traceback" not in result.stderr


async def test_run_with_a_token_telegram_rejects_exits_2_without_showing_it(python, repo, env, api, tmp_path):
    revoked = "123456:" + "B" * 35
    bot = await BotProcess.start(python, repo, {**env, "TELEGRAM_BOT_TOKEN": revoked,
                                                "TELEGRAM_API_BASE_URL": api.base_url}, tmp_path)
    try:
        code = await asyncio.wait_for(bot.proc.wait(), START_TIMEOUT)
        output = bot.text()
    finally:
        await bot.kill()
    assert code == 2
    assert output.strip().splitlines()[-1] == "tanya-netral: Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?)"
    assert "B" * 35 not in output  # PTB's own error log names the token: it is redacted


async def test_polling_bot_answers_logs_one_line_and_stops_cleanly_on_sigterm(python, repo, env, api, tmp_path):
    bot = await BotProcess.start(python, repo, {**env, "TELEGRAM_BOT_TOKEN": TOKEN,
                                                "TELEGRAM_API_BASE_URL": api.base_url}, tmp_path)
    try:
        await api.wait_for("getUpdates", timeout=START_TIMEOUT)
        api.private_text(LIKE_QUESTION, user_id=USER_ID)
        [reply] = await api.wait_for("sendMessage", timeout=10)
        code = await bot.terminate()
        output = bot.text()
    finally:
        await bot.kill()

    assert "DILARANG" in reply.text
    assert code == 0, output
    assert "question chat=private status=answered entry=medsos-like" in output
    assert "running as @" in output
    for secret in (TOKEN, TOKEN.split(":")[1], str(USER_ID), LIKE_QUESTION, "Traceback"):
        assert secret not in output
    assert (tmp_path / "data" / "questions.sqlite3").exists()


async def test_debug_logging_keeps_users_and_their_questions_out_of_the_log(python, repo, env, api, tmp_path):
    """BOT_LOG_LEVEL=DEBUG is for the bot's own loggers; the libraries would log whole updates."""
    bot = await BotProcess.start(python, repo, {**env, "TELEGRAM_BOT_TOKEN": TOKEN, "BOT_LOG_LEVEL": "DEBUG",
                                                "TELEGRAM_API_BASE_URL": api.base_url}, tmp_path)
    try:
        await api.wait_for("getUpdates", timeout=START_TIMEOUT)
        api.private_text(LIKE_QUESTION, user_id=USER_ID)
        await api.wait_for("sendMessage", timeout=10)
        api.private_text("/bantuan", user_id=USER_ID)
        await api.wait_for("sendMessage", count=2, timeout=10)
        code = await bot.terminate()
        output = bot.text()
    finally:
        await bot.kill()

    assert code == 0, output
    assert " DEBUG " in output  # the level took effect (asyncio's and the bot's own loggers)
    assert "question chat=private status=answered entry=medsos-like" in output
    assert "update kind=command chat=private handler=help_command status=ok" in output
    for personal in (str(USER_ID), f"User{USER_ID}", LIKE_QUESTION, "like postingan", TOKEN.split(":")[1]):
        assert personal not in output


async def test_webhook_mode_checks_the_secret_token_and_stops_cleanly(python, repo, env, api, tmp_path):
    port = free_port()
    secret = "s3cret-webhook_token"
    bot = await BotProcess.start(python, repo, {
        **env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
        "BOT_WEBHOOK_URL": "https://bot.example.go.id/telegram", "BOT_WEBHOOK_SECRET": secret,
        "BOT_WEBHOOK_LISTEN": "127.0.0.1", "BOT_WEBHOOK_PORT": str(port)}, tmp_path)
    try:
        [set_webhook] = await api.wait_for("setWebhook", timeout=START_TIMEOUT)
        update = {"update_id": 1, "message": api.message(LIKE_QUESTION, user_id=USER_ID,
                                                         chat=api.private_chat(USER_ID))}
        url = f"http://127.0.0.1:{port}/telegram"
        async with httpx.AsyncClient(timeout=5) as client:
            without = await post_when_listening(client, url, update, {})
            wrong = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"})
            right = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        [reply] = await api.wait_for("sendMessage", timeout=10)
        code = await bot.terminate()
        output = bot.text()
    finally:
        await bot.kill()

    assert set_webhook.params["url"] == "https://bot.example.go.id/telegram"
    assert set_webhook.params["secret_token"] == secret
    assert (without.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
    assert len(api.calls_to("sendMessage")) == 1  # the refused posts were not handled
    assert reply.chat_id == USER_ID and "DILARANG" in reply.text
    assert code == 0, output
    assert secret not in output and TOKEN not in output and "Traceback" not in output


async def post_when_listening(client: httpx.AsyncClient, url: str, update: dict, headers: dict) -> httpx.Response:
    """setWebhook comes just before the listener opens: retry briefly while it is not up yet."""
    for _ in range(100):
        try:
            return await client.post(url, json=update, headers=headers)
        except httpx.ConnectError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"nothing listening on {url}")


async def test_kill_9_under_load_loses_no_question_whose_reply_was_sent(python, repo, env, api, tmp_path):
    """Every question whose answer reached Telegram is in the log, however the process dies."""
    bot = await BotProcess.start(python, repo, {**env, "TELEGRAM_BOT_TOKEN": TOKEN,
                                                "TELEGRAM_API_BASE_URL": api.base_url,
                                                "BOT_FLOOD_PER_MINUTE": "1000"}, tmp_path)
    questions = {2000 + n: f"boleh gak share poster paslon nomor {n} ke grup wa?" for n in range(300)}
    try:
        await api.wait_for("getUpdates", timeout=START_TIMEOUT)
        for user_id, text in questions.items():
            api.private_text(text, user_id=user_id)
        await api.wait_for("sendMessage", count=40, timeout=30)
        bot.proc.kill()  # SIGKILL: no shutdown hook, no flush
        await bot.proc.wait()
    finally:
        await bot.kill()
    answered = {int(c.chat_id) for c in api.calls_to("sendMessage")}
    assert 40 <= len(answered) < len(questions), "the kill should land mid-run"
    with sqlite3.connect(tmp_path / "data" / "questions.sqlite3") as db:
        logged = {row[0] for row in db.execute("SELECT question FROM questions")}
    missing = [questions[u] for u in answered if questions[u] not in logged]
    assert missing == []
