"""Delivery under load and faults: `python -m bot run` as a subprocess against the fake Bot API.

Scenarios (all by default, or name some):
  sustained  200 updates/s for 30 s by long polling: lost, duplicated, the bot's memory, the
             backlog; once without Telegram's rate limits and once with them (30 messages/s),
             which shows how the backlog behaves against the send cap
  kills      kill -9 several times during a 600-question burst, restarting each time:
             duplicate answers per kill, with send window 1 (the default) and 8
  window     the cost of the send window: answers/s with a simulated 100 ms round trip
  webhook    eight 60 MiB POSTs without the secret: the bot's memory growth
  storage    a read-only database fixed while running, a deleted database folder: seconds
             until the rows are written again

    .venv/bin/python benchmarks/bench_delivery.py [sustained kills window webhook storage]
        [--rate 200] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO)]  # tests/conftest.py, not the root one

from conftest import TOKEN  # noqa: E402
from delivery_support import answers_per_chat, bot_env, questions, start_bot  # noqa: E402
from fakebotapi import FakeBotAPI  # noqa: E402
from test_bot_run import BotProcess, free_port  # noqa: E402

MIB = 1024 * 1024


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def base_env(tmp: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "TANYA_NETRAL_"))}
    return {**clean, "PYTHONUNBUFFERED": "1", "BOT_DB_PATH": str(tmp / "data" / "questions.sqlite3")}


def db_rows(tmp: Path) -> tuple[int, int]:
    """(rows, distinct questions) of the question log."""
    with sqlite3.connect(tmp / "data" / "questions.sqlite3") as con:
        rows = con.execute("SELECT COUNT(*), COUNT(DISTINCT question) FROM questions").fetchone()
    con.close()
    return rows


async def polling_bot(api: FakeBotAPI, tmp: Path, name: str = "bot", **settings: str) -> BotProcess:
    env = bot_env(base_env(tmp), api, **settings)
    if settings.get("TANYA_NETRAL_TESTING") == "0":
        env.pop("TANYA_NETRAL_TESTING")
    since = len(api.calls)
    bot = await start_bot(sys.executable, str(REPO), env, tmp, name)
    await api.wait_for("getUpdates", since=since, timeout=60)
    return bot


async def wait_answered(api: FakeBotAPI, chats: set[int], timeout: float) -> float:
    started = time.perf_counter()
    while set(answers_per_chat(api)) < chats and time.perf_counter() - started < timeout:
        await asyncio.sleep(0.1)
    return time.perf_counter() - started


# ---------------------------------------------------------------- sustained load

async def sustained(rate: float, seconds: float, throttled: bool) -> None:
    api = await FakeBotAPI(TOKEN).start()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        bot = await polling_bot(api, tmp, TANYA_NETRAL_TESTING="0" if throttled else "1")
        try:
            total = int(rate * seconds)
            asked = questions(total, first_user=5_000_000)
            users = list(asked.items())
            samples: list[tuple[float, int, int, float, int]] = []
            started = time.perf_counter()
            next_sample = started
            for n, (user_id, text) in enumerate(users):
                delay = started + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                api.private_text(text, user_id=user_id)
                if time.perf_counter() >= next_sample:
                    next_sample += 1
                    samples.append((time.perf_counter() - started, n + 1, len(api.delivered()),
                                    rss_mb(bot.proc.pid), len(api.updates)))
            fed = time.perf_counter() - started
            drain = await wait_answered(api, set(asked), 600)
            samples.append((time.perf_counter() - started, total, len(api.delivered()), rss_mb(bot.proc.pid),
                            len(api.updates)))
            await bot.terminate()
        finally:
            await bot.kill()
            await api.stop()
        per_chat = answers_per_chat(api)
        rows, distinct = db_rows(tmp)
    mode = "with Telegram's rate limits (30 msg/s)" if throttled else "without rate limits"
    print(f"\nsustained {rate:.0f} updates/s for {seconds:.0f} s, {mode}:")
    print(f"  fed {total} updates in {fed:.1f} s; all answered {drain:.1f} s after the last one arrived")
    print(f"  lost {len(set(asked) - set(per_chat))}, duplicated {sum(n - 1 for n in per_chat.values())}, "
          f"log rows {rows} ({distinct} distinct)")
    print(f"  bot RSS: start {samples[0][3]:.0f} MB, max {max(s[3] for s in samples):.0f} MB, "
          f"end {samples[-1][3]:.0f} MB")
    print("  t(s)  arrived  answered  backlog  unconfirmed-at-Telegram  RSS(MB)")
    for t, arrived, answered, rss, unconfirmed in samples[:: max(1, len(samples) // 8)] + samples[-1:]:
        print(f"  {t:5.0f} {arrived:8d} {answered:9d} {arrived - answered:8d} {unconfirmed:24d} {rss:8.0f}")


# ---------------------------------------------------------------- kills

async def kills(rounds: int, window: int, burst: int = 600) -> None:
    api = await FakeBotAPI(TOKEN).start()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        asked = questions(burst, first_user=7_000_000)
        bot = await polling_bot(api, tmp, "run0", BOT_SEND_WINDOW=str(window))
        try:
            for user_id, text in asked.items():
                api.private_text(text, user_id=user_id)
            for n in range(1, rounds + 1):
                await api.wait_for("sendMessage", count=n * burst // (rounds + 1), timeout=60)
                bot.proc.send_signal(signal.SIGKILL)
                await bot.proc.wait()
                bot.output.close()
                bot = await start_bot(sys.executable, str(REPO), bot_env(base_env(tmp), api,
                                                                          BOT_SEND_WINDOW=str(window)), tmp, f"run{n}")
            await wait_answered(api, set(asked), 120)
            await bot.terminate()
        finally:
            await bot.kill()
            await api.stop()
        per_chat = answers_per_chat(api)
        rows, distinct = db_rows(tmp)
    dups = sum(n - 1 for n in per_chat.values())
    print(f"  window {window}: {rounds} kills during {burst} questions: answered {len(per_chat)}/{burst}, "
          f"duplicates {dups} ({dups / rounds:.1f} per kill), log rows {rows} ({distinct} distinct)")


# ---------------------------------------------------------------- send window cost

async def window_cost(window: int, latency: float = 0.1, count: int = 200) -> None:
    api = await FakeBotAPI(TOKEN).start()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        bot = await polling_bot(api, tmp, BOT_SEND_WINDOW=str(window))
        try:
            api.faults.latency = latency
            asked = questions(count, first_user=8_000_000)
            for user_id, text in asked.items():
                api.private_text(text, user_id=user_id)
            seconds = await wait_answered(api, set(asked), 300)
            await bot.terminate()
        finally:
            await bot.kill()
            await api.stop()
    print(f"  window {window}: {count} answers in {seconds:.1f} s = {count / seconds:.1f} answers/s "
          f"at a {latency * 1000:.0f} ms round trip")


# ---------------------------------------------------------------- webhook flood

def post_unsigned(port: int, size: int) -> str:
    chunk = b"x" * MIB
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"POST /telegram HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {size}\r\n\r\n".encode())
        sent = 0
        try:
            while sent < size:
                sock.sendall(chunk)
                sent += MIB
        except OSError:
            pass
        try:
            status = sock.recv(100).split(b"\r\n")[0].decode() or "closed"
        except OSError:
            status = "reset"
    return f"{status} after {sent // MIB} MiB sent"


async def webhook_flood(posts: int = 8, size: int = 60 * MIB) -> None:
    api = await FakeBotAPI(TOKEN).start()
    port = free_port()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        env = bot_env(base_env(tmp), api, BOT_WEBHOOK_URL="https://bot.example.go.id/telegram",
                      BOT_WEBHOOK_SECRET="bench-secret", BOT_WEBHOOK_PORT=str(port))
        bot = await start_bot(sys.executable, str(REPO), env, tmp)
        try:
            await api.wait_for("setWebhook", timeout=60)
            await asyncio.sleep(1)
            before = rss_mb(bot.proc.pid)
            peak = before
            flood = asyncio.gather(*(asyncio.to_thread(post_unsigned, port, size) for _ in range(posts)))
            while not flood.done():
                peak = max(peak, rss_mb(bot.proc.pid))
                await asyncio.sleep(0.01)
            results = await flood
            after = rss_mb(bot.proc.pid)
            await bot.terminate()
        finally:
            await bot.kill()
            await api.stop()
    print(f"\nwebhook: {posts} POSTs of {size // MIB} MiB without the secret:")
    for result in sorted(set(results)):
        print(f"  {results.count(result)}x {result}")
    print(f"  bot RSS {before:.0f} MB before, peak {peak:.0f} MB, after {after:.0f} MB: "
          f"growth {peak - before:.1f} MB at peak")


# ---------------------------------------------------------------- storage recovery

def set_read_only(path: Path, read_only: bool) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if read_only else "-i", str(path)], check=True)
    else:
        path.chmod(0o444 if read_only else 0o644)


async def rows_after(tmp: Path, expected: int, timeout: float = 60) -> float:
    db = tmp / "data" / "questions.sqlite3"
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if db.exists() and db_rows(tmp)[0] >= expected:
                break
        except sqlite3.Error:
            pass
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def storage() -> None:
    from bot.questionlog.storage import QuestionLog

    print("\nstorage recovery:")
    api = await FakeBotAPI(TOKEN).start()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        db = tmp / "data" / "questions.sqlite3"
        db.parent.mkdir()
        await (await QuestionLog.open(db)).close()
        set_read_only(db, True)
        try:
            bot = await polling_bot(api, tmp)
            asked = questions(30, first_user=9_000_000)
            for user_id, text in asked.items():
                api.private_text(text, user_id=user_id)
            await wait_answered(api, set(asked), 30)
            await asyncio.sleep(3)  # retries back off meanwhile
        finally:
            set_read_only(db, False)
        seconds = await rows_after(tmp, len(asked))
        print(f"  read-only database fixed while running: {db_rows(tmp)[0]}/{len(asked)} rows written "
              f"{seconds:.1f} s after the fix")
        shutil.rmtree(tmp / "data")
        more = questions(30, first_user=9_100_000)
        for user_id, text in more.items():
            api.private_text(text, user_id=user_id)
        await wait_answered(api, set(more), 30)
        seconds = await rows_after(tmp, len(more))
        print(f"  database folder deleted: recreated with {db_rows(tmp)[0]}/{len(more)} rows of the questions "
              f"asked since, {seconds:.1f} s after they were answered")
        await bot.terminate()
        await bot.kill()
    await api.stop()


async def main(scenarios: list[str], rate: float, seconds: float) -> None:
    if "sustained" in scenarios:
        await sustained(rate, seconds, throttled=False)
        await sustained(rate, seconds, throttled=True)
    if "kills" in scenarios:
        print("\nkill -9 mid-burst, restart each time:")
        for window in (1, 8):
            await kills(5, window)
    if "window" in scenarios:
        print("\nsend window (BOT_SEND_WINDOW) against a distant Bot API:")
        for window in (1, 8):
            await window_cost(window)
    if "webhook" in scenarios:
        await webhook_flood()
    if "storage" in scenarios:
        await storage()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", default=["sustained", "kills", "window", "webhook", "storage"])
    parser.add_argument("--rate", type=float, default=200.0, help="updates per second in `sustained`")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of `sustained`")
    args = parser.parse_args()
    asyncio.run(main(args.scenarios, args.rate, args.seconds))
