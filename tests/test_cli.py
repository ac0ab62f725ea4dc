"""The command line as operators and curators use it."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          text=True, cwd=REPO, timeout=120)


def test_ask_json_from_stdin_answers_every_line_in_order():
    questions = ["boleh gak like postingan caleg?", "halo", "resep rendang gimana", "", "boleh jadi kpps?"]
    out = run("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["question"] for r in rows] == questions
    for r in rows:
        assert {"question", "status", "entry_id", "topic", "verdict", "score", "alternatives"} <= set(r)
    assert rows[0]["status"] == "answered" and rows[0]["verdict"] == "dilarang"
    assert rows[1]["status"] == "smalltalk" and rows[2]["status"] == "unanswered"


def test_ask_prints_the_answer_card_as_text():
    out = run("ask", "boleh gak sy nge-like postingan caleg di ig?")
    assert out.returncode == 0
    assert "DILARANG" in out.stdout and "Dasar hukum" in out.stdout and "Sumber" in out.stdout


def test_ask_explain_shows_the_scoring():
    out = run("ask", "--explain", "boleh like postingan capres?")
    assert "normalised:" in out.stdout and "medsos-like" in out.stdout


def test_console_chat_answers_and_offers_numbered_choices(engine):
    vague = next(q for q in ("ikut caleg", "caleg", "partai caleg") if engine.ask(q).status.value == "suggest")
    first_choice = engine.entry(engine.ask(vague).choices[0].entry_id)
    out = run("chat", stdin=f"boleh like postingan caleg?\nhalo\n{vague}\n1\nkeluar\n")
    assert out.returncode == 0
    assert "DILARANG" in out.stdout and "Tanya Netral" in out.stdout and "Sampai jumpa" in out.stdout
    assert "Maksud Anda:" in out.stdout and "1. " + first_choice.title in out.stdout
    # Typing "1" shows that choice's full card.
    assert out.stdout.count(first_choice.title) >= 2 and "Dasar hukum" in out.stdout.split("Maksud Anda:")[1]


def test_a_missing_or_broken_labelled_file_is_one_line_not_a_traceback(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("questions: [\n", encoding="utf-8")
    for path in (tmp_path / "missing.yaml", broken):
        out = run("eval", str(path))
        assert out.returncode == 2
        assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_eval_prints_the_four_figures_for_both_bots(tmp_path):
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        'questions:\n'
        '  - q: "boleh gak sy nge-like postingan caleg di ig?"\n    topic: medsos-like\n'
        '  - q: "apa boleh share poster paslon ke grup wa?"\n    topic: medsos-share\n'
        '  - q: "resep rendang empuk"\n    topic: null\n', encoding="utf-8")
    out = run("eval", str(labelled), "--baseline", "--errors")
    assert out.returncode == 0, out.stderr
    assert "in-scope top-1" in out.stdout and "null abstain" in out.stdout
    assert "Tanya Netral matcher" in out.stdout and "naive WRatio" in out.stdout
    [ours] = [line for line in out.stdout.splitlines() if line.startswith("Tanya Netral matcher ")]
    assert ours.split()[3:5] == ["100.0%", "2/2"]  # top-1: both in-scope questions answered right


def test_eval_accepts_a_label_naming_one_entry_and_reports_labels_it_cannot_place(tmp_path):
    # A label may name a topic or a single entry; naming an entry is stricter: another card of
    # the same topic is not right. A label the knowledge base does not know is reported.
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        'questions:\n'
        '  - q: "batas waktu lapor pelanggaran pemilu ke bawaslu berapa lama?"\n    topic: lapor-batas-waktu\n'
        '  - q: "batas waktu lapor pelanggaran pemilu ke bawaslu berapa lama?"\n    topic: lapor-sbt\n'
        '  - q: "boleh gak like postingan caleg?"\n    topic: medsos-suka-suka\n', encoding="utf-8")
    out = run("eval", str(labelled), "--errors")
    assert out.returncode == 0, out.stderr
    assert "label 'medsos-suka-suka' (1 questions) names no topic or entry" in out.stdout
    assert "33.3%   1/3" in out.stdout  # the entry named; not the sibling card, not the unknown label
    assert "WRONG lapor-pelanggaran" in out.stdout and "want lapor-sbt" in out.stdout
