"""The question log: what is stored, what is not, and what curators get out of it."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.core.matching import Status
from bot.questionlog import review
from bot.questionlog.review import Review
from bot.questionlog.storage import MIGRATIONS, QUESTION_LIMIT, QuestionLog


class Clock:
    """A settable UTC clock, so tests can ask questions 'yesterday' or '40 days ago'."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2024, 11, 20, 5, 0, tzinfo=timezone.utc))  # 12:00 in Jakarta


@pytest.fixture
async def log(logdb, clock: Clock):
    log = await logdb.open(clock=clock)
    yield log
    await log.close()


async def ask(log: QuestionLog, question: str, *, status: str = "unanswered", entry_id: str | None = None,
              user_id: int = 501, chat_kind: str = "private", normalized: str | None = None) -> str:
    return await log.record(chat_kind=chat_kind, question=question,
                            normalized=question.lower() if normalized is None else normalized,
                            status=status, entry_id=entry_id, score=0.42, user_id=user_id)


async def committed_rows(logdb) -> dict[str, tuple]:
    """What another process reading the database sees right now."""
    return {r[0]: r[1:] for r in await logdb.rows(
        "SELECT qid, chat_kind, question, normalized, status, entry_id, score FROM questions")}


async def test_every_status_and_chat_kind_is_logged_and_committed_on_return(log, logdb):
    written = {}
    for status in Status:
        for kind in ("private", "group", "inline"):
            entry = "medsos-like" if status in (Status.ANSWERED, Status.SUGGEST) else None
            qid = await ask(log, f"{status.value} dari {kind}", status=status, entry_id=entry, chat_kind=kind)
            written[qid] = (kind, f"{status.value} dari {kind}", f"{status.value} dari {kind}",
                            status.value, entry, 0.42)
            assert len(qid) == 12 and int(qid, 16) >= 0
    assert await committed_rows(logdb) == written


async def test_long_questions_are_capped(log, logdb):
    qid = await ask(log, "boleh " * 400)
    rows = await committed_rows(logdb)
    assert len(rows[qid][1]) == QUESTION_LIMIT


async def test_database_holds_no_raw_user_id(log, logdb):
    user_id = 918273645
    qid = await ask(log, "boleh gak like postingan caleg?", status="answered", entry_id="medsos-like",
                    user_id=user_id)
    await log.vote(qid, user_id, -1)
    await log.chosen(qid, "medsos-like")
    assert log.asker(user_id) != log.asker(user_id + 1)
    if logdb.backend == "postgresql":
        for table in ("questions", "votes"):
            assert str(user_id) not in repr(await logdb.rows(f"SELECT * FROM {table}"))
        return
    needles = [str(user_id).encode(), struct.pack(">i", user_id), struct.pack(">q", user_id),
               struct.pack("<i", user_id)]
    wal = Path(f"{log.path}-wal")
    assert wal.exists()
    for blob in (log.path.read_bytes(), wal.read_bytes()):
        assert not any(needle in blob for needle in needles)
    with sqlite3.connect(log.path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert not any(needle in log.path.read_bytes() for needle in needles)


async def test_hash_secret_is_private_to_the_owner_and_reused_after_restart(tmp_path):
    path = tmp_path / "data" / "log.sqlite3"
    first = await QuestionLog.open(path)
    await first.close()
    secret_file = tmp_path / "data" / "hash-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    second = await QuestionLog.open(path)
    other = await QuestionLog.open(tmp_path / "other" / "log.sqlite3")
    assert second.asker(501) == first.asker(501) != other.asker(501)
    explicit = await QuestionLog.open(tmp_path / "x" / "log.sqlite3", secret="from-the-environment")
    assert not (tmp_path / "x" / "hash-secret").exists()
    for log in (second, other, explicit):
        await log.close()


async def test_schema_version_is_recorded_and_reopening_keeps_the_rows(logdb, clock):
    log = await logdb.open(clock=clock)
    qid = await ask(log, "boleh jadi KPPS?")
    await log.close()
    log = await logdb.open(clock=clock)
    assert [g.qid for g in await review.queue(log)] == [qid]
    await log.close()
    versions = await logdb.rows("SELECT version FROM schema_version ORDER BY version")
    assert versions == [(v,) for v in range(1, len(logdb.migrations) + 1)]
    if logdb.backend == "sqlite":
        assert len(logdb.migrations) == len(MIGRATIONS)
        assert await logdb.rows("PRAGMA journal_mode") == [("wal",)]


async def test_a_changed_vote_replaces_the_old_one(log):
    qid = await ask(log, "boleh like postingan caleg?", status="answered", entry_id="medsos-like")
    other = await ask(log, "boleh share postingan caleg?", status="answered", entry_id="medsos-share", user_id=502)
    assert await log.vote(qid, 501, 1)
    assert await log.vote(qid, 501, -1)
    assert await log.vote(other, 502, 1)
    assert await log.vote(other, 502, 1)
    assert not await log.vote("ffffffffffff", 501, -1)  # unknown (forged or purged) qid: ignored
    rows = {row["qid"]: (row["votes_up"], row["votes_down"]) for row in await review.export(log)}
    assert rows == {qid: (0, 1), other: (1, 0)}
    assert (await review.stats(log)).votes_down == 1


async def test_only_the_asker_may_vote_on_an_answer(log):
    qid = await ask(log, "boleh like postingan caleg?", status="answered", entry_id="medsos-like", user_id=501)
    assert not await log.vote(qid, 502, -1)
    [row] = await review.export(log)
    assert (row["votes_up"], row["votes_down"]) == (0, 0)
    assert await review.queue(log) == []


async def test_review_queue_holds_unanswered_unchosen_and_downvoted_questions(log):
    unanswered = await ask(log, "boleh menanam pohon di kantor kecamatan?")
    await ask(log, "boleh like postingan caleg?", status="answered", entry_id="medsos-like")
    liked = await ask(log, "boleh share postingan caleg?", status="answered", entry_id="medsos-share")
    disliked = await ask(log, "boleh komentar di postingan caleg?", status="answered", entry_id="medsos-komentar")
    unchosen = await ask(log, "kalau foto bareng gimana", status="suggest", entry_id="medsos-foto-bersama")
    chosen = await ask(log, "kalau pasang twibbon gimana", status="suggest", entry_id="medsos-foto-profil-twibbon")
    await ask(log, "halo", status="smalltalk")
    await log.vote(liked, 501, 1)
    await log.vote(disliked, 501, -1)
    await log.chosen(chosen, "medsos-foto-profil-twibbon")
    queued = {qid for g in await review.queue(log) for qid in g.qids}
    assert queued == {unanswered, disliked, unchosen}


async def test_similar_questions_form_one_group_most_frequent_first(log):
    for q in ("boleh pasang twibbon caleg?", "Boleh pasang twibbon caleg", "boleh gak pasang twibbon caleg",
              "bolehkah pasang twibbon caleg?"):
        await ask(log, q, normalized=q.lower().replace("?", "").replace("gak ", "").replace("bolehkah", "boleh"))
    for q in ("gimana kalau jadi saksi TPS", "kalau jadi saksi TPS gimana"):
        await ask(log, q)
    await ask(log, "apakah pensiunan boleh kampanye")
    groups = await review.queue(log)
    assert [g.count for g in groups] == [4, 2, 1]
    assert len(groups[0].samples) == 3 and groups[0].qid == groups[0].qids[0]
    assert groups[0].samples[0] == "bolehkah pasang twibbon caleg?"  # the newest first
    assert groups[0].unanswered == 4


async def test_marking_a_group_done_or_ignored_takes_it_out_for_good(log):
    first = await ask(log, "boleh jadi saksi partai di TPS?", status="answered", entry_id="saksi")
    await ask(log, "boleh jadi saksi partai di TPS", status="answered", entry_id="saksi")
    await log.vote(first, 501, -1)
    other = await ask(log, "apakah pensiunan boleh kampanye")
    (group,) = [g for g in await review.queue(log) if first in g.qids]
    assert await review.resolve(log, group.qids, Review.DONE) == 1
    assert await review.resolve(log, (other,), Review.IGNORED) == 1
    assert await review.queue(log) == []
    assert await review.resolve(log, (other,), Review.DONE) == 0  # a decision is not overwritten
    assert await log.vote(first, 501, 1) and await log.vote(first, 501, -1)  # the asker changes their mind
    assert await review.queue(log) == []  # a vote does not reopen what a curator decided
    reviews = {r["qid"]: r["review"] for r in await review.export(log)}
    assert reviews[other] == "ignored"


async def test_statistics_count_by_period_and_outcome(log, clock):
    start = clock.now
    clock.now = start - timedelta(days=40)
    await ask(log, "lama sekali", status="answered", entry_id="medsos-like")
    clock.now = start - timedelta(days=10)
    await ask(log, "sepuluh hari lalu", status="answered", entry_id="medsos-like")
    clock.now = start - timedelta(days=3)
    suggested = await ask(log, "tiga hari lalu", status="suggest", entry_id="medsos-share")
    await log.chosen(suggested, "medsos-share")
    clock.now = start - timedelta(hours=6)  # 06:00 in Jakarta: still today
    await ask(log, "tadi pagi", status="unanswered")
    clock.now = start
    answered = await ask(log, "barusan", status="answered", entry_id="medsos-like")
    await ask(log, "halo", status="smalltalk")
    await log.vote(suggested, 501, 1)
    await log.vote(answered, 501, -1)

    stats = await review.stats(log)
    assert (stats.today, stats.week, stats.month) == (3, 4, 5)
    assert stats.by_status == {"answered": 2, "suggest": 1, "unanswered": 1, "smalltalk": 1}
    assert stats.answered_rate == pytest.approx(2 / 4)
    assert stats.top_entries == (("medsos-like", 2), ("medsos-share", 1))
    assert {g.samples[0] for g in stats.top_unanswered} == {"tadi pagi", "barusan"}  # barusan got a 👎
    assert (stats.votes_up, stats.votes_down) == (1, 1)


async def test_statistics_of_an_empty_log(log):
    stats = await review.stats(log)
    assert (stats.today, stats.month, stats.answered_rate, stats.top_entries) == (0, 0, None, ())


async def test_purge_deletes_old_questions_with_their_votes(log, logdb, clock):
    start = clock.now
    clock.now = start - timedelta(days=31)
    old = await ask(log, "pertanyaan lama")
    await log.vote(old, 501, -1)
    clock.now = start - timedelta(days=29)
    recent = await ask(log, "pertanyaan baru")
    clock.now = start
    assert await log.purge(30) == 1
    assert [r["qid"] for r in await review.export(log)] == [recent]
    assert await logdb.rows("SELECT COUNT(*) FROM votes") == [(0,)]


async def test_export_since_limits_rows_by_age(log, clock):
    start = clock.now
    clock.now = start - timedelta(days=8)
    await ask(log, "minggu lalu")
    clock.now = start - timedelta(hours=2)
    await ask(log, "tadi")
    clock.now = start
    assert [r["question"] for r in await review.export(log, timedelta(days=7))] == ["tadi"]
    assert [r["question"] for r in await review.export(log)] == ["minggu lalu", "tadi"]


async def test_learned_examples_are_kept_once_and_survive_a_restart(logdb):
    log = await logdb.open()
    assert await log.add_learned("medsos-like", "kasih jempol ke postingan caleg")
    assert not await log.add_learned("medsos-like", "kasih jempol ke postingan caleg")
    assert await log.add_learned("kpps", "jadi petugas KPPS")
    await log.close()
    log = await logdb.open()
    assert await log.learned() == [("medsos-like", "kasih jempol ke postingan caleg"), ("kpps", "jadi petugas KPPS")]
    await log.close()


async def test_concurrent_records_all_arrive(log, logdb):
    qids = await asyncio.gather(*(ask(log, f"pertanyaan {i}", user_id=i) for i in range(200)))
    assert set(await committed_rows(logdb)) == set(qids)
    assert len(set(qids)) == 200
