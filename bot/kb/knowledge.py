"""Load the YAML knowledge base into immutable objects, with file:line for every problem."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bot.kb.model import (
    AREA_FIELDS, ENTRY_KEYED_LEXICON, SOURCE_FIELDS, STATUS_NOTE_FIELDS, STATUSES, Area, Entry,
    KnowledgeBase, KnowledgeError, Problem, Source, StatusNote,
)
from bot.kb.parse import parse_date, parse_entry, text_or_none
from bot.kb.yamlines import LineList, LineLoader


# ---------------------------------------------------------------- reading

def read_yaml(path: Path, display: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML file; a syntax error becomes a Problem with its line."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=LineLoader), []
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        return None, [Problem(display, line, "", f"YAML tidak valid: {exc.problem}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(display, 0, "", f"tidak bisa dibaca: {exc}")]



# ---------------------------------------------------------------- locating

def default_root() -> Path:
    """The knowledge folder: $BOT_KNOWLEDGE_DIR, the checkout's knowledge/, or the installed copy."""
    env = os.environ.get("BOT_KNOWLEDGE_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2] / "knowledge"
    if (checkout / "sources.yaml").is_file():
        return checkout
    return Path(str(resources.files("bot") / "data"))


# ---------------------------------------------------------------- loading

def load(root: Path | str | None = None) -> KnowledgeBase:
    """Load and structurally validate the knowledge base; raise KnowledgeError on any problem."""
    kb, problems = load_with_problems(root)
    if problems:
        raise KnowledgeError(problems)
    return kb


def load_with_problems(root: Path | str | None = None) -> tuple[KnowledgeBase, list[Problem]]:
    """Load what can be loaded and list every structural problem found."""
    root = Path(root) if root else default_root()
    problems: list[Problem] = []
    sources = _load_sources(root, problems)
    status_notes = _load_status_notes(root, sources, problems)
    lexicon_data, origins = _load_lexicon(root, problems)
    entries: list[Entry] = []
    areas: list[Area] = []
    entry_dir = root / "entries"
    files = sorted(entry_dir.glob("*.yaml")) if entry_dir.is_dir() else []
    if not files:
        problems.append(Problem(_display(root, entry_dir), 0, "", "tidak ada file entri (*.yaml)"))
    unreadable = 0
    for path in files:
        unreadable += not _load_area(path, _display(root, path), sources, entries, areas, problems)
    _check_cross(entries, problems)
    if not unreadable:
        # With a whole file unreadable, its entries are missing: every reference to them
        # would be reported again as a second, misleading problem.
        _check_lexicon_ids(lexicon_data, origins, {e.id for e in entries}, problems)
    areas.sort(key=lambda a: (a.order, a.id))
    kb = KnowledgeBase(tuple(entries), tuple(areas), sources, lexicon_data, str(root), status_notes)
    return kb, problems


def _display(root: Path, path: Path) -> str:
    try:
        return str(Path("knowledge") / path.relative_to(root))
    except ValueError:
        return str(path)


def _load_sources(root: Path, problems: list[Problem]) -> dict[str, Source]:
    path = root / "sources.yaml"
    display = _display(root, path)
    data, errs = read_yaml(path, display)
    problems.extend(errs)
    sources: dict[str, Source] = {}
    source_lines: dict[str, int] = {}
    if errs:
        return sources
    items = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(items, list):
        problems.append(Problem(display, 1, "", "harus berisi daftar 'sources:'"))
        return sources
    for i, item in enumerate(items):
        line = items.item_lines[i] if isinstance(items, LineList) else 0
        if not isinstance(item, dict) or not item.get("id") or not item.get("title"):
            problems.append(Problem(display, line, "", "sumber tanpa 'id' atau 'title'"))
            continue
        sid = str(item["id"])
        source_lines.setdefault(sid, line)
        unknown = set(item) - SOURCE_FIELDS
        if unknown:
            problems.append(Problem(display, line, sid, f"field tidak dikenal: {', '.join(sorted(map(str, unknown)))}"))
        if sid in sources:
            problems.append(Problem(display, line, sid, "id sumber ganda"))
        url = item.get("url")
        if url and not str(url).startswith(("http://", "https://")):
            problems.append(Problem(display, line, sid, f"url tidak valid: {url}"))
        effective = item.get("effective")
        if effective is not None and parse_date(effective) is None:
            problems.append(Problem(display, line, sid, f"effective harus tanggal YYYY-MM-DD: {effective}"))
        amended = item.get("amended_by") or []
        if not isinstance(amended, list):
            problems.append(Problem(display, line, sid, "amended_by harus daftar id sumber"))
            amended = []
        sources[sid] = Source(
            id=sid, title=str(item["title"]), kind=str(item.get("kind", "web")),
            number=str(item["number"]) if item.get("number") is not None else None,
            year=item.get("year"), issuer=item.get("issuer"), url=url, note=item.get("note"),
            effective=str(effective) if effective is not None else None,
            replaced_by=str(item["replaced_by"]) if item.get("replaced_by") else None,
            amended_by=tuple(str(a) for a in amended),
        )
    for src in sources.values():
        for other in (src.replaced_by, *src.amended_by):
            if other is not None and other not in sources:
                problems.append(Problem(display, source_lines[src.id], src.id,
                                        f"menunjuk sumber yang tidak ada: {other}"))
    return sources




def _load_status_notes(root: Path, sources: dict[str, Source], problems: list[Problem]) -> dict[str, StatusNote]:
    """statuses.yaml (optional): per employment status, a note every card with a sanction shows."""
    path = root / "statuses.yaml"
    if not path.is_file():
        return {}
    display = _display(root, path)
    data, errs = read_yaml(path, display)
    problems.extend(errs)
    notes = data.get("statuses") if isinstance(data, dict) else None
    if errs:
        return {}
    if not isinstance(notes, dict):
        problems.append(Problem(display, 1, "", "harus berisi mapping 'statuses:'"))
        return {}
    out: dict[str, StatusNote] = {}
    lines = getattr(notes, "key_lines", {})
    for status, item in notes.items():
        line = lines.get(status, 0)
        if status not in STATUSES:
            problems.append(Problem(display, line, str(status), f"status tidak dikenal (pilih: {', '.join(STATUSES)})"))
            continue
        if not isinstance(item, dict) or not item.get("note"):
            problems.append(Problem(display, line, status, "setiap status perlu 'note'"))
            continue
        unknown = set(item) - STATUS_NOTE_FIELDS
        if unknown:
            problems.append(Problem(display, line, status, f"field tidak dikenal: {', '.join(sorted(unknown))}"))
        basis = tuple(str(b) for b in item.get("basis") or ())
        for sid in basis:
            if sid not in sources:
                problems.append(Problem(display, line, status, f"sumber tidak ada di sources.yaml: {sid}"))
        out[status] = StatusNote(status, text_or_none(item["note"]), basis)
    return out


def _load_lexicon(root: Path, problems: list[Problem]) -> tuple[dict[str, Any], dict[str, str]]:
    """All lexicon files merged into one mapping, and which file each top-level key came from."""
    data: dict[str, Any] = {}
    origins: dict[str, str] = {}
    lex_dir = root / "lexicon"
    for path in sorted(lex_dir.glob("*.yaml")) if lex_dir.is_dir() else []:
        content, errs = read_yaml(path, _display(root, path))
        problems.extend(errs)
        if isinstance(content, dict):
            data.update(content)
            origins.update((key, _display(root, path)) for key in content)
        elif not errs:
            problems.append(Problem(_display(root, path), 1, "", "leksikon harus berupa mapping"))
    return data, origins


def _load_area(path: Path, display: str, sources: dict[str, Source], entries: list[Entry],
               areas: list[Area], problems: list[Problem]) -> bool:
    """Load one area file's entries; False when the file as a whole cannot be read."""
    data, errs = read_yaml(path, display)
    problems.extend(errs)
    if errs:
        return False
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        problems.append(Problem(display, 1, "", "file area harus berisi 'area:' dan daftar 'entries:'"))
        return False
    area = data.get("area") or {}
    if not isinstance(area, dict) or not area.get("id") or not area.get("title"):
        problems.append(Problem(display, getattr(data, "line", 1), "", "'area' harus punya 'id' dan 'title'"))
        area = {"id": path.stem, "title": path.stem}
    unknown_area = set(area) - AREA_FIELDS
    if unknown_area:
        problems.append(Problem(display, getattr(area, "line", 1), "", f"field area tidak dikenal: {', '.join(sorted(unknown_area))}"))
    ids: list[str] = []
    for raw in data["entries"]:
        entry = parse_entry(raw, str(area["id"]), display, sources, problems)
        if entry:
            entries.append(entry)
            ids.append(entry.id)
    areas.append(Area(str(area["id"]), str(area["title"]), int(area.get("order", 100)), tuple(ids),
                      bool(area.get("about_bot", False))))
    return True












def _check_lexicon_ids(data: dict[str, Any], origins: dict[str, str], ids: set[str],
                       problems: list[Problem]) -> None:
    """Lexicon sections keyed by entry id (anchors, excludes) must name existing entries."""
    for key in ENTRY_KEYED_LEXICON:
        section = data.get(key) or {}
        if not isinstance(section, dict):
            problems.append(Problem(origins.get(key, "knowledge/lexicon"), 0, "", f"'{key}' harus berupa mapping entri -> kata"))
            continue
        lines = getattr(section, "key_lines", {})
        for eid in section:
            if eid not in ids:
                problems.append(Problem(origins.get(key, "knowledge/lexicon"), lines.get(eid, 0), str(eid),
                                        f"{key} untuk entri yang tidak ada"))


def _check_cross(entries: list[Entry], problems: list[Problem]) -> None:
    seen: dict[str, Entry] = {}
    for e in entries:
        if e.id in seen:
            first = seen[e.id]
            problems.append(Problem(e.file, e.line, e.id, f"id ganda (juga di {first.file}:{first.line})"))
        else:
            seen[e.id] = e
    for e in entries:
        for rid in e.related:
            if rid not in seen:
                problems.append(Problem(e.file, e.line, e.id, f"related menunjuk entri yang tidak ada: {rid}"))
