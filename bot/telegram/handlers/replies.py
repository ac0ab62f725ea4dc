"""What the bot sends: texts and inline keyboards for answers, choices and topic menus.

Pure functions of the knowledge base; no Telegram calls. Callback data formats:
  fb:u:<qid>:<entry>  fb:d:<qid>:<entry>   feedback on an answer
  s:<qid>:<entry>                          a suggested entry was chosen
  e:<entry>                                show an entry (related entries, topic menu)
  t:<area> / t:                            topic menu: one area / all areas
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core import cards
from bot.core import messages as msg
from bot.kb.model import Entry, KnowledgeBase

CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback_data
ECHO_LIMIT = 200
MAX_RELATED = 3


@dataclass(frozen=True)
class Reply:
    """A message to send: HTML text and an optional inline keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def callback_data(*parts: str) -> str | None:
    """Join parts with ':'; None when Telegram would refuse it as too long."""
    data = ":".join(parts)
    return data if len(data.encode()) <= CALLBACK_LIMIT else None


def deep_link(username: str, entry_id: str) -> str:
    return f"https://t.me/{username}?start=e-{entry_id}"


def entry_label(entry: Entry) -> str:
    icon, _word = msg.BADGES[entry.verdict.value]
    return f"{icon} {entry.title}"


def entry_button(entry: Entry, data: str | None = None) -> InlineKeyboardButton | None:
    data = data or callback_data("e", entry.id)
    return InlineKeyboardButton(entry_label(entry), callback_data=data) if data else None


def _markup(rows: Iterable[list[InlineKeyboardButton | None]]) -> InlineKeyboardMarkup | None:
    rows = [[b for b in row if b is not None] for row in rows]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def _related_rows(entry: Entry, kb: KnowledgeBase, also: Iterable[Entry] = ()) -> list[list[InlineKeyboardButton | None]]:
    """Buttons for the close alternatives the matcher saw (first), then the entry's related ones."""
    shown: dict[str, Entry] = {}
    for e in [*also, *(kb.entry(r) for r in entry.related)]:
        if e is not None and e.id != entry.id:
            shown.setdefault(e.id, e)
    return [[entry_button(e)] for e in shown.values()][:MAX_RELATED]


def _feedback_row(entry: Entry, qid: str) -> list[InlineKeyboardButton | None]:
    def button(label: str, vote: str) -> InlineKeyboardButton | None:
        data = callback_data("fb", vote, qid, entry.id) or callback_data("fb", vote, qid, "")
        return InlineKeyboardButton(label, callback_data=data) if data else None

    return [button(msg.BUTTON_UP, "u"), button(msg.BUTTON_DOWN, "d")]


def answer_card(entry: Entry, kb: KnowledgeBase, qid: str, also: Iterable[Entry] = (),
                status: str | None = None) -> Reply:
    """The full card for a question: feedback buttons, then close alternatives and related entries.

    `status` is the asker's employment status, whose part of the answer comes first."""
    return Reply(cards.render_html(entry, kb, status=status),
                 _markup([_feedback_row(entry, qid), *_related_rows(entry, kb, also)]))


def feedback_done(entry: Entry, kb: KnowledgeBase) -> InlineKeyboardMarkup | None:
    """The answer's keyboard once the user voted: only the related entries stay."""
    return _markup(_related_rows(entry, kb))


def browse_card(entry: Entry, kb: KnowledgeBase) -> Reply:
    """The full card reached by browsing (no question asked): related entries only."""
    return Reply(cards.render_html(entry, kb), feedback_done(entry, kb))


def group_card(entry: Entry, kb: KnowledgeBase, username: str, status: str | None = None) -> Reply:
    """The short group card with a button that opens the full card in a private chat."""
    button = InlineKeyboardButton(msg.BUTTON_DETAIL, url=deep_link(username, entry.id))
    return Reply(cards.render_html(entry, kb, short=True, status=status), InlineKeyboardMarkup([[button]]))


def suggestions(entries: Iterable[Entry], qid: str) -> Reply:
    """'Did you mean': one button per candidate entry."""
    rows = [[entry_button(e, callback_data("s", qid, e.id) or callback_data("s", "", e.id))] for e in entries]
    return Reply(f"{msg.SUGGEST_INTRO}\n\n{msg.SUGGEST_FOOTER}", _markup(rows))


def unanswered(question: str, *, echo: bool) -> Reply:
    """The polite 'not yet known' reply; in private it repeats (escaped) what was recorded."""
    if not echo:
        return Reply(msg.UNANSWERED_SHORT)
    shown = question if len(question) <= ECHO_LIMIT else question[: ECHO_LIMIT - 1].rstrip() + "…"
    return Reply(msg.UNANSWERED_ECHO.format(question=escape(shown)) + "\n\n" + msg.UNANSWERED)


def areas_menu(kb: KnowledgeBase) -> Reply:
    rows = [[InlineKeyboardButton(a.title, callback_data=data)]
            for a in sorted(kb.areas, key=lambda a: a.order)
            if a.entries and (data := callback_data("t", a.id))]
    return Reply(msg.TOPICS_INTRO, _markup(rows))


def area_menu(kb: KnowledgeBase, area_id: str) -> Reply | None:
    area = next((a for a in kb.areas if a.id == area_id), None)
    if area is None:
        return None
    rows = [[entry_button(e)] for e in (kb.entry(i) for i in area.entries) if e is not None]
    rows.append([InlineKeyboardButton(msg.BUTTON_BACK, callback_data="t:")])
    return Reply(msg.TOPICS_AREA.format(title=escape(area.title)), _markup(rows))
