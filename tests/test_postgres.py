"""PostgreSQL (BOT_DB_URL): settings, the shared hash secret, migrations under a lock, claims by replicas."""

from __future__ import annotations

import asyncio
from io import StringIO

import asyncpg
import pytest

from bot.config import ConfigError, from_env
from bot.ops import cmd_config
from bot.questionlog.postgres import PostgresLog, SecretMismatch
from bot.questionlog.schema import POSTGRES_MIGRATIONS
from bot.telegram.inbox import Inbox, State
from bot.telegram.replicas import Replica
from test_bot_run import env  # noqa: F401 (a fixture)
from test_inbox import question

TOKEN = "123456:" + "A" * 35
URL = "postgresql://tanya:s3cret-Pa55word@db.internal:5432/tanya"


def test_a_database_url_needs_the_shared_hash_secret():
    with pytest.raises(ConfigError, match="BOT_HASH_SECRET is required when BOT_DB_URL is set") as caught:
        from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DB_URL": URL})
    assert "s3cret-Pa55word" not in str(caught.value)
    with pytest.raises(ConfigError, match="BOT_DB_URL must be a postgresql://"):
        from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DB_URL": "mysql://x", "BOT_HASH_SECRET": "k"})
    config = from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DB_URL": URL, "BOT_HASH_SECRET": "k" * 32})
    assert (config.db_url, config.replica_timeout) == (URL, 15)


def test_a_database_password_pasted_into_another_setting_is_never_shown():
    with pytest.raises(ConfigError) as caught:
        from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DB_URL": URL, "BOT_HASH_SECRET": "k" * 32,
                  "BOT_CURATORS": "123, s3cret-Pa55word"})
    assert "<redacted>" in str(caught.value) and "s3cret-Pa55word" not in str(caught.value)


def test_config_shows_the_database_url_without_its_password():
    out, err = StringIO(), StringIO()
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DB_URL": URL, "BOT_HASH_SECRET": "k" * 32, "BOT_REPLICA_TIMEOUT": "20"}
    assert cmd_config(out=out, err=err, env=env) == 0, err.getvalue()
    text = out.getvalue()
    assert "BOT_DB_URL = postgresql://tanya:<redacted>@db.internal:5432/tanya" in text
    assert "BOT_REPLICA_TIMEOUT = 20" in text
    assert "s3cret-Pa55word" not in text


async def test_a_replica_with_another_hash_secret_is_refused(pg_url, tmp_path):
    first = await PostgresLog.open(pg_url, "the-shared-secret", spill_dir=tmp_path)
    same = await PostgresLog.open(pg_url, "the-shared-secret", spill_dir=tmp_path)
    assert first.asker(501) == same.asker(501)
    with pytest.raises(SecretMismatch, match="BOT_HASH_SECRET differs"):
        await PostgresLog.open(pg_url, "another-secret", spill_dir=tmp_path)
    for log in (first, same):
        await log.close()


async def test_replicas_starting_together_migrate_once(pg_url, tmp_path):
    logs = await asyncio.gather(*(PostgresLog.open(pg_url, "k", spill_dir=tmp_path) for _ in range(4)))
    conn = await asyncpg.connect(pg_url)
    try:
        versions = [r[0] for r in await conn.fetch("SELECT version FROM schema_version ORDER BY version")]
    finally:
        await conn.close()
    assert versions == list(range(1, len(POSTGRES_MIGRATIONS) + 1))
    for log in logs:
        assert log.connected
        await log.close()


async def test_each_update_is_claimed_by_exactly_one_replica(pg_url, tmp_path):
    logs = [await PostgresLog.open(pg_url, "k", spill_dir=tmp_path) for _ in range(2)]
    inboxes = [Inbox(log, None, replica=Replica(log, 5, name=f"r{n}")) for n, log in enumerate(logs)]
    for inbox in inboxes:
        await inbox.restore()
    # Each replica receives half of the updates, and Telegram sends some to both.
    await inboxes[0].accept([question(n) for n in range(1, 301) if n % 2 or n % 7 == 0])
    await inboxes[1].accept([question(n) for n in range(1, 301) if not n % 2 or n % 5 == 0])
    handed: list[int] = []

    async def drain(inbox: Inbox) -> None:
        while True:
            update, ticket = await asyncio.wait_for(inbox.take(), 2)
            handed.append(update.update_id)
            await inbox.finish(ticket, State.DONE)

    results = await asyncio.gather(*(drain(inbox) for inbox in inboxes), return_exceptions=True)
    assert all(isinstance(r, asyncio.TimeoutError) for r in results)
    assert sorted(handed) == list(range(1, 301))
    for log in logs:
        await log.close()


async def test_a_dead_replicas_updates_are_taken_over_and_a_stopping_one_gives_them_back(pg_url, tmp_path):
    logs = [await PostgresLog.open(pg_url, "k", spill_dir=tmp_path) for _ in range(2)]
    dead, alive = (Replica(log, 1.0, name=name) for log, name in zip(logs, ("dead", "alive")))
    first, second = Inbox(logs[0], None, replica=dead), Inbox(logs[1], None, replica=alive)
    await first.restore()
    await second.restore()
    await first.accept([question(1), question(2)])
    update, ticket = await first.take()  # claims both, starts the first, then stops beating
    await first.started(ticket)
    assert await logs[1].claim("alive", 10, 1.0) == []  # held by a live replica
    await asyncio.sleep(1.2)
    await alive.beat()
    taken, _ = await asyncio.wait_for(second.take(), 3)
    assert taken.update_id == 1 and second.counts.interrupted == 1
    # A replica that stops cleanly gives its updates back at once.
    await second.accept([question(3)])
    await asyncio.wait_for(second.take(), 3)
    await second.take()
    await alive.leave()
    await dead.beat()
    claimed = await logs[0].claim("dead", 10, 1.0)
    assert sorted(row[1] for row in claimed) == [1, 2, 3]  # none of them finished
    for log in logs:
        await log.close()


def test_health_checks_the_postgresql_log(pg_server, tmp_path, python, repo):
    import subprocess

    env = {"PATH": "/usr/bin:/bin", "BOT_DB_URL": pg_server.url("nosuchdb"), "BOT_HASH_SECRET": "k",
           "BOT_DB_PATH": str(tmp_path / "x.sqlite3")}
    result = subprocess.run([python, "-m", "bot", "health"], capture_output=True, text=True, env=env, cwd=repo,
                            timeout=120)
    assert result.returncode == 1
    assert "unhealthy: cannot reach PostgreSQL at postgresql://127.0.0.1:" in result.stderr
    assert pg_server.url().split(":")[2].split("@")[0] not in result.stderr  # no password
    env["BOT_DB_URL"] = pg_server.url()
    result = subprocess.run([python, "-m", "bot", "health"], capture_output=True, text=True, env=env, cwd=repo,
                            timeout=120)
    assert result.returncode == 1 and "no question log in" in result.stderr


def test_the_replicas_compose_file_runs_two_webhook_replicas_on_one_database_behind_nginx(repo):
    import yaml

    compose = yaml.safe_load((repo / "deploy" / "docker-compose.replicas.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    replicas = [s for name, s in services.items() if name.startswith("bot-")]
    assert len(replicas) == 2
    assert len({r["environment"]["BOT_DB_URL"] for r in replicas}) == 1
    assert all(r["environment"]["BOT_DB_URL"].startswith("postgresql://") for r in replicas)
    assert services["db"]["image"].startswith("postgres:15")
    nginx = (repo / "deploy" / "nginx.replicas.conf").read_text(encoding="utf-8")
    assert "server bot-1:8443" in nginx and "server bot-2:8443" in nginx
    assert "proxy_next_upstream error timeout http_503" in nginx


async def test_run_refuses_a_replica_with_another_hash_secret_in_one_line(pg_url, tmp_path, api, python, repo, env):
    from delivery_support import bot_env
    from test_bot_run import run_sync

    first = await PostgresLog.open(pg_url, "the-first-secret", spill_dir=tmp_path)
    await first.close()
    env = bot_env(env, api, BOT_DB_URL=pg_url, BOT_HASH_SECRET="another-secret")
    result = await asyncio.to_thread(run_sync, python, repo, env, "run")
    assert result.returncode == 2
    assert "BOT_HASH_SECRET differs" in result.stderr and "Traceback" not in result.stderr
    assert "pg-pass" not in result.stderr + result.stdout


async def test_one_replica_on_postgresql_answers_by_long_polling_and_leaves_at_stop(
        python, repo, api, pg_url, tmp_path, env):
    from delivery_support import bot_env, questions, start_polling_bot, wait_until_answered

    env = bot_env(env, api, BOT_DB_URL=pg_url, BOT_HASH_SECRET="polling-secret")
    asked = questions(50)
    bot = await start_polling_bot(python, repo, env, api, tmp_path)
    try:
        for user_id, text in asked.items():
            api.private_text(text, user_id=user_id)
        await wait_until_answered(api, set(asked), 60)
        assert await bot.terminate() == 0
        output = bot.text()
    finally:
        await bot.kill()
    assert "sharing the inbox with the other replicas" in output and "Traceback" not in output
    conn = await asyncpg.connect(pg_url)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM questions WHERE delivery = 'sent'") == 50
        assert await conn.fetchval("SELECT COUNT(*) FROM inbox WHERE state = 'pending'") == 0
        assert await conn.fetchval("SELECT COUNT(*) FROM replicas") == 0  # it left at stop
    finally:
        await conn.close()


async def test_heartbeats_of_replicas_gone_for_days_are_forgotten(pg_url, tmp_path):
    from datetime import timedelta

    log = await PostgresLog.open(pg_url, "k", spill_dir=tmp_path)
    gone, here = Replica(log, 5, name="gone"), Replica(log, 5, name="here")
    await gone.beat()
    await here.beat()
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute("UPDATE replicas SET seen = now() - interval '3 days' WHERE name = 'gone'")
        await here.forget_dead(timedelta(days=2))
        assert [r[0] for r in await conn.fetch("SELECT name FROM replicas")] == ["here"]
    finally:
        await conn.close()
    await log.close()


async def test_a_live_replica_keeps_the_updates_it_received(pg_url, tmp_path):
    logs = [await PostgresLog.open(pg_url, "k", spill_dir=tmp_path) for _ in range(2)]
    a, b = (Inbox(log, None, replica=Replica(log, 5, name=name)) for log, name in zip(logs, "ab"))
    await a.restore()
    await b.restore()
    await a.accept([question(1)])
    assert await logs[1].claim("b", 10, 5) == []
    update, _ = await asyncio.wait_for(a.take(), 2)
    assert update.update_id == 1
    for log in logs:
        await log.close()


async def test_replicas_send_the_weekly_digest_once(make_bot, config, pg_url, tmp_path):
    from dataclasses import replace

    curators = (4242, 4343)
    logs = [await PostgresLog.open(pg_url, "k", spill_dir=tmp_path / name) for name in "ab"]
    bot = await make_bot(question_log=logs[0], config=replace(config, curators=frozenset(curators)))
    since = len(bot.api.calls)
    [job] = bot.app.job_queue.get_jobs_by_name("weekly-digest")
    await job.run(bot.app)
    bot.app.bot_data["log"] = logs[1]  # the same job on the other replica, at the same hour
    await job.run(bot.app)
    sent = [c for c in bot.api.calls[since:] if c.method == "sendMessage"]
    assert sorted(c.chat_id for c in sent) == sorted(curators)
    for log in logs:
        await log.close()
