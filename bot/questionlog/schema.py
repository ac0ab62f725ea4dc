"""The question log's schema, one numbered list of migrations per back end, and the SQL dialect bridge.

Both back ends record the migrations applied in `schema_version`. Statements elsewhere are
written once, in SQLite's dialect with `?` placeholders; `postgres_sql()` turns them into
PostgreSQL's (`$1`, `$2` ..., `ON CONFLICT DO NOTHING` for `INSERT OR IGNORE`, and the two
date functions the report uses). Timestamps are ISO text in UTC on both, so that the same
comparisons and lexical order hold; on PostgreSQL they are compared byte-wise (COLLATE "C").
"""

from __future__ import annotations

import functools
import re

SQLITE_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE questions (
            qid TEXT PRIMARY KEY,
            asked_at TEXT NOT NULL,
            chat_kind TEXT NOT NULL,
            question TEXT NOT NULL,
            normalized TEXT NOT NULL,
            status TEXT NOT NULL,
            entry_id TEXT,
            score REAL NOT NULL,
            asker TEXT NOT NULL,
            chosen_entry TEXT,
            review TEXT,
            reviewed_at TEXT
        )""",
        "CREATE INDEX questions_asked_at ON questions (asked_at)",
        "CREATE INDEX questions_open ON questions (review, status)",
        """CREATE TABLE votes (
            qid TEXT NOT NULL REFERENCES questions (qid) ON DELETE CASCADE,
            asker TEXT NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            voted_at TEXT NOT NULL,
            PRIMARY KEY (qid, asker)
        )""",
        """CREATE TABLE learned (
            id INTEGER PRIMARY KEY,
            entry_id TEXT NOT NULL,
            question TEXT NOT NULL,
            added_at TEXT NOT NULL,
            UNIQUE (entry_id, question)
        )""",
    ),
    (
        # Provenance of learned examples (bot/teaching.py): the curator's pseudonym, the logged
        # question, when it took effect (NULL while it awaits approvals) and its undo. Examples
        # taught before this migration took effect when they were added.
        "ALTER TABLE learned ADD COLUMN curator TEXT",
        "ALTER TABLE learned ADD COLUMN qid TEXT",
        "ALTER TABLE learned ADD COLUMN approved_at TEXT",
        "ALTER TABLE learned ADD COLUMN undone_at TEXT",
        "ALTER TABLE learned ADD COLUMN undone_by TEXT",
        "UPDATE learned SET approved_at = added_at",
        """CREATE TABLE learned_approvals (
            learned_id INTEGER NOT NULL REFERENCES learned (id) ON DELETE CASCADE,
            curator TEXT NOT NULL,
            approved_at TEXT NOT NULL,
            PRIMARY KEY (learned_id, curator)
        )""",
    ),
    # Delivery: what the asker actually got, and the inbox of received updates (bot.inbox).
    (
        "ALTER TABLE questions ADD COLUMN delivery TEXT",
        """CREATE TABLE inbox (
            seq INTEGER PRIMARY KEY,
            update_id INTEGER NOT NULL UNIQUE,
            received TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            body TEXT,
            finished TEXT
        )""",
        "CREATE INDEX inbox_state ON inbox (state, seq)",
    ),
)

# PostgreSQL started with the schema SQLite had reached (its migrations 1-3), plus what
# replicas need: who claimed an inbox update, the replicas' heartbeats, and settings
# shared by every replica (the hash secret's fingerprint).
POSTGRES_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE questions (
            qid TEXT PRIMARY KEY,
            asked_at TEXT COLLATE "C" NOT NULL,
            chat_kind TEXT NOT NULL,
            question TEXT NOT NULL,
            normalized TEXT NOT NULL,
            status TEXT NOT NULL,
            entry_id TEXT,
            score DOUBLE PRECISION NOT NULL,
            asker TEXT NOT NULL,
            chosen_entry TEXT,
            review TEXT,
            reviewed_at TEXT COLLATE "C",
            delivery TEXT,
            rowid BIGSERIAL UNIQUE
        )""",
        "CREATE INDEX questions_asked_at ON questions (asked_at)",
        "CREATE INDEX questions_open ON questions (review, status)",
        """CREATE TABLE votes (
            qid TEXT NOT NULL REFERENCES questions (qid) ON DELETE CASCADE,
            asker TEXT NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            voted_at TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (qid, asker)
        )""",
        """CREATE TABLE learned (
            id BIGSERIAL PRIMARY KEY,
            entry_id TEXT NOT NULL,
            question TEXT NOT NULL,
            added_at TEXT COLLATE "C" NOT NULL,
            curator TEXT,
            qid TEXT,
            approved_at TEXT COLLATE "C",
            undone_at TEXT COLLATE "C",
            undone_by TEXT,
            UNIQUE (entry_id, question)
        )""",
        """CREATE TABLE learned_approvals (
            learned_id BIGINT NOT NULL REFERENCES learned (id) ON DELETE CASCADE,
            curator TEXT NOT NULL,
            approved_at TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (learned_id, curator)
        )""",
        """CREATE TABLE inbox (
            seq BIGSERIAL PRIMARY KEY,
            update_id BIGINT NOT NULL UNIQUE,
            received TEXT COLLATE "C" NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            body TEXT,
            finished TEXT COLLATE "C",
            claimed_by TEXT,
            claimed_at TIMESTAMPTZ
        )""",
        "CREATE INDEX inbox_state ON inbox (state, seq)",
        "CREATE TABLE replicas (name TEXT PRIMARY KEY, seen TIMESTAMPTZ NOT NULL)",
        "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
    # The groups /antrian showed, by the token of their buttons: a curator's tap may reach
    # another replica than the one that showed the group (bot.questionlog.review.ShownGroups).
    (
        """CREATE TABLE shown_groups (
            token TEXT PRIMARY KEY,
            shown_at TEXT COLLATE "C" NOT NULL,
            body TEXT NOT NULL
        )""",
        "CREATE INDEX shown_groups_shown_at ON shown_groups (shown_at)",
    ),
)

# Tables `log migrate` copies, parents first (foreign keys), with the columns both back ends have.
COPIED_TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("questions", ("qid", "asked_at", "chat_kind", "question", "normalized", "status", "entry_id", "score",
                   "asker", "chosen_entry", "review", "reviewed_at", "delivery")),
    ("votes", ("qid", "asker", "vote", "voted_at")),
    ("learned", ("id", "entry_id", "question", "added_at", "curator", "qid", "approved_at", "undone_at",
                 "undone_by")),
    ("learned_approvals", ("learned_id", "curator", "approved_at")),
    ("inbox", ("seq", "update_id", "received", "state", "attempts", "body", "finished")),
)
# Serial columns whose sequence must continue after copied rows.
SERIALS = (("learned", "id"), ("inbox", "seq"))

# SQLite date arithmetic the report uses, and PostgreSQL's equivalent (WIB is UTC+7 all year).
_WIB = "((asked_at::timestamptz AT TIME ZONE 'UTC') + interval '7 hours')"
_FUNCTIONS = {
    "date(asked_at, '+7 hours')": f"to_char({_WIB}, 'YYYY-MM-DD')",
    "strftime('%H', asked_at, '+7 hours')": f"to_char({_WIB}, 'HH24')",
}
_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT OR IGNORE INTO", re.IGNORECASE)
_TOKENS = re.compile(r"'(?:[^']|'')*'|\?")


@functools.lru_cache(maxsize=512)
def postgres_sql(sql: str) -> str:
    """A statement written for SQLite, in PostgreSQL's dialect."""
    for sqlite_form, pg_form in _FUNCTIONS.items():
        sql = sql.replace(sqlite_form, pg_form)
    if _INSERT_OR_IGNORE.match(sql):
        sql = _INSERT_OR_IGNORE.sub("INSERT INTO", sql, count=1) + " ON CONFLICT DO NOTHING"
    numbers = iter(range(1, 10_000))
    return _TOKENS.sub(lambda m: f"${next(numbers)}" if m.group(0) == "?" else m.group(0), sql)
