"""The shipped knowledge base: complete, sourced, consistent with topics.yaml."""

import yaml

from bot.kb.check import check
from bot.kb.model import Verdict


def test_every_topic_is_covered_with_the_required_verdict(engine, topics_file):
    topics = yaml.safe_load(topics_file.read_text(encoding="utf-8"))["topics"]
    by_topic = {}
    for e in engine.kb.entries:
        by_topic.setdefault(e.topic, []).append(e)
    for t in topics:
        assert t["id"] in by_topic, f"topic {t['id']} has no entry"
        if t.get("verdict"):
            assert {e.verdict.value for e in by_topic[t["id"]]} == {t["verdict"]}, t["id"]


def test_every_entry_is_sourced_reviewed_and_has_enough_phrasings(engine):
    kb = engine.kb
    for e in kb.entries:
        assert len(e.examples) >= 8, e.id
        assert any(kb.sources[b.source].url for b in e.basis), e.id
        assert e.reviewed >= "2026-01-01", e.id
        assert 20 <= len(e.answer) <= 900, e.id


def test_contested_entries_never_say_a_bare_yes(engine):
    for e in engine.kb.entries:
        if e.verdict is Verdict.BOLEH:
            assert e.topic == "hak-pilih", f"{e.id}: only voting is an unconditional 'boleh'"


def test_kb_check_passes_on_the_shipped_knowledge_base(topics_file):
    kb, problems = check(None, topics_file)
    assert [str(p) for p in problems] == []
