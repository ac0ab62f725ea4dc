"""Every command and option explains itself; `run --help` names what it reads from the environment."""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys

import pytest

from bot.__main__ import build_parser
from bot.ops import ENV_NAMES


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, parser) for the program and every subcommand, depth first."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                assert helps.get(name), f"{' '.join(path + (name,))} has no help line"
                yield from commands(sub, path + (name,))


ALL = list(commands(build_parser()))


def help_text(path: tuple[str, ...]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([*path, "--help"])
    assert exit_.value.code == 0
    return out.getvalue()


def test_the_cli_has_the_commands_operators_and_curators_use():
    names = {" ".join(path) for path, _ in ALL}
    assert {"chat", "ask", "eval", "run", "health", "config", "kb check", "kb learned", "log queue",
            "log stats", "log export", "log purge"} <= names


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=[" ".join(p) or "tanya-netral" for p, _ in ALL])
def test_every_option_of_every_command_has_a_help_line(path):
    parser = dict(ALL)[path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help and action.help != argparse.SUPPRESS, f"{' '.join(path)} {action.option_strings or action.dest}"
    text = help_text(path)
    for action in parser._actions:
        if action.help and not isinstance(action, argparse._SubParsersAction):
            assert action.help.split("%")[0][:30] in " ".join(text.split())


def test_run_help_names_every_environment_variable_it_reads():
    out = subprocess.run([sys.executable, "-m", "bot", "run", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for name in ENV_NAMES.values():
        assert name in out.stdout, name
    assert "TELEGRAM_BOT_TOKEN" in out.stdout.split("environment variables")[1]
