"""The curators' HTML report, made from a question log that the running bot wrote, in a real browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from browser import load
from bot.core import messages as msg

CURATOR = 4242
ANSWERED = "boleh gak saya nge-like postingan caleg?"
UNKNOWN = "bolehkah ikut lomba mancing yg disponsori caleg"
HOSTILE = "<script>alert(1)</script> boleh <img src=x onerror=alert(2)> jempolin status paslon?"
SECTIONS = ("per-day", "answered-share", "clusters", "votes", "failures", "hours", "unknown-words")


@pytest.fixture
async def db(logdb, make_bot, config) -> dict[str, str]:
    """A question log written by the whole bot as users asked, voted and chatted through Telegram;
    the settings that name it (SQLite, then PostgreSQL)."""
    log = await logdb.open()
    bot = await make_bot(question_log=log, config=replace(config, curators=frozenset({CURATOR})))
    for user in range(10):
        reply = await bot.ask(ANSWERED, user_id=700 + user)
        vote = next(b["callback_data"] for b in reply.buttons if b["callback_data"].startswith("fb:" + "ud"[user % 2]))
        await bot.send(bot.api.callback(vote, reply.result, user_id=700 + user))
    for user in range(4):
        await bot.ask(UNKNOWN + "?" * user, user_id=800 + user)
    await bot.ask(HOSTILE, user_id=900)
    await bot.ask("makasih min 🙏", user_id=901)
    await bot.stop()
    return logdb.settings()


def report(db: dict[str, str], out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **db}
    return subprocess.run([sys.executable, "-m", "bot", "log", "report", "--out", str(out), *extra],
                          capture_output=True, text=True, env=env, timeout=120)


def section(dom: str, anchor: str) -> str:
    return re.search(rf'<section id="{anchor}">(.*?)</section>', dom, re.S).group(1)


async def test_report_renders_in_chromium_with_every_chart_and_no_console_error(db, tmp_path, engine):
    out = tmp_path / "report.html"
    res = report(db, out)
    assert res.returncode == 0, res.stderr
    page = load(out, tmp_path / "chromium")
    assert page.console == ()
    assert "<title>Laporan Tanya Netral</title>" in page.dom
    for anchor in SECTIONS:
        assert anchor in re.findall(r'<section id="([^"]+)">', page.dom)
    assert len(re.findall(r'<svg class="chart', page.dom)) >= 6
    # 16 questions today: the day's bar is drawn in the status colours, with a tooltip.
    answered = sum(engine.ask(q).status.value == "answered" for q in [ANSWERED] * 10 + [HOSTILE])
    per_day = section(page.dom, "per-day")
    assert len(re.findall(r'class="bar"', per_day)) >= 2 and f"terjawab {answered}" in per_day
    assert "<circle" in section(page.dom, "answered-share")
    clusters = section(page.dom, "clusters")
    assert UNKNOWN in clusters and ">4<" in clusters
    assert "Menyukai (like)" in section(page.dom, "votes") and "👍 membantu 5" in section(page.dom, "votes")
    words = section(page.dom, "unknown-words")
    assert ">mancing<" in words and ">lomba<" in words


async def test_report_is_self_contained_and_shows_typed_html_as_text(db, tmp_path):
    out = tmp_path / "report.html"
    assert report(db, out, "--since", "7d").returncode == 0
    html = out.read_text(encoding="utf-8")
    assert not re.search(r'(?:src|href)\s*=\s*["\']?(?:https?:|//)', html)  # nothing to fetch
    assert "<script" not in html.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = load(out, tmp_path / "chromium")
    assert page.console == () and "<script" not in page.dom
    visible = re.sub(r"<[^>]*>", " ", html)
    assert not re.search(r"\b(?:70\d|80\d|90[01])\b", visible)  # the askers' user ids appear nowhere


def test_the_console_check_catches_a_broken_page(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><p>x</p><script>undefinedFunction()</script>", encoding="utf-8")
    assert any("Uncaught ReferenceError" in line for line in load(broken, tmp_path / "chromium").console)


def test_report_of_a_missing_database_is_one_line(tmp_path):
    res = report({"BOT_DB_PATH": str(tmp_path / "nothing.sqlite3")}, tmp_path / "r.html")
    assert res.returncode == 1 and "no database there" in res.stderr and not (tmp_path / "r.html").exists()
