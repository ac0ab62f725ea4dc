"""The answer card: complete, escaped, and within Telegram's 4096 characters."""

import dataclasses
import re

from bot import cards


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
