"""The trained ranker on disk, keyed by the knowledge base's content hash.

Training takes seconds; start-up should not. The cache file is a NumPy .npz of plain arrays
(numbers and strings, read with allow_pickle=False), written atomically, and trusted only
when its key matches the knowledge base it is loaded for and its arrays have the right
shape: anything else is retrained and replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from bot.kb.model import KnowledgeBase
from bot.core.ranker import FEATURES, Model
from bot.core.text import Lexicon

log = logging.getLogger(__name__)

# Bump when training changes in a way the content hash cannot see (features, folds, solver,
# the candidates gathered: matching.SHORTLIST, PEER_TOPICS).
TRAINING_VERSION = "ranker-2-peer"


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
    path = (directory or cache_dir()) / f"ranker-{key[:32]}.npz"
    model = _read(path, key)
    if model is not None:
        return model
    model = train(kb, lexicon)
    if model is not None:
        _write(path, key, model)
    return model


def _read(path: Path, key: str) -> Model | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("ranker cache %s unreadable (%s); retraining", path, exc.__class__.__name__)
        return None
    try:
        if str(arrays["key"]) != key:
            raise ValueError("key differs")
        return Model.from_arrays(arrays)
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("ranker cache %s rejected (%s); retraining", path, exc)
        return None


def _write(path: Path, key: str, model: Model) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ranker-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez_compressed(fh, key=np.asarray(key), **model.to_arrays())
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        # A read-only or full disk costs the next start-up a retraining, nothing more.
        log.warning("ranker cache not written to %s: %s", path.parent, exc.__class__.__name__)
