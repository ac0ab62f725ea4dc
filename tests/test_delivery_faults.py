"""A failing Bot API, from outside: every asker still gets exactly one answer, and no error notice.

`python -m bot run` polls the fake Bot API, which drops connections for 6 s, answers
every third sendMessage with 500, drops 20 connections, refuses sends with 429 for 12 s,
or delivers a message but answers only after the bot gave up waiting.
"""

from __future__ import annotations

import pytest

from bot.core import messages as msg
from delivery_support import (answers_per_chat, bot_env, logged, questions, start_polling_bot,
                              wait_until_answered)
from test_bot_run import env, run_sync  # noqa: F401 (env: a fixture)

ASKERS = 40


def fault(api, kind: str) -> None:
    if kind == "outage":
        api.outage(6)
    elif kind == "every-third-500":
        api.fail_every("sendMessage", 3, 500)
    elif kind == "dropped":
        api.drop_next("sendMessage", 20)
    elif kind == "flood":
        api.flood_for("sendMessage", 12)
    elif kind == "timeout-after-delivery":
        api.stall_next("sendMessage", 3, 1.5)  # the bot gives up waiting after 1 s


@pytest.mark.parametrize("kind", ["outage", "every-third-500", "dropped", "flood", "timeout-after-delivery"])
async def test_every_asker_gets_exactly_one_answer_while_the_api_fails(python, repo, env, api, tmp_path, kind):
    asked = questions(ASKERS)
    bot = await start_polling_bot(python, repo, bot_env(env, api), api, tmp_path)
    try:
        first = list(asked.items())
        for user_id, text in first[:10]:
            api.private_text(text, user_id=user_id)
        await api.wait_for("sendMessage", count=10, timeout=10)
        fault(api, kind)
        for user_id, text in first[10:]:
            api.private_text(text, user_id=user_id)
        per_chat = await wait_until_answered(api, set(asked), 40)
        assert await bot.terminate() == 0
        output = bot.text()
    finally:
        await bot.kill()
    refused = [c for c in api.calls_to("sendMessage") if not c.ok]
    happened = {"outage": api.faults.dropped > 0, "dropped": api.faults.dropped == 20,
                "every-third-500": len(refused) >= ASKERS // 3 - 4, "flood": len(refused) >= 1,  # retry_after pauses every send
                "timeout-after-delivery": True}
    assert happened[kind]
    assert per_chat == {user_id: 1 for user_id in asked}
    assert msg.ERROR not in [c.text for c in api.delivered("sendMessage")]
    rows = logged(tmp_path / "data" / "questions.sqlite3")
    assert sorted(q for q, _ in rows) == sorted(asked.values())
    expected = {"sent", "unsure"} if kind == "timeout-after-delivery" else {"sent"}
    assert {d for _, d in rows} == expected
    assert "Traceback" not in output
    assert not any(str(user_id) in output for user_id in asked)


async def test_a_send_still_failing_at_stop_is_answered_after_the_restart(python, repo, env, api, tmp_path):
    env = bot_env(env, api)
    bot = await start_polling_bot(python, repo, env, api, tmp_path, "first")
    try:
        api.fail_every("sendMessage", 1, 502)
        [(user_id, text)] = questions(1).items()
        api.private_text(text, user_id=user_id)
        await api.wait_for("sendMessage", count=3, timeout=10)
        assert await bot.terminate() == 0  # stops while the send waits for its next try
        output = bot.text()
    finally:
        await bot.kill()
    assert answers_per_chat(api) == {}
    assert logged(tmp_path / "data" / "questions.sqlite3") == [(text, "pending")]
    assert "1 left for the next start" in output
    del api.faults.fail_every["sendMessage"]
    second = await start_polling_bot(python, repo, env, api, tmp_path, "second")
    try:
        assert await wait_until_answered(api, {user_id}, 20) == {user_id: 1}
        assert await second.terminate() == 0
    finally:
        await second.kill()
    assert logged(tmp_path / "data" / "questions.sqlite3") == [(text, "sent")]


async def test_a_refused_send_is_logged_as_failed_and_shown_by_log_stats(python, repo, env, api, tmp_path):
    env = bot_env(env, api)
    bot = await start_polling_bot(python, repo, env, api, tmp_path)
    try:
        api.fail_every("sendMessage", 1, 400)  # refused outright: not retried
        [(user_id, text)] = questions(1).items()
        api.private_text(text, user_id=user_id)
        await api.wait_for("sendMessage", count=2, timeout=10)  # the answer, then the error notice
        assert await bot.terminate() == 0
    finally:
        await bot.kill()
    assert logged(tmp_path / "data" / "questions.sqlite3") == [(text, "failed")]
    stats = run_sync(python, repo, env, "log", "stats")
    assert stats.returncode == 0, stats.stderr
    assert "send failed 1" in stats.stdout
