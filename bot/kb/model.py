"""The knowledge base as immutable objects: entries, sources, areas, verdicts, problems."""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass, field
from typing import Any

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
