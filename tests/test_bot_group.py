"""Groups: silent unless addressed; short cards replying to the asker; one introduction."""

from __future__ import annotations

from bot.core import cards
from bot.core import messages as msg
from bot.core.matching import Status
from test_bot_private import HOSTILE, KPPS_QUESTION, LIKE_QUESTION, VAGUE_QUESTIONS, first_with_status

GROUP = -100501


def sent(calls):
    return [c for c in calls if c.method == "sendMessage"]


def short_card(engine, entry_id: str) -> str:
    return cards.render_html(engine.entry(entry_id), engine.kb, short=True)


async def test_group_chatter_gets_no_reply_and_is_not_logged(bot, api):
    calls = await bot.send(api.group_text(LIKE_QUESTION), api.group_text("halo semua, rapat jam 9"))
    assert calls == []
    assert bot.log.records == []


async def test_mention_is_answered_with_a_short_card_and_a_detail_link(bot, api, engine):
    update = api.mention("", f" {LIKE_QUESTION}")
    asked = api.updates[-1]["message"]

    [reply] = sent(await bot.send(update))

    assert reply.chat_id == GROUP
    assert reply.reply_to == asked["message_id"]
    assert reply.text == short_card(engine, "medsos-like")
    assert reply.buttons == [{"text": msg.BUTTON_DETAIL,
                              "url": f"https://t.me/{bot.username}?start=e-medsos-like"}]
    assert bot.log.records[0]["question"] == LIKE_QUESTION
    assert bot.log.records[0]["chat_kind"] == "group"


async def test_mention_inside_the_sentence_is_stripped_from_the_question(bot, api, engine):
    [reply] = sent(await bot.send(api.mention("pak ", f", {KPPS_QUESTION}")))
    assert reply.text == short_card(engine, "penyelenggara-adhoc")
    assert bot.log.records[0]["question"] == f"pak {KPPS_QUESTION}"


async def test_reply_to_the_bot_is_answered_but_a_reply_to_someone_else_is_not(bot, api, engine):
    [answer] = sent(await bot.send(api.mention("", f" {LIKE_QUESTION}")))
    human = api.message("rapat jam 9 ya", user_id=602, chat=api.group_chat(GROUP))

    ignored = await bot.send(api.reply_to(human, KPPS_QUESTION))
    [reply] = sent(await bot.send(api.reply_to(answer.result, KPPS_QUESTION)))

    assert ignored == []
    assert reply.text == short_card(engine, "penyelenggara-adhoc")


async def test_tanya_with_the_bot_name_works_in_a_group(bot, api, engine):
    update = api.group_text(f"/tanya@{bot.username} {LIKE_QUESTION}")
    asked = api.updates[-1]["message"]

    [reply] = sent(await bot.send(update))

    assert reply.reply_to == asked["message_id"]
    assert reply.text == short_card(engine, "medsos-like")


async def test_tanya_for_another_bot_is_left_to_that_bot(bot, api):
    calls = await bot.send(api.group_text(f"/tanya@BotLainBot {LIKE_QUESTION}"))
    assert calls == []


async def test_bare_mention_explains_how_to_ask(bot, api):
    [reply] = sent(await bot.send(api.mention("", "")))
    assert reply.text == msg.ASK_USAGE
    assert bot.log.records == []


async def test_unknown_question_in_a_group_gets_the_short_apology_without_echo(bot, api):
    [reply] = sent(await bot.send(api.mention("", f" {HOSTILE}")))
    assert reply.text == msg.UNANSWERED_SHORT


async def test_choice_in_a_group_turns_into_the_short_card(bot, api, engine):
    question = first_with_status(engine, Status.SUGGEST, VAGUE_QUESTIONS)
    [choices] = sent(await bot.send(api.mention("", f" {question}")))
    data = choices.buttons[0]["callback_data"]
    entry_id = data.rsplit(":", 1)[1]

    calls = await bot.send(api.callback(data, choices.result, user_id=601))

    [edit] = [c for c in calls if c.method == "editMessageText"]
    assert edit.text == short_card(engine, entry_id)
    assert edit.buttons[0]["url"].endswith(f"?start=e-{entry_id}")


async def test_bot_added_to_a_group_introduces_itself_once(bot, api):
    calls = await bot.send(*api.added_to_group(-100777))

    intro = msg.GROUP_INTRO.format(username=bot.username)
    assert [(c.chat_id, c.text) for c in sent(calls)] == [(-100777, intro)]


async def test_other_bots_mentioning_us_get_no_reply(bot, api):
    message = api.message(f"@{bot.username} {LIKE_QUESTION}", user_id=603, chat=api.group_chat(GROUP),
                          entities=[{"type": "mention", "offset": 0, "length": len(bot.username) + 1}])
    message["from"]["is_bot"] = True
    assert await bot.send(api.enqueue({"message": message})) == []


async def test_anonymous_group_admin_is_answered(bot, api, engine):
    chat = api.group_chat(GROUP)
    message = api.message(f"@{bot.username} {LIKE_QUESTION}", user_id=1087968824, chat=chat, sender_chat=chat,
                          entities=[{"type": "mention", "offset": 0, "length": len(bot.username) + 1}])
    message["from"].update(is_bot=True, first_name="Group", username="GroupAnonymousBot")

    [reply] = sent(await bot.send(api.enqueue({"message": message})))

    assert reply.text == short_card(engine, "medsos-like")
