"""Two replicas sharing PostgreSQL: a phrasing a curator teaches on one is used by the other within 5 s.

Each replica is a real Application with its own fake Bot API and its own connection to the
same database, as two processes behind a load balancer would be.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from conftest import TOKEN, BotHarness
from fakebotapi import FakeBotAPI
from bot.core.engine import Engine
from bot.questionlog.postgres import PostgresLog
from bot.telegram.app import build_application
from test_teaching import CURATOR, LEARNABLE, SECOND, STRANGER, TARGET, answered_with, kb, teach  # noqa: F401 (kb: a fixture)

PROPAGATION_LIMIT = 5.0


async def test_a_phrasing_taught_on_one_replica_is_used_by_the_other_within_5_s(kb, config, pg_url, tmp_path):
    apis = [await FakeBotAPI(TOKEN).start() for _ in range(2)]
    logs = [await PostgresLog.open(pg_url, "shared-secret", spill_dir=tmp_path / name) for name in "ab"]
    bots: list[BotHarness] = []
    try:
        for api, log in zip(apis, logs):
            replica_config = replace(config, api_base_url=api.base_url, curators=frozenset({CURATOR, SECOND}),
                                     db_url=pg_url, hash_secret="shared-secret")
            application = build_application(replica_config, Engine(kb), question_log=log)
            bots.append(await BotHarness(application, api, log).start())
        a, b = bots
        assert not answered_with(b, await b.ask(LEARNABLE, user_id=STRANGER + 1), TARGET)
        await teach(a)
        taught = time.monotonic()
        assert answered_with(a, await a.ask(LEARNABLE, user_id=STRANGER + 2), TARGET)  # at once on A
        user = STRANGER + 100
        while not answered_with(b, await b.ask(LEARNABLE, user_id=user), TARGET):
            assert time.monotonic() - taught < PROPAGATION_LIMIT, "replica B did not use the taught phrasing in 5 s"
            user += 1
            await asyncio.sleep(0.2)
        latency = time.monotonic() - taught
        print(f"learned example A -> B in {latency:.1f} s")
        assert latency < PROPAGATION_LIMIT
    finally:
        for bot in bots:
            await bot.stop()
        for api in apis:
            await api.stop()
        errors = [e for bot in bots for e in bot.errors]
        assert not errors, errors
