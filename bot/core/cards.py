"""Render an entry as an answer card: Telegram HTML or plain text, within Telegram's limits."""

from __future__ import annotations

import datetime as dt
from html import escape

from bot.core import messages as msg
from bot.kb.model import Entry, KnowledgeBase, Source

TELEGRAM_LIMIT = 4096


def badge(entry: Entry) -> str:
    icon, word = msg.BADGES[entry.verdict.value]
    return f"{icon} {word}"


def source_line(src: Source, kb: KnowledgeBase, article: str | None = None) -> str:
    """'PP 11/2017 Pasal 254 (diubah PP 17/2020)': a regulation, its article, and what changed it.

    The registry says what replaced or amended a regulation; the card says it too, so
    nobody takes an old article for the current one.
    """
    line = f"{src.label} {article}" if article else src.label
    if src.replaced_by and (new := kb.sources.get(src.replaced_by)):
        line += msg.REPLACED_BY.format(label=new.label)
    amended = [kb.sources[a].label for a in src.amended_by if a in kb.sources]
    if amended:
        line += msg.AMENDED_BY.format(labels=", ".join(amended))
    return line


def basis_lines(entry: Entry, kb: KnowledgeBase) -> list[str]:
    """'PP 94/2021 Pasal 5 huruf n' per cited regulation, de-duplicated, in order.

    Only regulations are legal basis; the news reports and official statements that
    support an entry are listed under Sumber. An entry resting on statements alone says so.
    """
    out: list[str] = []
    for b in entry.basis:
        src = kb.sources.get(b.source)
        if src is None or src.kind != "regulation":
            continue
        line = source_line(src, kb, b.article)
        if line not in out:
            out.append(line)
    return out or [msg.BASIS_STATEMENTS_ONLY]


def source_links(entry: Entry, kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(title, url) for every cited source that has a URL, de-duplicated."""
    seen: dict[str, str] = {}
    for b in entry.basis:
        src = kb.sources.get(b.source)
        if src and src.url and src.url not in seen:
            seen[src.url] = src.label
    return [(title, url) for url, title in seen.items()]


def status_note(entry: Entry, kb: KnowledgeBase, status: str | None) -> str | None:
    """The knowledge base's general note for the asker's status on a card that states a sanction
    (e.g. that PPPK discipline is not PP 94/2021), unless the entry speaks for that status itself."""
    note = kb.status_notes.get(status) if status else None
    return note.note if note and entry.sanction and not entry.for_status(status) else None


def other_statuses(entry: Entry, status: str | None) -> list[tuple[str, str]]:
    """(label, text) for the entry's status differences not already shown first."""
    return [(msg.STATUS_LABELS[s], text) for s, text in entry.by_status if s != status]


def reading_lines(entry: Entry, kb: KnowledgeBase) -> list[tuple[str, str, str]]:
    """(who, view, sources) for each reading of a contested point."""
    return [(r.by, r.view, ", ".join(kb.sources[s].label for s in r.sources if s in kb.sources))
            for r in entry.readings]


def reviewed_on(entry: Entry) -> str:
    """'1 Desember 2026', or the raw value when it is not a date."""
    try:
        day = dt.date.fromisoformat(entry.reviewed)
    except ValueError:
        return entry.reviewed
    return f"{day.day} {msg.MONTHS[day.month - 1]} {day.year}"


def render_html(entry: Entry, kb: KnowledgeBase, *, short: bool = False, status: str | None = None) -> str:
    """The Telegram card. `short` is the group version: verdict, title and answer only.

    `status` is the asker's employment status (bot.asker): its part comes first.
    Never over Telegram's 4096 characters: an oversized card has its caveat, sanction and
    then answer shortened (as plain text, before escaping, so no tag or entity is cut).
    """
    fields = {"answer": entry.answer, "caveat": entry.caveat or "", "sanction": entry.sanction or ""}
    html = _html(entry, kb, fields, short, status)
    for name in ("caveat", "sanction", "answer"):
        if len(html) <= TELEGRAM_LIMIT:
            break
        excess = len(html) - TELEGRAM_LIMIT
        # Escaping can grow text (& -> &amp;), so cut a little more than the excess.
        keep = max(80, len(fields[name]) - excess - excess // 4 - 16)
        fields[name] = _shorten(fields[name], keep)
        html = _html(entry, kb, fields, short, status)
    return html if len(html) <= TELEGRAM_LIMIT else html[: TELEGRAM_LIMIT - 1] + "…"


def _html(entry: Entry, kb: KnowledgeBase, fields: dict[str, str], short: bool, status: str | None) -> str:
    parts = [f"<b>{escape(badge(entry))}</b> — <b>{escape(entry.title)}</b>"]
    # The entry's own text for the asker's status is the part that applies to them: first.
    mine = entry.for_status(status)
    note = status_note(entry, kb, status)
    label = msg.FOR_YOU.format(status=msg.STATUS_LABELS[status]) if status else ""
    if mine:
        parts += ["", f"👤 <b>{escape(label)}:</b> {escape(mine)}"]
    parts += ["", escape(fields["answer"])]
    if note:
        parts += ["", f"👤 <b>{escape(label)}:</b> {escape(note)}"]
    if short:
        return "\n".join(parts)
    readings = reading_lines(entry, kb)
    if readings:
        parts += ["", f"<b>{msg.LABEL_READINGS}:</b>"]
        parts += [f"• <i>{escape(who)}</i>: {escape(view)}" + (f" ({escape(srcs)})" if srcs else "")
                  for who, view, srcs in readings]
    others = other_statuses(entry, status if mine else None)
    if others:
        parts += ["", f"<b>{msg.LABEL_BY_STATUS}:</b>"]
        parts += [f"• <b>{escape(name)}</b>: {escape(text)}" for name, text in others]
    if fields["caveat"]:
        parts += ["", f"<i>{msg.LABEL_CAVEAT}:</i> {escape(fields['caveat'])}"]
    parts += ["", f"<b>{msg.LABEL_BASIS}:</b>"]
    parts += [f"• {escape(line)}" for line in basis_lines(entry, kb)]
    if fields["sanction"]:
        parts += ["", f"<b>{msg.LABEL_SANCTION}:</b> {escape(fields['sanction'])}"]
    links = source_links(entry, kb)
    if links:
        parts += ["", f"<b>{msg.LABEL_SOURCES}:</b> " + " · ".join(
            f'<a href="{escape(url, quote=True)}">{escape(_shorten(title, 50))}</a>' for title, url in links[:4])]
    parts += ["", f"<i>{escape(msg.REVIEWED.format(date=reviewed_on(entry)))}</i>",
              f"<i>{escape(msg.DISCLAIMER)}</i>"]
    return "\n".join(parts)


def render_text(entry: Entry, kb: KnowledgeBase, *, status: str | None = None) -> str:
    """The same card as plain text, for the console chat."""
    parts = [f"{badge(entry)} — {entry.title}"]
    mine = entry.for_status(status)
    note = status_note(entry, kb, status)
    label = msg.FOR_YOU.format(status=msg.STATUS_LABELS[status]) if status else ""
    if mine:
        parts += ["", f"{label}: {mine}"]
    parts += ["", entry.answer]
    if note:
        parts += ["", f"{label}: {note}"]
    readings = reading_lines(entry, kb)
    if readings:
        parts += ["", f"{msg.LABEL_READINGS}:"]
        parts += [f"  • {who}: {view}" + (f" ({srcs})" if srcs else "") for who, view, srcs in readings]
    others = other_statuses(entry, status if mine else None)
    if others:
        parts += ["", f"{msg.LABEL_BY_STATUS}:"] + [f"  • {name}: {text}" for name, text in others]
    if entry.caveat:
        parts += ["", f"{msg.LABEL_CAVEAT}: {entry.caveat}"]
    parts += ["", f"{msg.LABEL_BASIS}:"] + [f"  • {line}" for line in basis_lines(entry, kb)]
    if entry.sanction:
        parts += ["", f"{msg.LABEL_SANCTION}: {entry.sanction}"]
    links = source_links(entry, kb)
    if links:
        parts += ["", f"{msg.LABEL_SOURCES}:"] + [f"  • {title}: {url}" for title, url in links[:4]]
    parts += ["", msg.REVIEWED.format(date=reviewed_on(entry)), msg.DISCLAIMER]
    return "\n".join(parts)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
