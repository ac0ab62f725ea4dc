"""Our matcher side by side with a competent team's first intent classifier, on every labelled set.

The peer (as issue 10 describes it): TF-IDF over character n-grams (char_wb 2-5) and words
(1-2) of the lower-cased text, logistic regression (C=20) trained on every entry's title,
examples and keywords; it answers when its top probability clears a cut-off fitted on the
dev set (the lowest that keeps the dev set's wrong answers at or under 3 %). Printed per set:
both bots' top-1, top-3, wrong, out-of-scope abstention and permissive answers, the peer
forced to name a topic, and the peer at the cut-off where it answers as many in-scope
questions as ours (to compare wrong-answer rates at equal coverage).

    python benchmarks/peer.py [evalsets/*.yaml ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.engine import Engine  # noqa: E402
from bot.evaluation import Report, evaluate, format_table, load_labelled, topic_permissiveness  # noqa: E402
from bot.core.matching import Candidate, Result, Status  # noqa: E402


class Peer:
    """TF-IDF (char_wb 2-5 + word 1-2) and logistic regression over topics."""

    def __init__(self, engine: Engine):
        texts, topics = [], []
        for e in engine.kb.entries:
            for t in (e.title, *e.examples, *e.keywords):
                texts.append(t.lower())
                topics.append(e.topic)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        self.word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
        x = hstack([self.char.fit_transform(texts), self.word.fit_transform(texts)]).tocsr()
        self.model = LogisticRegression(C=20, max_iter=2000).fit(x, topics)
        self.classes = list(self.model.classes_)

    def probabilities(self, question: str) -> np.ndarray:
        q = question.lower()
        x = hstack([self.char.transform([q]), self.word.transform([q])]).tocsr()
        return self.model.predict_proba(x)[0]

    def answerer(self, cut: float, cache: dict[str, np.ndarray]):
        def answer(question: str) -> Result:
            p = cache.setdefault(question, self.probabilities(question))
            order = np.argsort(-p)[:3]
            cands = tuple(Candidate(self.classes[i], self.classes[i], float(p[i])) for i in order)
            top = cands[0]
            status = Status.ANSWERED if top.score >= cut else Status.SUGGEST
            return Result(question, status, top.entry_id if status is Status.ANSWERED else None,
                          top.topic if status is Status.ANSWERED else None, top.score, cands, "", "peer")
        return answer


def fit_cut(peer: Peer, labelled, cache, verdicts, max_wrong: float = 0.03) -> float:
    """The lowest probability cut-off that keeps the set's wrong answers at or under `max_wrong`."""
    for cut in np.arange(0.05, 1.0, 0.01):
        if evaluate(labelled, peer.answerer(cut, cache), "peer", verdicts).wrong_rate <= max_wrong:
            return float(round(cut, 2))
    return 1.0


def at_equal_coverage(peer: Peer, labelled, cache, verdicts, answered: int) -> tuple[float, Report]:
    """The peer at the cut-off where it answers about as many in-scope questions as ours."""
    best = (1.0, None)
    for cut in np.arange(0.99, 0.0, -0.01):
        rep = evaluate(labelled, peer.answerer(cut, cache), "peer", verdicts)
        if rep.top1 + sum(rep.confused.values()) >= answered or best[1] is None:
            best = (float(round(cut, 2)), rep)
        if rep.top1 + sum(rep.confused.values()) >= answered:
            break
    return best


def main() -> int:
    files = sys.argv[1:] or sorted(str(p) for p in (ROOT / "evalsets").glob("*.yaml"))
    engine = Engine.from_path()
    verdicts = topic_permissiveness(engine.index)
    peer = Peer(engine)
    dev = load_labelled(ROOT / "evalsets" / "dev.yaml")
    cut = fit_cut(peer, dev, {}, verdicts)
    print(f"peer: {len(peer.classes)} topics; cut-off fitted on dev.yaml (wrong <= 3 %): {cut:.2f}\n")
    for path in files:
        labelled = load_labelled(path)
        cache: dict[str, np.ndarray] = {}
        ours = evaluate(labelled, engine.ask, "Tanya Netral (lexicon + ranker)", verdicts)
        answered_in_scope = ours.top1 + sum(ours.confused.values())
        forced = evaluate(labelled, peer.answerer(0.0, cache), "peer, forced to answer", verdicts)
        same_cut, same = at_equal_coverage(peer, labelled, cache, verdicts, answered_in_scope)
        same.name = f"peer at {same_cut:.2f} (answers as many)"
        reports = [ours, evaluate(labelled, peer.answerer(cut, cache), f"peer at dev cut {cut:.2f}", verdicts),
                   same, forced]
        print(f"== {Path(path).name}: {len(labelled)} questions")
        print(format_table(reports))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
