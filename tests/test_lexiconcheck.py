"""`kb check` catches lexicon additions of the wrong shape, with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.kb.check import check

MINI = Path(__file__).parent / "fixtures" / "mini"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def kb_dir(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(MINI, target)
    return target


def add_file(kb_dir: Path, text: str) -> list[str]:
    (kb_dir / "lexicon" / "added.yaml").write_text(text, encoding="utf-8")
    return [str(p) for p in check(kb_dir)[1]]


@pytest.mark.parametrize("text,expected", [
    ("slang:\n  jempolin: [like]\n", "knowledge/lexicon/added.yaml:2: slang: jempolin: harus diganti dengan teks"),
    ("slang:\n  kasih jempol: like\n", "knowledge/lexicon/added.yaml:2: slang: 'kasih jempol': kunci slang harus satu kata"),
    ("anchors:\n  like-calon: jempol\n", "knowledge/lexicon/added.yaml:2: anchors: like-calon: harus berupa daftar kata"),
    ("synonyms:\n  suka: [jempol]\n", "knowledge/lexicon/words.yaml:2: synonyms: sudah didefinisikan di knowledge/lexicon/added.yaml"),
    ("stopwords:\n  - dong\n  - 12\n", "knowledge/lexicon/added.yaml:3: stopwords: butir ke-2 harus berupa teks, bukan 12"),
    ("roots: [menurut, yes]\n", "knowledge/lexicon/added.yaml:1: roots: butir ke-2 dibaca sebagai True, bukan kata"),
    ("scope:\n  domian: [pemilu]\n", "knowledge/lexicon/added.yaml:2: scope: bagian tidak dikenal 'domian'"),
    ("slangs:\n  gpp: tidak apa apa\n", "knowledge/lexicon/added.yaml:1: slangs: kunci leksikon tidak dikenal"),
    ("outofscope: gaji naik kapan\n", "knowledge/lexicon/added.yaml:1: outofscope: harus berupa daftar kata"),
])
def test_lexicon_additions_of_the_wrong_shape_are_reported_with_file_and_line(kb_dir, text, expected):
    assert any(p.startswith(expected) for p in add_file(kb_dir, text)), add_file(kb_dir, text)


def test_well_formed_additions_pass(kb_dir):
    words = kb_dir / "lexicon" / "words.yaml"
    text = words.read_text(encoding="utf-8")
    words.write_text(text.replace("slang: {gak: tidak,", "slang: {jempolin: like, gak: tidak,")
                     .replace("smalltalk: {greetings: [halo]}", "smalltalk: {greetings: [halo], thanks: [makasih, 'yes']}"),
                     encoding="utf-8")
    assert add_file(kb_dir, "roots: [pengajian]\noutofscope: ['gaji naik kapan?']\n") == []


def test_the_shipped_lexicon_is_well_formed():
    from bot.kb.lexiconcheck import lexicon_problems
    assert lexicon_problems(REPO / "knowledge") == []
