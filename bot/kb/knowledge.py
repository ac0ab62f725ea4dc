"""Load the YAML knowledge base into immutable objects, with file:line for every problem."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bot.kb.yamlines import LineList, LineLoader

ENTRY_FIELDS = {"id", "topic", "title", "verdict", "answer", "basis", "sanction", "caveat",
                "examples", "keywords", "related", "reviewed", "by_status", "readings", "recheck"}
REQUIRED_FIELDS = ("id", "topic", "title", "verdict", "answer", "basis", "examples", "reviewed")
BASIS_FIELDS = {"source", "article", "quote"}
READING_FIELDS = {"by", "view", "sources"}
SOURCE_FIELDS = {"id", "kind", "title", "number", "year", "issuer", "url", "note",
                 "effective", "replaced_by", "amended_by"}
# Who a rule can differ for, in the order the card lists them.
STATUSES = ("pns", "pppk", "cpns", "honorer")
STATUS_NOTE_FIELDS = {"note", "basis"}
AREA_FIELDS = {"id", "title", "order", "about_bot"}
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_EXAMPLES = 8
ENTRY_KEYED_LEXICON = ("anchors", "excludes")
REGULATION_PREFIXES = (("se-menpanrb", "SE MenPANRB"), ("pkpu", "PKPU"), ("uu", "UU"), ("pp", "PP"),
                       ("skb", "SKB"), ("surat-mendagri", "Surat Mendagri"), ("permendagri", "Permendagri"),
                       ("permendag", "Permendag"), ("perbkn", "Peraturan BKN"), ("perpres", "Perpres"))


class Verdict(str, enum.Enum):
    """What an entry concludes."""

    DILARANG = "dilarang"
    BOLEH = "boleh"
    BERSYARAT = "bersyarat"
    INFO = "info"
    # Authorities disagree: the card leads with the safe course, then both readings.
    DIPERDEBATKAN = "diperdebatkan"

    @property
    def permissiveness(self) -> int | None:
        """How much a verdict allows: 0 dilarang < 1 diperdebatkan < 2 bersyarat < 3 boleh.

        None for info, which allows nothing and forbids nothing. An answer whose verdict
        is more permissive than the right entry's is the worst defect the bot can have.
        """
        return _PERMISSIVENESS.get(self)


_PERMISSIVENESS = {Verdict.DILARANG: 0, Verdict.DIPERDEBATKAN: 1, Verdict.BERSYARAT: 2, Verdict.BOLEH: 3}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the knowledge base, located for the operator."""

    file: str
    line: int
    entry_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.entry_id or '-'}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    kind: str = "web"
    number: str | None = None
    year: int | None = None
    issuer: str | None = None
    url: str | None = None
    note: str | None = None
    # When it took effect, and what replaced it (whole) or amended it (in part).
    effective: str | None = None
    replaced_by: str | None = None
    amended_by: tuple[str, ...] = ()

    @property
    def superseded(self) -> bool:
        return self.replaced_by is not None

    @property
    def label(self) -> str:
        """A short human name: 'PP 94/2021' for a regulation, the title otherwise."""
        prefix = next((label for key, label in REGULATION_PREFIXES if self.id.startswith(key)), None)
        if self.kind == "regulation" and prefix and self.number and self.year and "/" not in self.number:
            return f"{prefix} {self.number}/{self.year}"
        if self.kind == "regulation" and prefix == "SKB":
            return f"SKB Netralitas ASN {self.year}"
        return self.title


@dataclass(frozen=True)
class Basis:
    source: str
    article: str | None = None
    quote: str | None = None


@dataclass(frozen=True)
class Reading:
    """One side of a contested point: who holds it, what it says, and the sources."""

    by: str
    view: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class StatusNote:
    """What differs for one employment status on every card with a sanction (statuses.yaml)."""

    status: str
    note: str
    basis: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    area: str
    title: str
    verdict: Verdict
    answer: str
    basis: tuple[Basis, ...]
    examples: tuple[str, ...]
    reviewed: str
    sanction: str | None = None
    caveat: str | None = None
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    # (status, text) where the rule differs for PNS, PPPK, CPNS or honorer, in STATUSES order.
    by_status: tuple[tuple[str, str], ...] = ()
    readings: tuple[Reading, ...] = ()
    recheck: str | None = None
    file: str = ""
    line: int = 0
    example_lines: tuple[int, ...] = ()
    key_lines: tuple[tuple[str, int], ...] = ()

    def for_status(self, status: str | None) -> str | None:
        """The entry's own text for one status, if it has one."""
        return dict(self.by_status).get(status) if status else None

    def line_of(self, name: str) -> int:
        """The line of one field in the area file (the entry's line when unknown)."""
        return dict(self.key_lines).get(name, self.line)


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    order: int
    entries: tuple[str, ...]
    # Entries about the bot itself: shown as small talk, never as a neutrality answer.
    about_bot: bool = False


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole curated knowledge: entries, areas, sources and the raw lexicon data."""

    entries: tuple[Entry, ...]
    areas: tuple[Area, ...]
    sources: dict[str, Source]
    lexicon_data: dict[str, Any]
    root: str
    status_notes: dict[str, StatusNote] = field(default_factory=dict)

    def entry(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    @functools.cached_property
    def _by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}


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
    return Path(str(resources.files("bot.data")))


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
        if effective is not None and _date(effective) is None:
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


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


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
        out[status] = StatusNote(status, _text(item["note"]), basis)
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
        entry = _parse_entry(raw, str(area["id"]), display, sources, problems)
        if entry:
            entries.append(entry)
            ids.append(entry.id)
    areas.append(Area(str(area["id"]), str(area["title"]), int(area.get("order", 100)), tuple(ids),
                      bool(area.get("about_bot", False))))
    return True


def _parse_entry(raw: Any, area: str, display: str, sources: dict[str, Source],
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
    if reviewed is not None and _date(reviewed) is None:
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
        sanction=_text(raw.get("sanction")), caveat=_text(raw.get("caveat")),
        keywords=tuple(raw.get("keywords") or ()), related=tuple(raw.get("related") or ()),
        by_status=by_status, readings=readings, recheck=_text(raw.get("recheck")),
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
    return tuple((s, _text(raw[s])) for s in STATUSES if isinstance(raw.get(s), str) and raw[s].strip())


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
        out.append(Reading(_text(item["by"]), _text(item["view"]), ids))
    return tuple(out)


def _text(value: Any) -> str | None:
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
        out.append(Basis(sid, _text(item.get("article")), _text(item.get("quote"))))
    if out and not has_url and all(b.source in sources for b in out):
        bad("basis", "tidak ada sumber yang punya URL")
    return tuple(out)


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
