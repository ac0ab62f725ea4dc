"""`kb check` rules about what entries say: badge and opening agree, contested points carry
their readings, superseded law is never the only basis, and old reviews are flagged."""

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.kb.check import check
from bot.kb.rules import recheck_list, stale_warnings
from bot.kb.knowledge import load

MINI = Path(__file__).parent / "fixtures" / "mini"
REPO = Path(__file__).resolve().parent.parent
OLD_LAW = """  - id: uu-5-2014
    kind: regulation
    title: Undang-Undang tentang Aparatur Sipil Negara
    number: "5"
    year: 2014
    url: https://example.org/uu-5-2014
    replaced_by: uu-20-2023
  - id: uu-20-2023
    kind: regulation
    title: Undang-Undang tentang Aparatur Sipil Negara
    number: "20"
    year: 2023
    effective: 2023-10-31
"""


@pytest.fixture()
def kb_dir(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(MINI, target)
    with (target / "sources.yaml").open("a", encoding="utf-8") as fh:
        fh.write(OLD_LAW)
    return target


def edit(kb_dir: Path, old: str, new: str, file: str = "entries/medsos.yaml", count: int = 1) -> None:
    path = kb_dir / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def problems(kb_dir: Path) -> list[str]:
    return [str(p) for p in check(kb_dir)[1]]


def test_the_mini_fixture_with_dated_sources_is_clean(kb_dir):
    assert problems(kb_dir) == []


@pytest.mark.parametrize("verdict,opening,why", [
    ("dilarang", "Sebaiknya jangan. Tidak ada pasal yang tegas.", "larangan yang tegas"),
    ("dilarang", "Ini urusan pribadi Anda.", "larangan yang tegas"),
    ("bersyarat", "Tidak ada jawaban ya/tidak yang tegas. Hati-hati.", "dengan syarat"),
    ("bersyarat", "Boleh.", "dengan syarat"),
    ("boleh", "Tergantung situasinya.", "'Boleh'"),
    ("diperdebatkan", "Boleh, tetapi ada yang melarang.", "Sikap aman"),
    ("info", "Tidak boleh. Ini larangan.", "entri info"),
])
def test_a_badge_that_the_first_sentence_takes_back_fails_the_check(kb_dir, verdict, opening, why):
    edit(kb_dir, "    verdict: dilarang\n    answer: Tidak boleh.\n",
         f"    verdict: {verdict}\n    answer: {opening}\n")
    found = [p for p in problems(kb_dir) if ": like-calon: badge" in p]
    assert found and why in found[0], problems(kb_dir)
    assert found[0].startswith("knowledge/entries/medsos.yaml:")


@pytest.mark.parametrize("verdict,opening", [
    ("dilarang", "Tidak boleh, menurut Bawaslu daerah."),
    ("bersyarat", "Boleh, dengan syarat ada izin atasan."),
    ("boleh", "Boleh, dan sebaiknya Anda gunakan."),
])
def test_an_opening_that_matches_the_badge_passes(kb_dir, verdict, opening):
    edit(kb_dir, "    verdict: dilarang\n    answer: Tidak boleh.\n", f"    verdict: {verdict}\n    answer: {opening}\n")
    assert problems(kb_dir) == []


def test_a_contested_entry_needs_the_safe_course_first_and_two_sourced_readings(kb_dir):
    edit(kb_dir, "    verdict: dilarang\n    answer: Tidak boleh.\n",
         "    verdict: diperdebatkan\n    answer: 'Sikap aman: jangan.'\n"
         "    readings:\n      - by: Bawaslu\n        view: Dilarang.\n        sources: [pp-94-2021]\n")
    assert any("minimal 2 'readings'" in p for p in problems(kb_dir)), problems(kb_dir)
    edit(kb_dir, "        sources: [pp-94-2021]\n",
         "        sources: [pp-94-2021]\n      - by: Mendagri\n        view: Boleh.\n        sources: [tidak-ada]\n")
    assert any("sumber tidak ada di sources.yaml: tidak-ada" in p for p in problems(kb_dir)), problems(kb_dir)
    edit(kb_dir, "sources: [tidak-ada]", "sources: [catatan]")
    assert problems(kb_dir) == []


def test_an_entry_resting_only_on_replaced_law_fails_and_one_citing_its_successor_passes(kb_dir):
    edit(kb_dir, "      - source: pp-94-2021\n        article: Pasal 5 huruf n\n",
         "      - source: uu-5-2014\n        article: Pasal 2 huruf f\n")
    found = problems(kb_dir)
    assert any(": like-calon: dasar hukum hanya peraturan yang sudah diganti (UU 5/2014)" in p for p in found), found
    edit(kb_dir, "        article: Pasal 2 huruf f\n", "        article: Pasal 2 huruf f\n      - source: uu-20-2023\n")
    assert problems(kb_dir) == []


def test_replaced_by_must_name_a_known_source_and_effective_must_be_a_date(kb_dir):
    edit(kb_dir, "    replaced_by: uu-20-2023\n", "    replaced_by: uu-99-2099\n", file="sources.yaml")
    edit(kb_dir, "    effective: 2023-10-31\n", "    effective: Oktober\n", file="sources.yaml")
    found = problems(kb_dir)
    assert any("uu-5-2014: menunjuk sumber yang tidak ada: uu-99-2099" in p for p in found), found
    assert any("uu-20-2023: effective harus tanggal" in p for p in found), found


def test_by_status_names_only_known_statuses(kb_dir):
    edit(kb_dir, "    related: [share-calon]", "    by_status:\n      pppk: Sama.\n      kontraktor: Beda.\n"
                                                 "    related: [share-calon]")
    found = problems(kb_dir)
    assert any("status tidak dikenal di by_status: kontraktor" in p for p in found), found


def test_old_reviews_are_warnings_not_problems(kb_dir):
    kb = load(kb_dir)
    later = dt.date(2026, 11, 25) + dt.timedelta(days=181)
    warned = [str(w) for w in stale_warnings(kb, later)]
    assert len(warned) == len(kb.entries) and "181 hari lalu" in warned[0]
    assert stale_warnings(kb, later - dt.timedelta(days=2)) == []
    assert problems(kb_dir) == []


def test_the_recheck_list_names_stale_reviews_changed_law_and_notes(kb_dir):
    edit(kb_dir, "    reviewed: 2026-11-25\n  - id: share-calon",
         "    recheck: Revisi UU ASN.\n    reviewed: 2026-11-25\n  - id: share-calon")
    edit(kb_dir, "      - source: pp-94-2021\n    examples", "      - source: pp-94-2021\n      - source: uu-5-2014\n    examples")
    rows = {p.entry_id: p.message for p in recheck_list(load(kb_dir), dt.date(2026, 12, 1))}
    assert rows == {"like-calon": "cek ulang: Revisi UU ASN.",
                    "share-calon": "mengutip peraturan yang diganti/diubah: UU 5/2014"}


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=REPO, timeout=120)


def test_kb_check_fails_on_a_hedged_prohibition_and_lists_rechecks_with_stale(kb_dir):
    edit(kb_dir, "    answer: Tidak boleh.\n", "    answer: Sebaiknya jangan.\n")
    out = run_cli("--knowledge", str(kb_dir), "kb", "check", "--stale", "--days", "1")
    assert out.returncode == 1
    assert "like-calon: badge DILARANG tidak sesuai kalimat pertama" in out.stdout
    assert "1 problem(s)" in out.stdout and "warning(s)" in out.stdout
    stale = out.stdout.split("to re-check before the next election season")[1]
    assert "like-calon" in stale and "share-calon" in stale and "hari lalu" in stale


def test_the_shipped_knowledge_base_passes_the_content_rules(engine):
    from bot.kb.rules import content_problems
    assert [str(p) for p in content_problems(engine.kb)] == []
