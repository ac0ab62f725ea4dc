"""Two replicas sharing PostgreSQL: a phrasing a curator teaches (or undoes) on one is used (or
forgotten) by the other within 5 s, and a curator's button works whichever replica it reaches.

Each replica is a real Application with its own fake Bot API and its own connection to the
same database, as two processes behind a load balancer would be.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest

from conftest import TOKEN, BotHarness
from fakebotapi import FakeBotAPI
from bot.core.engine import Engine
from bot.questionlog.postgres import PostgresLog
from bot.telegram.app import build_application
from test_teaching import (CURATOR, LEARNABLE, SECOND, STRANGER, TARGET, answered_with, data_of, kb,  # noqa: F401
                           say, tap, teach)

PROPAGATION_LIMIT = 5.0


async def seconds_until(bot: BotHarness, *, used: bool, first_user: int) -> float:
    """Ask the learnable question on `bot` until it is (or is no longer) answered from the taught phrasing."""
    start = time.monotonic()
    user = first_user
    while answered_with(bot, await bot.ask(LEARNABLE, user_id=user), TARGET) != used:
        assert time.monotonic() - start < PROPAGATION_LIMIT, f"replica B still {'without' if used else 'with'} it"
        user += 1
        await asyncio.sleep(0.2)
    return time.monotonic() - start


@pytest.fixture
async def replicas(kb, config, pg_url, tmp_path):
    """Two started bots, each with its own Bot API stand-in and connection to one PostgreSQL database."""
    apis = [await FakeBotAPI(TOKEN).start() for _ in range(2)]
    logs = [await PostgresLog.open(pg_url, "shared-secret", spill_dir=tmp_path / name) for name in "ab"]
    bots: list[BotHarness] = []
    try:
        for api, log in zip(apis, logs):
            replica_config = replace(config, api_base_url=api.base_url, curators=frozenset({CURATOR, SECOND}),
                                     db_url=pg_url, hash_secret="shared-secret")
            application = build_application(replica_config, Engine(kb), question_log=log)
            bots.append(await BotHarness(application, api, log).start())
        yield bots
    finally:
        for bot in bots:
            await bot.stop()
        for api in apis:
            await api.stop()
    errors = [e for bot in bots for e in bot.errors]
    assert not errors, errors


async def test_a_phrasing_taught_or_undone_on_one_replica_reaches_the_other_within_5_s(replicas):
    a, b = replicas
    assert not answered_with(b, await b.ask(LEARNABLE, user_id=STRANGER + 1), TARGET)
    edit = await teach(a)
    assert answered_with(a, await a.ask(LEARNABLE, user_id=STRANGER + 2), TARGET)  # at once on A
    taught = await seconds_until(b, used=True, first_user=STRANGER + 100)
    await tap(a, data_of(edit, "↩️ Batalkan"), edit.result, SECOND)
    assert not answered_with(a, await a.ask(LEARNABLE, user_id=STRANGER + 3), TARGET)
    undone = await seconds_until(b, used=False, first_user=STRANGER + 200)
    print(f"learned example A -> B: taught in {taught:.1f} s, undone in {undone:.1f} s")


async def test_a_queue_button_shown_by_one_replica_works_through_the_other(replicas):
    a, b = replicas
    await a.ask(LEARNABLE, user_id=STRANGER)
    calls = await say(a, "/antrian", CURATOR)  # shown by A ...
    group = next(c for c in calls if c.buttons and any(x["callback_data"].startswith("c:d:") for x in c.buttons))
    token = data_of(group, "✅ Tandai").split(":")[2]
    message = group.result
    b.api.messages[(message["chat"]["id"], message["message_id"])] = dict(message)  # one Telegram behind both
    done = await tap(b, f"c:e:{token}:{TARGET}", message, CURATOR)  # ... tapped through B
    [edit] = [c for c in done if c.method == "editMessageText"]
    assert "Batalkan" in " ".join(x["text"] for x in edit.buttons)
    assert answered_with(b, await b.ask(LEARNABLE, user_id=STRANGER + 1), TARGET)  # at once on B
