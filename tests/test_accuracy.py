"""Regression floors on the labelled development set (../shared/eval/dev.yaml)."""

from bot.evaluation import best_baseline, evaluate, load_labelled, ours


def test_dev_set_floors(engine, shared_dir):
    questions = load_labelled(shared_dir / "eval" / "dev.yaml")
    rep = evaluate(questions, ours(engine.index), "ours")
    assert rep.top1_rate >= 0.90, rep.errors
    assert rep.abstain_rate >= 0.90, rep.errors
    assert rep.wrong_rate <= 0.03, rep.errors


def test_clearly_better_than_the_naive_faq_bot(engine, shared_dir):
    questions = load_labelled(shared_dir / "eval" / "dev.yaml")
    rep = evaluate(questions, ours(engine.index), "ours")
    _, naive = best_baseline(questions, engine.index)
    assert rep.top1_rate >= naive.top1_rate + 0.10
    assert rep.wrong <= naive.wrong / 2 or rep.wrong == 0
