"""Fixtures for the pure core (knowledge base, matcher), shared by every test module.

The Telegram fixtures (fake Bot API server, running Application) live in tests/conftest.py.
"""

import os
from pathlib import Path

import pytest

from bot.core.engine import Engine

REPO = Path(__file__).resolve().parent


@pytest.fixture(scope="session", autouse=True)
def ranker_cache(tmp_path_factory) -> Path:
    """A ranker cache of the test session's own (inherited by the bot processes tests start):
    the first engine trains the model, every later one loads it."""
    folder = tmp_path_factory.mktemp("ranker-cache")
    os.environ["BOT_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def engine(ranker_cache) -> Engine:
    """The shipped knowledge base, loaded and indexed once."""
    return Engine.from_path(REPO / "knowledge")


@pytest.fixture(scope="session")
def lexicon(engine):
    return engine.index.lexicon


@pytest.fixture(scope="session")
def topics_file() -> Path:
    """The topic list the knowledge base must cover (a copy of shared/topics.yaml)."""
    return REPO / "knowledge" / "topics.yaml"


@pytest.fixture(scope="session")
def evalsets_dir() -> Path:
    """The labelled question sets that ship with the project."""
    return REPO / "evalsets"
