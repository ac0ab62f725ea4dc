"""The inbox on its own: what it stores, what it refuses, what it resumes."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.telegram.inbox import MAX_ATTEMPTS, Inbox, State
from bot.telegram.replicas import Replica

NAMES = ("Siti", "Rahayu", "siti_guru")


REPLICA_TIMEOUT = 0.5


@pytest.fixture
async def qlog(logdb):
    log = await logdb.open(secret="s")
    yield log
    await log.close()


def inbox_of(log, name: str = "a") -> Inbox:
    """The inbox on the log's back end: with PostgreSQL, one replica's."""
    return Inbox(log, None, replica=Replica(log, REPLICA_TIMEOUT, name=name) if log.shared else None)


def question(update_id: int, text: str = "boleh like postingan caleg?", user_id: int = 501) -> dict:
    person = {"id": user_id, "is_bot": False, "first_name": NAMES[0], "last_name": NAMES[1], "username": NAMES[2]}
    chat = {"id": user_id, "type": "private", "first_name": NAMES[0], "last_name": NAMES[1], "username": NAMES[2]}
    return {"update_id": update_id, "message": {"message_id": 7, "date": 1700000000, "chat": chat, "from": person,
                                                "text": text}}


async def stored(logdb) -> dict[int, tuple]:
    return {r[0]: r[1:] for r in await logdb.rows("SELECT update_id, state, attempts, body FROM inbox")}


async def test_an_accepted_update_is_committed_without_names_and_handed_out_once(qlog, logdb):
    inbox = inbox_of(qlog)
    assert await inbox.accept([question(1), question(1), question(2)])
    assert inbox.counts.accepted == 2 and inbox.counts.duplicates == 1
    rows = await stored(logdb)
    assert [rows[i][0] for i in (1, 2)] == ["pending", "pending"]
    body = rows[1][2]
    assert "boleh like postingan caleg?" in body and not any(name in body for name in NAMES)
    update, ticket = await inbox.take()
    # With replicas the update is handed out from the stored body, whose names are gone.
    first_name = "-" if qlog.shared else NAMES[0]
    assert (update.update_id, update.effective_user.first_name, ticket.update_id) == (1, first_name, 1)
    await inbox.finish(ticket, State.DONE)
    assert (await stored(logdb))[1][:3:2] == ("done", None)  # the body is erased


async def test_a_malformed_update_is_stored_as_skipped_and_never_handed_out(qlog, logdb, caplog):
    inbox = inbox_of(qlog)
    await inbox.accept([{"update_id": 5, "message": {"foo": "bar"}}, "not an update", question(6)])
    assert inbox.counts.malformed == 2
    assert (await stored(logdb))[5] == ("skipped", 0, None)
    update, _ = await inbox.take()
    assert update.update_id == 6 and inbox.waiting == 0
    assert "update 5 skipped: malformed message (missing date)" in caplog.text


async def test_pending_updates_are_resumed_after_a_restart_and_given_up_after_repeated_crashes(logdb):
    log = await logdb.open(secret="s")
    inbox = inbox_of(log, "first")
    await inbox.restore()
    await inbox.accept([question(1), question(2), question(3)])
    _, first = await inbox.take()
    await inbox.started(first)   # being handled when the process dies
    await inbox.finish((await inbox.take())[1], State.DONE)
    await log.close()
    await logdb.rows("UPDATE inbox SET attempts = ? WHERE update_id = 3", (MAX_ATTEMPTS,))
    if log.shared:
        await asyncio.sleep(REPLICA_TIMEOUT + 0.1)  # the first replica died without giving its updates back

    log = await logdb.open(secret="s")
    resumed = inbox_of(log, "second")
    await resumed.restore()
    assert (resumed.counts.resumed, resumed.counts.interrupted, resumed.counts.given_up) == (1, 1, 1)
    update, ticket = await resumed.take()
    assert update.update_id == 1 and ticket.key == first.key  # the same key: the same question row
    assert await resumed.accept([question(1), question(2)]) and resumed.counts.duplicates == 2
    await log.close()
    assert (await stored(logdb))[3][0] == "failed"


async def test_the_stored_body_still_answers_like_the_original(qlog, logdb, engine):
    inbox = inbox_of(qlog)
    raw = question(9, "boleh gak saya nge-like postingan caleg?")
    await inbox.accept([raw])
    body = json.loads((await stored(logdb))[9][2])
    assert body["message"]["text"] == raw["message"]["text"]
    assert body["message"]["from"]["id"] == body["message"]["chat"]["id"] == 501
    assert engine.ask(body["message"]["text"]).entry_id == "medsos-like"
