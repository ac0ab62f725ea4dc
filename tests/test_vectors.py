"""Our TF-IDF reads text as scikit-learn's TfidfVectorizer does, so the trained peer fits it;
and answering, once the ranker is cached, never imports scikit-learn (a second of start-up)."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.core.index import ranker_text
from bot.core.text import normalize
from bot.core.vectors import Tfidf


@pytest.mark.parametrize("analyzer, ngram, min_df", [("char_wb", (3, 5), 1), ("word", (1, 2), 1),
                                                     ("char_wb", (2, 5), 2), ("word", (1, 2), 2)])
def test_the_same_numbers_as_scikit_learn(engine, analyzer, ngram, min_df):
    texts = [ranker_text(normalize(x, engine.index.lexicon)) for e in engine.kb.entries for x in (e.title, *e.examples)]
    questions = ["boleh like postingan caleg?", "", "a", "pns ikut pilkades jadi cakades", "x " * 30]
    ours = Tfidf.fit(texts, analyzer, ngram, min_df=min_df)
    theirs = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram, min_df=min_df, sublinear_tf=True,
                             token_pattern=r"\S+" if analyzer == "word" else None, dtype=np.float32).fit(texts)
    assert ours.vocabulary == theirs.vocabulary_
    assert np.allclose(ours.idf, theirs.idf_, atol=1e-6)
    assert abs(ours.transform(questions) - theirs.transform(questions)).max() < 1e-6


def test_a_warm_start_answers_without_scikit_learn(engine, repo):
    code = ("import sys; from bot.core.engine import Engine; e = Engine.from_path(); "
            "assert e.ask('boleh like postingan caleg?').entry_id; print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
