"""What curators see: the review queue's groups, their buttons, statistics. Pure; no Telegram calls."""

from __future__ import annotations

import logging
from collections import Counter
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core import messages as msg
from bot.core.engine import Engine
from bot.questionlog.review import Group, Stats
from bot.telegram.handlers.replies import callback_data

logger = logging.getLogger("bot.telegram.handlers.curator")

# Buttons: c:<action>:<token>[:<argument>], the token naming a group shown by /antrian (ShownGroups).
PREFIX = "c"
SAMPLE_CHARS = 300
BUTTON_TITLE_CHARS = 40
LEARN_CHOICES = 3
TOP_ROWS = 5


def group_text(group: Group, engine: Engine) -> str:
    reasons = [template.format(n=n) for template, n in (
        (msg.QUEUE_REASON_UNANSWERED, group.unanswered), (msg.QUEUE_REASON_UNCHOSEN, group.unchosen),
        (msg.QUEUE_REASON_DOWN, group.downvoted)) if n]
    lines = [msg.QUEUE_GROUP.format(count=group.count, sample=escape(clip(group.samples[0], SAMPLE_CHARS))),
             ", ".join(reasons)]
    if len(group.samples) > 1:
        lines.append(msg.QUEUE_ALSO.format(
            samples=" · ".join(f"<i>{escape(clip(s, SAMPLE_CHARS))}</i>" for s in group.samples[1:])))
    if group.entries:
        lines.append(msg.QUEUE_OFFERED.format(entries=", ".join(escape(_title(e, engine)) for e in group.entries[:3])))
    return "\n".join(lines)


def learn_choices(group: Group, engine: Engine) -> tuple[str, ...]:
    """The entries a curator most likely wants: the matcher's candidates, then what the bot offered."""
    ranked = [c.entry_id for c in engine.ask(group.samples[0]).candidates] + list(group.entries)
    chosen: list[str] = []
    for entry_id in ranked:
        if entry_id not in chosen and engine.entry(entry_id) is not None:
            chosen.append(entry_id)
    return tuple(chosen[:LEARN_CHOICES])


def group_keyboard(token: str, choices: tuple[str, ...], engine: Engine) -> InlineKeyboardMarkup:
    rows = [[_learn_button(token, e, engine, msg.BUTTON_LEARN)] for e in choices]
    rows = [row for row in rows if row[0]]
    rows.append([_button(msg.BUTTON_LEARN_OTHER, "a", token)])
    rows.append([_button(msg.BUTTON_DONE, "d", token), _button(msg.BUTTON_IGNORE, "i", token)])
    return InlineKeyboardMarkup(rows)


def areas_keyboard(token: str, engine: Engine) -> InlineKeyboardMarkup:
    # Buttons name the area by id: positions shift when /muatulang adds or reorders areas.
    rows = [[button] for button in (_button(area.title, "A", token, area.id) for area in engine.kb.areas) if button]
    rows.append([_button(msg.BUTTON_BACK, "b", token)])
    return InlineKeyboardMarkup(rows)


def area_keyboard(token: str, entry_ids: tuple[str, ...], engine: Engine) -> InlineKeyboardMarkup:
    rows = [[button] for button in (_learn_button(token, e, engine, "{title}") for e in entry_ids) if button]
    rows.append([_button(msg.BUTTON_BACK, "a", token)])
    return InlineKeyboardMarkup(rows)


def _learn_button(token: str, entry_id: str, engine: Engine, template: str) -> InlineKeyboardButton | None:
    return _button(template.format(title=clip(_title(entry_id, engine), BUTTON_TITLE_CHARS)), "e", token, entry_id)


def _button(label: str, action: str, token: str, arg: str | None = None) -> InlineKeyboardButton | None:
    """A curator button; None (logged) when an id makes its data too long for Telegram."""
    data = callback_data(PREFIX, action, token, *([arg] if arg is not None else []))
    if data is None:
        logger.warning("curator: id %s is too long for a button", arg)
        return None
    return InlineKeyboardButton(label, callback_data=data)


def stats_text(stats: Stats, engine: Engine) -> str:
    by_status = stats.by_status
    rate = "–" if stats.answered_rate is None else f"{stats.answered_rate:.0%}"
    parts = [msg.STATS.format(today=stats.today, week=stats.week, month=stats.month, rate=rate,
                              suggest=by_status.get("suggest", 0), unanswered=by_status.get("unanswered", 0),
                              smalltalk=by_status.get("smalltalk", 0), up=stats.votes_up, down=stats.votes_down)]
    area_of = {e: area.title for area in engine.kb.areas for e in area.entries}
    areas: Counter[str] = Counter()
    for entry_id, n in stats.top_entries:
        areas[area_of.get(entry_id, entry_id)] += n
    for title, rows in ((msg.STATS_AREAS, areas.most_common(TOP_ROWS)),
                        (msg.STATS_ENTRIES, [(_title(e, engine), n) for e, n in stats.top_entries[:TOP_ROWS]]),
                        (msg.STATS_QUEUE, [(clip(g.samples[0], 80), g.count) for g in stats.top_unanswered])):
        if rows:
            parts.append(title + "\n" + "\n".join(msg.STATS_ROW.format(label=escape(label), n=n) for label, n in rows))
    return "\n\n".join(parts)


def _title(entry_id: str, engine: Engine) -> str:
    entry = engine.entry(entry_id)
    return entry.title if entry else entry_id


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
