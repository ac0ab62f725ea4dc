"""A question that names the asker's status gets the part of the answer that applies first."""

import re

import pytest

from bot.core import cards
from bot.core.asker import status_of

SPOUSE_PPPK = "sy PPPK, suami nyaleg DPRD, boleh dampingi dia kampanye?"


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize("question,status", [
    ("sy PPPK pgn nyaleg DPRD, kapan hrs resign?", "pppk"),
    ("aku guru P3K, boleh like postingan caleg?", "pppk"),
    ("masih CPNS boleh ikut kampanye?", "cpns"),
    ("calon pns boleh pasang twibbon paslon?", "cpns"),
    ("saya PNS di dinas, boleh jadi KPPS?", "pns"),
    ("aku honorer di sekolah negeri, wajib netral juga?", "honorer"),
    ("suami saya caleg, saya PPPK boleh dampingi?", "pppk"),
    ("saya PNS, istri saya PPPK mau nyaleg", "pns"),
    ("PPPK boleh nyaleg?", "pppk"),
])
def test_the_asker_status_is_read_from_the_question(question, status):
    assert status_of(question) == status


@pytest.mark.parametrize("question", [
    "boleh like postingan caleg?",
    "Apakah PPPK juga wajib netral seperti PNS?",  # about both: nobody's status
    "istri sy PNS, boleh ikut kampanye suaminya?",  # the wife's status, not the asker's
    "temen sy PNS like postingan caleg",
    "sy mau daftar PPK kecamatan",  # PPK is a polling committee, not PPPK
    "ASN boleh jadi timses?",
])
def test_no_status_when_the_question_names_none_of_the_askers(question):
    assert status_of(question) is None


def test_a_pppk_asking_about_a_spouse_gets_the_pppk_part_before_the_general_rule(engine):
    entry = engine.entry("pasangan-keluarga-calon")
    text = visible(cards.render_html(entry, engine.kb, status="pppk"))
    mine = text.index("Untuk Anda (PPPK):")
    assert mine < text.index(entry.answer[:40])
    assert "PPPK tidak punya CLTN" in text[mine:text.index(entry.answer[:40])]
    others = text.split("Menurut status kepegawaian:")[1]
    assert "PNS:" in others and "CPNS:" in others and "PPPK:" not in others


def test_without_a_status_the_card_lists_every_difference(engine):
    entry = engine.entry("pasangan-keluarga-calon")
    text = visible(cards.render_html(entry, engine.kb))
    assert "Untuk Anda" not in text
    block = text.split("Menurut status kepegawaian:")[1]
    assert all(f"{label}:" in block for label in ("PNS", "PPPK", "CPNS"))


def test_a_pppk_on_a_prohibition_card_is_told_that_pns_penalties_are_not_theirs(engine):
    entry = engine.entry("medsos-like")
    text = visible(cards.render_html(entry, engine.kb, status="pppk"))
    note = text.split("Untuk Anda (PPPK):")[1]
    assert "PP 49/2018" in note and "ditulis untuk PNS" in note
    assert text.index(entry.answer[:30]) < text.index("Untuk Anda (PPPK):")
    assert "Untuk Anda" not in visible(cards.render_html(entry, engine.kb, status="pns"))


def test_the_group_card_keeps_the_askers_part(engine):
    short = visible(cards.render_html(engine.entry("pendekatan-parpol"), engine.kb, short=True, status="pppk"))
    assert "Untuk Anda (PPPK):" in short and "Dasar hukum" not in short


async def test_private_chat_puts_the_pppk_part_first(bot, engine):
    reply = await bot.ask(SPOUSE_PPPK)
    entry = engine.entry("pasangan-keluarga-calon")
    assert engine.ask(SPOUSE_PPPK).entry_id == entry.id
    assert reply.text == cards.render_html(entry, engine.kb, status="pppk")
    text = visible(reply.text)
    assert text.index("Untuk Anda (PPPK):") < text.index(entry.answer[:40])


async def test_private_chat_without_a_status_shows_the_plain_card(bot, engine):
    question = "suami saya nyaleg DPRD, boleh saya dampingi kampanye?"
    reply = await bot.ask(question)
    entry = engine.entry(engine.ask(question).entry_id)
    assert reply.text == cards.render_html(entry, engine.kb)
    assert "Untuk Anda" not in reply.text


async def test_group_short_card_carries_the_askers_part(bot, api, engine):
    question = "sy PPPK, boleh dateng ke acara ulang tahun partai?"
    entry = engine.entry(engine.ask(question).entry_id)
    [reply] = [c for c in await bot.send(api.mention("", f" {question}")) if c.method == "sendMessage"]
    assert reply.text == cards.render_html(entry, engine.kb, short=True, status="pppk")
    assert "Untuk Anda (PPPK):" in reply.text
