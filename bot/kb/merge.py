"""Write learned examples into the knowledge files, line by line, so comments and order stay as written.

Each new example goes on its own line after the entry's last example, indented like it.
Nothing is re-serialised: a diff of the file shows only the added lines.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.kb.model import KnowledgeBase

from bot.kb.knowledge import load_with_problems


@dataclass
class Merge:
    """What a merge did: examples added per file, those already there, and those it could not place."""

    added: dict[str, list[tuple[str, str]]] = field(default_factory=dict)   # file -> (entry id, question)
    present: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)       # (entry id, question, why)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.added.values())


def entry_path(kb: KnowledgeBase, display: str) -> Path:
    """The file behind an entry's display path ('knowledge/entries/x.yaml')."""
    path = Path(display)
    if not path.is_absolute() and path.parts[:1] == ("knowledge",):
        return Path(kb.root).joinpath(*path.parts[1:])
    return path


def yaml_item(question: str) -> str:
    """The question as a YAML list item's value: plain where YAML reads it back unchanged, else quoted."""
    text = " ".join(question.split())
    try:
        if yaml.safe_load(f"- {text}") == [text] and not text.startswith(("'", '"')):
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def plan(kb: KnowledgeBase, examples: list[tuple[str, str]]) -> tuple[dict[Path, dict[int, list[str]]], Merge]:
    """Where each example goes: per file, the lines to insert after each (1-based) line number."""
    merge = Merge()
    inserts: dict[Path, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    texts: dict[Path, list[str]] = {}
    for entry_id, question in examples:
        entry = kb.entry(entry_id)
        if entry is None:
            merge.refused.append((entry_id, question, "entry not in the knowledge base"))
            continue
        if " ".join(question.split()).lower() in {" ".join(e.split()).lower() for e in entry.examples}:
            merge.present.append((entry_id, question))
            continue
        path = entry_path(kb, entry.file)
        lines = texts.setdefault(path, path.read_text(encoding="utf-8").splitlines())
        last = entry.example_lines[-1] if entry.example_lines else 0
        item = lines[last - 1] if 0 < last <= len(lines) else ""
        if not item.lstrip().startswith("- "):
            merge.refused.append((entry_id, question, "examples are not a block list; add it by hand"))
            continue
        indent = len(item) - len(item.lstrip())
        end = last
        # Skip the last item's continuation lines (a long example folded over several lines).
        while end < len(lines) and lines[end].strip() and len(lines[end]) - len(lines[end].lstrip()) > indent \
                and not lines[end].lstrip().startswith("- "):
            end += 1
        new = " " * indent + "- " + yaml_item(question)
        if new not in inserts[path][end]:
            inserts[path][end].append(new)
            merge.added.setdefault(str(path), []).append((entry_id, question))
    return inserts, merge


def apply(kb: KnowledgeBase, examples: list[tuple[str, str]]) -> Merge:
    """Insert the examples into their entries' files; on any new knowledge problem restore the files.

    Raises ValueError (files unchanged) when the result would not load cleanly.
    """
    inserts, merge = plan(kb, examples)
    originals = {path: path.read_bytes() for path in inserts}
    before = {str(p) for p in load_with_problems(kb.root)[1]}
    try:
        for path, at in inserts.items():
            lines = originals[path].decode("utf-8").splitlines(keepends=True)
            newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
            if lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += newline
            for after in sorted(at, reverse=True):
                lines[after:after] = [text + newline for text in at[after]]
            _write_atomic(path, "".join(lines).encode("utf-8"))
        _kb, problems = load_with_problems(kb.root)
        new = [p for p in problems if str(p) not in before]
        if new:
            raise ValueError("the merged knowledge base has problems: " + "; ".join(str(p) for p in new[:3]))
    except BaseException:
        for path, data in originals.items():
            _write_atomic(path, data)
        raise
    return merge


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace the file in one step, so a running bot never reads half of it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
