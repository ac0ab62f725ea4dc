"""Private chat: questions, answer cards, buttons, commands, non-text messages, flood protection."""

from __future__ import annotations

import logging
import re

import pytest

from bot.core import cards
from bot.core import messages as msg
from bot.core.engine import Snapshot
from bot.core.matching import Status
from fakebotapi import TEXT_LIMIT, plain_text

LIKE_QUESTION = "boleh gak saya nge-like postingan caleg?"
KPPS_QUESTION = "boleh jadi anggota KPPS?"
# Broad questions; the matcher offers choices for at least one of them.
VAGUE_QUESTIONS = ("partai", "asn dan partai", "medsos caleg", "pilkada sosmed", "kampanye medsos", "calon")
HOSTILE = "resep nasi goreng <script>alert(1)</script> & sambal"


def first_with_status(engine, status: Status, questions) -> str:
    found = next((q for q in questions if engine.ask(q).status is status), None)
    assert found, f"none of {questions} is {status.value} any more; add one to the list"
    return found


def buttons_data(call) -> list[str]:
    return [b.get("callback_data") or b.get("url") for b in call.buttons]


async def test_question_about_liking_a_post_gets_the_dilarang_card(bot, engine):
    reply = await bot.ask(LIKE_QUESTION)

    entry = engine.entry("medsos-like")
    assert reply.text == cards.render_html(entry, engine.kb)
    assert "DILARANG" in reply.text
    assert reply.params["parse_mode"] == "HTML"
    [record] = bot.log.records
    assert {k: v for k, v in record.items() if k not in ("qid", "score")} == dict(
        chat_kind="private", question=LIKE_QUESTION, normalized=engine.ask(LIKE_QUESTION).normalized,
        status="answered", entry_id="medsos-like", user_id=501)
    data = buttons_data(reply)
    assert data[:2] == [f"fb:u:{record['qid']}:medsos-like", f"fb:d:{record['qid']}:medsos-like"]
    assert data[2:] == [f"e:{r}" for r in entry.related[:3]]


async def test_clear_question_about_kpps_gets_its_card(bot, engine):
    reply = await bot.ask(KPPS_QUESTION)
    assert reply.text == cards.render_html(engine.entry("penyelenggara-adhoc"), engine.kb)


async def test_thumbs_up_is_acknowledged_recorded_and_the_vote_buttons_go(bot, api, engine):
    reply = await bot.ask(LIKE_QUESTION)
    qid = bot.log.records[0]["qid"]

    calls = await bot.send(api.callback(f"fb:u:{qid}:medsos-like", reply.result))

    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [msg.FEEDBACK_THANKS]
    assert bot.log.votes == [(qid, 501, 1)]
    [edit] = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert buttons_data(edit) == [f"e:{r}" for r in engine.entry("medsos-like").related[:3]]


async def test_thumbs_down_promises_a_curator_review(bot, api):
    reply = await bot.ask(LIKE_QUESTION)
    qid = bot.log.records[0]["qid"]

    calls = await bot.send(api.callback(f"fb:d:{qid}:medsos-like", reply.result))

    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [msg.FEEDBACK_DOWN]
    assert bot.log.votes == [(qid, 501, -1)]


async def test_related_entry_button_shows_that_card(bot, api, engine):
    reply = await bot.ask(LIKE_QUESTION)
    related = engine.entry("medsos-like").related[0]

    calls = await bot.send(api.callback(f"e:{related}", reply.result))

    [card] = [c for c in calls if c.method == "sendMessage"]
    assert card.text == cards.render_html(engine.entry(related), engine.kb)
    assert any(c.method == "answerCallbackQuery" for c in calls)


async def test_vague_question_offers_choices_and_a_tap_shows_the_chosen_answer(bot, api, engine):
    question = first_with_status(engine, Status.SUGGEST, VAGUE_QUESTIONS)
    choices = [c.entry_id for c in engine.ask(question).choices]

    reply = await bot.ask(question)

    qid = bot.log.records[0]["qid"]
    assert reply.text.startswith(msg.SUGGEST_INTRO)
    assert 2 <= len(choices) <= 3
    assert buttons_data(reply) == [f"s:{qid}:{c}" for c in choices]
    assert [b["text"] for b in reply.buttons] == [f"{msg.BADGES[engine.entry(c).verdict.value][0]} "
                                                   f"{engine.entry(c).title}" for c in choices]

    chosen = choices[-1]
    calls = await bot.send(api.callback(f"s:{qid}:{chosen}", reply.result))

    [edit] = [c for c in calls if c.method == "editMessageText"]
    assert edit.text == cards.render_html(engine.entry(chosen), engine.kb)
    assert edit.params["message_id"] == reply.result["message_id"]
    assert buttons_data(edit)[:2] == [f"fb:u:{qid}:{chosen}", f"fb:d:{qid}:{chosen}"]
    assert bot.log.choices == [(qid, chosen)]


async def test_tapping_the_same_choice_twice_is_harmless(bot, api, engine):
    question = first_with_status(engine, Status.SUGGEST, VAGUE_QUESTIONS)
    reply = await bot.ask(question)
    data = reply.buttons[0]["callback_data"]

    await bot.send(api.callback(data, reply.result))
    calls = await bot.send(api.callback(data, reply.result))

    assert any(c.method == "answerCallbackQuery" for c in calls)
    assert not [c for c in calls if c.method == "sendMessage"]  # no error message either


async def test_unknown_question_is_acknowledged_and_echoed_escaped(bot, engine):
    assert engine.ask(HOSTILE).status is Status.UNANSWERED

    reply = await bot.ask(HOSTILE)

    assert msg.UNANSWERED in reply.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; sambal" in reply.text
    assert "<script>" not in reply.text
    assert bot.log.records[0]["status"] == "unanswered"
    assert bot.log.records[0]["question"] == HOSTILE


async def test_greeting_gets_the_small_talk_reply(bot):
    reply = await bot.ask("halo")
    assert reply.text == msg.SMALLTALK
    assert not reply.buttons


@pytest.mark.parametrize("thanks", ["makasih min", "terima kasih banyak", "🙏"])
async def test_thanks_get_you_are_welcome_not_the_greeting(bot, thanks):
    reply = await bot.ask(thanks)
    assert reply.text == msg.THANKS_REPLY and not reply.buttons


async def test_start_welcomes_the_user(bot):
    reply = await bot.ask("/start")
    assert reply.text == msg.WELCOME


async def test_detail_link_from_a_group_opens_the_full_card(bot, engine):
    reply = await bot.ask("/start e-medsos-like")
    assert reply.text == cards.render_html(engine.entry("medsos-like"), engine.kb)
    assert buttons_data(reply) == [f"e:{r}" for r in engine.entry("medsos-like").related[:3]]


async def test_detail_link_to_a_removed_entry_says_so(bot):
    reply = await bot.ask("/start e-tidak-ada-lagi")
    assert reply.text == msg.ENTRY_GONE


async def test_help_names_the_bot_and_about_shows_the_disclaimer(bot):
    help_reply = await bot.ask("/bantuan")
    about_reply = await bot.ask("/tentang")
    assert f"@{bot.username}" in help_reply.text
    assert plain_text(about_reply.text).count(msg.DISCLAIMER) == 1


async def test_tanya_without_a_question_explains_the_usage(bot):
    reply = await bot.ask("/tanya")
    assert reply.text == msg.ASK_USAGE
    assert not bot.log.records


async def test_tanya_with_a_question_answers_it(bot, engine):
    reply = await bot.ask(f"/tanya {LIKE_QUESTION}")
    assert reply.text == cards.render_html(engine.entry("medsos-like"), engine.kb)
    assert bot.log.records[0]["question"] == LIKE_QUESTION


async def test_unknown_command_points_to_help(bot):
    reply = await bot.ask("/apaini")
    assert reply.text == msg.UNKNOWN_COMMAND


async def test_topic_menu_leads_to_entries_and_back(bot, api, engine):
    menu = await bot.ask("/topik")
    assert menu.text == msg.TOPICS_INTRO
    areas = [a for a in sorted(engine.kb.areas, key=lambda a: a.order) if a.entries]
    assert buttons_data(menu) == [f"t:{a.id}" for a in areas]

    area = areas[0]
    calls = await bot.send(api.callback(f"t:{area.id}", menu.result))
    [listing] = [c for c in calls if c.method == "editMessageText"]
    assert area.title in listing.text
    assert buttons_data(listing) == [f"e:{e}" for e in area.entries] + ["t:"]

    calls = await bot.send(api.callback(f"e:{area.entries[0]}", menu.result))
    [card] = [c for c in calls if c.method == "sendMessage"]
    assert card.text == cards.render_html(engine.entry(area.entries[0]), engine.kb)

    calls = await bot.send(api.callback("t:", menu.result))
    [back] = [c for c in calls if c.method == "editMessageText"]
    assert back.text == msg.TOPICS_INTRO
    assert buttons_data(back) == [f"t:{a.id}" for a in areas]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document", "location"])
async def test_non_text_message_gets_a_polite_request_for_text(bot, api, kind):
    calls = await bot.send(api.media(kind))
    assert [c.text for c in calls if c.method == "sendMessage"] == [msg.NON_TEXT]
    assert not bot.log.records


async def test_edited_question_is_answered_again(bot, api, engine):
    message = api.message(LIKE_QUESTION, user_id=501, chat=api.private_chat(501))
    first = await bot.send(api.enqueue({"message": message}))

    second = await bot.send(api.edited_text(message, KPPS_QUESTION))

    assert [c.text for c in first + second if c.method == "sendMessage"] == [
        cards.render_html(engine.entry("medsos-like"), engine.kb),
        cards.render_html(engine.entry("penyelenggara-adhoc"), engine.kb)]


async def test_our_own_inline_card_sent_back_to_us_is_not_a_question(bot, api, engine):
    card = plain_text(cards.render_html(engine.entry("medsos-like"), engine.kb))
    update = api.enqueue({"message": api.message(card, user_id=501, chat=api.private_chat(501),
                                                 via_bot=dict(api.me))})
    calls = await bot.send(update)
    assert not [c for c in calls if c.method == "sendMessage"]


async def test_flooding_user_gets_one_slow_down_notice_not_thirty_answers(bot, api, config):
    assert config.flood_per_minute == 20
    updates = [api.private_text(f"{LIKE_QUESTION} ({n})", user_id=777) for n in range(30)]

    calls = await bot.send(*updates)

    texts = [c.text for c in calls if c.method == "sendMessage"]
    assert texts.count(msg.TOO_FAST) == 1
    assert len(texts) == 21
    assert len(bot.log.records) == 20
    other = await bot.ask(LIKE_QUESTION, user_id=778)  # someone else is not slowed down
    assert "DILARANG" in other.text


async def test_every_entry_fits_in_one_telegram_message(bot, api, engine):
    updates = [api.private_text(f"/start e-{e.id}", user_id=9000 + n) for n, e in enumerate(engine.kb.entries)]
    updates += [api.private_text(e.examples[0], user_id=9500 + n) for n, e in enumerate(engine.kb.entries)]

    await bot.send(*updates, timeout=15)

    sent = api.calls_to("sendMessage")
    assert len(sent) == len(updates)
    assert all(len(plain_text(c.text)) <= TEXT_LIMIT for c in sent)
    assert all(not isinstance(c.result, Exception) for c in sent)


async def test_failing_handler_is_logged_with_the_update_id_and_the_user_is_told(bot, api, monkeypatch, caplog):
    def broken(snapshot, question):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(Snapshot, "ask", broken)
    update_id = api.private_text(LIKE_QUESTION)
    with caplog.at_level(logging.ERROR, logger="bot.app"):
        calls = await bot.send(update_id)

    assert [c.text for c in calls if c.method == "sendMessage"] == [msg.ERROR]
    [record] = [r for r in caplog.records if r.name == "bot.app"]
    assert str(update_id) in record.getMessage() and record.exc_info
    assert [type(e) for e in bot.take_errors()] == [RuntimeError]


async def test_one_log_line_per_question_without_user_or_text(bot, caplog):
    with caplog.at_level(logging.INFO, logger="bot.questions"):
        await bot.ask(LIKE_QUESTION, user_id=424242)

    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.questions"]
    assert re.fullmatch(r"question chat=private status=answered entry=medsos-like score=[\d.]+ latency_ms=[\d.]+",
                        line)
    assert "424242" not in line


async def test_without_a_question_log_the_buttons_still_carry_an_id(make_bot):
    bot = await make_bot(question_log=None)
    reply = await bot.ask(LIKE_QUESTION)
    assert re.fullmatch(r"fb:u:[0-9a-f]{12}:medsos-like", reply.buttons[0]["callback_data"])

    calls = await bot.send(bot.api.callback(reply.buttons[0]["callback_data"], reply.result))
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [msg.FEEDBACK_THANKS]


async def test_bot_publishes_its_command_menu_and_closes_the_log(bot, api):
    assert {c["command"]: c["description"] for c in api.commands} == msg.COMMANDS
    await bot.stop()
    assert bot.log.closed


# PTB 22's own RetryAfter constructor reads its deprecated int-valued attribute.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_when_telegram_says_too_many_requests_the_answer_is_retried_not_lost(bot, api):
    api.flood_wait("sendMessage", seconds=1)

    calls = await bot.send(api.private_text(LIKE_QUESTION), timeout=10)

    attempts = [c for c in calls if c.method == "sendMessage"]
    assert len(attempts) == 2
    assert attempts[1].at - attempts[0].at >= 1.0
    assert "DILARANG" in attempts[1].text and not isinstance(attempts[1].result, Exception)


async def test_question_about_the_bot_gets_the_about_card_as_small_talk(bot, engine):
    reply = await bot.ask("jawaban bot ini resmi gak sih?")
    assert reply.text == cards.render_html(engine.entry("tentang-bot"), engine.kb)
    assert [r["status"] for r in bot.log.records] == ["smalltalk"]
