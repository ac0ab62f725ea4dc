"""The live engine: a reload or a learned phrasing swaps one consistent snapshot, never half of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core import cards
from bot.core.engine import Engine
from bot.core.matching import Status
from conftest import RecordingLog

MINI = Path(__file__).parent / "fixtures" / "mini"
QUESTION = "boleh like postingan caleg"


@pytest.fixture
def knowledge(tmp_path) -> tuple[Path, Path]:
    """The mini knowledge base, and a revision of it in which the 'like' entry got a new id."""
    before, after = tmp_path / "before", tmp_path / "after"
    shutil.copytree(MINI, before)
    shutil.copytree(MINI, after)
    for path in after.rglob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("like-calon", "suka-calon"), encoding="utf-8")
    return before, after


@pytest.fixture
def engine(knowledge) -> Engine:
    """A fresh engine of its own (reloaded by the tests), instead of the shared session one."""
    return Engine.from_path(knowledge[0])


def test_a_snapshot_keeps_answering_from_its_own_knowledge_base_after_a_reload(engine, knowledge):
    snapshot = engine.snapshot()
    assert snapshot.ask(QUESTION).entry_id == "like-calon"

    assert engine.reload(knowledge[1]) == []

    assert snapshot.ask(QUESTION).entry_id == "like-calon"
    assert snapshot.entry("like-calon") is not None and snapshot.entry("suka-calon") is None
    current = engine.snapshot()
    assert current.ask(QUESTION).entry_id == "suka-calon"
    assert (engine.kb, engine.index) == (current.kb, current.index)
    assert engine.ask(QUESTION).entry_id == "suka-calon" and engine.entry("like-calon") is None


def test_a_learned_phrasing_reaches_new_snapshots_only(engine):
    question = "pasang spanduk kampanye calon di pagar rumah"
    before = engine.snapshot()
    assert before.ask(question).entry_id != "share-calon"

    assert engine.add_learned("share-calon", question)

    assert engine.ask(question).entry_id == "share-calon"
    assert before.ask(question).entry_id != "share-calon"
    assert engine.snapshot().kb is before.kb
    assert not engine.add_learned("no-such-entry", question)


def test_a_broken_reload_keeps_the_current_snapshot(engine, tmp_path):
    current = engine.snapshot()
    (tmp_path / "empty").mkdir()
    assert engine.reload(tmp_path / "empty") != []
    assert engine.snapshot() is current


class ReloadingLog(RecordingLog):
    """A question log during whose write a curator's /muatulang lands."""

    def __init__(self, engine: Engine, root: Path):
        super().__init__()
        self.engine, self.root = engine, root

    async def record(self, **row) -> str:
        qid = await super().record(**row)
        assert self.engine.reload(self.root) == []
        return qid


async def test_a_reload_during_a_question_still_answers_it_from_the_matched_entry(make_bot, engine, knowledge):
    old = engine.snapshot()
    assert old.ask(QUESTION).status is Status.ANSWERED
    bot = await make_bot(question_log=ReloadingLog(engine, knowledge[1]))

    reply = await bot.ask(QUESTION)

    assert engine.entry("like-calon") is None  # the reload did land before the reply
    assert reply.text == cards.render_html(old.entry("like-calon"), old.kb)
    assert [b["callback_data"] for b in reply.buttons][:2] == ["fb:u:q1:like-calon", "fb:d:q1:like-calon"]
