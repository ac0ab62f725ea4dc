"""The learned ranker as operators and curators meet it: cached, never trusted when stale or
corrupt, and a taught phrasing answered at once."""

import io
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.core.engine import Engine
from bot.kb.knowledge import load
from bot.core.matching import Status
from bot.core.modelcache import content_key

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def trained(ranker_cache, engine) -> Path:
    """The cache file the session's engine wrote (or loaded)."""
    files = sorted(ranker_cache.glob("ranker-*.npz"))
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


def _arrays(raw: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(raw), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


@pytest.mark.parametrize("damage", [
    lambda raw: raw[: len(raw) // 2],                                           # torn write
    lambda raw: b"not an npz at all",
    lambda raw: _npz({**_arrays(raw), "key": np.asarray("0" * 64)}),            # made for another knowledge base
    lambda raw: _npz({**_arrays(raw), "coef": np.asarray([1.0])}),              # the ranker's weights cut short
    lambda raw: _npz({**_arrays(raw), "peer_weights": _arrays(raw)["peer_weights"][:5]}),  # the peer's too
    lambda raw: _npz({**_arrays(raw), "peer_bias": np.asarray([np.nan] * len(_arrays(raw)["peer_bias"]))}),
    lambda raw: _npz({k: v for k, v in _arrays(raw).items() if k != "mean"}),   # an array missing
], ids=["torn", "garbage", "other-key", "short-coef", "short-peer", "nan-peer", "missing-array"])
def test_a_corrupt_or_stale_cache_is_retrained_not_trusted(trained, engine, tmp_path, monkeypatch, damage):
    folder = tmp_path / "cache"
    folder.mkdir()
    copy = folder / trained.name
    copy.write_bytes(damage(trained.read_bytes()))
    monkeypatch.setenv("BOT_CACHE_DIR", str(folder))
    rebuilt = Engine.from_path(KNOWLEDGE)
    assert answers(rebuilt) == answers(engine)
    assert str(_arrays(copy.read_bytes())["key"]) == content_key(load(KNOWLEDGE))


def test_the_cache_holds_plain_arrays_not_pickles(trained):
    with np.load(trained, allow_pickle=False) as data:
        assert {"key", "coef", "peer_weights", "peer_classes"} <= set(data.files)
        assert all(data[k].dtype != object for k in data.files)


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
