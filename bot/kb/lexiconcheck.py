"""`kb check` on the lexicon files: every key known and every value of the shape the normaliser reads.

A curator growing the lexicon from `log words` adds a line to slang.yaml or synonyms.yaml; a
wrong shape (a list where a word is expected, a number, a phrase as a slang key) would be read
silently as something else. Each problem names the file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.kb.model import Problem

from bot.kb.knowledge import default_root, read_yaml

WORDS = "list"        # a list of words or phrases
GROUPS = "groups"     # a mapping of names to lists of words
# Every top-level key the knowledge base reads from lexicon/*.yaml, and its shape.
SHAPES: dict[str, str] = {
    "slang": "slang", "synonyms": GROUPS, "stopwords": WORDS, "roots": WORDS, "smalltalk": GROUPS,
    "scope": "scope", "anchors": GROUPS, "excludes": GROUPS, "outofscope": WORDS,
}
SCOPE_KEYS = ("domain", "offtopic", "normative", "outsiders", "asn")


def lexicon_problems(root: Path | str | None = None) -> list[Problem]:
    """Shape problems of every lexicon file, in file order."""
    root = Path(root) if root else default_root()
    problems: list[Problem] = []
    defined: dict[str, str] = {}
    for path in sorted((root / "lexicon").glob("*.yaml")):
        display = str(Path("knowledge") / "lexicon" / path.name)
        data, errors = read_yaml(path, display)
        if errors or not isinstance(data, dict):
            continue  # the loader already reports these
        for key, value in data.items():
            line = data.key_lines.get(key, 1)
            shape = SHAPES.get(key)

            def bad(what: str, at: int = line) -> None:
                problems.append(Problem(display, at, str(key), what))

            if key in defined:  # the loader merges files key by key: the later file would win silently
                bad(f"sudah didefinisikan di {defined[key]}; tambahkan kata di sana")
            defined.setdefault(key, display)
            if shape is None:
                bad(f"kunci leksikon tidak dikenal (yang dikenal: {', '.join(SHAPES)})")
            elif shape == WORDS:
                _words(value, bad, line)
            elif shape == GROUPS:
                _groups(value, bad, line)
            elif shape == "slang":
                _slang(value, bad, line)
            elif shape == "scope":
                _scope(value, bad, line)
    return problems


def _line(container: Any, index: int, default: int) -> int:
    lines = getattr(container, "item_lines", None)
    return lines[index] if lines and index < len(lines) else default


def _words(value: Any, bad, line: int) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        bad("harus berupa daftar kata, misalnya [kata, kata lain]")
        return
    for i, item in enumerate(value):
        if isinstance(item, bool):  # YAML reads yes/no/on/off unquoted as true/false
            bad(f"butir ke-{i + 1} dibaca sebagai {item!r}, bukan kata: tulis dalam tanda kutip ('yes', 'no')",
                _line(value, i, line))
        elif not isinstance(item, str) or not item.strip():
            bad(f"butir ke-{i + 1} harus berupa teks, bukan {item!r}", _line(value, i, line))


def _groups(value: Any, bad, line: int) -> None:
    if not isinstance(value, dict):
        bad("harus berupa pemetaan nama: [kata, ...]")
        return
    for name, words in value.items():
        at = getattr(value, "key_lines", {}).get(name, line)
        if not isinstance(name, str):
            bad(f"nama {name!r} harus berupa teks", at)
        _words(words, lambda what, where=at: bad(f"{name}: {what}", where), at)


def _slang(value: Any, bad, line: int) -> None:
    if not isinstance(value, dict):
        bad("harus berupa pemetaan singkatan: kata baku")
        return
    for word, standard in value.items():
        at = getattr(value, "key_lines", {}).get(word, line)
        if not isinstance(word, str) or len(word.split()) != 1:
            bad(f"{word!r}: kunci slang harus satu kata (frasa ditulis di synonyms.yaml)", at)
        elif standard is not None and not isinstance(standard, str):
            bad(f"{word}: harus diganti dengan teks (kata baku, atau \"\" untuk dibuang), bukan {standard!r}", at)


def _scope(value: Any, bad, line: int) -> None:
    if not isinstance(value, dict):
        bad(f"harus berupa pemetaan dengan {', '.join(SCOPE_KEYS)}")
        return
    for name, words in value.items():
        at = getattr(value, "key_lines", {}).get(name, line)
        if name not in SCOPE_KEYS:
            bad(f"bagian tidak dikenal {name!r} (yang dikenal: {', '.join(SCOPE_KEYS)})", at)
        _words(words, lambda what, where=at: bad(f"{name}: {what}", where), at)

