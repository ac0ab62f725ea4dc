"""The running bot logs every question it answers, wherever it was asked, into a real QuestionLog,
and a database that another process holds locked never delays a reply."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from bot.questionlog import review
from bot.core.matching import Status
from bot.questionlog.storage import QuestionLog

PROMPT = 1.0  # seconds from Telegram handing over a question to the reply; a user notices more
# A few phrasings per outcome; the first one the current matcher gives that outcome is used.
CANDIDATES = {
    Status.ANSWERED: ("boleh gak saya nge-like postingan caleg?", "boleh jadi anggota KPPS?"),
    Status.SUGGEST: ("calon", "asn dan partai", "partai", "medsos caleg", "pilkada sosmed"),
    Status.UNANSWERED: ("resep nasi goreng pakai sambal", "pertanyaan aneh tentang mancing"),
    Status.SMALLTALK: ("halo", "terima kasih", "selamat pagi"),
}


@pytest.fixture
async def log(tmp_path):
    log = await QuestionLog.open(tmp_path / "log.sqlite3", retry_interval=0.02, max_retry_interval=0.1)
    yield log
    await log.close()


@pytest.fixture
async def bot(make_bot, log):
    """The whole bot with a real question log in a temporary folder."""
    return await make_bot(question_log=log)


@pytest.fixture
def questions(engine) -> dict[Status, str]:
    found = {status: next((q for q in texts if engine.ask(q).status is status), None)
             for status, texts in CANDIDATES.items()}
    missing = [status.value for status, q in found.items() if q is None]
    assert not missing, f"no candidate question is {missing} any more; add one to CANDIDATES"
    return found


def replies(calls) -> list:
    return [c for c in calls if c.method == "sendMessage"]


async def test_every_outcome_is_logged_from_private_chats_group_mentions_and_inline(bot, log, questions):
    api = bot.api
    for status, question in questions.items():
        assert len(replies(await bot.send(api.private_text(question)))) == 1
        assert len(replies(await bot.send(api.mention("", f" {question}")))) == 1
        # Whatever the query matched, the card the user picked is logged as chosen.
        assert await bot.send(api.chosen_inline_result("medsos-like", question)) == []

    rows = await review.export(log)
    assert sorted((r["chat_kind"], r["status"], r["question"]) for r in rows) == sorted(
        (kind, status.value, question) for status, question in questions.items()
        for kind in ("private", "group", "inline"))
    assert {r["chosen_entry"] for r in rows if r["chat_kind"] == "inline"} == {"medsos-like"}
    assert {r["chosen_entry"] for r in rows if r["chat_kind"] != "inline"} == {None}


async def test_group_chatter_not_addressed_to_the_bot_is_not_logged(bot, log, questions):
    calls = await bot.send(bot.api.group_text(questions[Status.ANSWERED]))
    assert replies(calls) == []
    assert await review.export(log) == []


async def test_replies_stay_prompt_while_the_database_is_locked_and_the_held_rows_are_written(bot, log, questions):
    api = bot.api
    blocker = sqlite3.connect(log.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process (a backup, a curator's sqlite3) holds the database
    try:
        sent = []
        for question in questions.values():
            for ask in (api.private_text, lambda q: api.mention("", f" {q}")):
                update_id = ask(question)
                [reply] = replies(await bot.send(update_id))
                assert reply.at - api.served_at[update_id] < PROMPT
                sent.append(reply)
        card = sent[0]  # the private answer card, with vote buttons naming its question
        vote = next(b["callback_data"] for b in card.buttons if b["callback_data"].startswith("fb:d:"))
        await bot.send(api.callback(vote, card.result))
        # One held write per reply (its row, with what the asker got) and the vote; the row the
        # database refused first was being written when the reply went out, so its outcome is apart.
        assert len(sent) + 1 <= log.pending <= len(sent) + 2
        assert await review.export(log) == []  # nothing reached the database yet
    finally:
        blocker.execute("COMMIT")
        blocker.close()

    await wait_until_written(log)
    rows = await review.export(log)
    assert sorted((r["chat_kind"], r["status"], r["question"]) for r in rows) == sorted(
        (kind, status.value, question) for status, question in questions.items() for kind in ("private", "group"))
    [voted] = [r for r in rows if r["votes_down"]]
    assert vote.split(":")[2] == voted["qid"] and voted["question"] == questions[Status.ANSWERED]


async def wait_until_written(log: QuestionLog, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while log.pending and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert log.pending == 0
