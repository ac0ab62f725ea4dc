"""Render an entry as an answer card: Telegram HTML or plain text, within Telegram's limits."""

from __future__ import annotations

from html import escape

from . import messages as msg
from .knowledge import Entry, KnowledgeBase

TELEGRAM_LIMIT = 4096


def badge(entry: Entry) -> str:
    icon, word = msg.BADGES[entry.verdict.value]
    return f"{icon} {word}"


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
        line = f"{src.label} {b.article}" if b.article else src.label
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


def render_html(entry: Entry, kb: KnowledgeBase, *, short: bool = False) -> str:
    """The Telegram card. `short` is the group version: verdict, title and answer only.

    Never over Telegram's 4096 characters: an oversized card has its caveat, sanction and
    then answer shortened (as plain text, before escaping, so no tag or entity is cut).
    """
    fields = {"answer": entry.answer, "caveat": entry.caveat or "", "sanction": entry.sanction or ""}
    html = _html(entry, kb, fields, short)
    for name in ("caveat", "sanction", "answer"):
        if len(html) <= TELEGRAM_LIMIT:
            break
        excess = len(html) - TELEGRAM_LIMIT
        # Escaping can grow text (& -> &amp;), so cut a little more than the excess.
        keep = max(80, len(fields[name]) - excess - excess // 4 - 16)
        fields[name] = _shorten(fields[name], keep)
        html = _html(entry, kb, fields, short)
    return html if len(html) <= TELEGRAM_LIMIT else html[: TELEGRAM_LIMIT - 1] + "…"


def _html(entry: Entry, kb: KnowledgeBase, fields: dict[str, str], short: bool) -> str:
    parts = [f"<b>{escape(badge(entry))}</b> — <b>{escape(entry.title)}</b>", "", escape(fields["answer"])]
    if short:
        return "\n".join(parts)
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
    parts += ["", f"<i>{escape(msg.DISCLAIMER)}</i>"]
    return "\n".join(parts)


def render_text(entry: Entry, kb: KnowledgeBase) -> str:
    """The same card as plain text, for the console chat."""
    parts = [f"{badge(entry)} — {entry.title}", "", entry.answer]
    if entry.caveat:
        parts += ["", f"{msg.LABEL_CAVEAT}: {entry.caveat}"]
    parts += ["", f"{msg.LABEL_BASIS}:"] + [f"  • {line}" for line in basis_lines(entry, kb)]
    if entry.sanction:
        parts += ["", f"{msg.LABEL_SANCTION}: {entry.sanction}"]
    links = source_links(entry, kb)
    if links:
        parts += ["", f"{msg.LABEL_SOURCES}:"] + [f"  • {title}: {url}" for title, url in links[:4]]
    parts += ["", msg.DISCLAIMER]
    return "\n".join(parts)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
