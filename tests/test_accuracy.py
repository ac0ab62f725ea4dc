"""Regression floors on the labelled development set (evalsets/dev.yaml, a copy of shared/eval/dev.yaml).

The project's targets were at least 90 % of in-scope questions answered with an accepted
topic, at least 90 % of out-of-scope questions left alone and at most 3 % answered wrongly;
the floors are raised to what the lexicon + ranker reach (issue 10), with a little room. No
answer may be more permissive than the right one on the sets the bot is tuned on.
"""

from pathlib import Path

from bot.evaluation import best_baseline, evaluate, load_labelled, ours, topic_permissiveness

TOP1_FLOOR = 0.94
ABSTAIN_FLOOR = 0.975
WRONG_CEILING = 0.01


def test_dev_set_floors(engine, evalsets_dir):
    questions = load_labelled(evalsets_dir / "dev.yaml")
    rep = evaluate(questions, ours(engine.index), "ours", topic_permissiveness(engine.index))
    assert rep.top1_rate >= TOP1_FLOOR, rep.errors
    assert rep.abstain_rate >= ABSTAIN_FLOOR, rep.errors
    assert rep.wrong_rate <= WRONG_CEILING, rep.errors
    assert rep.permissive == 0, rep.errors


def test_clearly_better_than_the_naive_faq_bot(engine, evalsets_dir):
    questions = load_labelled(evalsets_dir / "dev.yaml")
    rep = evaluate(questions, ours(engine.index), "ours")
    _, naive = best_baseline(questions, engine.index)
    assert rep.top1_rate >= naive.top1_rate + 0.10
    assert rep.wrong_rate <= WRONG_CEILING


def test_second_question_set_floors(engine):
    """evalsets/team.yaml: written apart from the knowledge base, 150 in scope and 50 not."""
    questions = load_labelled(Path(__file__).resolve().parent.parent / "evalsets" / "team.yaml")
    rep = evaluate(questions, ours(engine.index), "ours", topic_permissiveness(engine.index))
    assert rep.top1_rate >= 0.92, rep.errors
    assert rep.abstain_rate >= 0.96, rep.errors
    assert rep.wrong_rate <= WRONG_CEILING, rep.errors
    assert rep.permissive == 0, rep.errors


def test_held_out_set_floors(engine, evalsets_dir):
    """evalsets/fresh.yaml: long stories, dialects and near-domain questions nobody tuned on at
    first (tuned on since). A regression floor, well below the targets of issue 10."""
    rep = evaluate(load_labelled(evalsets_dir / "fresh.yaml"), ours(engine.index), "ours",
                   topic_permissiveness(engine.index))
    assert rep.top1_rate >= 0.77, rep.errors
    assert rep.abstain_rate >= 0.86, rep.errors
    assert rep.wrong_rate <= 0.05, rep.errors
    assert rep.permissive == 0, rep.errors
