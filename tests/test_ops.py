"""Operations: `python -m bot health` / `config`, and the deployment files that call them."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from io import StringIO
from pathlib import Path

import pytest

from bot.__main__ import build_parser
from bot.ops import cmd_config

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
TOKEN = "987654321:AAH-secret_token_value_for_tests_0123456789"
HASH_SECRET = "hash-secret-value-b7f1c0"
WEBHOOK_SECRET = "webhook-secret-value_9e2d"


def clean_env(**settings: str) -> dict[str, str]:
    """The test process environment without any bot setting, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env.update(settings)
    return env


def bot(*args: str, env: dict[str, str], python: str = sys.executable,
        cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Run `python -m bot ARGS` the way an operator or the image's HEALTHCHECK does."""
    return subprocess.run([python, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def broken_knowledge(tmp_path: Path) -> Path:
    """A copy of the knowledge base whose entries/tentang.yaml has a YAML error on line 9."""
    root = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", root)
    path = root / "entries" / "tentang.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[8] = "    verdict: info: boleh"
    path.write_text("\n".join(lines), encoding="utf-8")
    return root


# ---------------------------------------------------------------- health

def test_health_fails_while_there_is_no_database_and_leaves_nothing_behind(tmp_path):
    db = tmp_path / "data" / "nested" / "tanya-netral.sqlite3"
    res = bot("health", env=clean_env(BOT_DB_PATH=str(db)))
    assert res.returncode == 1
    assert res.stdout == ""
    assert res.stderr == f"unhealthy: no database at {db} (the bot has not created it yet, or it was deleted)\n"
    # The missing folder is created, but no database (nor probe file) is left behind.
    assert db.parent.is_dir()
    assert list(db.parent.iterdir()) == []


def test_health_is_ok_with_the_shipped_knowledge_and_a_writable_database(tmp_path, engine):
    db = tmp_path / "data" / "tanya-netral.sqlite3"
    db.parent.mkdir()
    sqlite3.connect(db).close()
    res = bot("health", env=clean_env(BOT_DB_PATH=str(db)))
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"ok: {len(engine.kb.entries)} entries, database writable at {db}\n"
    assert res.stderr == ""


def test_health_checks_an_existing_database_without_changing_it(tmp_path):
    db = tmp_path / "tanya-netral.sqlite3"
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("CREATE TABLE questions (question TEXT)")
        con.execute("INSERT INTO questions VALUES ('boleh like postingan capres?')")
    con.close()
    res = bot("health", env=clean_env(BOT_DB_PATH=str(db)))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("ok: ")
    with sqlite3.connect(db) as con:
        tables = [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = con.execute("SELECT question FROM questions").fetchall()
    con.close()
    assert tables == ["questions"]
    assert rows == [("boleh like postingan capres?",)]


def test_health_fails_when_the_database_folder_is_a_regular_file(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    res = bot("health", env=clean_env(BOT_DB_PATH=str(blocker / "tanya-netral.sqlite3")))
    assert res.returncode == 1
    assert res.stdout == ""
    assert res.stderr == f"unhealthy: the database folder {blocker} is a file, not a folder\n"


def test_health_fails_when_the_database_folder_cannot_be_created(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    res = bot("health", env=clean_env(BOT_DB_PATH=str(blocker / "deeper" / "tanya-netral.sqlite3")))
    assert res.returncode == 1
    assert res.stderr.startswith(f"unhealthy: cannot create the database folder {blocker / 'deeper'}: ")
    assert len(res.stderr.splitlines()) == 1


def test_health_fails_when_the_database_path_is_a_folder(tmp_path):
    (tmp_path / "tanya-netral.sqlite3").mkdir()
    res = bot("health", env=clean_env(BOT_DB_PATH=str(tmp_path / "tanya-netral.sqlite3")))
    assert res.returncode == 1
    assert "is a folder, not a database file" in res.stderr


def test_health_names_the_file_and_line_of_a_broken_knowledge_file(tmp_path, broken_knowledge):
    env = clean_env(BOT_DB_PATH=str(tmp_path / "db.sqlite3"), BOT_KNOWLEDGE_DIR=str(broken_knowledge))
    res = bot("health", env=env)
    assert res.returncode == 1
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert lines[0] == "unhealthy: the knowledge base has 1 problem(s):"
    assert re.fullmatch(r"  knowledge/entries/tentang\.yaml:9: .*YAML tidak valid.*", lines[1])
    assert len(lines) == 2


def test_health_uses_the_knowledge_folder_given_on_the_command_line(tmp_path, broken_knowledge):
    res = bot("--knowledge", str(broken_knowledge), "health",
              env=clean_env(BOT_DB_PATH=str(tmp_path / "db.sqlite3")))
    assert res.returncode == 1
    assert "tentang.yaml:9:" in res.stderr


def test_health_reports_a_bad_setting_in_one_line_with_exit_2(tmp_path):
    res = bot("health", env=clean_env(BOT_DB_PATH=str(tmp_path / "db.sqlite3"), BOT_RETENTION_DAYS="setahun"))
    assert res.returncode == 2
    assert res.stderr == "config error: BOT_RETENTION_DAYS must be a whole number, got 'setahun'\n"


# ---------------------------------------------------------------- config

def config_lines(res: subprocess.CompletedProcess) -> dict[str, str]:
    return dict(line.split(" = ", 1) for line in res.stdout.splitlines())


def test_config_shows_settings_but_only_whether_secrets_are_set(tmp_path):
    env = clean_env(TELEGRAM_BOT_TOKEN=TOKEN, BOT_HASH_SECRET=HASH_SECRET, BOT_WEBHOOK_SECRET=WEBHOOK_SECRET,
                    BOT_WEBHOOK_URL="https://bot.contoh.go.id/telegram", BOT_CURATORS="22, 11",
                    BOT_DB_PATH=str(tmp_path / "db.sqlite3"), BOT_FLOOD_PER_MINUTE="7", BOT_LOG_LEVEL="debug")
    res = bot("config", env=env)
    assert res.returncode == 0, res.stderr
    for secret in (TOKEN, TOKEN.split(":")[1], HASH_SECRET, WEBHOOK_SECRET):
        assert secret not in res.stdout + res.stderr
    shown = config_lines(res)
    assert shown["TELEGRAM_BOT_TOKEN"] == "<set>"
    assert shown["BOT_HASH_SECRET"] == "<set>"
    assert shown["BOT_WEBHOOK_SECRET"] == "<set>"
    assert shown["BOT_WEBHOOK_URL"] == "https://bot.contoh.go.id/telegram"
    assert shown["BOT_CURATORS"] == "11,22"
    assert shown["BOT_DB_PATH"] == str(tmp_path / "db.sqlite3")
    assert shown["BOT_FLOOD_PER_MINUTE"] == "7"
    assert shown["BOT_LOG_LEVEL"] == "DEBUG"


SECRET_PART = TOKEN.split(":")[1]


@pytest.mark.parametrize("name, value", [
    ("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:8081/bot{TOKEN}/"),
    ("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:8081/bot{TOKEN.replace(':', '%3A')}/"),
    ("BOT_WEBHOOK_URL", f"https://bot.contoh.go.id/{TOKEN}"),
    ("BOT_WEBHOOK_PATH", SECRET_PART),
    ("BOT_DB_PATH", f"/srv/{HASH_SECRET}/tanya-netral.sqlite3"),
    ("BOT_KNOWLEDGE_DIR", f"/srv/{WEBHOOK_SECRET}/knowledge"),
])
def test_config_never_prints_a_secret_that_is_part_of_another_setting(name, value):
    env = clean_env(**{"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_HASH_SECRET": HASH_SECRET,
                       "BOT_WEBHOOK_SECRET": WEBHOOK_SECRET, "BOT_WEBHOOK_URL": "https://bot.contoh.go.id/telegram",
                       name: value})
    out, err = StringIO(), StringIO()
    assert cmd_config(out=out, err=err, env=env) == 0, err.getvalue()
    printed = out.getvalue() + err.getvalue()
    for secret in (TOKEN, SECRET_PART, HASH_SECRET, WEBHOOK_SECRET):
        assert secret not in printed
    shown = dict(line.split(" = ", 1) for line in out.getvalue().splitlines())
    assert "<redacted>" in shown[name]
    assert shown["TELEGRAM_BOT_TOKEN"] == "<set>"


def test_config_works_without_a_token_and_says_so():
    res = bot("config", env=clean_env())
    assert res.returncode == 0, res.stderr
    shown = config_lines(res)
    assert shown["TELEGRAM_BOT_TOKEN"] == "<not set>"
    assert shown["BOT_HASH_SECRET"] == "<not set>"
    assert shown["BOT_RETENTION_DAYS"] == "365"
    assert shown["BOT_KNOWLEDGE_DIR"].startswith("- (default: ")


def test_config_flags_a_malformed_token_without_printing_it():
    res = bot("config", env=clean_env(TELEGRAM_BOT_TOKEN="my-token-copied-wrong"))
    assert res.returncode == 0
    assert config_lines(res)["TELEGRAM_BOT_TOKEN"] == "<set, malformed>"
    assert "my-token-copied-wrong" not in res.stdout + res.stderr


def test_config_never_echoes_a_token_pasted_into_the_wrong_setting():
    res = bot("config", env=clean_env(BOT_CURATORS=TOKEN))
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr.startswith("config error: BOT_CURATORS ")
    assert TOKEN not in res.stderr and TOKEN.split(":")[1] not in res.stderr


# ---------------------------------------------------------------- deployment files

def env_example_names() -> list[str]:
    text = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    return re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE)


def test_env_example_documents_exactly_the_settings_the_bot_reads():
    names = env_example_names()
    assert len(names) == len(set(names))
    res = bot("config", env=clean_env())
    assert set(names) == set(config_lines(res))


def deploy_commands() -> list[list[str]]:
    """Every `python -m bot ...` command line the deployment files and README tell someone to run."""
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    found = [json.loads(m) for m in re.findall(r"^\s*CMD (\[.*\])$", dockerfile, re.MULTILINE)]
    unit = (DEPLOY / "tanya-netral.service").read_text(encoding="utf-8")
    found += [shlex.split(m) for m in re.findall(r"^ExecStart=(.*)$", unit, re.MULTILINE)]
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for rest in re.findall(r"(?<![/\w-])(?:python -m bot|tanya-netral-admin)((?: [-\w./=]+)*)", readme):
        args = [t for t in rest.split() if t.strip(".")]
        if args:  # a bare mention such as "`python -m bot ...`" is prose, not a command
            found.append(["python", "-m", "bot", *args])
    return found


def test_every_command_in_the_deployment_files_exists_in_the_cli():
    commands = deploy_commands()
    assert ["python", "-m", "bot", "run"] in commands
    assert ["python", "-m", "bot", "health"] in commands
    assert ["/opt/tanya-netral/venv/bin/python", "-m", "bot", "run"] in commands
    parser = build_parser()
    for command in commands:
        assert command[1:3] == ["-m", "bot"], command
        parser.parse_args(command[3:])


def unit_settings(text: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as {section: {key: [values, in order]}} (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"line {number} is not a setting: {line!r}"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_systemd_unit_is_valid_and_runs_the_bot_as_a_hardened_service(tmp_path):
    text = (DEPLOY / "tanya-netral.service").read_text(encoding="utf-8")
    unit = unit_settings(text)
    assert set(unit) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    [exec_start] = service["ExecStart"]
    python, *args = shlex.split(exec_start)
    assert Path(python).is_absolute() and args == ["-m", "bot", "run"]
    assert service["User"] == ["tanya-netral"] and service["Restart"] == ["on-failure"]
    assert service["KillSignal"] == ["SIGTERM"] and service["StateDirectory"] == ["tanya-netral"]
    assert service["EnvironmentFile"] == ["/etc/tanya-netral/env"]
    assert "BOT_DB_PATH=/var/lib/tanya-netral/tanya-netral.sqlite3" in service["Environment"]
    assert service["NoNewPrivileges"] == ["yes"] and service["ProtectSystem"] == ["strict"]
    assert "network-online.target" in unit["Unit"]["After"]
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]

    analyze = shutil.which("systemd-analyze")
    if analyze:
        # The unit's interpreter exists only on a deployed host: verify a copy that runs this one.
        copy = tmp_path / "tanya-netral.service"
        copy.write_text(text.replace(f"ExecStart={python} ", "ExecStart=/usr/bin/python3 "), encoding="utf-8")
        res = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60)
        # verify exits 0 despite unknown keys or bad values, but names them on stderr.
        assert (res.returncode, res.stdout + res.stderr) == (0, "")


# ---------------------------------------------------------------- packaging

def test_installed_package_runs_health_without_a_checkout(tmp_path, engine):
    """The image's commands work from a clean install: the knowledge base ships in the wheel (~2 s).

    The wheel is built offline, with this environment's setuptools (the test extra).
    """
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, src / name)
    for folder in ("bot", "knowledge"):
        shutil.copytree(REPO / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "--quiet", "-w", str(wheels), str(src)], capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("tanya_netral-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # Dependencies come from the test environment; the package itself only from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(BOT_DB_PATH=str(tmp_path / "data" / "tanya-netral.sqlite3"))
    (tmp_path / "data").mkdir()
    sqlite3.connect(tmp_path / "data" / "tanya-netral.sqlite3").close()
    res = bot("health", env=env, python=str(python), cwd=elsewhere)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"ok: {len(engine.kb.entries)} entries, ")
    shown = config_lines(bot("config", env=env, python=str(python), cwd=elsewhere))
    assert shown["BOT_KNOWLEDGE_DIR"] == f"- (default: {site / 'bot' / 'data'})"
