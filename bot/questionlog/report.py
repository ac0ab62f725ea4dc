"""The curators' report: one self-contained HTML page with charts of the question log.

`python -m bot log report --out report.html` writes it; /statistik attaches it. The page
has no script and loads nothing (a Content-Security-Policy forbids it), so it opens offline
from an e-mail attachment. Only pseudonymous data: questions as typed, never who asked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from bot.questionlog import charts
from bot.core import messages as msg
from bot.core.index import Index
from bot.questionlog.review import WIB, Group, queue
from bot.questionlog.storage import QuestionLog, stamp
from bot.questionlog.vocabulary import UnknownWord, known_words, unknown_words

PERIOD = timedelta(days=30)
STATUSES = ("answered", "suggest", "unanswered", "smalltalk")
# Questions whose answer could not be delivered. The question log has no such status yet
# (issue 12 adds it); until then the report shows 0 and the chart is ready for it.
SEND_FAILED = ("send_failed", "send-failed", "failed")
COLORS = {"answered": "#2e7d32", "suggest": "#f9a825", "unanswered": "#c62828", "smalltalk": "#90a4ae",
          "failed": "#6a1b9a", "up": "#43a047", "down": "#e53935", "share": "#1565c0", "hours": "#00838f"}
TOP_CLUSTERS = 10
TOP_VOTED = 15
TOP_WORDS = 40
WORD_SCAN_LIMIT = 5000  # the newest questions of the period read for unknown words


@dataclass(frozen=True)
class ReportData:
    generated_at: datetime
    period: timedelta
    days: tuple[str, ...]                         # YYYY-MM-DD in WIB, oldest first
    per_day: dict[str, tuple[int, ...]]           # status -> questions per day (STATUSES + failed)
    hours: tuple[int, ...]                        # questions per hour of the day (WIB), 24 values
    votes: tuple[tuple[str, int, int], ...]       # (entry title, 👍, 👎), most 👎 first
    clusters: tuple[Group, ...]                   # the largest groups of queued questions
    unknown: tuple[UnknownWord, ...]

    def total(self, status: str) -> int:
        return sum(self.per_day.get(status, ()))

    @property
    def questions(self) -> int:
        return sum(self.total(s) for s in STATUSES)

    @property
    def answered_share(self) -> tuple[float | None, ...]:
        """Per day: answered outright among real questions (smalltalk excluded)."""
        out = []
        for i in range(len(self.days)):
            asked = sum(self.per_day[s][i] for s in ("answered", "suggest", "unanswered"))
            out.append(self.per_day["answered"][i] / asked if asked else None)
        return tuple(out)


async def gather(log: QuestionLog, index: Index, *, period: timedelta = PERIOD) -> ReportData:
    """Read everything the report shows for the last `period` from the question log."""
    now = log.now()
    start = stamp(now - period)
    first_day = (now - period).astimezone(WIB).date()
    days = []
    day = first_day
    while day <= now.astimezone(WIB).date():
        days.append(day.isoformat())
        day += timedelta(days=1)
    position = {d: i for i, d in enumerate(days)}
    per_day = {s: [0] * len(days) for s in (*STATUSES, "failed")}
    rows = await log.read(
        "SELECT date(asked_at, '+7 hours') AS day, status, COUNT(*) FROM questions WHERE asked_at >= ? "
        "GROUP BY day, status", (start,))
    for day_text, status, n in rows:
        key = "failed" if status in SEND_FAILED else status
        if day_text in position and key in per_day:
            per_day[key][position[day_text]] += n
    hours = [0] * 24
    for hour, n in await log.read(
            "SELECT CAST(strftime('%H', asked_at, '+7 hours') AS INTEGER), COUNT(*) FROM questions "
            "WHERE asked_at >= ? GROUP BY 1", (start,)):
        if hour is not None and 0 <= hour < 24:
            hours[hour] = n
    votes = await log.read(
        "SELECT COALESCE(q.chosen_entry, q.entry_id) AS e, COUNT(*) FILTER (WHERE v.vote > 0), "
        "COUNT(*) FILTER (WHERE v.vote < 0) FROM votes v JOIN questions q ON q.qid = v.qid "
        "WHERE v.voted_at >= ? AND COALESCE(q.chosen_entry, q.entry_id) IS NOT NULL "
        "GROUP BY e ORDER BY 3 DESC, 2 DESC, e LIMIT ?",
        (start, TOP_VOTED))
    titles = {e.id: e.title for e in index.entries}
    questions = [q for (q,) in await log.read(
        "SELECT question FROM questions WHERE asked_at >= ? ORDER BY asked_at DESC, rowid DESC LIMIT ?",
        (start, WORD_SCAN_LIMIT))]
    unknown = await asyncio.to_thread(unknown_words, questions, index, known=known_words(index), limit=TOP_WORDS)
    return ReportData(
        generated_at=now, period=period, days=tuple(days),
        per_day={s: tuple(v) for s, v in per_day.items()}, hours=tuple(hours),
        votes=tuple((titles.get(e, e), up, down) for e, up, down in votes),
        clusters=tuple(await queue(log, since=period, limit=TOP_CLUSTERS)), unknown=tuple(unknown))


async def build(log: QuestionLog, index: Index, *, period: timedelta = PERIOD) -> str:
    """The report page for the last `period`."""
    return render(await gather(log, index, period=period))


# ---------------------------------------------------------------- rendering

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:960px;padding:16px;
color:#212121;line-height:1.4}
h1{font-size:1.5em;margin-bottom:0}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #e0e0e0}
.meta{color:#616161}.figures{display:flex;flex-wrap:wrap;gap:8px;margin:16px 0}
.figure{border:1px solid #e0e0e0;border-radius:6px;padding:8px 12px;min-width:110px}
.figure b{display:block;font-size:1.4em}svg.chart{width:100%;height:auto;display:block}
table{border-collapse:collapse;width:100%;font-size:.92em}td,th{border-bottom:1px solid #eee;padding:4px 6px;
text-align:left;vertical-align:top}td.n,th.n{text-align:right}.empty{color:#757575;font-style:italic}
"""


def render(data: ReportData) -> str:
    """The whole page as HTML text."""
    days = [d[5:] for d in data.days]  # MM-DD under the bars
    asked = data.questions - data.total("smalltalk")
    share = f"{data.total('answered') / asked:.0%}" if asked else "–"
    up = sum(u for _, u, _ in data.votes)
    down = sum(d for _, _, d in data.votes)
    figures = [(msg.REPORT_FIG_QUESTIONS, data.questions), (msg.REPORT_FIG_ANSWERED, share),
               (msg.REPORT_FIG_SUGGEST, data.total("suggest")), (msg.REPORT_FIG_UNANSWERED, data.total("unanswered")),
               (msg.REPORT_FIG_SMALLTALK, data.total("smalltalk")), (msg.REPORT_FIG_UP, up), (msg.REPORT_FIG_DOWN, down),
               (msg.REPORT_FIG_FAILED, data.total("failed"))]
    series = [(msg.REPORT_STATUS[s], data.per_day[s], COLORS[s]) for s in STATUSES]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="id"><head><meta charset="utf-8">',
        # Nothing may load: no script, no remote image, font or style. The page is all there is.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(msg.REPORT_TITLE)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(msg.REPORT_TITLE)}</h1>",
        f'<p class="meta">{escape(msg.REPORT_META.format(days=data.period.days or 1, first=data.days[0], last=data.days[-1], generated=data.generated_at.astimezone(WIB).strftime("%Y-%m-%d %H:%M")))}</p>',
        '<div class="figures">' + "".join(
            f'<div class="figure"><b>{escape(str(value))}</b>{escape(label)}</div>' for label, value in figures)
        + "</div>",
        _section("per-day", msg.REPORT_PER_DAY, charts.stacked_bars(days, series, title=msg.REPORT_PER_DAY)),
        _section("answered-share", msg.REPORT_SHARE,
                 charts.line_chart(days, data.answered_share, title=msg.REPORT_SHARE, color=COLORS["share"])),
        _section("clusters", msg.REPORT_CLUSTERS, _clusters(data.clusters)),
        _section("votes", msg.REPORT_VOTES, charts.horizontal_bars(
            [(title, (u, d)) for title, u, d in data.votes],
            [(msg.REPORT_FIG_UP, COLORS["up"]), (msg.REPORT_FIG_DOWN, COLORS["down"])],
            title=msg.REPORT_VOTES) if data.votes else _empty()),
        _section("failures", msg.REPORT_FAILED, charts.stacked_bars(
            days, [(msg.REPORT_FIG_FAILED, data.per_day["failed"], COLORS["failed"])], title=msg.REPORT_FAILED)),
        _section("hours", msg.REPORT_HOURS, charts.stacked_bars(
            [f"{h:02d}" for h in range(24)], [(msg.REPORT_FIG_QUESTIONS, data.hours, COLORS["hours"])],
            title=msg.REPORT_HOURS)),
        _section("unknown-words", msg.REPORT_WORDS, _words(data.unknown)),
        f'<p class="meta">{escape(msg.REPORT_FOOTER)}</p>',
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{body}</section>'


def _empty() -> str:
    return f'<p class="empty">{escape(msg.REPORT_EMPTY)}</p>'


def _clusters(groups: tuple[Group, ...]) -> str:
    if not groups:
        return _empty()
    chart = charts.horizontal_bars([(g.samples[0], (g.count,)) for g in groups],
                                   [(msg.REPORT_FIG_QUESTIONS, COLORS["unanswered"])], title=msg.REPORT_CLUSTERS)
    rows = "".join(
        f'<tr><td class="n">{g.count}</td><td>{"<br>".join(escape(s) for s in g.samples)}</td>'
        f'<td class="n">{g.unanswered}</td><td class="n">{g.unchosen}</td><td class="n">{g.downvoted}</td></tr>'
        for g in groups)
    head = "".join(f'<th class="n">{escape(h)}</th>' if i != 1 else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(msg.REPORT_CLUSTER_COLUMNS))
    return f"{chart}<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _words(words: tuple[UnknownWord, ...]) -> str:
    if not words:
        return _empty()
    rows = "".join(f'<tr><td>{escape(w.word)}</td><td class="n">{w.count}</td><td>{escape(w.example)}</td></tr>'
                   for w in words)
    head = "".join(f'<th class="n">{escape(h)}</th>' if i == 1 else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(msg.REPORT_WORD_COLUMNS))
    return (f'<p class="meta">{escape(msg.REPORT_WORDS_HINT)}</p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")

