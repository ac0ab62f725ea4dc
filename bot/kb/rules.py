"""`kb check` rules about what an entry says: badge and opening agree, contested points
show both readings, no entry rests on superseded law alone, and reviews are not stale.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.kb.model import Entry, KnowledgeBase, Problem, Verdict

STALE_DAYS = 180
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Openings that take a verdict back: a DILARANG card that opens "Sebaiknya jangan" tells
# the reader it is advice, a BERSYARAT card that opens "Tidak ada jawaban" that it is no rule.
HEDGES = ("sebaiknya", "tidak ada jawaban", "belum ada jawaban", "tidak ditemukan", "belum ditemukan", "mungkin",
          "bisa jadi", "tergantung", "tidak jelas", "belum jelas")
PROHIBITIONS = ("tidak boleh", "dilarang", "jangan", "tidak diperbolehkan", "tidak dibolehkan", "terlarang",
                "tidak dibenarkan", "tidak diizinkan")
PERMISSIONS = ("boleh", "dapat", "bisa", "diperbolehkan", "dibolehkan", "diizinkan")
CONDITIONS = ("syarat", "asal", "jika", "selama", "hanya", "dengan izin", "kecuali", "bila")
SAFE_COURSE = "sikap aman"
MIN_READINGS = 2


def first_sentence(answer: str) -> str:
    return SENTENCE_END.split(answer.strip(), 1)[0]


def opening_problem(entry: Entry) -> str | None:
    """Why the answer's first sentence contradicts the badge, or None when they agree."""
    opening = first_sentence(entry.answer).lower()
    hedged = opening.startswith(HEDGES)
    forbids = any(p in opening for p in PROHIBITIONS)
    verdict = entry.verdict
    if verdict is Verdict.DILARANG and (hedged or not forbids):
        return "harus dibuka dengan larangan yang tegas (tidak boleh/dilarang), bukan saran atau keraguan"
    if verdict is Verdict.BOLEH and not opening.startswith(("boleh", "ya")):
        return "harus dibuka dengan 'Boleh' atau 'Ya'"
    if verdict is Verdict.BERSYARAT and (hedged or opening.startswith("tidak")
                                         or not any(p in opening for p in PERMISSIONS)
                                         or not any(c in opening for c in CONDITIONS)):
        return "harus dibuka dengan apa yang boleh dan syaratnya (boleh ... dengan syarat/asal/jika)"
    if verdict is Verdict.DIPERDEBATKAN and not opening.startswith(SAFE_COURSE):
        return f"harus dibuka dengan '{SAFE_COURSE.capitalize()}: ...' sebelum pendapat yang berbeda"
    if verdict is Verdict.INFO and opening.startswith(("boleh", "tidak boleh", "dilarang")):
        return "entri info tidak boleh dibuka dengan putusan boleh/dilarang; pakai verdict yang sesuai"
    return None


def content_problems(kb: KnowledgeBase) -> list[Problem]:
    """Every entry whose badge and opening disagree, whose contest lacks its readings, or
    whose legal basis has been replaced entirely."""
    out: list[Problem] = []
    for e in kb.entries:
        why = opening_problem(e)
        if why:
            out.append(Problem(e.file, e.line_of("answer"), e.id,
                               f"badge {e.verdict.value.upper()} tidak sesuai kalimat pertama: {why}: "
                               f"{first_sentence(e.answer)!r}"))
        if e.verdict is Verdict.DIPERDEBATKAN and len(e.readings) < MIN_READINGS:
            out.append(Problem(e.file, e.line_of("readings"), e.id,
                               f"entri diperdebatkan perlu minimal {MIN_READINGS} 'readings' beserta sumbernya"))
        superseded = superseded_basis(e, kb)
        if superseded and len(superseded) == len(regulations(e, kb)):
            names = ", ".join(kb.sources[s].label for s in superseded)
            out.append(Problem(e.file, e.line_of("basis"), e.id,
                               f"dasar hukum hanya peraturan yang sudah diganti ({names}); kutip penggantinya"))
    return out


def regulations(entry: Entry, kb: KnowledgeBase) -> list[str]:
    """The regulation sources an entry cites, each once."""
    return list(dict.fromkeys(b.source for b in entry.basis
                              if (s := kb.sources.get(b.source)) and s.kind == "regulation"))


def superseded_basis(entry: Entry, kb: KnowledgeBase) -> list[str]:
    return [s for s in regulations(entry, kb) if kb.sources[s].superseded]


def review_age(entry: Entry, today: dt.date) -> int | None:
    try:
        return (today - dt.date.fromisoformat(entry.reviewed)).days
    except ValueError:
        return None


def stale_warnings(kb: KnowledgeBase, today: dt.date | None = None, days: int = STALE_DAYS) -> list[Problem]:
    """Entries not reviewed for more than `days`: a warning, not a failure."""
    today = today or dt.date.today()
    out = []
    for e in kb.entries:
        age = review_age(e, today)
        if age is not None and age > days:
            out.append(Problem(e.file, e.line_of("reviewed"), e.id,
                               f"peringatan: terakhir ditinjau {e.reviewed} ({age} hari lalu, batas {days})"))
    return out


def recheck_list(kb: KnowledgeBase, today: dt.date | None = None, days: int = STALE_DAYS) -> list[Problem]:
    """What to re-check before an election season, oldest review first: stale reviews,
    citations of replaced or amended law, and the entries' own re-check notes."""
    today = today or dt.date.today()
    rows = []
    for e in kb.entries:
        reasons = []
        age = review_age(e, today)
        if age is not None and age > days:
            reasons.append(f"ditinjau {age} hari lalu")
        changed = [kb.sources[s].label for s in regulations(e, kb)
                   if kb.sources[s].superseded or kb.sources[s].amended_by]
        if changed:
            reasons.append("mengutip peraturan yang diganti/diubah: " + ", ".join(changed))
        if e.recheck:
            reasons.append("cek ulang: " + e.recheck)
        if reasons:
            rows.append((e.reviewed, Problem(e.file, e.line, e.id, "; ".join(reasons))))
    return [p for _, p in sorted(rows, key=lambda r: r[0])]
