"""Updates per second and reply latency of the real Application, against the fake Bot API server.

Private-chat questions (one user each, so flood protection never interferes) are served
by getUpdates in batches of 100, exactly as Telegram does; latency runs from the moment
an update leaves getUpdates to the moment its sendMessage reaches the server (both
stamped by the server). The fake server runs in its own process, as Telegram's servers
are not on the bot's CPU either.

Two phases:
  burst   all updates queued at once: the throughput ceiling (latency then mostly
          measures the queue).
  steady  updates arriving at a fixed rate below the ceiling: the latency a user sees.

Telegram's rate limits are off (rate_limit=False): they would cap the bot at 30 messages/s,
and this measures the bot, not Telegram's limits.

    .venv/bin/python benchmarks/bench_updates.py [--updates 5000] [--rate 200] [--with-log]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import multiprocessing
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from bot.telegram.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.config import from_env  # noqa: E402
from bot.core.engine import Engine  # noqa: E402
from fakebotapi import FakeBotAPI  # noqa: E402

TOKEN = "123456:" + "A" * 35
FIRST_USER = 10_000_000
QUESTIONS = (
    "boleh gak saya nge-like postingan caleg?",
    "boleh jadi anggota KPPS?",
    "istri saya nyalon, saya boleh ikut kampanye?",
    "pns boleh ikut kampanye?",
    "boleh pasang twibbon caleg di foto profil?",
    "asn dan partai",
    "kalau foto bareng calon bupati gimana?",
    "apa sanksinya kalau asn tidak netral",
    "halo",
    "resep nasi goreng",
    "boleh share berita dari kpu?",
    "bolehkah pns jadi anggota partai politik",
)


async def push(api: FakeBotAPI, count: int, first_user: int, rate: float | None) -> dict[int, int]:
    """Queue `count` questions (all at once, or `rate` per second); update_id -> chat id."""
    sent: dict[int, int] = {}
    started = time.perf_counter()
    for n in range(count):
        if rate:
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        user = first_user + n
        sent[api.private_text(QUESTIONS[n % len(QUESTIONS)], user_id=user)] = user
    return sent


async def collect(api: FakeBotAPI, sent: dict[int, int], since: int) -> tuple[float, list[float]]:
    """Wait for one reply per update; (seconds from first served to last reply, latencies in ms)."""
    await api.wait_for("sendMessage", since=since, count=len(sent), timeout=600)
    replied = {c.chat_id: c.at for c in api.calls_to("sendMessage", since=since)}
    served = [api.served_at[u] for u in sent]
    latencies = [(replied[chat] - api.served_at[u]) * 1000 for u, chat in sent.items()]
    return max(replied.values()) - min(served), latencies


def serve(conn: Connection) -> None:
    """The fake Bot API in its own process: runs the phases the bot process asks for."""
    asyncio.run(_serve(conn))


async def _serve(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    api = await FakeBotAPI(TOKEN).start()
    conn.send(api.base_url)
    first_user = FIRST_USER
    while (command := await loop.run_in_executor(None, conn.recv)) is not None:
        count, rate = command
        since = len(api.calls)
        pushing = asyncio.create_task(push(api, count, first_user, rate))
        if rate is None:
            conn.send("queued")  # everything is waiting before the bot starts polling
        sent = await pushing
        conn.send(await collect(api, sent, since))
        first_user += count
    await api.stop()


def report(name: str, count: int, seconds: float, latencies: list[float]) -> None:
    q = statistics.quantiles(latencies, n=100)
    print(f"{name:<7} {count:>6} updates  {count / seconds:8.0f} updates/s   "
          f"latency p50 {q[49]:7.1f} ms  p99 {q[98]:7.1f} ms  max {max(latencies):7.1f} ms")


async def main(updates: int, rate: float, steady: int, with_log: bool) -> None:
    conn, child_conn = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(child_conn,), daemon=True)
    server.start()
    loop = asyncio.get_running_loop()

    async def ask_server(command):
        conn.send(command)
        return await loop.run_in_executor(None, conn.recv)

    base_url = await loop.run_in_executor(None, conn.recv)
    config = from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url,
                       "BOT_FLOOD_PER_MINUTE": "1000"})
    tmp = tempfile.TemporaryDirectory()
    question_log = None
    if with_log:
        from bot.questionlog.storage import QuestionLog
        question_log = await QuestionLog.open(Path(tmp.name) / "bench.sqlite3", "bench-secret")
    app = build_application(config, Engine.from_path(), question_log=question_log, rate_limit=False)
    await app.initialize()
    await app.post_init(app)
    print("Rate limits: OFF (rate_limit=False: this measures the bot, not Telegram's limits)")
    print(f"Question log: {'SQLite (aiosqlite), committed per question' if with_log else 'none'}")
    print("Fake Bot API: a separate process (its CPU time is not the bot's)")
    if importlib.util.find_spec("sniffio") is None:
        print("Note: sniffio is not installed, so httpcore retries `import sniffio` on every request "
              "(here that costs about a quarter of the throughput)")
    try:
        await ask_server((updates, None))
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        await app.start()
        report("burst", updates, *await loop.run_in_executor(None, conn.recv))
        report("steady", steady, *await ask_server((steady, rate)))
        print(f"(steady: offered at {rate:.0f} updates/s)")
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await app.post_shutdown(app)
        conn.send(None)
        server.join(10)
        tmp.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=5000, help="updates in the burst phase")
    parser.add_argument("--steady", type=int, default=1000, help="updates in the steady phase")
    parser.add_argument("--rate", type=float, default=200.0, help="arrival rate of the steady phase")
    parser.add_argument("--with-log", action="store_true", help="also write every question to a SQLite log")
    args = parser.parse_args()
    asyncio.run(main(args.updates, args.rate, args.steady, args.with_log))
