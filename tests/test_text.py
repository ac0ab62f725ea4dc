"""The normaliser: slang, repeated letters, affixes, synonyms, and hostile input."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.text import clean, normalize


def test_slang_and_shouting_become_standard_words(lexicon):
    norm = normalize("Bolehhh gak sy nge-like postingan CALEG???", lexicon)
    assert "tidak" in norm.tokens and "saya" in norm.tokens
    assert "like" in norm.content and "calon" in norm.content


def test_affixed_forms_share_a_root(lexicon):
    assert "like" in normalize("menyukai unggahan", lexicon).content
    assert "like" not in normalize("calon yang saya sukai", lexicon).content
    assert "bagi" in normalize("membagikan poster", lexicon).content
    assert "kampanye" in normalize("dikampanyekan", lexicon).content


def test_loanwords_and_platform_words_map_to_one_concept(lexicon):
    shares = [normalize(q, lexicon).content for q in ("share", "forward ke grup", "repost", "diteruskan")]
    assert all("bagi" in c for c in shares)


def test_urls_markup_and_emoji_are_dropped():
    text = clean("Cek https://contoh.go.id/x <b>ini</b> 👍 ya!!")
    assert "https" not in text and "<b>" not in text and "👍" not in text
    assert text.split() == ["cek", "ini", "ya"]


def test_number_reduplication_is_folded(lexicon):
    assert normalize("bagi2 sembako", lexicon).tokens[0] == normalize("bagi sembako", lexicon).tokens[0]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_normalize_never_raises_and_is_deterministic(lexicon, text):
    first = normalize(text, lexicon)
    assert first == normalize(text, lexicon)
    assert all(tok and tok == tok.lower() and " " not in tok for tok in first.tokens)
    assert len(first.tokens) <= 80
