"""Curators in Telegram: the review queue, learned examples, statistics, export and reload.

The whole bot runs as `python -m bot run` runs it (conftest's make_bot: post_init, polling
the fake Bot API server), with a real QuestionLog in a temporary folder.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
import shutil
import sqlite3
import string
import struct
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from fakebotapi import Call
from bot.core import messages as msg
from bot.config import Config
from bot.core.engine import Engine
from bot.kb.knowledge import load
from bot.questionlog.export import EXPORT_COLUMNS
from bot.questionlog import review
from bot.questionlog.storage import INSERT_QUESTION, QuestionLog

CURATOR = 4242
STRANGER = 501
LEARNABLE = "bolehkah saya ikut lomba mancing yang disponsori caleg"
SECRET_QUESTION = "Rahasia: boleh tanam pohon mangga <b>di</b> kantor & halaman?"
LIKE_QUESTION = "boleh gak saya nge-like postingan caleg?"


@pytest.fixture(scope="module")
def kb():
    return load()


@pytest.fixture
async def log(tmp_path):
    log = await QuestionLog.open(tmp_path / "data" / "log.sqlite3")
    yield log
    await log.close()


@pytest.fixture
def engine(kb):
    return Engine(kb)


@pytest.fixture
def curator_config(config) -> Config:
    return replace(config, curators=frozenset({CURATOR}))


@pytest.fixture
async def bot(make_bot, curator_config, log):
    """The whole bot, started as `python -m bot run` starts it, with a real question log."""
    return await make_bot(question_log=log, config=curator_config)


def live_engine(bot) -> Engine:
    return bot.app.bot_data["engine"]


async def say(bot, text: str, *, user_id: int, group: bool = False) -> list[Call]:
    """Send a message as `user_id`; return the requests the bot made in response."""
    if group:
        return await bot.send(bot.api.group_text(text, chat_id=-100777, user_id=user_id))
    return await bot.send(bot.api.private_text(text, user_id=user_id))


async def tap(bot, data: str, message: dict, *, user_id: int) -> list[Call]:
    """Tap a button with callback `data` under `message`; return the requests the bot made."""
    return await bot.send(bot.api.callback(data, message, user_id=user_id))


def button(call: Call, text_part: str) -> str:
    [data] = [b["callback_data"] for b in call.buttons if text_part in b["text"]]
    return data


async def ask_as_user(log: QuestionLog, engine: Engine, question: str, user_id: int = STRANGER) -> str:
    result = engine.ask(question)
    return await log.record(chat_kind="private", question=question, normalized=result.normalized,
                            status=result.status.value, entry_id=result.entry_id, score=result.score,
                            user_id=user_id)


# ---------------------------------------------------------------- refusals

@pytest.mark.parametrize("group", [False, True], ids=["private", "group"])
async def test_non_curators_get_a_polite_refusal_and_nothing_from_the_log(bot, log, group):
    engine = live_engine(bot)
    await ask_as_user(log, engine, SECRET_QUESTION)
    for command in ("/antrian", "/statistik", "/ekspor", "/ekspor 7d", "/muatulang"):
        calls = await say(bot, command, user_id=STRANGER, group=group)
        assert [(c.method, c.text) for c in calls] == [("sendMessage", msg.CURATOR_ONLY)]
    assert live_engine(bot).kb is engine.kb
    assert not any("mangga" in json.dumps(c.params) for c in bot.api.calls)


async def test_forged_curator_buttons_from_non_curators_change_nothing(bot, log):
    engine = live_engine(bot)
    qid = await ask_as_user(log, engine, LEARNABLE)
    before = engine.ask(LEARNABLE)
    bot.api.private_chat(STRANGER)
    message = bot.api.bot_message(STRANGER, "Halo")
    forged = [f"c:d:{qid}", f"c:i:{qid}", f"c:e:{qid}:kegiatan-keberpihakan", f"c:a:{qid}", f"c:A:{qid}:0",
              f"c:b:{qid}", "c:", "c:zz:zz:zz"]
    for data in forged:
        calls = await tap(bot, data, message, user_id=STRANGER)
        assert [c.method for c in calls] == ["answerCallbackQuery"]
        assert calls[0].params["text"] == msg.CURATOR_ONLY and calls[0].params["show_alert"] is True
    assert [g.qid for g in await review.queue(log)] == [qid]
    assert await log.learned() == []
    assert engine.ask(LEARNABLE) == before


async def test_curator_commands_in_a_group_point_to_the_private_chat(bot, log):
    await ask_as_user(log, live_engine(bot), SECRET_QUESTION)
    calls = await say(bot, "/antrian", user_id=CURATOR, group=True)
    assert [(c.method, c.text) for c in calls] == [("sendMessage", msg.CURATOR_PRIVATE_ONLY)]


async def test_curators_get_their_commands_in_their_own_menu(bot):
    [menu] = [c for c in bot.api.calls_to("setMyCommands") if c.params.get("scope")]
    assert menu.params["scope"] == {"type": "chat", "chat_id": CURATOR}
    assert {c["command"] for c in menu.params["commands"]} >= {"antrian", "statistik", "ekspor", "muatulang", "start"}


# ---------------------------------------------------------------- the review queue

async def test_queue_shows_groups_largest_first_with_escaped_samples_and_buttons(bot, log):
    engine = live_engine(bot)
    for q in (SECRET_QUESTION, SECRET_QUESTION.replace("boleh", "bolehkah"), SECRET_QUESTION.lower()):
        await ask_as_user(log, engine, q)
    await ask_as_user(log, engine, LEARNABLE)
    calls = await say(bot, "/antrian", user_id=CURATOR)
    header, largest, smaller = [c for c in calls if c.method == "sendMessage"]
    assert "4 pertanyaan dalam 2 grup" in header.text
    assert largest.text.startswith("<b>3×</b>") and "&lt;b&gt;di&lt;/b&gt; kantor &amp; halaman" in largest.text
    assert "<b>di</b>" in largest.result["text"]  # shown literally, as the user typed it
    assert smaller.text.startswith("<b>1×</b>")
    labels = [b["text"] for b in largest.buttons]
    assert msg.BUTTON_DONE in labels and msg.BUTTON_IGNORE in labels and msg.BUTTON_LEARN_OTHER in labels
    assert any(label.startswith("➕ Jadikan contoh untuk: ") for label in labels if label != msg.BUTTON_LEARN_OTHER)
    assert all(b["callback_data"].startswith("c:") for c in calls for b in c.buttons)


async def test_empty_queue_says_so(bot):
    calls = await say(bot, "/antrian", user_id=CURATOR)
    assert [c.text for c in calls] == [msg.QUEUE_EMPTY]


async def test_mark_done_and_ignore_take_groups_out_of_the_queue(bot, log):
    engine = live_engine(bot)
    for q in (LEARNABLE, LEARNABLE + "?"):
        await ask_as_user(log, engine, q)
    await ask_as_user(log, engine, SECRET_QUESTION)
    _header, first, second = await say(bot, "/antrian", user_id=CURATOR)
    done = await tap(bot, button(first, msg.BUTTON_DONE), first.result, user_id=CURATOR)
    [edit] = [c for c in done if c.method == "editMessageText"]
    assert msg.RESOLVED_DONE.format(n=2) in edit.text and not edit.buttons
    ignore = await tap(bot, button(second, msg.BUTTON_IGNORE), second.result, user_id=CURATOR)
    assert msg.RESOLVED_IGNORED.format(n=1) in [c for c in ignore if c.method == "editMessageText"][0].text
    assert await review.queue(log) == []
    again = await tap(bot, button(first, msg.BUTTON_DONE), first.result, user_id=CURATOR)
    assert again[0].params["text"] == msg.RESOLVED_ALREADY
    assert [c.text for c in await say(bot, "/antrian", user_id=CURATOR)] == [msg.QUEUE_EMPTY]


async def test_learned_example_changes_the_next_answer_without_restart(bot, log, kb):
    target = kb.entry("kegiatan-keberpihakan")
    first = await bot.ask(LEARNABLE)  # the bot logs the question as it answers it
    assert target.title not in first.text
    assert [g.samples for g in await review.queue(log)] == [(LEARNABLE,)]

    _header, group = await say(bot, "/antrian", user_id=CURATOR)
    areas = await tap(bot, button(group, msg.BUTTON_LEARN_OTHER), group.result, user_id=CURATOR)
    [areas_markup] = [c for c in areas if c.method == "editMessageReplyMarkup"]
    [area] = [a for a in kb.areas if target.id in a.entries]
    entries = await tap(bot, button(areas_markup, area.title), group.result, user_id=CURATOR)
    [entries_markup] = [c for c in entries if c.method == "editMessageReplyMarkup"]
    learned = await tap(bot, button(entries_markup, target.title[:30]), group.result, user_id=CURATOR)
    [confirmation] = [c for c in learned if c.method == "editMessageText"]
    assert target.title in confirmation.text and "(1 pertanyaan ditandai selesai)" in confirmation.text

    # The very next question gets that entry's answer from the running bot ...
    assert target.title in (await bot.ask(LEARNABLE, user_id=STRANGER + 1)).text
    assert await review.queue(log) == []
    # ... and so does a restarted bot, which loads the example from the database.
    assert await log.learned() == [("kegiatan-keberpihakan", LEARNABLE)]


async def test_learned_examples_in_the_database_are_used_from_start_up(make_bot, curator_config, tmp_path, kb):
    path = tmp_path / "restart" / "log.sqlite3"
    earlier = await QuestionLog.open(path)
    await earlier.add_learned("kegiatan-keberpihakan", LEARNABLE)
    await earlier.close()
    bot = await make_bot(question_log=await QuestionLog.open(path), config=curator_config)
    assert kb.entry("kegiatan-keberpihakan").title in (await bot.ask(LEARNABLE)).text


async def test_learning_for_an_unknown_entry_is_refused(bot, log):
    await ask_as_user(log, live_engine(bot), LEARNABLE)
    _header, group = await say(bot, "/antrian", user_id=CURATOR)
    token = button(group, msg.BUTTON_DONE).split(":")[2]
    calls = await tap(bot, f"c:e:{token}:tidak-ada", group.result, user_id=CURATOR)
    assert [c.method for c in calls] == ["answerCallbackQuery"] and calls[0].params["text"] == msg.ENTRY_UNKNOWN
    assert await log.learned() == [] and len(await review.queue(log)) == 1


def learn_button(call: Call) -> str:
    """The first 'make it an example of <entry>' button under a queue group."""
    prefix = msg.BUTTON_LEARN.split("{")[0]
    return next(b["callback_data"] for b in call.buttons if b["text"].startswith(prefix))


@pytest.mark.parametrize("choose", [lambda call: button(call, msg.BUTTON_DONE),
                                    lambda call: button(call, msg.BUTTON_IGNORE), learn_button],
                         ids=["done", "ignore", "learn"])
async def test_buttons_act_on_the_questions_shown_not_on_those_asked_since(bot, log, choose):
    engine = live_engine(bot)
    shown = {await ask_as_user(log, engine, q) for q in (LEARNABLE, LEARNABLE + "?")}
    _header, group = await say(bot, "/antrian", user_id=CURATOR)
    assert group.text.startswith("<b>2×</b>")
    later = await ask_as_user(log, engine, LEARNABLE + "??")  # would join the group if regrouped now
    calls = await tap(bot, choose(group), group.result, user_id=CURATOR)
    [edit] = [c for c in calls if c.method == "editMessageText"]
    assert "(2 pertanyaan" in edit.text
    assert {r["qid"] for r in await review.export(log) if r["review"]} == shown
    assert [g.qids for g in await review.queue(log)] == [(later,)]


async def test_buttons_from_before_a_restart_ask_for_a_fresh_queue(bot, log):
    qid = await ask_as_user(log, live_engine(bot), LEARNABLE)
    _header, group = await say(bot, "/antrian", user_id=CURATOR)
    bot.app.bot_data.pop("shown_groups")  # what a restart forgets
    calls = await tap(bot, button(group, msg.BUTTON_DONE), group.result, user_id=CURATOR)
    assert [(c.method, c.params.get("text")) for c in calls] == [("answerCallbackQuery", msg.CURATOR_BAD_BUTTON)]
    assert [g.qids for g in await review.queue(log)] == [(qid,)]


async def test_curator_buttons_fit_telegrams_limit_and_name_groups_by_a_short_token(bot, log):
    qid = await ask_as_user(log, live_engine(bot), LEARNABLE)
    _header, group = await say(bot, "/antrian", user_id=CURATOR)
    areas = await tap(bot, button(group, msg.BUTTON_LEARN_OTHER), group.result, user_id=CURATOR)
    data = [b["callback_data"] for c in (group, *areas) for b in c.buttons]
    assert data and all(len(d.encode()) <= 64 and qid not in d for d in data)


async def test_area_buttons_still_open_their_area_after_a_reload_adds_one_before_it(make_bot, curator_config,
                                                                                     log, tmp_path):
    root = tmp_path / "knowledge"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", root)
    bot = await make_bot(question_log=log, config=replace(curator_config, knowledge_dir=str(root)))
    bot.app.bot_data["engine"] = engine = Engine.from_path(root)
    await ask_as_user(log, engine, LEARNABLE)
    _header, group = await say(bot, "/antrian", user_id=CURATOR)
    areas = await tap(bot, button(group, msg.BUTTON_LEARN_OTHER), group.result, user_id=CURATOR)
    [areas_markup] = [c for c in areas if c.method == "editMessageReplyMarkup"]
    medsos = button(areas_markup, "Media sosial")

    medsos_file = (root / "entries" / "medsos.yaml").read_text(encoding="utf-8")
    earlier_area = (medsos_file.replace("{id: medsos, title: Media sosial, order: 1}",
                                        "{id: awal, title: Area baru, order: 0}")
                    .replace("id: like-calon", "id: like-calon-2").replace("id: share-calon", "id: share-calon-2")
                    .replace("[share-calon]", "[share-calon-2]").replace("Menyukai", "Memberi tanda suka pada")
                    .replace("Membagikan", "Meneruskan"))
    (root / "entries" / "awal.yaml").write_text(earlier_area, encoding="utf-8")
    [reloaded] = await say(bot, "/muatulang", user_id=CURATOR)
    assert reloaded.text.startswith("✅") and [a.id for a in engine.kb.areas] == ["awal", "medsos"]

    entries = await tap(bot, medsos, group.result, user_id=CURATOR)
    [entries_markup] = [c for c in entries if c.method == "editMessageReplyMarkup"]
    titles = [b["text"] for b in entries_markup.buttons]
    assert "Menyukai unggahan calon" in titles and not any("Memberi tanda suka" in t for t in titles)


async def test_bot_keeps_answering_while_a_large_queue_is_grouped(bot, log, monkeypatch):
    fill_queue(log.path, 3000)  # distinct questions: grouping them takes a second or more of CPU
    loop = asyncio.get_running_loop()
    group_questions = review.cluster

    def someone_asks_meanwhile(texts):
        loop.call_soon_threadsafe(lambda: bot.api.private_text(LIKE_QUESTION, user_id=STRANGER))
        return group_questions(texts)

    monkeypatch.setattr(review, "cluster", someone_asks_meanwhile)
    since = len(bot.api.calls)
    queue_calls = await bot.send(bot.api.private_text("/antrian", user_id=CURATOR), timeout=30)
    header = next(c for c in queue_calls if c.method == "sendMessage" and c.chat_id == CURATOR)
    assert "3000 pertanyaan dalam 3000 grup" in header.text
    [answer] = await bot.api.wait_for("sendMessage", since=since, where=lambda c: c.chat_id == STRANGER)
    assert "DILARANG" in answer.text
    assert bot.api.calls.index(answer) < bot.api.calls.index(header)  # answered while the queue was grouped


def fill_queue(path: Path, n: int) -> None:
    """`n` distinct unanswered questions, written straight into the database."""
    rng = random.Random(7)
    vocabulary = ["".join(rng.choices(string.ascii_lowercase, k=6)) for _ in range(n)]
    rows = [(f"{i:012x}", "2024-01-01T00:00:00+00:00", "private", text, text, "unanswered", None, 0.1, "x")
            for i, text in enumerate(" ".join(rng.sample(vocabulary, 6)) for _ in range(n))]
    with sqlite3.connect(path) as con:
        con.executemany(INSERT_QUESTION, rows)


# ---------------------------------------------------------------- statistics, export, reload

async def test_statistics_for_curators(bot, log):
    engine = live_engine(bot)
    answered = await ask_as_user(log, engine, "boleh gak saya nge-like postingan caleg?")
    await ask_as_user(log, engine, SECRET_QUESTION)
    await log.vote(answered, STRANGER, 1)
    reply, upload = await say(bot, "/statistik", user_id=CURATOR)
    assert "Hari ini: 2 · 7 hari: 2 · 30 hari: 2" in reply.text
    assert "Terjawab langsung (30 hari, tanpa sapaan): 50%" in reply.text
    assert "👍 1 · 👎 0" in reply.text and "Media sosial — 1" in reply.text
    assert "kantor &amp; halaman" in reply.text  # the largest queue group, escaped
    # The same report as `python -m bot log report`, as an HTML document to open in a browser.
    assert upload.method == "sendDocument" and upload.params["document"]["filename"].endswith(".html")
    page = upload.params["document"]["data"].decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count('<svg class="chart') >= 6
    assert "kantor &amp; halaman" in page and "<b>di</b>" not in page


async def test_export_is_a_csv_document_with_bom_that_keeps_awkward_text(bot, log):
    awkward = 'Kalau "caleg", koma, kutip;\nbaris baru & <tag> 🙏🇮🇩'
    for q in (awkward, LEARNABLE, "boleh gak saya nge-like postingan caleg?"):
        await ask_as_user(log, live_engine(bot), q)
    calls = await say(bot, "/ekspor", user_id=CURATOR)
    [upload] = [c for c in calls if c.method == "sendDocument"]
    document = upload.params["document"]
    assert document["filename"].endswith(".csv") and document["data"].startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(document["data"].decode("utf-8-sig"), newline="")))
    assert len(rows) == 3 and rows[0]["question"] == awkward and tuple(rows[0]) == EXPORT_COLUMNS
    assert "3 baris" in upload.params["caption"]
    assert [c.text for c in await say(bot, "/ekspor kemarin", user_id=CURATOR)] == [msg.EXPORT_USAGE]


FORMULAS = ('=HYPERLINK("http://evil.example/?"&A1,"klik")', "+62 812 boleh?", "-1+1 boleh kampanye?",
            "@SUM(1,2)", "\tboleh pakai tab?", "\r=1+1")


async def test_export_never_hands_excel_a_formula(bot, log):
    for q in FORMULAS:
        await ask_as_user(log, live_engine(bot), q)
    [upload] = [c for c in await say(bot, "/ekspor", user_id=CURATOR) if c.method == "sendDocument"]
    rows = list(csv.DictReader(io.StringIO(upload.params["document"]["data"].decode("utf-8-sig"), newline="")))
    assert [r["question"] for r in rows] == ["'" + q for q in FORMULAS]


async def test_reload_keeps_the_old_knowledge_when_the_new_one_is_broken(make_bot, curator_config, log, tmp_path):
    root = tmp_path / "knowledge"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", root)
    bot = await make_bot(question_log=log, config=replace(curator_config, knowledge_dir=str(root)))
    bot.app.bot_data["engine"] = engine = Engine.from_path(root)
    entries = root / "entries" / "medsos.yaml"
    good = entries.read_text(encoding="utf-8")
    entries.write_text(good + "\n  - id: <rusak>\n    title: [\n", encoding="utf-8")
    [reply] = await say(bot, "/muatulang", user_id=CURATOR)
    assert "<b>tidak</b> dimuat ulang" in reply.text and "medsos.yaml" in reply.text
    assert engine.ask("boleh gak saya nge-like postingan caleg?").entry_id == "like-calon"
    entries.write_text(good.replace("Menyukai unggahan calon", "Memberi like pada unggahan calon"), encoding="utf-8")
    [reply] = await say(bot, "/muatulang", user_id=CURATOR)
    assert reply.text.startswith("✅") and "2 entri" in reply.text
    assert engine.entry("like-calon").title == "Memberi like pada unggahan calon"


# ---------------------------------------------------------------- privacy and retention

async def test_database_keeps_no_user_id_name_username_or_group_title(bot, log):
    api = bot.api
    user_id, username, title = 918273645, "siti_asn_kab", "ASN Kecamatan Sukamaju"
    person = {"id": user_id, "is_bot": False, "first_name": "Siti", "last_name": "Rahayu",
              "username": username, "language_code": "id"}
    private = {"id": user_id, "type": "private", "first_name": "Siti", "username": username}
    group = {"id": -1009988776655, "type": "supergroup", "title": title}
    api.chats[user_id], api.chats[group["id"]] = private, group
    for chat, text in ((private, "boleh gak saya nge-like postingan caleg?"),
                       (group, "/tanya boleh jadi KPPS?"), (private, LEARNABLE)):
        message = {"message_id": api.next_message_id(), "from": person, "chat": chat, "date": 0, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
        calls = await bot.send(api.enqueue({"message": message}))
        assert calls
    vote = next(b["callback_data"] for c in api.calls_to("sendMessage") for b in c.buttons
                if b.get("callback_data", "").startswith("fb:d:"))
    await bot.send(api.enqueue({"callback_query": {"id": "cb1", "from": person, "chat_instance": "1",
                                                   "data": vote, "message": api.bot_message(user_id, "kartu")}}))
    rows = await review.export(log)
    assert len(rows) == 3 and rows[0]["votes_down"] == 1

    needles = [str(user_id).encode(), struct.pack(">i", user_id), struct.pack(">q", user_id),
               b"Siti", b"Rahayu", username.encode(), title.encode(), str(group["id"]).encode()]
    for blob in (log.path.read_bytes(), Path(f"{log.path}-wal").read_bytes()):
        assert not [n for n in needles if n in blob]
    with sqlite3.connect(log.path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert not [n for n in needles if n in log.path.read_bytes()]


async def test_retention_job_runs_daily_and_purges_old_questions(bot, log):
    last_year = await QuestionLog.open(log.path, clock=lambda: datetime.now(timezone.utc) - timedelta(days=400))
    await ask_as_user(last_year, live_engine(bot), "pertanyaan tahun lalu")
    await last_year.close()
    recent = await ask_as_user(log, live_engine(bot), "pertanyaan baru")
    [job] = bot.app.job_queue.get_jobs_by_name("log-retention")  # registered at start-up
    assert job.job.trigger.interval == timedelta(days=1)
    await job.callback(None)
    assert [r["qid"] for r in await review.export(log)] == [recent]
