"""The console chat as a person uses it in a terminal: tmux runs it, send-keys types, capture-pane reads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bot.core import messages as msg

REPO = Path(__file__).resolve().parent.parent
WIDTH = 72
PROMPT = "Anda> "


class Terminal:
    """One tmux session on its own server socket, running `python -m bot chat`."""

    def __init__(self, socket: Path):
        self.tmux = shutil.which("tmux")
        if not self.tmux:
            raise AssertionError("tmux is not installed: apt-get install tmux (.ci/run installs it)")
        self.socket = socket
        self.name = "chat-" + uuid.uuid4().hex[:6]

    def _run(self, *args: str) -> str:
        return subprocess.run([self.tmux, "-u", "-S", str(self.socket), *args], capture_output=True, text=True,
                              check=True, timeout=30).stdout

    def start(self) -> Terminal:
        env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "COLUMNS", "LINES")}
        env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")
        subprocess.run([self.tmux, "-u", "-S", str(self.socket), "new-session", "-d", "-s", self.name,
                        "-x", str(WIDTH), "-y", "40", "-c", str(REPO), f"exec {sys.executable} -m bot chat"],
                       check=True, env=env, timeout=30)
        self._run("set-option", "-t", self.name, "remain-on-exit", "on")
        self._run("set-option", "-t", self.name, "history-limit", "20000")
        return self

    def stop(self) -> None:
        subprocess.run([self.tmux, "-S", str(self.socket), "kill-server"], capture_output=True, timeout=30)

    def screen(self) -> str:
        """Everything shown so far, lines the terminal itself wrapped joined again (-J)."""
        return self._run("capture-pane", "-p", "-J", "-S", "-20000", "-t", self.name)

    def keys(self, *keys: str) -> None:
        self._run("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self._run("send-keys", "-t", self.name, "-l", text)

    def wait_for(self, condition, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if condition(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"screen did not show what was expected:\n{screen[-3000:]}")
            time.sleep(0.1)

    def ask(self, text: str, *, expect: str, keys: tuple[str, ...] = ()) -> str:
        """Type a line (and keys), press Enter, wait until `expect` and the next prompt appear; the new output."""
        before = self.screen().rstrip()
        if text:
            self.type(text)
        if keys:
            self.keys(*keys)
        self.keys("Enter")
        screen = self.wait_for(lambda s: expect in s[len(before) - 10:] and s.rstrip().endswith(PROMPT.rstrip()))
        return screen[len(before):]


@pytest.fixture
def terminal(tmp_path):
    term = Terminal(tmp_path / "tmux.sock").start()
    yield term
    term.stop()


def test_console_edits_lines_recalls_history_and_wraps_cards_at_word_boundaries(terminal, engine):
    terminal.wait_for(lambda s: s.rstrip().endswith(PROMPT.rstrip()))
    # Type, go back five characters with the arrow key, insert a word: the line is edited, not garbled.
    out = terminal.ask("boleh like caleg", keys=("Left",) * 5 + ("p", "o", "s", "t", "i", "n", "g", "a", "n", "Space"),
                       expect="DILARANG")
    assert "^[[D" not in terminal.screen() and f"{PROMPT}boleh like postingan caleg" in terminal.screen()
    # Every line of the card fits the terminal and breaks between words (URLs alone may run over).
    lines = out.splitlines()
    assert any("Dasar hukum" in line for line in lines)
    too_long = [line for line in lines if len(line) > WIDTH and "http" not in line]
    assert not too_long
    assert max(len(line) for line in lines if "http" not in line) > WIDTH - 15  # wrapped, not merely short
    # Joined again at the breaks, the answer reads exactly as written: no word was cut in two.
    assert " ".join(engine.entry("medsos-like").answer.split()) in " ".join(out.split())
    # Arrow up brings the last question back; Enter asks it again.
    terminal.keys("Up")
    terminal.wait_for(lambda s: s.rstrip().endswith(f"{PROMPT}boleh like postingan caleg"))
    assert "DILARANG" in terminal.ask("", expect="DILARANG")


def test_console_commands_small_talk_and_choices(terminal):
    terminal.wait_for(lambda s: s.rstrip().endswith(PROMPT.rstrip()))
    assert msg.THANKS_REPLY.split()[0] in terminal.ask("makasih", expect="Sama-sama")
    quiet = terminal.ask("", expect=PROMPT)
    assert "Halo!" not in quiet and "Sama-sama" not in quiet
    assert "Halo!" not in terminal.ask("🙏", expect="Sama-sama")
    assert "Halo!" in terminal.ask("halo", expect="Halo!")

    topics = terminal.ask("/topik", expect=msg.CONSOLE_AREAS)
    assert "1. Media sosial" in topics and "belum punya jawaban" not in topics
    assert "Pilihan 99 tidak ada. Ketik nomor 1 sampai" in terminal.ask("99", expect="Pilihan 99")
    area = terminal.ask("1", expect="pilih pertanyaan")
    assert "Menyukai (like) unggahan calon atau partai" in area
    assert "Dasar hukum" in terminal.ask("2", expect="Dasar hukum")
    assert "Tidak ada pilihan" in terminal.ask("3", expect="Tidak ada pilihan")

    assert "/topik" in terminal.ask("/bantuan", expect="Cara bertanya")
    about = terminal.ask("/tentang", expect="Tentang Tanya Netral")
    assert "<b>" not in about and "BKPSDM" in about
    assert "tidak dikenal" in terminal.ask("/apaini", expect="tidak dikenal")

    terminal.type("keluar")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: msg.CONSOLE_BYE in s)
