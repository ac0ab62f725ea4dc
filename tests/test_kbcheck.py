"""`kb check` and the loader catch every kind of broken knowledge base, with file and line."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.kb.check import check
from bot.kb.model import KnowledgeError
from bot.kb.knowledge import load

MINI = Path(__file__).parent / "fixtures" / "mini"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def kb_dir(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(MINI, target)
    return target


def edit(kb_dir: Path, old: str, new: str, file: str = "entries/medsos.yaml") -> None:
    path = kb_dir / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(kb_dir: Path, topics: Path | None = None) -> list[str]:
    return [str(p) for p in check(kb_dir, topics)[1]]


def test_the_mini_fixture_is_clean(kb_dir):
    assert problems(kb_dir) == []


@pytest.mark.parametrize("old,new,expected", [
    ("    answer: Tidak boleh.\n", "    answer: Tidak boleh.\n    colour: red\n", "field tidak dikenal: colour"),
    ("    title: Menyukai unggahan calon\n", "", "field wajib kosong atau tidak ada: title"),
    ("    verdict: dilarang\n", "    verdict: mungkin\n", "verdict tidak valid: mungkin"),
    ("  - id: share-calon", "  - id: like-calon", "id ganda"),
    ("      - source: pp-94-2021\n        article", "      - source: uu-99-2099\n        article",
     "sumber tidak ada di sources.yaml: uu-99-2099"),
    ("    related: [share-calon]", "    related: [hilang]", "related menunjuk entri yang tidak ada: hilang"),
    ("      - source: pp-94-2021\n    examples", "      - source: catatan\n    examples", "tidak ada sumber yang punya URL"),
    ("      - sy like foto caleg, kena?\n", "", "contoh pertanyaan kurang: 7"),
])
def test_each_problem_is_reported_with_file_line_and_entry(kb_dir, old, new, expected):
    edit(kb_dir, old, new)
    found = problems(kb_dir)
    hits = [p for p in found if expected in p]
    assert hits, found
    assert hits[0].startswith("knowledge/entries/medsos.yaml:")
    line = int(hits[0].split(":")[1])
    assert line > 0


def test_an_example_answered_by_another_entry_is_an_ambiguity(kb_dir):
    edit(kb_dir, "      - boleh share flyer caleg\n", "      - boleh like postingan caleg di facebook\n")
    found = problems(kb_dir)
    mine = [p for p in found if ": share-calon:" in p and "boleh like postingan caleg di facebook" in p]
    assert mine and "like-calon" in mine[0], found


def test_yaml_syntax_error_names_file_and_line(kb_dir):
    edit(kb_dir, "    verdict: dilarang\n", "    verdict: [dilarang\n")
    found = problems(kb_dir)
    assert any(p.startswith("knowledge/entries/medsos.yaml:") and "YAML tidak valid" in p for p in found), found


def test_topics_without_entries_are_listed(kb_dir, tmp_path):
    topics = tmp_path / "topics.yaml"
    topics.write_text("topics:\n  - id: medsos-like\n    verdict: dilarang\n  - id: hak-pilih\n    verdict: boleh\n")
    found = problems(kb_dir, topics)
    assert any("hak-pilih" in p and "belum dijawab" in p for p in found), found
    assert not any("medsos-like" in p for p in found)


def test_a_verdict_that_contradicts_topics_is_reported(kb_dir, tmp_path):
    topics = tmp_path / "topics.yaml"
    topics.write_text("topics:\n  - id: medsos-like\n    verdict: boleh\n")
    assert any("berbeda dari topics.yaml" in p for p in problems(kb_dir, topics))


def test_loader_refuses_a_broken_knowledge_base(kb_dir):
    edit(kb_dir, "    verdict: dilarang\n", "    verdict: terserah\n")
    with pytest.raises(KnowledgeError) as err:
        load(kb_dir)
    assert "knowledge/entries/medsos.yaml:" in str(err.value)


def run_cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=120, **kw)


def test_kb_check_cli_exits_nonzero_and_prints_locations(kb_dir):
    edit(kb_dir, "    verdict: dilarang\n", "    verdict: terserah\n")
    out = run_cli("--knowledge", str(kb_dir), "kb", "check")
    assert out.returncode == 1
    assert "knowledge/entries/medsos.yaml:" in out.stdout and "like-calon" in out.stdout


def test_ask_refuses_to_start_on_a_broken_knowledge_base(kb_dir):
    edit(kb_dir, "    verdict: dilarang\n", "    verdict: terserah\n")
    out = run_cli("--knowledge", str(kb_dir), "ask", "boleh like caleg?")
    assert out.returncode == 1
    assert "verdict tidak valid" in out.stderr and "Traceback" not in out.stderr


def test_lexicon_sections_must_name_existing_entries(kb_dir):
    edit(kb_dir, "  share-calon: [share, forward]", "  bagikan-calon: [share, forward]", file="lexicon/words.yaml")
    found = problems(kb_dir)
    assert any(p.startswith("knowledge/lexicon/words.yaml:") and "bagikan-calon" in p for p in found), found
