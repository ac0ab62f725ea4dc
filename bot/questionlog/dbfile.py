"""The question log's database file on disk: is it still the file we opened, and rows kept beside it.

SQLite keeps writing to a database file that was deleted or replaced while it was open
(the rows then vanish with the unlinked inode), so the log compares the path's identity
with the file it opened before and after every write. Rows the log could not write by the
time it closes are spilled as JSON lines beside the database and replayed on the next open.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

logger = logging.getLogger("bot.storage")

FileId = tuple[int, int]
SPILL_MARK = ".unwritten-"
# SQLite errors that a fresh connection would not cure: another writer holds the lock, or
# the disk is full. Any other failure (read-only file, I/O error, a file replaced under us)
# may be a property of the connection itself, so the next attempt opens a new one.
TRANSIENT_ERRORS = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL")


def file_id(path: Path) -> FileId | None:
    """(device, inode) of the file at path; None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def keeps_connection(exc: BaseException) -> bool:
    """Whether a failed write should be retried on the same connection."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(TRANSIENT_ERRORS):
        return True
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "full" in text)


def spill_files(path: Path) -> list[Path]:
    """Spilled rows of the database at path, oldest first."""
    return sorted(path.parent.glob(path.name + SPILL_MARK + "*.jsonl"))


def write_spill(path: Path, writes: Iterable[tuple[tuple[str, tuple], ...]]) -> Path | None:
    """Keep unwritten statements in a private file beside the database; None when that fails too."""
    moment = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    target = path.with_name(path.name + SPILL_MARK + moment + ".jsonl")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for statements in writes:
                fh.write(json.dumps([[sql, list(params)] for sql, params in statements]) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        logger.error("question log: cannot keep unwritten rows beside the database either (%s)",
                     exc.__class__.__name__)
        return None
    return target


def read_spill(spill: Path) -> list[tuple[tuple[str, tuple], ...]]:
    """The statements of one spill file; a truncated last line (a crash while spilling) is skipped."""
    writes = []
    for line in spill.read_text(encoding="utf-8").splitlines():
        try:
            writes.append(tuple((sql, tuple(params)) for sql, params in json.loads(line)))
        except (ValueError, TypeError):
            logger.warning("question log: skipped a damaged line in %s", spill.name)
    return writes
