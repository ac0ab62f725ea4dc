"""The question log as a file: CSV that Excel opens correctly, or JSON lines."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from typing import Iterable

# The columns of `log export` and of the curators' /ekspor document, in this order.
EXPORT_COLUMNS = ("asked_at", "chat_kind", "question", "normalized", "status", "entry_id", "score",
                  "chosen_entry", "votes_up", "votes_down", "review", "qid")
# A spreadsheet evaluates a cell that starts with one of these as a formula (or strips the
# control character and then does); anyone can type a question such as "=HYPERLINK(...)".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def parse_age(text: str) -> timedelta:
    """'7d', '24h', '30m' or '2w' as a duration; ValueError otherwise (and for zero)."""
    found = re.fullmatch(r"\s*(\d{1,5})\s*([mhdw])\s*", text.lower())
    if not found or not int(found[1]):
        raise ValueError(f"expected an age such as 7d, 24h, 30m or 2w, got {text!r}")
    unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[found[2]]
    return timedelta(**{unit: int(found[1])})


def age_label(age: timedelta) -> str:
    """A duration in its largest whole unit, for command-line output: '30 days', '1 hour'."""
    minutes = int(age.total_seconds() // 60)
    count, unit = next((minutes // size, unit) for size, unit in ((1440, "day"), (60, "hour"), (1, "minute"))
                       if minutes % size == 0)
    return f"{count} {unit}{'' if count == 1 else 's'}"


def spreadsheet_safe(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: Iterable[dict]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Indonesian text and emoji correctly.

    Cells that would start a formula are neutralised (see FORMULA_STARTS); JSON lines are
    for programs and keep every value as it is.
    """
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
    return buf.getvalue().encode("utf-8-sig")


def to_jsonl(rows: Iterable[dict]) -> bytes:
    """One JSON object per line, UTF-8 without escapes."""
    return "".join(json.dumps({k: row.get(k) for k in EXPORT_COLUMNS}, ensure_ascii=False) + "\n"
                   for row in rows).encode("utf-8")
