"""Inline mode: '@bot question' offers cards; the chosen one is logged."""

from __future__ import annotations

from bot.core import cards
from bot.core import messages as msg
from bot.core.matching import Status
from test_bot_private import HOSTILE, VAGUE_QUESTIONS, first_with_status


async def inline_answer(bot, api, query: str) -> dict:
    calls = await bot.send(api.inline_query(query))
    [answer] = [c for c in calls if c.method == "answerInlineQuery"]
    return answer.params


async def test_inline_question_offers_the_answer_card_first(bot, api, engine):
    params = await inline_answer(bot, api, "like postingan caleg")

    results = params["results"]
    assert 1 <= len(results) <= 5
    first = results[0]
    entry = engine.entry("medsos-like")
    assert first["id"] == "medsos-like"
    assert first["title"] == f"❌ DILARANG {entry.title}"
    assert first["description"] and entry.answer.startswith(first["description"].rstrip("…"))
    assert first["input_message_content"] == {"message_text": cards.render_html(entry, engine.kb),
                                              "parse_mode": "HTML"}
    assert len({r["id"] for r in results}) == len(results)


async def test_vague_inline_question_offers_each_choice(bot, api, engine):
    question = first_with_status(engine, Status.SUGGEST, VAGUE_QUESTIONS)
    params = await inline_answer(bot, api, question)
    assert [r["id"] for r in params["results"]][:2] == [c.entry_id for c in engine.ask(question).choices][:2]


async def test_empty_inline_query_shows_a_hint_instead_of_results(bot, api):
    params = await inline_answer(bot, api, "")
    assert params["results"] == []
    assert params["button"] == {"text": msg.INLINE_EMPTY, "start_parameter": "inline"}


async def test_unknown_inline_question_offers_a_private_chat(bot, api):
    params = await inline_answer(bot, api, HOSTILE)
    assert params["results"] == []
    assert params["button"]["text"] == msg.INLINE_UNANSWERED
    assert "<script>" not in str(params)


async def test_inline_queries_are_not_logged_but_the_chosen_card_is(bot, api, engine):
    await inline_answer(bot, api, "like postingan caleg")
    assert bot.log.records == []

    await bot.send(api.chosen_inline_result("medsos-like", "like postingan caleg", user_id=888))

    [record] = bot.log.records
    assert (record["chat_kind"], record["question"], record["user_id"]) == ("inline", "like postingan caleg", 888)
    assert record["status"] == engine.ask("like postingan caleg").status.value
    assert bot.log.choices == [(record["qid"], "medsos-like")]
