"""PostgreSQL going away and coming back: the bot keeps logging in memory and loses no question.

A server of its own (tests/pgserver.py), stopped and started under the log.
"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bot.questionlog.postgres import PostgresLog
from pgserver import PgServer


@pytest.fixture
def own_server():
    server = PgServer().start()
    yield server
    server.stop()


async def ask(log, n: int) -> str:
    return await log.record(chat_kind="private", question=f"pertanyaan {n}", normalized=f"pertanyaan {n}",
                            status="unanswered", entry_id=None, score=0.1, user_id=n)


async def questions_in(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return sorted(r[0] for r in await conn.fetch("SELECT question FROM questions"))
    finally:
        await conn.close()


async def test_rows_logged_while_postgresql_is_down_are_written_when_it_is_back(own_server, tmp_path):
    url = await own_server.new_database()
    log = await PostgresLog.open(url, "k", spill_dir=tmp_path, retry_interval=0.2, max_retry_interval=0.5)
    await ask(log, 1)
    own_server.pause()
    await ask(log, 2)
    await ask(log, 3)
    assert log.failing and log.pending >= 2
    own_server.resume()
    assert await log.flush()
    assert not log.failing
    assert await questions_in(url) == ["pertanyaan 1", "pertanyaan 2", "pertanyaan 3"]
    await log.close()


async def test_rows_still_unwritten_at_close_are_spilled_and_written_at_the_next_start(own_server, tmp_path):
    url = await own_server.new_database()
    log = await PostgresLog.open(url, "k", spill_dir=tmp_path)
    own_server.pause()
    await ask(log, 1)
    await log.close()
    assert list(tmp_path.glob("postgres.unwritten-*.jsonl"))
    own_server.resume()
    log = await PostgresLog.open(url, "k", spill_dir=tmp_path)
    assert await questions_in(url) == ["pertanyaan 1"]
    assert not list(tmp_path.glob("postgres.unwritten-*.jsonl"))
    await log.close()


async def test_an_impossible_write_is_dropped_and_the_questions_around_it_are_kept(own_server, tmp_path, caplog):
    url = await own_server.new_database()
    log = await PostgresLog.open(url, "k", spill_dir=tmp_path)
    qid = await ask(log, 1)
    assert await log.write([("INSERT INTO votes (qid, asker, vote, voted_at) VALUES (?, ?, ?, ?)",
                             (qid, "x", 5, "2024-01-01T00:00:00+00:00"))])  # the CHECK refuses vote 5
    await ask(log, 2)
    assert await questions_in(url) == ["pertanyaan 1", "pertanyaan 2"]
    assert "dropped an inconsistent write" in caplog.text and "pertanyaan" not in caplog.text
    await log.close()


async def test_a_secret_mismatch_found_after_an_outage_holds_the_rows_and_writes_none(own_server, tmp_path, caplog):
    url = await own_server.new_database()
    await (await PostgresLog.open(url, "the-right-secret", spill_dir=tmp_path)).close()
    own_server.pause()
    log = await PostgresLog.open(url, "a-wrong-secret", spill_dir=tmp_path / "wrong")  # cannot check yet
    await ask(log, 1)
    own_server.resume()
    assert not await log.flush()
    assert log.failing and log.pending == 1
    assert "BOT_HASH_SECRET differs" in caplog.text
    assert await questions_in(url) == []
    await log.close()


async def test_an_update_accepted_while_postgresql_was_down_is_handed_out_once(own_server, tmp_path):
    from bot.telegram.inbox import Inbox, State
    from bot.telegram.replicas import Replica
    from test_inbox import question

    url = await own_server.new_database()
    log = await PostgresLog.open(url, "k", spill_dir=tmp_path)
    replica = Replica(log, 1.0, name="a")
    inbox = Inbox(log, None, replica=replica)
    await inbox.restore()
    own_server.pause()
    assert not await inbox.accept([question(1)])  # in memory only
    update, ticket = await inbox.take()
    own_server.resume()
    assert await log.flush()  # its row is written now, still pending: it is being handled
    await replica.beat()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(inbox.take(), 1.5)  # not handed out a second time
    await inbox.finish(ticket, State.DONE)
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval("SELECT state FROM inbox WHERE update_id = 1") == "done"
    finally:
        await conn.close()
    await log.close()


async def test_after_an_outage_a_replica_waits_a_whole_timeout_before_taking_over(own_server, tmp_path):
    from bot.telegram.replicas import Replica

    url = await own_server.new_database()
    log = await PostgresLog.open(url, "k", spill_dir=tmp_path)
    await log.write([("INSERT INTO inbox (update_id, received, state, body, claimed_by) VALUES (?, ?, ?, ?, ?)",
                      (5, "2024-01-01T00:00:00+00:00", "pending", "{}", "other"))])
    replica = Replica(log, 1.0, name="a")
    own_server.pause()
    assert not await replica.beat()  # every heartbeat goes stale, ours and the other's
    own_server.resume()
    await log.flush()
    assert await replica.beat()
    assert await replica.claim(10) == []  # "other" may be alive and unable to beat yet
    await asyncio.sleep(1.1)
    await replica.beat()
    assert [row[1] for row in await replica.claim(10)] == [5]
    await log.close()
