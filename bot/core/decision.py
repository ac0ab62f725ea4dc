"""The four-way decision: answer, offer choices, say "don't know", or small talk.

Pure: scored candidates and the question's signals in, a status and the entries to show
out. A wrong "boleh" can cost someone their career, so every rule here leans to offering
choices or abstaining when the evidence is split.
"""

from __future__ import annotations

import enum

from bot.core.index import Cutoffs, Index
from bot.core.ranker import Signals
from bot.kb.model import Verdict


class Status(str, enum.Enum):
    """What the bot does with a question."""

    ANSWERED = "answered"
    SUGGEST = "suggest"
    UNANSWERED = "unanswered"
    SMALLTALK = "smalltalk"


def uses(index: Index, entry: int, term: str) -> bool:
    """Whether the entry's phrasings or keywords use the term."""
    posting = index.postings.get(term)
    return posting is not None and entry in posting[0]


def decide(scored: list[tuple[float, int]], signals: Signals, index: Index,
           cut: Cutoffs, *, views: tuple[tuple[float, int], ...] = (),
           contenders: tuple[tuple[float, int], ...] = (), vetoed: frozenset[int] = frozenset(),
           ) -> tuple[Status, str, list[tuple[float, int]], int | None]:
    """(status, reason, candidates to show, the entry answered) for scored candidates.

    When a ranker scored them: `views`, the candidates the lexical view and the nearest
    phrasings rank first, in that order; `contenders`, the close calls of the lexical view;
    `vetoed`, the entries a word of the question excludes (knowledge/lexicon/anchors.yaml).
    """
    if not scored:
        return Status.UNANSWERED, "no candidate", [], None
    top_score, top = scored[0]
    rivals = close_rivals(scored, index, cut)
    clear = not rivals
    if not signals.domain or (signals.offtopic and not signals.normative):
        # Out of scope (no election word; or salary, leave, schedules, fees ... asked as
        # such) unless the question is nearly one of our phrasings.
        if top_score >= cut.strong and clear:
            return Status.ANSWERED, "strong match outside election vocabulary", scored, top
        return Status.UNANSWERED, "out of scope", scored, None
    if signals.outsiders and not any(uses(index, top, t) for t in signals.outsiders):
        # "suami sy polisi, boleh nyoblos?": the ASN rules do not bind the person asked about,
        # and the entry does not speak of them.
        return Status.UNANSWERED, "about someone the ASN rules do not bind", scored, None
    if top in index.about_bot and top_score >= cut.suggest:
        # "Who made you?" is small talk: answered with the card about the bot, never
        # counted as a neutrality answer or logged for curators.
        return Status.SMALLTALK, "about the bot", scored, top
    if signals.negates and index.entries[top].verdict.permissiveness in (0, 1):
        # "May I NOT attend?" answered with the card that forbids attending would read as
        # "dilarang" to not attending: the user picks the card instead.
        choices = _choices(scored, index, cut)
        if len(choices) >= 2:
            return Status.SUGGEST, "asks about not doing what the entry forbids", choices, None
        return Status.UNANSWERED, "asks about not doing what the entry forbids", scored, None
    if _riskier(scored, index, cut, contenders):
        # A wrong "boleh" costs a career: a verdict that allows more than a plausible
        # alternative's is never given on a guess. The user chooses.
        choices = _choices(scored, index, cut)
        if len(choices) >= 2:
            return Status.SUGGEST, "a stricter verdict is plausible", choices, None
        return Status.UNANSWERED, "a stricter verdict is plausible", scored, None
    topic = index.entries[top].topic
    # The nearest phrasings know nothing of the curators' excludes: for an entry a word of
    # the question excludes, only the lexical view's support counts.
    support = views[:1] if top in vetoed else views
    if top_score >= cut.answer and views and all(index.entries[i].topic != topic for _, i in support):
        # Neither the wording nor the nearest phrasings point to the ranker's choice: it
        # rests on the peer's view, which cannot abstain. The user chooses; an excluded
        # entry comes last.
        choices = sorted(_choices(scored, index, cut), key=lambda x: x[1] in vetoed)
        for s, i in support:
            if len(choices) < 3 and all(index.entries[i].topic != index.entries[j].topic for _, j in choices):
                choices.append((s, i))
        if len(choices) >= 2:
            return Status.SUGGEST, "the views do not support the best entry", choices, None
        return Status.UNANSWERED, "the views do not support the best entry", scored, None
    if top_score >= cut.answer and clear:
        return Status.ANSWERED, "clear match", scored, top
    if top_score >= cut.answer and _all_prohibit(scored, rivals, index, cut):
        # The close candidates differ in topic but all say "dilarang": the verdict the user
        # gets is right either way, and the card links the neighbours.
        return Status.ANSWERED, "close candidates all prohibit", scored, top
    choices = _choices(scored, index, cut)
    if len(choices) >= 2 and choices[0][0] >= cut.suggest:
        return Status.SUGGEST, "close candidates", choices, None
    nearest = views[-1] if views else None
    if len(choices) == 1 and top_score >= cut.single:
        if nearest is not None and index.entries[nearest[1]].topic != topic:
            # The nearest phrasings point to another topic: the lone candidate is a guess,
            # and their entry is the second choice when the ranker gives it any chance.
            if nearest[0] >= cut.floor:
                return Status.SUGGEST, "the views differ on the only candidate", [*choices, nearest], None
            return Status.UNANSWERED, "the views differ on the only candidate", scored, None
        # A single "Maksud Anda" is an answer in disguise: no other topic is anywhere near.
        return Status.ANSWERED, "the only candidate", scored, top
    return Status.UNANSWERED, "no entry close enough", scored, None


def close_rivals(scored: list[tuple[float, int]], index: Index, cut: Cutoffs) -> list[tuple[float, int]]:
    """Entries of other topics than the best one, within the answering margin of it."""
    if not scored:
        return []
    top_score, top = scored[0]
    topic = index.entries[top].topic
    return [(s, i) for s, i in scored[1:]
            if index.entries[i].topic != topic and top_score - s < cut.margin and s >= cut.rival]


def _riskier(scored: list[tuple[float, int]], index: Index, cut: Cutoffs,
             contenders: tuple[tuple[float, int], ...] = ()) -> bool:
    """Whether the best entry allows more than a plausible entry of another topic, or is not sure enough.

    Plausible: the ranker gives it a chance, or the lexical view all but ties it with its
    best (`contenders`): the ranker's probabilities are sharp, and a "boleh" must not rest
    on their sharpness alone.
    """
    top_score, top = scored[0]
    entry = index.entries[top]
    rank = entry.verdict.permissiveness
    if not rank:  # dilarang or info: nothing more permissive to fear
        return False
    if top_score < cut.permissive:
        return True

    def stricter(i: int) -> bool:
        other = index.entries[i]
        return (other.topic != entry.topic and other.verdict.permissiveness is not None
                and other.verdict.permissiveness < rank)

    if any(stricter(i) for _, i in contenders):
        return True
    for s, i in scored[1:]:
        if s < cut.stricter or top_score - s > cut.suggest_gap:
            break
        if stricter(i):
            return True
    return False


def _all_prohibit(scored: list[tuple[float, int]], rivals: list[tuple[float, int]], index: Index,
                  cut: Cutoffs) -> bool:
    """Whether the best entry prohibits, so does every close rival, and it still leads a little."""
    top_score, top = scored[0]
    return (index.entries[top].verdict is Verdict.DILARANG
            and all(index.entries[i].verdict is Verdict.DILARANG for _, i in rivals)
            and top_score - rivals[0][0] >= cut.agree_margin)


def _choices(scored: list[tuple[float, int]], index: Index, cut: Cutoffs) -> list[tuple[float, int]]:
    """Up to three candidates of distinct topics close to the best one.

    When only the best one is close, the next topics above the floor join it: a single
    choice is no choice.
    """
    out: list[tuple[float, int]] = []
    topics: set[str] = set()
    best = scored[0][0]
    for s, i in scored:
        if s < cut.floor or len(out) == 3:
            break
        close = s >= cut.suggest and best - s <= cut.suggest_gap
        if not close and len(out) >= 2:
            break
        topic = index.entries[i].topic
        if topic not in topics:
            topics.add(topic)
            out.append((s, i))
    return out
