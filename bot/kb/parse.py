"""Parse one knowledge-base entry from YAML into an Entry, reporting every problem with file:line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.kb.model import (
    ENTRY_FIELDS, ID_RE, MIN_EXAMPLES, READING_FIELDS, REQUIRED_FIELDS, BASIS_FIELDS, STATUSES,
    Basis, Entry, Problem, Reading, Source, Verdict,
)


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def parse_entry(raw: Any, area: str, display: str, sources: dict[str, Source],
                 problems: list[Problem]) -> Entry | None:
    line = getattr(raw, "line", 0)
    if not isinstance(raw, dict):
        problems.append(Problem(display, line, "", "entri harus berupa mapping"))
        return None
    eid = str(raw.get("id") or "")
    lines = getattr(raw, "key_lines", {})

    def bad(field: str, message: str) -> None:
        problems.append(Problem(display, lines.get(field, line), eid, message))

    before = len(problems)
    for f in sorted(set(raw) - ENTRY_FIELDS, key=str):
        bad(f, f"field tidak dikenal: {f}")
    for f in REQUIRED_FIELDS:
        if raw.get(f) in (None, "", []):
            bad(f, f"field wajib kosong atau tidak ada: {f}")
    if eid and not ID_RE.match(eid):
        bad("id", f"id harus kebab-case: {eid}")
    verdict = raw.get("verdict")
    if verdict is not None and verdict not in {v.value for v in Verdict}:
        bad("verdict", f"verdict tidak valid: {verdict} ({'|'.join(v.value for v in Verdict)})")
    basis = _parse_basis(raw.get("basis"), sources, bad)
    examples = raw.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(x, str) and x.strip() for x in examples):
        bad("examples", "examples harus daftar kalimat")
        examples = []
    elif len(examples) < MIN_EXAMPLES:
        bad("examples", f"contoh pertanyaan kurang: {len(examples)} (minimal {MIN_EXAMPLES})")
    for f in ("keywords", "related"):
        val = raw.get(f)
        if val is not None and (not isinstance(val, list) or not all(isinstance(x, str) for x in val)):
            bad(f, f"{f} harus daftar teks")
    reviewed = raw.get("reviewed")
    if reviewed is not None and parse_date(reviewed) is None:
        bad("reviewed", f"reviewed harus tanggal YYYY-MM-DD: {reviewed}")
    by_status = _parse_by_status(raw.get("by_status"), bad)
    readings = _parse_readings(raw.get("readings"), sources, bad)
    if len(problems) > before:
        return None
    example_lines = tuple(getattr(raw["examples"], "item_lines", [0] * len(examples)))
    return Entry(
        id=eid, topic=str(raw["topic"]), area=area, title=str(raw["title"]).strip(),
        verdict=Verdict(verdict), answer=" ".join(str(raw["answer"]).split()), basis=basis,
        examples=tuple(x.strip() for x in examples), reviewed=str(reviewed),
        sanction=text_or_none(raw.get("sanction")), caveat=text_or_none(raw.get("caveat")),
        keywords=tuple(raw.get("keywords") or ()), related=tuple(raw.get("related") or ()),
        by_status=by_status, readings=readings, recheck=text_or_none(raw.get("recheck")),
        file=display, line=line, example_lines=example_lines, key_lines=tuple(lines.items()),
    )


def _parse_by_status(raw: Any, bad) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        bad("by_status", f"by_status harus mapping status -> teks ({', '.join(STATUSES)})")
        return ()
    for status, text in raw.items():
        if status not in STATUSES:
            bad("by_status", f"status tidak dikenal di by_status: {status} (pilih: {', '.join(STATUSES)})")
        elif not isinstance(text, str) or not text.strip():
            bad("by_status", f"by_status.{status} harus teks")
    return tuple((s, text_or_none(raw[s])) for s in STATUSES if isinstance(raw.get(s), str) and raw[s].strip())


def _parse_readings(raw: Any, sources: dict[str, Source], bad) -> tuple[Reading, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        bad("readings", "readings harus daftar {by, view, sources}")
        return ()
    out = []
    for item in raw:
        if not isinstance(item, dict) or not item.get("by") or not item.get("view") or not item.get("sources"):
            bad("readings", "setiap reading harus punya 'by', 'view' dan 'sources'")
            continue
        unknown = set(item) - READING_FIELDS
        if unknown:
            bad("readings", f"field reading tidak dikenal: {', '.join(sorted(unknown))}")
        ids = tuple(str(x) for x in item["sources"]) if isinstance(item["sources"], list) else (str(item["sources"]),)
        for sid in ids:
            if sid not in sources:
                bad("readings", f"sumber tidak ada di sources.yaml: {sid}")
        out.append(Reading(text_or_none(item["by"]), text_or_none(item["view"]), ids))
    return tuple(out)


def text_or_none(value: Any) -> str | None:
    return " ".join(str(value).split()) if value else None


def _parse_basis(raw: Any, sources: dict[str, Source], bad) -> tuple[Basis, ...]:
    if not isinstance(raw, list):
        if raw is not None:
            bad("basis", "basis harus daftar {source, article, quote}")
        return ()
    out = []
    has_url = False
    for item in raw:
        if not isinstance(item, dict) or not item.get("source"):
            bad("basis", "setiap basis harus punya 'source'")
            continue
        unknown = set(item) - BASIS_FIELDS
        if unknown:
            bad("basis", f"field basis tidak dikenal: {', '.join(sorted(unknown))}")
        sid = str(item["source"])
        src = sources.get(sid)
        if src is None:
            bad("basis", f"sumber tidak ada di sources.yaml: {sid}")
        elif src.url:
            has_url = True
        out.append(Basis(sid, text_or_none(item.get("article")), text_or_none(item.get("quote"))))
    if out and not has_url and all(b.source in sources for b in out):
        bad("basis", "tidak ada sumber yang punya URL")
    return tuple(out)
