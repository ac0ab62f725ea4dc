"""Regression floors on the labelled development set (evalsets/dev.yaml, a copy of shared/eval/dev.yaml).

The floors are the project's targets: at least 90 % of in-scope questions answered with
an accepted topic, at least 90 % of out-of-scope questions left alone, and at most 3 % of
all questions answered wrongly.
"""

from pathlib import Path

from bot.evaluation import best_baseline, evaluate, load_labelled, ours

TOP1_FLOOR = 0.90
ABSTAIN_FLOOR = 0.90
WRONG_CEILING = 0.03


def test_dev_set_floors(engine, evalsets_dir):
    questions = load_labelled(evalsets_dir / "dev.yaml")
    rep = evaluate(questions, ours(engine.index), "ours")
    assert rep.top1_rate >= TOP1_FLOOR, rep.errors
    assert rep.abstain_rate >= ABSTAIN_FLOOR, rep.errors
    assert rep.wrong_rate <= WRONG_CEILING, rep.errors


def test_clearly_better_than_the_naive_faq_bot(engine, evalsets_dir):
    questions = load_labelled(evalsets_dir / "dev.yaml")
    rep = evaluate(questions, ours(engine.index), "ours")
    _, naive = best_baseline(questions, engine.index)
    assert rep.top1_rate >= naive.top1_rate + 0.10
    assert rep.wrong_rate <= WRONG_CEILING


def test_second_question_set_floors(engine):
    """evalsets/team.yaml: written apart from the knowledge base, 150 in scope and 50 not."""
    questions = load_labelled(Path(__file__).resolve().parent.parent / "evalsets" / "team.yaml")
    rep = evaluate(questions, ours(engine.index), "ours")
    assert rep.top1_rate >= 0.88, rep.errors
    assert rep.abstain_rate >= ABSTAIN_FLOOR, rep.errors
    assert rep.wrong_rate <= WRONG_CEILING, rep.errors
