"""The weekly digest that curators get on Monday morning."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.core.engine import Engine
from bot.questionlog.review import WIB
from bot.questionlog.storage import QuestionLog

CURATORS = (4242, 4343)
UNANSWERED = "bolehkah saya ikut lomba mancing yang disponsori caleg"


@pytest.fixture
async def log(logdb):
    log = await logdb.open()
    yield log
    await log.close()


async def record(log: QuestionLog, engine: Engine, question: str, user_id: int = 501) -> str:
    res = engine.ask(question)
    return await log.record(chat_kind="private", question=question, normalized=res.normalized,
                            status=res.status.value, entry_id=res.entry_id, score=res.score, user_id=user_id)


async def test_digest_is_scheduled_for_monday_eight_in_the_morning_jakarta_time(make_bot, config, log):
    bot = await make_bot(question_log=log, config=replace(config, curators=frozenset(CURATORS)))
    [job] = bot.app.job_queue.get_jobs_by_name("weekly-digest")
    when = job.next_t.astimezone(WIB)
    assert (when.weekday(), when.hour, when.minute) == (0, 8, 0)  # Monday 08:00 WIB
    assert timedelta(0) < when - datetime.now(timezone.utc) <= timedelta(days=7)


async def test_curators_get_last_weeks_figures_and_largest_unanswered_groups(make_bot, config, log, logdb, engine):
    older = await logdb.open(clock=lambda: datetime.now(timezone.utc) - timedelta(days=9))
    await record(older, engine, "pertanyaan lama tentang lomba mancing")  # before the week: not counted
    await older.close()
    liked = await record(log, engine, "boleh gak saya nge-like postingan caleg?")
    await log.vote(liked, 501, -1)
    for n in range(3):
        await record(log, engine, UNANSWERED + "?" * n, user_id=600 + n)
    bot = await make_bot(question_log=log, config=replace(config, curators=frozenset(CURATORS)))
    since = len(bot.api.calls)
    [job] = bot.app.job_queue.get_jobs_by_name("weekly-digest")
    await job.run(bot.app)
    sent = [c for c in bot.api.calls[since:] if c.method == "sendMessage"]
    assert sorted(c.chat_id for c in sent) == sorted(CURATORS)
    text = sent[0].text
    assert text.startswith("<b>Ringkasan mingguan Tanya Netral</b>")
    assert "Pertanyaan: 4 · terjawab langsung (tanpa sapaan): 25%" in text
    assert "Belum terjawab: 3" in text and "👎 1" in text
    assert f"• {UNANSWERED}?? — 3" in text and "lama" not in text  # the newest of the group stands for it
    assert "python -m bot log report" in text and "/statistik" in text


async def test_a_curator_who_never_started_the_bot_does_not_stop_the_others(make_bot, config, log, engine):
    await record(log, engine, UNANSWERED)
    bot = await make_bot(question_log=log, config=replace(config, curators=frozenset(CURATORS)))
    bot.api.blocked.add(CURATORS[0])
    since = len(bot.api.calls)
    [job] = bot.app.job_queue.get_jobs_by_name("weekly-digest")
    await job.run(bot.app)
    sent = [c for c in bot.api.calls[since:] if c.method == "sendMessage"]
    assert [c.chat_id for c in sent] == [CURATORS[0], CURATORS[1]] and sent[1].result  # tried both; one got it
