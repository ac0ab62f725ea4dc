"""The learned ranker as operators and curators meet it: cached, never trusted when stale or
corrupt, and a taught phrasing answered at once."""

import json
import shutil
from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.kb.knowledge import load
from bot.core.matching import Status
from bot.core.modelcache import content_key

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def trained(ranker_cache, engine) -> Path:
    """The cache file the session's engine wrote (or loaded)."""
    files = sorted(ranker_cache.glob("ranker-*.json"))
    assert files, "the engine did not cache its ranker"
    return files[0]


def answers(engine: Engine) -> list[tuple[str, str | None]]:
    questions = ["boleh gak saya nge-like postingan caleg?", "sy guru pns, boleh jadi anggota kpps ga?",
                 "camat ngumpulin staf buat dengerin visi misi calon bupati, boleh?"]
    return [(r.status.value, r.entry_id) for r in map(engine.ask, questions)]


def test_a_second_start_loads_the_cached_ranker_instead_of_training(trained, engine, monkeypatch):
    written = trained.stat().st_mtime_ns
    monkeypatch.setattr("bot.core.training.train", lambda *a, **k: pytest.fail("retrained despite a sound cache"))
    again = Engine.from_path(KNOWLEDGE)
    assert trained.stat().st_mtime_ns == written
    assert answers(again) == answers(engine)


@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],                                  # torn write
    lambda text: "not json at all",
    lambda text: json.dumps({**json.loads(text), "key": "0" * 64}),       # made for another knowledge base
    lambda text: json.dumps({**json.loads(text), "model": {**json.loads(text)["model"], "coef": [1.0]}}),
])
def test_a_corrupt_or_stale_cache_is_retrained_not_trusted(trained, engine, tmp_path, monkeypatch, damage):
    folder = tmp_path / "cache"
    folder.mkdir()
    copy = folder / trained.name
    copy.write_text(damage(trained.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.setenv("BOT_CACHE_DIR", str(folder))
    rebuilt = Engine.from_path(KNOWLEDGE)
    assert answers(rebuilt) == answers(engine)
    data = json.loads(copy.read_text(encoding="utf-8"))
    assert data["key"] == content_key(load(KNOWLEDGE))


def test_a_changed_knowledge_base_gets_a_model_of_its_own(trained, tmp_path, monkeypatch):
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    medsos = root / "entries" / "medsos.yaml"
    text = medsos.read_text(encoding="utf-8")
    medsos.write_text(text.replace("    examples:\n", "    examples:\n      - kasih love di reels cabup aman?\n", 1),
                      encoding="utf-8")
    assert content_key(load(root)) != content_key(load(KNOWLEDGE))


def test_an_unwritable_cache_costs_a_retraining_not_the_start(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BOT_CACHE_DIR", str(blocker / "cache"))
    engine = Engine.from_path(KNOWLEDGE)
    assert engine.ask("boleh gak saya nge-like postingan caleg?").topic == "medsos-like"


def test_a_taught_phrasing_is_answered_for_the_very_next_question():
    engine = Engine.from_path(KNOWLEDGE)
    question = "ambo pai ka lapangan mancaliak urang bapidato, dapek baju gratih"  # Minang, no known word
    before = engine.ask(question)
    assert not (before.status is Status.ANSWERED and before.entry_id == "kampanye-ikut")
    assert engine.add_learned("kampanye-ikut", question)
    after = engine.ask(question)
    assert after.status is Status.ANSWERED and after.entry_id == "kampanye-ikut"
