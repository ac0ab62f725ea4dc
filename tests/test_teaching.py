"""Safe teaching: learned examples carry their provenance, can be undone and approved by a second
curator, reach a running bot from other processes, and merge into the knowledge files.

The whole bot runs against the fake Bot API with a real QuestionLog (conftest's make_bot).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from fakebotapi import Call
from bot.core import messages as msg
from bot.questionlog import teaching
from bot.core.engine import Engine
from bot.kb.knowledge import load
from bot.questionlog.storage import MIGRATIONS, QuestionLog

CURATOR, SECOND = 4242, 4343
STRANGER = 501
LEARNABLE = "bolehkah saya ikut lomba mancing yang disponsori caleg"
TARGET = "kegiatan-keberpihakan"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kb():
    return load()


@pytest.fixture
def engine(kb):
    """A fresh engine per test: teaching changes it."""
    return Engine(kb)


@pytest.fixture
async def log(logdb):
    log = await logdb.open()
    yield log
    await log.close()


async def start(make_bot, config, log, *, approvals: int = 1, **changes):
    return await make_bot(question_log=log, config=replace(
        config, curators=frozenset({CURATOR, SECOND}), learn_approvals=approvals, **changes))


async def say(bot, text: str, user_id: int) -> list[Call]:
    return await bot.send(bot.api.private_text(text, user_id=user_id))


async def tap(bot, data: str, message: dict, user_id: int) -> list[Call]:
    return await bot.send(bot.api.callback(data, message, user_id=user_id))


def data_of(call: Call, label_start: str) -> str:
    [data] = [b["callback_data"] for b in call.buttons if b["text"].startswith(label_start)]
    return data


async def teach(bot, user_id: int = CURATOR, entry_id: str = TARGET) -> Call:
    """Ask LEARNABLE as a user, then teach it from /antrian as `user_id`; the edited group message."""
    await bot.ask(LEARNABLE, user_id=STRANGER)
    calls = await say(bot, "/antrian", user_id)
    group = next(c for c in calls if c.buttons and any(b["callback_data"].startswith("c:d:") for b in c.buttons))
    token = data_of(group, "✅ Tandai").split(":")[2]
    done = await tap(bot, f"c:e:{token}:{entry_id}", group.result, user_id)
    [edit] = [c for c in done if c.method == "editMessageText"]
    return edit


def answered_with(bot, reply: Call, entry_id: str) -> bool:
    return bot.app.bot_data["engine"].entry(entry_id).title in reply.text


def cli(logdb, *args: str, knowledge: Path | None = None) -> subprocess.CompletedProcess:
    """`kb learned ...` on the test's database (either back end)."""
    extra = ["--knowledge", str(knowledge)] if knowledge else []
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_") or k == "BOT_CACHE_DIR"}
    return subprocess.run([sys.executable, "-m", "bot", *extra, "kb", "learned", *args], capture_output=True,
                          text=True, env={**env, **logdb.settings()}, timeout=120, cwd=REPO)


async def sync_now(bot) -> None:
    """Run the 15-second learned/knowledge sync job once, now."""
    [job] = bot.app.job_queue.get_jobs_by_name("learned-sync")
    await job.run(bot.app)


# ---------------------------------------------------------------- provenance and undo

async def test_a_learned_example_records_who_taught_it_from_which_question_and_queue_shows_it(
        make_bot, config, log):
    bot = await start(make_bot, config, log)
    edit = await teach(bot)
    assert msg.LEARNED_ACTIVE.format(id=1) in edit.text
    assert answered_with(bot, await bot.ask(LEARNABLE, user_id=STRANGER + 1), TARGET)
    [item] = await teaching.listing(log)
    [(asked_qid,)] = await log.read("SELECT qid FROM questions ORDER BY rowid LIMIT 1")
    assert (item.entry_id, item.question, item.qid) == (TARGET, LEARNABLE, asked_qid)
    assert item.curator == log.asker(CURATOR) and str(CURATOR) not in item.curator
    assert item.state is teaching.State.ACTIVE and item.added_at

    for viewer, who in ((CURATOR, "oleh kurator Anda"), (SECOND, f"oleh kurator {item.curator[:8]}")):
        calls = await say(bot, "/antrian", viewer)
        overview = calls[-1]
        assert overview.text.startswith("<b>Contoh yang diajarkan</b>")
        assert f"#1 ✅ berlaku: <i>{LEARNABLE}</i>" in overview.text and who in overview.text
        assert f"dari pertanyaan {asked_qid}" in overview.text
        assert [b["text"] for b in overview.buttons] == ["↩️ Batalkan #1"]


async def test_undo_in_telegram_makes_the_running_bot_forget_at_once(make_bot, config, log):
    bot = await start(make_bot, config, log)
    edit = await teach(bot)
    calls = await tap(bot, data_of(edit, "↩️ Batalkan"), edit.result, SECOND)
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answer.params["text"] == msg.LEARNED_UNDONE.format(id=1)
    [noted] = [c for c in calls if c.method == "editMessageText"]
    assert noted.text.endswith(msg.LEARNED_UNDONE.format(id=1)) and not noted.buttons
    assert not answered_with(bot, await bot.ask(LEARNABLE, user_id=STRANGER + 1), TARGET)
    assert await log.learned() == []
    [item] = await teaching.listing(log)
    assert item.state is teaching.State.UNDONE  # kept as a record
    again = await tap(bot, data_of(edit, "↩️ Batalkan"), edit.result, CURATOR)
    assert again[0].params["text"] == msg.LEARNED_UNDO_ALREADY
    # Taught again later, it is in effect again, with the new curator as its author.
    assert msg.LEARNED_ACTIVE.format(id=1) in (await teach(bot, SECOND)).text
    [item] = await teaching.listing(log)
    assert item.state is teaching.State.ACTIVE and item.curator == log.asker(SECOND)


async def test_strangers_cannot_undo_or_approve(make_bot, config, log):
    bot = await start(make_bot, config, log)
    await teach(bot)
    bot.api.private_chat(STRANGER)
    message = bot.api.bot_message(STRANGER)
    for data in ("l:u:1", "l:a:1"):
        calls = await tap(bot, data, message, STRANGER)
        assert [(c.method, c.params.get("text")) for c in calls] == [("answerCallbackQuery", msg.CURATOR_ONLY)]
    assert await log.learned() == [(TARGET, LEARNABLE)]


# ---------------------------------------------------------------- two-person rule

async def test_with_two_approvals_a_phrasing_counts_only_once_a_second_curator_approves(make_bot, config, log):
    bot = await start(make_bot, config, log, approvals=2)
    since = len(bot.api.calls)
    edit = await teach(bot, CURATOR)
    assert msg.LEARNED_PENDING.format(id=1, n=1, needed=2) in edit.text
    assert not answered_with(bot, await bot.ask(LEARNABLE, user_id=STRANGER + 1), TARGET)
    assert await log.learned() == []
    # The other curator is asked, with the buttons to approve or undo.
    [request] = [c for c in bot.api.calls[since:] if c.method == "sendMessage" and c.chat_id == SECOND]
    assert request.text.startswith(msg.LEARN_APPROVAL_REQUEST) and "menunggu persetujuan (1/2)" in request.text

    own = await tap(bot, data_of(edit, "👍 Setujui"), edit.result, CURATOR)
    assert own[0].params["text"] == msg.LEARNED_APPROVE_ALREADY
    assert not answered_with(bot, await bot.ask(LEARNABLE, user_id=STRANGER + 2), TARGET)

    approved = await tap(bot, data_of(request, "👍 Setujui"), request.result, SECOND)
    assert approved[0].params["text"] == msg.LEARNED_APPROVED_ACTIVE.format(id=1)
    [noted] = [c for c in approved if c.method == "editMessageText"]
    assert [b["text"] for b in noted.buttons] == ["↩️ Batalkan #1"]  # approving is done; undo stays
    assert answered_with(bot, await bot.ask(LEARNABLE, user_id=STRANGER + 3), TARGET)
    [item] = await teaching.listing(log)
    assert item.approvals == 2 and item.state is teaching.State.ACTIVE


# ---------------------------------------------------------------- other processes and the knowledge files

async def test_cli_list_and_undo_reach_the_running_bot_through_the_sync_job(make_bot, config, log, logdb):
    bot = await start(make_bot, config, log)
    [job] = bot.app.job_queue.get_jobs_by_name("learned-sync")
    # Replicas sharing PostgreSQL must see each other's teaching within 5 s.
    every = teaching.SHARED_SYNC_INTERVAL if log.shared else teaching.SYNC_INTERVAL
    assert job.trigger.interval.total_seconds() == every == (2 if log.shared else 15)
    await teach(bot)
    listed = cli(logdb, "--list")
    assert listed.returncode == 0, listed.stderr
    assert f"#1     active   {TARGET}  by {log.asker(CURATOR)[:8]}" in listed.stdout and LEARNABLE in listed.stdout

    undone = cli(logdb, "--undo", "1")
    assert undone.returncode == 0 and "#1 undone" in undone.stdout
    assert answered_with(bot, await bot.ask(LEARNABLE, user_id=STRANGER + 1), TARGET)  # not yet synchronised
    await sync_now(bot)
    assert not answered_with(bot, await bot.ask(LEARNABLE, user_id=STRANGER + 2), TARGET)
    assert cli(logdb, "--undo", "1").returncode == 1


async def test_teaching_by_another_process_reaches_the_running_bot(make_bot, config, log, logdb):
    bot = await start(make_bot, config, log)
    other = await logdb.open()  # a second bot process sharing the database
    await teaching.teach(other, entry_id=TARGET, question=LEARNABLE, curator_id=SECOND, qid=None, needed=1)
    await other.close()
    await sync_now(bot)
    assert answered_with(bot, await bot.ask(LEARNABLE, user_id=STRANGER), TARGET)


COMMENTED = "      # a curator's note between examples stays where it is\n"


@pytest.fixture
def knowledge(tmp_path) -> Path:
    """A copy of the small test knowledge base, with a comment inside an examples list."""
    root = tmp_path / "knowledge"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", root)
    path = root / "entries" / "medsos.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      - kasih love ke video caleg\n", COMMENTED + "      - kasih love ke video caleg\n"),
                    encoding="utf-8")
    return root


async def test_apply_writes_examples_into_the_knowledge_files_and_the_running_bot_keeps_them(
        make_bot, config, log, logdb, knowledge):
    bot = await start(make_bot, config, log, knowledge_dir=str(knowledge))
    engine = bot.app.bot_data["engine"] = Engine(load(knowledge), ranker=False)
    await sync_now(bot)  # the sync job takes the new folder as its starting point
    odd = 'tanda "jempol": di status caleg #1'
    for question in ("boleh ikut lomba mancing caleg", odd):
        await teaching.teach(log, entry_id="like-calon", question=question, curator_id=CURATOR, qid=None, needed=1)
    await teaching.teach(log, entry_id="share-calon", question="sebar pamflet caleg", curator_id=CURATOR,
                         qid=None, needed=2)  # waiting for approval: not written
    await sync_now(bot)
    assert engine.ask("boleh ikut lomba mancing caleg").entry_id == "like-calon"
    before = (knowledge / "entries" / "medsos.yaml").read_text(encoding="utf-8").splitlines()

    applied = cli(logdb, "--apply", knowledge=knowledge)
    assert applied.returncode == 0, applied.stderr + applied.stdout
    assert "2 example(s) written" in applied.stdout
    after = (knowledge / "entries" / "medsos.yaml").read_text(encoding="utf-8").splitlines()
    added = [line for line in after if line not in before]
    assert added == ["      - boleh ikut lomba mancing caleg", '      - "tanda \\"jempol\\": di status caleg #1"']
    assert [line for line in after if line in before] == before  # nothing else moved or changed
    assert after.index(added[0]) == after.index("      - sy like foto caleg, kena?") + 1
    assert COMMENTED.rstrip("\n") in after
    assert odd in load(knowledge).entry("like-calon").examples
    assert [(i.entry_id, i.state.value) for i in await teaching.listing(log)] == [("share-calon", "pending")]

    await sync_now(bot)  # files first, then the learned table: the bot never forgets them
    assert engine.learned == () and odd in engine.kb.entry("like-calon").examples
    assert engine.ask("boleh ikut lomba mancing caleg").entry_id == "like-calon"


# ---------------------------------------------------------------- an older database

async def test_examples_taught_before_provenance_stay_in_effect_after_the_upgrade(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for sql in MIGRATIONS[0]:
            con.execute(sql)
        con.execute("INSERT INTO schema_version VALUES (1)")
        con.execute("INSERT INTO learned (entry_id, question, added_at) VALUES (?, ?, ?)",
                    (TARGET, LEARNABLE, "2025-01-01T00:00:00+00:00"))
    log = await QuestionLog.open(path)
    try:
        assert await log.learned() == [(TARGET, LEARNABLE)]
        [item] = await teaching.listing(log)
        assert item.curator is None and item.state is teaching.State.ACTIVE and teaching.short(None) == "-"
    finally:
        await log.close()
