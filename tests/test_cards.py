"""The answer card: complete, escaped, and within Telegram's 4096 characters."""

import dataclasses
import re

from bot.core import cards


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_card_shows_verdict_rule_basis_sanction_sources_and_disclaimer(engine):
    html = cards.render_html(engine.entry("medsos-like"), engine.kb)
    for part in ("DILARANG", "Dasar hukum", "Sanksi", "Sumber", "Bukan pendapat hukum resmi", "<a href="):
        assert part in html


def test_an_oversized_entry_keeps_its_answer_and_stays_within_the_limit(engine):
    entry = engine.entry("medsos-like")
    huge = dataclasses.replace(entry, answer="Tidak boleh & " + "jangan pernah " * 500,
                               caveat="Catatan <penting> " * 300, sanction="Sanksi berat. " * 300)
    html = cards.render_html(huge, engine.kb)
    assert len(html) <= cards.TELEGRAM_LIMIT
    text = visible(html)
    assert "Tidak boleh &amp; jangan pernah" in html  # the answer is still there, escaped
    assert "Dasar hukum" in text and "Bukan pendapat hukum resmi" in text
    assert html.count("<b>") == html.count("</b>") and html.count("<i>") == html.count("</i>")
    assert not re.search(r"&[a-z]*$", html.split("\n")[2])  # no entity cut in half


def test_group_card_is_short(engine):
    entry = engine.entry("medsos-like")
    short = cards.render_html(entry, engine.kb, short=True)
    assert entry.answer[:40] in short and "Dasar hukum" not in short
    assert len(short) < len(cards.render_html(entry, engine.kb))


def test_card_shows_when_the_entry_was_last_reviewed(engine):
    entry = engine.entry("medsos-like")
    day, month, year = cards.reviewed_on(entry).split()
    assert visible(cards.render_html(entry, engine.kb)).count(f"Terakhir ditinjau: {day} {month} {year}") == 1
    assert f"Terakhir ditinjau: {day} {month} {year}" in cards.render_text(entry, engine.kb)


def test_a_replaced_law_is_labelled_with_its_successor(engine):
    lines = cards.basis_lines(engine.entry("definisi-netralitas"), engine.kb)
    assert "UU 5/2014 Pasal 2 huruf f (kini diganti UU 20/2023)" in lines


def test_a_contested_card_leads_with_the_safe_course_then_both_readings_with_sources(engine):
    entry = engine.entry("sumbangan-dana-kampanye")
    text = visible(cards.render_html(entry, engine.kb))
    assert text.startswith("⚖️ DIPERDEBATKAN")
    readings = text.split("Pendapat yang berbeda:")[1].split("Dasar hukum")[0]
    assert text.index("Sikap aman:") < text.index("Pendapat yang berbeda:")
    assert readings.count("• ") == 2 and "UU 7/2017" in readings
