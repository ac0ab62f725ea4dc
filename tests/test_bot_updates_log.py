"""One INFO line per update of every kind, without user ids, names, chat ids or text."""

from __future__ import annotations

import logging
import re

import pytest

from bot.core.engine import Snapshot
from test_bot_private import LIKE_QUESTION

USER = 77123
GROUP = -100778899
UPDATE_LINE = re.compile(r"update kind=(?P<kind>\S+) chat=(?P<chat>\S+) handler=(?P<handler>\S+) "
                         r"status=(?P<status>\S+) entry=(?P<entry>\S+) latency_ms=\d+\.\d")
QUESTION_LINE = re.compile(r"question chat=\S+ status=\S+ entry=\S+ score=[\d.]+ latency_ms=[\d.]+")


@pytest.fixture
def lines(caplog):
    """The bot's INFO lines (questions and updates), as they would reach the log."""
    caplog.set_level(logging.INFO, logger="bot")

    def collect() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name in ("bot.updates", "bot.questions")]

    return collect


def fields(line: str) -> tuple[str, ...]:
    match = UPDATE_LINE.fullmatch(line)
    assert match, line
    return match.group("kind", "chat", "handler", "status", "entry")


def assert_nothing_personal(lines: list[str], *texts: str) -> None:
    for line in lines:
        for personal in (str(USER), f"User{USER}", str(GROUP), *texts):
            assert personal not in line, line


async def one_line(bot, lines, update_id: int) -> str:
    before = len(lines())
    await bot.send(update_id)
    [line] = lines()[before:]
    return line


async def test_every_kind_of_update_logs_one_line_with_its_outcome(bot, api, lines):
    reply = await bot.ask(LIKE_QUESTION, user_id=USER)
    qid = bot.log.records[0]["qid"]
    sticker_in_group = api.message(None, user_id=USER, chat=api.group_chat(GROUP),
                                   sticker={"file_id": "x", "file_unique_id": "y", "type": "regular",
                                            "width": 512, "height": 512, "is_animated": False, "is_video": False})
    cases = [
        (lambda: api.private_text("/bantuan", user_id=USER), ("command", "private", "help_command", "ok", "-")),
        (lambda: api.private_text("/start e-medsos-like", user_id=USER),
         ("command", "private", "start", "shown", "medsos-like")),
        (lambda: api.private_text("/start e-tidak-ada", user_id=USER), ("command", "private", "start", "gone", "-")),
        (lambda: api.private_text("/tanya", user_id=USER), ("command", "private", "ask_command", "usage", "-")),
        (lambda: api.private_text("/entahlah", user_id=USER), ("command", "private", "unknown_command", "ok", "-")),
        (lambda: api.callback(f"fb:u:{qid}:medsos-like", reply.result, user_id=USER),
         ("callback", "private", "vote", "up", "medsos-like")),
        (lambda: api.callback("e:medsos-like", reply.result, user_id=USER),
         ("callback", "private", "show_entry", "shown", "medsos-like")),
        (lambda: api.callback("t:", reply.result, user_id=USER), ("callback", "private", "topic_menu", "ok", "-")),
        (lambda: api.inline_query("like postingan caleg", user_id=USER),
         ("inline", "-", "inline_query", "answered", "medsos-like")),
        (lambda: api.inline_query("", user_id=USER), ("inline", "-", "inline_query", "empty", "-")),
        (lambda: api.media("voice", user_id=USER), ("media", "private", "non_text", "ok", "-")),
        (lambda: api.group_text("halo semua, nanti rapat jam 9", chat_id=GROUP, user_id=USER),
         ("text", "group", "group_text", "ignored", "-")),
        (lambda: api.enqueue({"message": sticker_in_group}), ("media", "group", "-", "ignored", "-")),
    ]
    # One update at a time: concurrent updates would log in any order.
    for enqueue, expected in cases:
        assert fields(await one_line(bot, lines, enqueue())) == expected

    # Telegram announces the addition twice; whichever is handled first introduces the bot.
    await bot.send(*api.added_to_group(GROUP, by=USER))
    added = sorted(fields(line) for line in lines()[-2:])
    assert [(kind, chat, handler) for kind, chat, handler, _, _ in added] == [
        ("member", "group", "members_joined"), ("member", "group", "membership_changed")]
    assert sorted(status for _, _, _, status, _ in added) == ["ignored", "introduced"]
    assert_nothing_personal(lines(), LIKE_QUESTION, "halo semua", "entahlah", "like postingan caleg")


async def test_a_question_logs_its_question_line_and_no_second_line(bot, api, lines):
    await bot.ask(LIKE_QUESTION, user_id=USER)
    await bot.send(api.mention("pak ", f", {LIKE_QUESTION}", chat_id=GROUP, user_id=USER))
    await bot.send(api.chosen_inline_result("medsos-like", "like postingan caleg", user_id=USER))

    logged = lines()
    assert len(logged) == 3
    assert all(QUESTION_LINE.fullmatch(line) for line in logged), logged
    assert [line.split()[1] for line in logged] == ["chat=private", "chat=group", "chat=inline"]
    assert_nothing_personal(logged, LIKE_QUESTION, "like postingan caleg")


async def test_a_failing_update_logs_status_error(bot, api, lines, monkeypatch):
    def broken(snapshot, question):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(Snapshot, "ask", broken)
    line = await one_line(bot, lines, api.inline_query("like postingan caleg", user_id=USER))
    assert fields(line) == ("inline", "-", "inline_query", "error", "-")
    assert [type(e) for e in bot.take_errors()] == [RuntimeError]
