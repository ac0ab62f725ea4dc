"""Headless Chromium (Debian's package) for tests that look at a page as a person's browser shows it."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# The flags this machine needs: no sandbox as root, and no background traffic to Google.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--enable-logging=stderr", "--v=0")
CONSOLE_RE = re.compile(r":(?:INFO|WARNING|ERROR):CONSOLE[^\]]*\] (.*)")


@dataclass(frozen=True)
class Page:
    dom: str                    # the DOM after loading, as Chromium serialises it
    console: tuple[str, ...]    # every console message (errors, CSP violations, uncaught exceptions)


def chromium() -> str:
    """The Chromium binary; a test that needs it fails (never skips) when it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise AssertionError("Chromium is not installed: apt-get install chromium (.ci/run installs it)")
    return found


def load(path: Path, profile: Path, *, timeout: float = 60) -> Page:
    """Open the file in headless Chromium; its DOM and console messages."""
    out = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", "--dump-dom", path.resolve().as_uri()],
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-2000:]
    return Page(out.stdout, tuple(m.group(1) for m in CONSOLE_RE.finditer(out.stderr)))
