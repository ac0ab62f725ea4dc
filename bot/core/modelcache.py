"""The trained ranker on disk, keyed by the knowledge base's content hash.

Training takes seconds; start-up should not. The cache file is plain JSON (numbers, not a
pickle), written atomically, and trusted only when its key matches the knowledge base it
is loaded for and its arrays have the right shape: anything else is retrained and replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from bot.kb.model import KnowledgeBase
from bot.core.ranker import FEATURES, Model
from bot.core.text import Lexicon

log = logging.getLogger(__name__)

# Bump when training changes in a way the content hash cannot see (features, folds, solver).
TRAINING_VERSION = "ranker-1"


def cache_dir() -> Path:
    """$BOT_CACHE_DIR, else $XDG_CACHE_HOME/tanya-netral, else ~/.cache/tanya-netral."""
    env = os.environ.get("BOT_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tanya-netral"


def content_key(kb: KnowledgeBase) -> str:
    """A hash of everything training reads: phrasings, topics, lexicon data, training version."""
    entries = [[e.id, e.topic, e.verdict.value, e.title, list(e.examples), list(e.keywords)] for e in kb.entries]
    blob = json.dumps([TRAINING_VERSION, list(FEATURES), entries, kb.lexicon_data], sort_keys=True,
                      ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def load_or_train(kb: KnowledgeBase, lexicon: Lexicon, directory: Path | None = None) -> Model | None:
    """The ranker for `kb`: from the cache when it is there and sound, else trained (and cached)."""
    from bot.core.training import train  # training pulls in the matcher; imported only when needed

    key = content_key(kb)
    path = (directory or cache_dir()) / f"ranker-{key[:32]}.json"
    model = _read(path, key)
    if model is not None:
        return model
    model = train(kb, lexicon)
    if model is not None:
        _write(path, key, model)
    return model


def _read(path: Path, key: str) -> Model | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ranker cache %s unreadable (%s); retraining", path, exc.__class__.__name__)
        return None
    try:
        if data.get("key") != key:
            raise ValueError("key differs")
        return Model.from_dict(data.get("model"))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        log.warning("ranker cache %s rejected (%s); retraining", path, exc)
        return None


def _write(path: Path, key: str, model: Model) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ranker-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"key": key, "model": model.to_dict()}, fh)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        # A read-only or full disk costs the next start-up a retraining, nothing more.
        log.warning("ranker cache not written to %s: %s", path.parent, exc.__class__.__name__)
