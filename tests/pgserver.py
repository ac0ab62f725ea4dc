"""A real PostgreSQL 15 server for the tests: initdb into a temporary folder, started once per session.

The server listens on 127.0.0.1 on a free port (password authentication over TCP, as in
production) and keeps its unix socket in its own folder. initdb refuses to run as root,
so as root the server runs as the `postgres` user. Without PostgreSQL 15 the tests that
need it fail with a message saying how to install it (.ci/run does).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
USER = "tanya"
PASSWORD = "pg-pass_for-tests-7f3a"
MISSING = ("PostgreSQL 15 is not installed ({bin}/initdb missing): run .ci/run, or "
           "`apt-get install postgresql-15` (the tests of BOT_DB_URL need a real server)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One running server; `url(name)` for a database on it, `new_database()` for a fresh one."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tanya-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._names = itertools.count(1)
        self._as_root = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = ["runuser", "-u", "postgres", "--", *args] if self._as_root else list(args)
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def start(self) -> PgServer:
        if not (BIN / "initdb").exists():
            pytest.fail(MISSING.format(bin=BIN), pytrace=False)
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self._as_root:
            if subprocess.run(["id", "postgres"], capture_output=True).returncode:
                pytest.fail("running as root, the tests start PostgreSQL as the `postgres` user, and there is "
                            "none: run .ci/run, or `useradd --system postgres`", pytrace=False)
            shutil.chown(self.root, "postgres")
            shutil.chown(pwfile, "postgres")
        done = self._run(str(BIN / "initdb"), "-D", str(self.data), "-U", USER, "--pwfile", str(pwfile),
                         "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8")
        if done.returncode:
            pytest.fail(f"initdb failed: {done.stderr.strip()[-500:]}", pytrace=False)
        done = self._start()
        if done.returncode:
            server_log = self.root / "server.log"
            log = server_log.read_text(errors="replace")[-800:] if server_log.exists() else ""
            pytest.fail(f"PostgreSQL did not start: {done.stderr.strip()} {log}", pytrace=False)
        return self

    def pause(self) -> None:
        """Stop the server, keeping its data (resume() starts it again on the same port)."""
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        if self._start().returncode:
            pytest.fail("PostgreSQL did not start again", pytrace=False)

    def _start(self) -> subprocess.CompletedProcess:
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        return self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                         "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    async def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import asyncpg

        name = f"t{os.getpid()}_{next(self._names)}"
        conn = await asyncpg.connect(self.url())
        try:
            await conn.execute(f"CREATE DATABASE {name}")
        finally:
            await conn.close()
        return self.url(name)
