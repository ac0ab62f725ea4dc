"""What to say to a message that is not a question: thanks get "you're welcome", the rest a greeting."""

from __future__ import annotations

from typing import Any, Mapping

from bot.core import messages as msg
from bot.core.text import clean

# Emoji that say thanks or OK on their own (clean() drops every emoji, so they are looked for here).
THANKS_EMOJI = ("🙏", "👍", "👌", "❤", "♥", "😊", "🙂", "🤝")


def reply(text: str, lexicon_data: Mapping[str, Any]) -> str:
    """The small-talk reply to `text`: msg.THANKS_REPLY for thanks, msg.SMALLTALK (greeting, examples) otherwise."""
    groups = lexicon_data.get("smalltalk") or {}
    greetings = {str(w).lower() for w in groups.get("greetings") or ()}
    thanks = {str(w).lower() for w in groups.get("thanks") or ()} - greetings
    words = clean(text).split()
    if any(w in thanks for w in words) or any(e in text for e in THANKS_EMOJI):
        return msg.THANKS_REPLY
    return msg.SMALLTALK
