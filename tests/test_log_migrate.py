"""`log migrate --to postgresql://...`: the SQLite log, all of it, in PostgreSQL; refused into a non-empty one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from bot.questionlog import review, teaching
from bot.questionlog.postgres import PostgresLog, SecretMismatch
from bot.questionlog.storage import QuestionLog, stamp
from bot.telegram.inbox import Inbox
from test_inbox import question

REPO = Path(__file__).resolve().parent.parent


def migrate(db: Path, url: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "BOT_DB_PATH": str(db)}
    return subprocess.run([sys.executable, "-m", "bot", "log", "migrate", "--to", url], capture_output=True,
                          text=True, env=env, timeout=120, cwd=REPO)


async def test_migrate_copies_every_table_and_keeps_pseudonyms_then_refuses_a_second_time(tmp_path, pg_url):
    db = tmp_path / "data" / "questions.sqlite3"
    log = await QuestionLog.open(db)  # its hash secret in data/hash-secret, as a bot without BOT_HASH_SECRET
    answered = await log.record(chat_kind="private", question="boleh like postingan caleg?", normalized="like caleg",
                                status="answered", entry_id="medsos-like", score=0.9, user_id=501, delivery="sent")
    await log.record(chat_kind="group", question="boleh jadi KPPS?", normalized="kpps", status="unanswered",
                     entry_id=None, score=0.1, user_id=502)
    await log.vote(answered, 501, -1)
    item, _ = await teaching.teach(log, entry_id="kegiatan-keberpihakan", question="ikut lomba mancing caleg",
                                   curator_id=4242, qid=answered, needed=2)
    await teaching.approve(log, item.id, 4343, 2)
    undone, _ = await teaching.teach(log, entry_id="medsos-like", question="kasih jempol", curator_id=4242,
                                     qid=None, needed=1)
    await teaching.undo(log, undone.id, by="cli")
    await Inbox(log, None).accept([question(77)])
    await log.write([("UPDATE inbox SET state = 'done', finished = ? WHERE update_id = 77", (stamp(log.now()),))])
    before = (await review.export(log), await teaching.listing(log), log.asker(501))
    await log.close()

    result = migrate(db, pg_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:5] == ["questions: 2", "votes: 1", "learned: 2", "learned_approvals: 3",
                                              "inbox: 1"]
    assert "copied 9 row(s)" in result.stdout and "hash-secret" in result.stdout
    assert "pg-pass" not in result.stdout + result.stderr  # the URL's password is never printed

    secret = (db.parent / "hash-secret").read_text().strip()
    moved = await PostgresLog.open(pg_url, secret, spill_dir=tmp_path)
    assert (await review.export(moved), await teaching.listing(moved), moved.asker(501)) == before
    assert await moved.learned() == [("kegiatan-keberpihakan", "ikut lomba mancing caleg")]
    again, _ = await teaching.teach(moved, entry_id="medsos-share", question="bagikan poster", curator_id=4242,
                                    qid=None, needed=1)
    assert again.id == 3  # the id sequence goes on after the copied rows
    await moved.close()
    with pytest.raises(SecretMismatch):
        await PostgresLog.open(pg_url, "not-the-sqlite-secret", spill_dir=tmp_path)

    # The curators' commands read the PostgreSQL log the replicas share.
    env = {"PATH": "/usr/bin:/bin", "BOT_DB_URL": pg_url, "BOT_HASH_SECRET": secret}
    stats = subprocess.run([sys.executable, "-m", "bot", "log", "stats"], capture_output=True, text=True, env=env,
                           timeout=120, cwd=REPO)
    assert stats.returncode == 0, stats.stderr
    assert "sent 1" in stats.stdout
    health = subprocess.run([sys.executable, "-m", "bot", "health"], capture_output=True, text=True, env=env,
                            timeout=120, cwd=REPO)
    assert health.returncode == 0 and "database writable at postgresql://127.0.0.1:" in health.stdout

    second = migrate(db, pg_url)
    assert second.returncode == 1
    assert "is not empty" in second.stderr and "pg-pass" not in second.stderr
    conn = await asyncpg.connect(pg_url)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM questions") == 2
    finally:
        await conn.close()
