"""How long the curators' report and `log words` take on a large question log, and how big the page is.

Writes N questions (a mix of answered, suggested, unanswered and small talk, spread over 30
days, a fifth of the answers voted on) into a temporary SQLite log, then times
`report.build` (everything /statistik and `log report` do) and the unknown-words scan.

    .venv/bin/python benchmarks/bench_report.py [--questions 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.questionlog import report  # noqa: E402
from bot.core.engine import Engine  # noqa: E402
from bot.questionlog.storage import INSERT_QUESTION, QuestionLog, stamp  # noqa: E402
from bot.questionlog.vocabulary import unknown_words  # noqa: E402

QUESTIONS = ["boleh gak like postingan caleg?", "boleh jadi kpps?", "halo min", "makasih 🙏",
             "resep rendang padang", "SBT itu apa", "kasih jempol status capres boleh?",
             "ikut senam pagi partai bolehkah", "pns ikut demo mahasiswa?", "jadi saksi tps paslon boleh?",
             "istri nyalon, saya boleh kampanye?", "share poster paslon ke grup wa", "lomba mancing caleg"]


async def main(n: int) -> None:
    engine = Engine.from_path()
    results = {q: engine.ask(q) for q in QUESTIONS}
    rng = random.Random(1)
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.sqlite3"
        log = await QuestionLog.open(path)
        await log.close()
        rows, votes = [], []
        for i in range(n):
            base = rng.choice(QUESTIONS)
            q = f"{base} {rng.choice(['', 'ya', 'dong', 'min', f'no{rng.randint(1, 500)}'])}".strip()
            r = results[base]  # how the bot answered the question as first written
            qid = f"{i:012x}"
            at = stamp(now - timedelta(seconds=rng.randint(0, 30 * 86400)))
            rows.append((qid, at, "private", q, r.normalized, r.status.value, r.entry_id, r.score, "x"))
            if r.entry_id and rng.random() < 0.2:
                votes.append((qid, f"u{i}", rng.choice([1, 1, 1, -1]), at))
        with sqlite3.connect(path) as con:
            con.executemany(INSERT_QUESTION, rows)
            con.executemany("INSERT INTO votes (qid, asker, vote, voted_at) VALUES (?, ?, ?, ?)", votes)
        log = await QuestionLog.open(path)
        start = time.perf_counter()
        page = await report.build(log, engine.index)
        built = time.perf_counter() - start
        texts = [q for (q,) in await log.read("SELECT question FROM questions ORDER BY asked_at DESC LIMIT ?",
                                              (report.WORD_SCAN_LIMIT,))]
        start = time.perf_counter()
        words = unknown_words(texts, engine.index)
        scanned = time.perf_counter() - start
        await log.close()
    print(f"questions in the log:            {n}  ({len(votes)} votes)")
    print(f"report.build (all of /statistik): {built:.2f} s")
    print(f"report page size:                 {len(page.encode()) / 1024:.0f} KiB, "
          f"{page.count('<svg')} charts")
    print(f"unknown words in {len(texts)} questions: {scanned:.2f} s, {len(words)} words")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50_000, help="questions to write into the log")
    asyncio.run(main(parser.parse_args().questions))
