"""Deployment files: a service that outlasts long outages, an admin script that reads settings as data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_ops import DEPLOY, TOKEN, clean_env, unit_settings


def test_systemd_keeps_restarting_through_an_outage_of_an_hour_but_not_after_a_bad_setting():
    unit = unit_settings((DEPLOY / "tanya-netral.service").read_text(encoding="utf-8"))
    # No start limit: restarts every RestartSec for as long as the network is down.
    assert unit["Unit"]["StartLimitIntervalSec"] == ["0"]
    assert "StartLimitBurst" not in unit["Unit"]
    service = unit["Service"]
    assert service["Restart"] == ["on-failure"] and service["RestartSec"] == ["10s"]
    assert service["RestartPreventExitStatus"] == ["2"]  # `run` exits 2 on a bad setting or token


def admin_copy(tmp_path: Path, env_text: str) -> tuple[Path, dict[str, str], Path]:
    """The admin script with its system paths moved into tmp_path, and a stand-in for runuser."""
    etc, state, bin_dir = tmp_path / "etc", tmp_path / "state", tmp_path / "bin"
    for folder in (etc, state, bin_dir):
        folder.mkdir()
    (etc / "env").write_text(env_text, encoding="utf-8")
    script = (DEPLOY / "tanya-netral-admin").read_text(encoding="utf-8")
    script = (script.replace("/etc/tanya-netral/env", str(etc / "env"))
              .replace("/var/lib/tanya-netral", str(state))
              .replace("/opt/tanya-netral/venv/bin/python", sys.executable))
    copy = tmp_path / "tanya-netral-admin"
    copy.write_text(script, encoding="utf-8")
    runuser = bin_dir / "runuser"  # runs the command as is: drops "-u USER --"
    runuser.write_text('#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"\n', encoding="ascii")
    runuser.chmod(0o755)
    env = clean_env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return copy, env, state


def test_admin_script_reads_the_env_file_as_data(tmp_path):
    pwned = tmp_path / "pwned"
    copy, env, state = admin_copy(tmp_path, "\n".join([
        "# Tanya Netral settings",
        f"TELEGRAM_BOT_TOKEN={TOKEN}",
        "BOT_CURATORS=1, 2",
        'BOT_HASH_SECRET="a secret with spaces"',
        "  BOT_FLOOD_PER_MINUTE = 7  ",
        "BOT_LOG_LEVEL='warning'",
        f"BOT_KNOWLEDGE_DIR=$(touch {pwned})",
        "BOT_RETENTION_DAYS=30",  # the last line has no newline
    ]))
    res = subprocess.run(["sh", str(copy), "config"], env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    shown = dict(line.split(" = ", 1) for line in res.stdout.splitlines())
    assert shown["BOT_CURATORS"] == "1,2"
    assert shown["BOT_FLOOD_PER_MINUTE"] == "7"
    assert shown["BOT_LOG_LEVEL"] == "WARNING"
    assert shown["BOT_HASH_SECRET"] == "<set>" and shown["TELEGRAM_BOT_TOKEN"] == "<set>"
    assert shown["BOT_KNOWLEDGE_DIR"] == f"$(touch {pwned})"
    assert shown["BOT_RETENTION_DAYS"] == "30"
    assert shown["BOT_DB_PATH"] == f"{state}/tanya-netral.sqlite3"
    assert not pwned.exists()
