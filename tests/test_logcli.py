"""`python -m bot log ...` and `kb learned` on a temporary database (BOT_DB_PATH)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from bot.__main__ import main
from bot.questionlog.export import EXPORT_COLUMNS, parse_age
from bot.questionlog.storage import QuestionLog

AWKWARD = 'Boleh gak, kalau "caleg" itu suami saya?\nBaris dua; koma, kutip "lagi" 🙏🇮🇩 — selesai'


async def populate(path: Path) -> None:
    now = datetime.now(timezone.utc)
    log = await QuestionLog.open(path, clock=lambda: now - timedelta(days=10))
    await log.record(chat_kind="private", question="pertanyaan sepuluh hari lalu", normalized="lama",
                     status="answered", entry_id="medsos-like", score=0.9, user_id=1)
    await log.close()
    log = await QuestionLog.open(path)
    for q in ("boleh pasang twibbon caleg?", "boleh pasang twibbon caleg"):
        await log.record(chat_kind="group", question=q, normalized="boleh pasang twibbon calon",
                         status="unanswered", entry_id=None, score=0.2, user_id=2)
    qid = await log.record(chat_kind="inline", question=AWKWARD, normalized="boleh calon suami",
                           status="answered", entry_id="keluarga-caleg", score=0.7, user_id=3)
    await log.vote(qid, 3, -1)
    await log.add_learned("medsos-like", "kasih jempol ke postingan caleg")
    await log.add_learned("medsos-like", "ngelike status capres")
    await log.add_learned("kpps", "jadi petugas KPPS")
    await log.close()


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data" / "log.sqlite3"
    monkeypatch.setenv("BOT_DB_PATH", str(path))
    monkeypatch.delenv("BOT_HASH_SECRET", raising=False)
    asyncio.run(populate(path))
    return path


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_log_queue_shows_groups_largest_first(db, capsys):
    assert main(["log", "queue"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 question(s) to review in 2 group(s)")
    assert out.index("[2x] boleh pasang twibbon caleg") < out.index("[1x] Boleh gak, kalau")
    [line] = [line for line in out.splitlines() if line.startswith(" [1x]")]
    assert "Baris dua" in line and "thumbs down 1" in line  # the newline is flattened


def test_log_stats_reports_counts_and_answered_rate(db, capsys):
    assert main(["log", "stats"]) == 0
    out = capsys.readouterr().out
    assert "Questions: today 3, last 7 days 3, last 30 days 4" in out
    assert "Answered outright (30 days, smalltalk excluded): 50%" in out
    assert "Votes (30 days): up 0, down 1" in out


def test_csv_export_is_excel_ready_and_keeps_awkward_text_intact(db, tmp_path, capsys):
    out_file = tmp_path / "export.csv"
    assert main(["log", "export", "--out", str(out_file)]) == 0
    assert "4 row(s) written" in capsys.readouterr().out
    rows = read_csv(out_file.read_bytes())
    assert len(rows) == 4 and tuple(rows[0]) == EXPORT_COLUMNS
    [awkward] = [r for r in rows if r["chat_kind"] == "inline"]
    assert awkward["question"] == AWKWARD
    assert (awkward["votes_down"], awkward["entry_id"]) == ("1", "keluarga-caleg")


def test_csv_export_to_stdout_starts_with_the_bom(db, capsysbinary):
    assert main(["log", "export", "--since", "7d"]) == 0
    rows = read_csv(capsysbinary.readouterr().out)
    assert [r["question"] for r in rows][-1] == AWKWARD and len(rows) == 3


def test_jsonl_export_since_skips_older_rows(db, tmp_path):
    out_file = tmp_path / "export.jsonl"
    assert main(["log", "export", "--format", "jsonl", "--since", "7d", "--out", str(out_file)]) == 0
    rows = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3 and rows[-1]["question"] == AWKWARD and rows[-1]["score"] == 0.7


def test_purge_older_than_deletes_only_old_rows(db, capsys):
    assert main(["log", "purge", "--older-than", "7"]) == 0
    assert "1 question(s) older than 7 day(s) deleted" in capsys.readouterr().out
    assert main(["log", "stats"]) == 0
    assert "last 30 days 3" in capsys.readouterr().out


def test_kb_learned_prints_yaml_grouped_by_entry(db, capsys):
    assert main(["kb", "learned"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Learned examples")
    assert yaml.safe_load(out) == {"kpps": ["jadi petugas KPPS"],
                                   "medsos-like": ["kasih jempol ke postingan caleg", "ngelike status capres"]}


def test_bad_since_is_refused_with_an_example(db, capsys):
    assert main(["log", "export", "--since", "seminggu"]) == 2
    assert "7d" in capsys.readouterr().err


def test_unusable_database_path_is_reported(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    monkeypatch.setenv("BOT_DB_PATH", str(folder))
    monkeypatch.setenv("BOT_HASH_SECRET", "s")
    assert main(["log", "stats"]) == 1
    assert "question log at" in capsys.readouterr().err


@pytest.mark.parametrize("text, expected", [("7d", timedelta(days=7)), ("24h", timedelta(hours=24)),
                                            ("30m", timedelta(minutes=30)), ("2W", timedelta(weeks=2))])
def test_age_parsing(text, expected):
    assert parse_age(text) == expected


def test_age_parsing_rejects_words():
    with pytest.raises(ValueError):
        parse_age("7 hari")


def record_now(path: Path, question: str, *, days_ago: int = 0, status: str = "unanswered") -> None:
    async def write() -> None:
        moment = datetime.now(timezone.utc) - timedelta(days=days_ago)
        log = await QuestionLog.open(path, clock=lambda: moment)
        await log.record(chat_kind="private", question=question, normalized=question, status=status,
                         entry_id=None, score=0.1, user_id=4)
        await log.close()

    asyncio.run(write())


def test_log_queue_since_leaves_out_older_questions(db, capsys):
    record_now(db, "pertanyaan mancing sepuluh hari lalu", days_ago=10)
    assert main(["log", "queue"]) == 0
    assert "mancing" in capsys.readouterr().out
    assert main(["log", "queue", "--since", "7d"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 question(s) asked in the last 7 days to review in 2 group(s)")
    assert "mancing" not in out


def test_log_stats_since_sets_the_period(db, capsys):
    record_now(db, "pertanyaan mancing sepuluh hari lalu", days_ago=10)
    assert main(["log", "stats", "--since", "7d"]) == 0
    out = capsys.readouterr().out
    assert "Answered outright (7 days, smalltalk excluded): 33%" in out  # 1 of 3 in the last week
    assert "By status (7 days): answered 1, unanswered 2" in out
    assert "mancing" not in out
    assert main(["log", "stats"]) == 0
    out = capsys.readouterr().out
    assert "Answered outright (30 days, smalltalk excluded): 40%" in out and "mancing" in out


@pytest.mark.parametrize("command", ["queue", "stats"])
def test_bad_since_on_queue_and_stats_is_refused(db, capsys, command):
    assert main(["log", command, "--since", "0d"]) == 2
    assert "7d" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["log", "queue"], ["log", "stats"], ["log", "export"],
                                  ["log", "purge", "--older-than", "30"], ["kb", "learned"]],
                         ids=lambda argv: " ".join(argv[:2]))
def test_missing_database_is_reported_and_not_created(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_DB_PATH", raising=False)  # the default: data/ under the current folder
    monkeypatch.delenv("BOT_HASH_SECRET", raising=False)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "no database" in err and "BOT_DB_PATH" in err
    assert list(tmp_path.iterdir()) == []


def test_log_commands_do_not_create_a_hash_secret(db, capsys):
    secret = db.parent / "hash-secret"
    secret.unlink()
    for argv in (["log", "stats"], ["log", "queue"], ["kb", "learned"]):
        assert main(argv) == 0
    assert not secret.exists()


def test_csv_export_never_hands_excel_a_formula(db, tmp_path):
    formulas = ['=HYPERLINK("http://evil.example","klik")', "+62 boleh?", "-1+1", "@SUM(1)", "\tTAB", "\r=1"]
    for q in formulas:
        record_now(db, q)
    out_file = tmp_path / "export.csv"
    assert main(["log", "export", "--out", str(out_file)]) == 0
    rows = read_csv(out_file.read_bytes())
    assert [r["question"] for r in rows][-len(formulas):] == ["'" + q for q in formulas]
    assert [r["question"] for r in rows if r["chat_kind"] == "inline"] == [AWKWARD]  # ordinary text untouched
    jsonl = tmp_path / "export.jsonl"
    assert main(["log", "export", "--format", "jsonl", "--out", str(jsonl)]) == 0
    assert [json.loads(line)["question"] for line in jsonl.read_text(encoding="utf-8").splitlines()][-1] == "\r=1"


def test_log_words_lists_unknown_words_with_counts_and_an_example(db, capsys):
    assert main(["log", "words"]) == 0
    out = capsys.readouterr().out
    [line] = [row for row in out.splitlines() if " sepuluh " in row]
    assert line.split()[0] == "1" and "e.g. pertanyaan sepuluh hari lalu" in line
    assert " twibbon " not in out and " caleg " not in out  # words the lexicon knows
    assert main(["log", "words", "--since", "7d"]) == 0
    assert " sepuluh " not in capsys.readouterr().out
