"""A failing database never stops the bot answering, and no acknowledged question is lost."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.questionlog import review
from bot.questionlog.storage import QuestionLog

ROOT = Path(__file__).resolve().parent.parent
PROMPT = 1.0  # seconds: a record() slower than this would visibly delay the bot's reply


@pytest.fixture
async def log(tmp_path: Path):
    log = await QuestionLog.open(tmp_path / "log.sqlite3", retry_interval=0.02, max_retry_interval=0.1)
    yield log
    await log.close()


async def timed_record(log: QuestionLog, i: int) -> str:
    started = time.perf_counter()
    qid = await log.record(chat_kind="private", question=f"boleh gak nomor {i}?", normalized=f"boleh nomor {i}",
                           status="unanswered", entry_id=None, score=0.1, user_id=500 + i)
    assert time.perf_counter() - started < PROMPT
    return qid


def stored_qids(path: Path) -> set[str]:
    with sqlite3.connect(path) as con:
        return {qid for (qid,) in con.execute("SELECT qid FROM questions")}


async def wait_until_written(log: QuestionLog, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while log.pending and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert log.pending == 0


def outage_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "bot.storage" and r.levelno == logging.WARNING and "cannot write" in r.getMessage()]


async def test_locked_database_holds_rows_in_memory_and_writes_them_when_released(log, caplog):
    before = await timed_record(log, 0)
    blocker = sqlite3.connect(log.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    held = [await timed_record(log, i) for i in range(1, 4)]
    held += await asyncio.gather(*(timed_record(log, i) for i in range(4, 40)))
    assert log.pending == len(held)
    assert len(outage_warnings(caplog)) == 1
    blocker.execute("COMMIT")
    blocker.close()
    await wait_until_written(log)
    assert stored_qids(log.path) == {before, *held}
    assert any("writable again" in r.getMessage() for r in caplog.records)


# SQLite's own switches for "this connection may not write" and "the disk is full": the
# same errors the log gets from a read-only file or a full volume (a read-only file cannot
# be simulated by chmod here, because the tests may run as root).
@pytest.mark.parametrize("break_it, repair", [
    ("PRAGMA query_only = ON", "PRAGMA query_only = OFF"),
    ("PRAGMA max_page_count = {pages}", "PRAGMA max_page_count = 1000000"),
], ids=["read-only", "disk-full"])
async def test_unwritable_database_keeps_record_prompt_and_catches_up(log, caplog, break_it, repair):
    cursor = await log._db.execute("PRAGMA page_count")
    (pages,) = await cursor.fetchone()
    await log._db.execute(break_it.format(pages=pages))
    qids = [await timed_record(log, i) for i in range(300)]
    assert log.pending > 0
    assert len(outage_warnings(caplog)) == 1
    await asyncio.sleep(0.15)  # several retries fail quietly meanwhile
    assert len(outage_warnings(caplog)) == 1
    await log._db.execute(repair)
    await wait_until_written(log)
    assert stored_qids(log.path) == set(qids)


async def test_votes_and_choices_made_during_an_outage_are_kept_in_order(log):
    blocker = sqlite3.connect(log.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    qid = await timed_record(log, 1)  # asked by user 501
    await log.vote(qid, 501, 1)
    await log.vote(qid, 501, -1)
    await log.chosen(qid, "medsos-like")
    blocker.execute("COMMIT")
    blocker.close()
    await wait_until_written(log)
    [row] = await review.export(log)
    assert (row["votes_up"], row["votes_down"], row["chosen_entry"]) == (0, 1, "medsos-like")


async def test_a_question_logged_while_held_rows_are_being_retried_is_written_with_them(log):
    blocker = sqlite3.connect(log.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    first = await timed_record(log, 1)
    deadline = time.monotonic() + 5
    while not log._lock.locked() and time.monotonic() < deadline:  # a retry is waiting for the database
        await asyncio.sleep(0.001)
    later = await timed_record(log, 2)
    blocker.execute("COMMIT")  # the waiting retry now writes what it had taken: only the first row
    blocker.close()
    await wait_until_written(log)  # no further question arrives to carry the later one along
    assert stored_qids(log.path) == {first, later}


async def test_database_that_cannot_be_opened_at_start_is_created_later(tmp_path):
    path = tmp_path / "log.sqlite3"
    path.mkdir()  # a folder where the database file should be
    log = await QuestionLog.open(path, secret="s", retry_interval=0.02, max_retry_interval=0.05)
    assert not log.connected
    qid = await timed_record(log, 1)
    path.rmdir()
    await wait_until_written(log)
    assert stored_qids(path) == {qid}
    await log.close()


async def test_close_writes_rows_held_during_an_outage(tmp_path):
    log = await QuestionLog.open(tmp_path / "log.sqlite3", retry_interval=60)
    blocker = sqlite3.connect(log.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    qid = await timed_record(log, 1)
    blocker.execute("COMMIT")
    blocker.close()
    await log.close()
    assert stored_qids(log.path) == {qid}


WRITER = """
import asyncio, sys
from pathlib import Path
from bot.questionlog.storage import QuestionLog

async def worker(log, n):
    i = 0
    while True:
        i += 1
        qid = await log.record(chat_kind="group", question=f"pertanyaan {n}-{i}", normalized="x",
                               status="answered", entry_id="medsos-like", score=0.9, user_id=n)
        await log.vote(qid, n, 1)
        print(qid, flush=True)  # "the reply reached Telegram"

async def main():
    log = await QuestionLog.open(Path(sys.argv[1]), secret="s")
    await asyncio.gather(*(worker(log, n) for n in range(8)))

asyncio.run(main())
"""


def test_kill_9_loses_no_question_whose_record_returned(tmp_path):
    path = tmp_path / "log.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    acknowledged = []
    try:
        deadline = time.monotonic() + 20
        while len(acknowledged) < 400 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acknowledged.append(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        rest, err = proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL, err
    acknowledged += rest.splitlines(keepends=True)
    qids = {line.strip() for line in acknowledged if re.fullmatch(r"[0-9a-f]{12}\n", line)}
    assert len(qids) >= 400
    assert qids <= stored_qids(path)
