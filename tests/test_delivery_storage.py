"""Storage that recovers: a read-only database fixed while running, a deleted database folder."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from bot.questionlog.storage import QuestionLog
from delivery_support import bot_env, logged, questions, start_polling_bot, wait_until_answered
from test_bot_run import env, run_sync  # noqa: F401 (env: a fixture)

RECOVERY = 10.0  # seconds within which held rows must reach a repaired database


def set_read_only(path: Path, read_only: bool) -> None:
    """Make the file unwritable, for root too (the immutable flag) or by permissions."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if read_only else "-i", str(path)], check=True)
    else:
        path.chmod(0o444 if read_only else 0o644)


def count_rows(path: Path) -> int:
    with sqlite3.connect(path) as con:
        (n,) = con.execute("SELECT COUNT(*) FROM questions").fetchone()
    con.close()
    return n


async def record(log: QuestionLog, n: int) -> str:
    return await log.record(chat_kind="private", question=f"pertanyaan {n}", normalized=f"tanya {n}",
                            status="unanswered", entry_id=None, score=0.1, user_id=500 + n)


async def test_a_database_opened_read_only_is_written_on_a_new_connection_once_fixed(tmp_path):
    path = tmp_path / "log.sqlite3"
    await (await QuestionLog.open(path, secret="s")).close()
    set_read_only(path, True)
    try:
        log = await QuestionLog.open(path, secret="s", retry_interval=0.05)
        held = [await record(log, n) for n in range(30)]
        await asyncio.sleep(0.3)  # retries fail meanwhile
        assert log.pending == 30 and log.failing
    finally:
        set_read_only(path, False)
    started = time.monotonic()
    while log.pending and time.monotonic() - started < RECOVERY:
        await asyncio.sleep(0.05)
    assert log.pending == 0
    await log.close()
    with sqlite3.connect(path) as con:
        assert {q for (q,) in con.execute("SELECT qid FROM questions")} == set(held)
    con.close()


async def test_rows_the_database_refuses_until_stop_are_kept_and_written_at_the_next_start(tmp_path):
    path = tmp_path / "log.sqlite3"
    await (await QuestionLog.open(path, secret="s")).close()
    set_read_only(path, True)
    try:
        log = await QuestionLog.open(path, secret="s", retry_interval=60)
        held = [await record(log, n) for n in range(30)]
        await log.close()
    finally:
        set_read_only(path, False)
    assert count_rows(path) == 0
    assert len(list(tmp_path.glob("log.sqlite3.unwritten-*.jsonl"))) == 1
    log = await QuestionLog.open(path, secret="s")
    await log.close()
    with sqlite3.connect(path) as con:
        assert {q for (q,) in con.execute("SELECT qid FROM questions")} == set(held)
    con.close()
    assert list(tmp_path.glob("log.sqlite3.unwritten-*")) == []


async def test_read_only_database_fixed_while_the_bot_runs(python, repo, env, api, tmp_path):
    env = bot_env(env, api)
    db = tmp_path / "data" / "questions.sqlite3"
    db.parent.mkdir()
    await (await QuestionLog.open(db)).close()
    asked = questions(10)
    set_read_only(db, True)
    try:
        bot = await start_polling_bot(python, repo, env, api, tmp_path)
        for user_id, text in asked.items():
            api.private_text(text, user_id=user_id)
        await wait_until_answered(api, set(asked), 10)  # answered while nothing can be written
        assert count_rows(db) == 0
        assert run_sync(python, repo, env, "health").returncode == 1
    finally:
        set_read_only(db, False)
    try:
        started = time.monotonic()
        while count_rows(db) < len(asked) and time.monotonic() - started < RECOVERY:
            await asyncio.sleep(0.1)
        assert sorted(q for q, _ in logged(db)) == sorted(asked.values())
        assert run_sync(python, repo, env, "health").returncode == 0
        assert await bot.terminate() == 0
        output = bot.text()
    finally:
        await bot.kill()
    assert "database writable again" in output


async def test_deleted_database_folder_is_recreated_and_health_fails_until_it_is(python, repo, env, api, tmp_path):
    env = bot_env(env, api)
    data = tmp_path / "data"
    db = data / "questions.sqlite3"
    before, after = list(questions(6).items())[:3], list(questions(6).items())[3:]
    bot = await start_polling_bot(python, repo, env, api, tmp_path)
    try:
        for user_id, text in before:
            api.private_text(text, user_id=user_id)
        await wait_until_answered(api, {u for u, _ in before}, 10)
        secret = (data / "hash-secret").read_text()
        bot.proc.send_signal(signal.SIGSTOP)  # hold the bot while the folder goes, so health sees it gone
        shutil.rmtree(data)
        unhealthy = run_sync(python, repo, env, "health")
        bot.proc.send_signal(signal.SIGCONT)
        for user_id, text in after:
            api.private_text(text, user_id=user_id)
        await wait_until_answered(api, {u for u, _ in after}, 10)
        started = time.monotonic()
        while not (db.exists() and count_rows(db) == len(after)) and time.monotonic() - started < RECOVERY:
            await asyncio.sleep(0.1)
        healthy = run_sync(python, repo, env, "health")
        assert await bot.terminate() == 0
        output = bot.text()
    finally:
        await bot.kill()
    assert unhealthy.returncode == 1 and "no database at" in unhealthy.stderr
    assert healthy.returncode == 0, healthy.stderr
    assert sorted(logged(db)) == sorted((text, "sent") for _, text in after)
    assert (data / "hash-secret").read_text() == secret  # pseudonyms stay the same
    assert "was deleted or replaced; creating it anew" in output
