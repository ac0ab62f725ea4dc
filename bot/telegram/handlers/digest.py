"""The weekly digest: every Monday at 08:00 WIB, curators get last week's figures and largest queue groups."""

from __future__ import annotations

import datetime as dt
import logging
from html import escape

from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.core import messages as msg
from bot.questionlog import review
from bot.questionlog.review import WIB, Stats
from bot.questionlog.storage import LogUnavailable, QuestionLog

logger = logging.getLogger(__name__)

SEND_AT = dt.time(8, 0, tzinfo=WIB)
MONDAY = 1  # python-telegram-bot numbers days from Sunday = 0
PERIOD = dt.timedelta(days=7)
TOP_GROUPS = 5
SAMPLE_CHARS = 120


def digest_text(stats: Stats) -> str:
    """The digest message (HTML): the week's counts, answered rate, votes, largest groups, how to get the report."""
    by_status = stats.by_status
    rate = "–" if stats.answered_rate is None else f"{stats.answered_rate:.0%}"
    parts = [msg.DIGEST.format(
        questions=sum(by_status.values()), rate=rate, suggest=by_status.get("suggest", 0),
        unanswered=by_status.get("unanswered", 0), up=stats.votes_up, down=stats.votes_down)]
    if stats.top_unanswered:
        parts.append(msg.DIGEST_QUEUE + "\n" + "\n".join(
            msg.STATS_ROW.format(label=escape(_clip(g.samples[0])), n=g.count) for g in stats.top_unanswered))
    parts.append(msg.DIGEST_REPORT)
    return "\n\n".join(parts)


async def send_digest(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the digest of the last 7 days to every curator."""
    log: QuestionLog = context.bot_data["log"]
    curators = context.bot_data["config"].curators
    if not curators:
        return
    try:
        # Replicas each run this job: only the first to claim this week's digest sends it.
        week = log.now().astimezone(WIB).strftime("%G-W%V")
        if log.shared and not await log.once(f"weekly-digest:{week}"):
            logger.info("weekly digest %s sent by another replica", week)
            return
        stats = await review.stats(log, PERIOD)
    except LogUnavailable as exc:
        logger.warning("weekly digest not sent: question log unavailable (%s)", exc)
        return
    text = digest_text(stats)
    for curator_id in sorted(curators):
        try:
            await context.bot.send_message(curator_id, text)
        except TelegramError as exc:  # that curator has not started a chat with the bot, or blocked it
            logger.info("weekly digest not delivered to one curator (%s)", exc.__class__.__name__)


def schedule_digest(application: Application) -> None:
    """Every Monday at 08:00 WIB."""
    application.job_queue.run_daily(send_digest, SEND_AT, days=(MONDAY,), name="weekly-digest")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS - 1] + "…"
