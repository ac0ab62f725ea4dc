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


def parse_age(text: str) -> timedelta:
    """'7d', '24h', '30m' or '2w' as a duration; ValueError otherwise."""
    found = re.fullmatch(r"\s*(\d{1,5})\s*([mhdw])\s*", text.lower())
    if not found:
        raise ValueError(f"expected an age such as 7d, 24h, 30m or 2w, got {text!r}")
    unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[found[2]]
    return timedelta(**{unit: int(found[1])})


def to_csv(rows: Iterable[dict]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Indonesian text and emoji correctly."""
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def to_jsonl(rows: Iterable[dict]) -> bytes:
    """One JSON object per line, UTF-8 without escapes."""
    return "".join(json.dumps({k: row.get(k) for k in EXPORT_COLUMNS}, ensure_ascii=False) + "\n"
                   for row in rows).encode("utf-8")
