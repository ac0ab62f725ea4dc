"""Who is asking: the employment status a question names ("sy PPPK", "masih CPNS"), if any.

Rules differ for PNS, PPPK and CPNS (CLTN exists only for PNS; PPPK discipline is set by
each agency), so a card can put the part that applies to the asker first. Pure functions.
"""

from __future__ import annotations

import re

from bot.kb.model import STATUSES

# Word sequences (lower case, split on anything but letters and digits) naming each status.
STATUS_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "cpns": (("cpns",), ("capeg",), ("calon", "pns"), ("calon", "pegawai", "negeri")),
    "pppk": (("pppk",), ("p3k",), ("pegawai", "pemerintah", "dengan", "perjanjian", "kerja")),
    "honorer": (("honorer",), ("ppnpn",), ("non", "asn"), ("nonasn",), ("tenaga", "kontrak"), ("thl",)),
    "pns": (("pns",), ("pegawai", "negeri", "sipil"), ("pegawai", "negeri")),
}
# Words by which an asker speaks of themself; the status right after one of them is theirs.
FIRST_PERSON = frozenset({"saya", "sy", "aku", "aq", "ak", "gue", "gua", "gw", "gwe", "ane", "kami", "kita", "abdi",
                          "sya", "sayah", "daku"})
# Words for someone else; "istri sy PNS" is the wife's status, not the asker's.
OTHER_PERSON = frozenset({"istri", "istriku", "suami", "suamiku", "bini", "paksu", "bojo", "pasangan", "anak", "adik",
                          "adek", "kakak", "kaka", "abang", "teman", "temen", "rekan", "tetangga", "atasan", "bawahan",
                          "ortu", "bapak", "ayah", "ibunya", "mertua", "ipar", "sepupu", "saudara", "dia", "beliau",
                          "mereka", "om", "tante", "paman", "keponakan", "camat", "kades", "lurah"})
# A person word this many words before a status still points at it ("sy guru PPPK", "saya masih CPNS").
CLAIM_WINDOW = 4
TOKEN = re.compile(r"[a-z0-9]+")


def status_of(question: str) -> str | None:
    """The employment status the question says the asker has, or None when it is unclear.

    One status named: that one. Several ("sy PNS, istri PPPK"): the one claimed by a
    first-person word shortly before it, else None, because a question comparing
    statuses is about all of them.
    """
    tokens = TOKEN.findall(question.lower())
    found = [(status, _whose(tokens, at)) for status, at in _mentions(tokens)]
    mine = {status for status, whose in found if whose == "me"}
    if len(mine) == 1:
        return mine.pop()
    unclaimed = {status for status, whose in found if whose is None}
    if not mine and len(unclaimed) == 1 and len({s for s, _ in found}) == 1:
        return unclaimed.pop()
    return None


def _whose(tokens: list[str], at: int) -> str | None:
    """'me' or 'other' for the nearest person word before a status, None when there is none."""
    for i in range(at - 1, max(-1, at - 1 - CLAIM_WINDOW), -1):
        if tokens[i] in FIRST_PERSON:
            # "istri sy PNS": a first-person word right after someone else is possessive.
            return "other" if i > 0 and tokens[i - 1] in OTHER_PERSON else "me"
        if tokens[i] in OTHER_PERSON:
            return "other"
    return None


def _mentions(tokens: list[str]) -> list[tuple[str, int]]:
    """(status, position) for every status named; a longer phrase wins over the words inside it."""
    out: list[tuple[str, int]] = []
    taken: set[int] = set()
    phrases = sorted(((s, p) for s in STATUSES for p in STATUS_WORDS.get(s, ())), key=lambda sp: -len(sp[1]))
    for status, phrase in phrases:
        n = len(phrase)
        for at in range(len(tokens) - n + 1):
            span = set(range(at, at + n))
            if tuple(tokens[at:at + n]) == phrase and not span & taken:
                out.append((status, at))
                taken |= span
    return sorted(out, key=lambda sa: sa[1])
