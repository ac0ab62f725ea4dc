"""The small delivery fixes: secrets in config errors, votes bound to the asker, stale buttons, start-up
without network."""

from __future__ import annotations

import asyncio

import pytest

from bot.core import messages as msg
from bot.questionlog import review
from bot.config import ConfigError, from_env
from bot.questionlog.review import Review
from bot.questionlog.storage import QuestionLog
from conftest import TOKEN
from delivery_support import bot_env, start_bot
from fakebotapi import FakeBotAPI
from test_bot_private import LIKE_QUESTION
from test_bot_run import START_TIMEOUT, env, free_port, run_sync  # noqa: F401 (env: a fixture)

HASH_SECRET = "hash-secret-value-b7f1c0"
WEBHOOK_SECRET = "webhook-secret-value_9e2d"
ASKER, STRANGER = 501, 777


# ---------------------------------------------------------------- secrets in configuration errors

SECRETS = {"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_HASH_SECRET": HASH_SECRET, "BOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
           "BOT_WEBHOOK_URL": "https://bot.example.go.id/telegram"}


def shows_no_secret(text: str) -> bool:
    text = text.lower()
    return not any(secret.lower() in text for secret in (TOKEN, TOKEN.split(":")[1], HASH_SECRET, WEBHOOK_SECRET))


@pytest.mark.parametrize("name, value", [
    ("BOT_CURATORS", f"123, {HASH_SECRET}"),
    ("BOT_CURATORS", TOKEN.split(":")[1]),
    ("BOT_LOG_LEVEL", WEBHOOK_SECRET),         # echoed upper-cased before: the redaction missed it
    ("BOT_RETENTION_DAYS", HASH_SECRET),
    ("BOT_SEND_WINDOW", WEBHOOK_SECRET.upper()),
], ids=["curators-hash-secret", "curators-token-part", "log-level-webhook-secret", "retention-hash-secret",
        "window-upper-cased-secret"])
def test_a_config_error_never_shows_a_secret_pasted_into_another_setting(name, value):
    with pytest.raises(ConfigError) as caught:
        from_env({**SECRETS, name: value})
    assert str(caught.value).startswith(name) and "<redacted>" in str(caught.value)
    assert shows_no_secret(str(caught.value))


@pytest.mark.parametrize("command", [("run",), ("config",), ("log", "stats")])
def test_every_command_reports_a_bad_setting_without_its_secret(python, repo, env, command):
    result = run_sync(python, repo, {**env, **SECRETS, "BOT_CURATORS": f"123, {HASH_SECRET}"}, *command)
    assert result.returncode == 2
    assert "BOT_CURATORS" in result.stderr and "<redacted>" in result.stderr
    assert shows_no_secret(result.stdout + result.stderr)


# ---------------------------------------------------------------- votes

@pytest.fixture
async def log(tmp_path):
    log = await QuestionLog.open(tmp_path / "log.sqlite3")
    yield log
    await log.close()


@pytest.fixture
async def bot(make_bot, log):
    return await make_bot(question_log=log)


def vote_button(reply, direction: str) -> str:
    return next(b["callback_data"] for b in reply.buttons if b["callback_data"].startswith(f"fb:{direction}:"))


async def test_only_the_asker_can_vote_on_an_answer(bot, api, log):
    reply = await bot.ask(LIKE_QUESTION, user_id=ASKER)
    down = vote_button(reply, "d")
    calls = await bot.send(api.callback(down, reply.result, user_id=STRANGER))
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [msg.FEEDBACK_NOT_YOURS]
    assert not [c for c in calls if c.method == "editMessageReplyMarkup"]  # the buttons stay for the asker
    assert await review.queue(log) == []
    calls = await bot.send(api.callback(down, reply.result, user_id=ASKER))
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [msg.FEEDBACK_DOWN]
    [row] = await review.export(log)
    assert (row["votes_up"], row["votes_down"]) == (0, 1)


async def test_a_vote_does_not_reopen_a_question_a_curator_closed(bot, api, log):
    reply = await bot.ask(LIKE_QUESTION, user_id=ASKER)
    await bot.send(api.callback(vote_button(reply, "d"), reply.result, user_id=ASKER))
    [group] = await review.queue(log)
    assert await review.resolve(log, group.qids, Review.DONE) == 1
    await bot.send(api.callback(vote_button(reply, "u"), reply.result, user_id=ASKER))
    await bot.send(api.callback(vote_button(reply, "d"), reply.result, user_id=ASKER))
    assert await review.queue(log) == []


# ---------------------------------------------------------------- stale buttons

@pytest.mark.parametrize("data", ["zz:unknown", "fb", "x" * 64])
async def test_a_button_no_handler_knows_is_answered_not_left_spinning(bot, api, data):
    message = api.bot_message(501, "Pesan lama")
    calls = await bot.send(api.callback(data, message))
    assert [(c.method, c.params.get("text")) for c in calls] == [("answerCallbackQuery", msg.BUTTON_EXPIRED)]


# ---------------------------------------------------------------- start-up without network

async def test_run_waits_for_the_network_at_start_up_and_then_serves(python, repo, env, tmp_path):
    port = free_port()
    offline = FakeBotAPI(TOKEN)
    env = bot_env(env, offline, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot")
    bot = await start_bot(python, repo, env, tmp_path)
    api = None
    try:
        for _ in range(100):  # two failed tries with backoff: ~3 s
            await asyncio.sleep(0.1)
            if bot.text().count("cannot reach the Telegram Bot API") >= 2:
                break
        assert bot.proc.returncode is None
        api = await offline.start(port)
        await api.wait_for("getUpdates", timeout=START_TIMEOUT)
        api.private_text(LIKE_QUESTION, user_id=ASKER)
        [reply] = await api.wait_for("sendMessage", timeout=10)
        assert await bot.terminate() == 0
        output = bot.text()
    finally:
        await bot.kill()
        if api is not None:
            await api.stop()
    assert "DILARANG" in reply.text
    retries = [line for line in output.splitlines() if "cannot reach the Telegram Bot API" in line]
    assert len(retries) >= 2 and "Traceback" not in output
    assert len(output.splitlines()) < 40


async def test_run_stops_promptly_on_sigterm_while_waiting_for_the_network(python, repo, env, tmp_path):
    env = bot_env(env, FakeBotAPI(TOKEN), TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{free_port()}/bot")
    bot = await start_bot(python, repo, env, tmp_path)
    try:
        for _ in range(100):
            await asyncio.sleep(0.1)
            if "cannot reach the Telegram Bot API" in bot.text():
                break
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await bot.terminate() == 0
        assert loop.time() - started < 5
        output = bot.text()
    finally:
        await bot.kill()
    assert "Traceback" not in output
