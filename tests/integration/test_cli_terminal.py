"""What `golive` writes to a real terminal (a pseudo-terminal): errors before the screen are one plain line,
and --no-mouse leaves the mouse to the terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALT_SCREEN, MOUSE_ON = b"\x1b[?1049h", b"\x1b[?1000h"


class Terminal:
    """`golive ARGS` with stdin, stdout and stderr on one pseudo-terminal; ``read`` gathers what it wrote."""

    def __init__(self, *args: str):
        master, slave = pty.openpty()
        env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")
        self.proc = subprocess.Popen([sys.executable, "-m", "golive.console.cli", *args], stdin=slave, stdout=slave,
                                     stderr=slave, cwd=ROOT, env=env, close_fds=True)
        os.close(slave)
        self.master, self.output = master, b""

    def read_until(self, done, deadline: float = 60.0) -> bytes:
        """Read until ``done(output)`` is true or the process has closed the terminal."""
        end = time.monotonic() + deadline
        while not done(self.output) and time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:   # the child closed the terminal
                break
            if not chunk:
                break
            self.output += chunk
        return self.output

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def finish(self) -> int:
        self.read_until(lambda out: False, deadline=30.0)
        code = self.proc.wait(timeout=30)
        os.close(self.master)
        return code


def one_line_error(*args: str) -> bytes:
    term = Terminal(*args)
    code = term.finish()
    assert code == 2, term.output
    return term.output


@pytest.mark.parametrize("args", [
    ("demo", "--theme", "nope"),
    ("run", "examples/local-smoke.toml", "--theme", "nope"),
    ("watch", "/nope", "--theme", "nope"),
])
def test_an_unknown_theme_is_one_line_before_anything_starts(args):
    out = one_line_error(*args)
    assert out.count(b"\n") == 1 and out.startswith(b"golive: --theme: unknown theme 'nope'"), out
    assert b"\x1b" not in out and b"Traceback" not in out


def test_a_missing_signing_key_is_one_line_before_the_screen_opens(tmp_path):
    out = one_line_error("run", "examples/local-smoke.toml", "--key", str(tmp_path / "nope"),
                         "--session-dir", str(tmp_path / "s"))
    assert out.count(b"\n") == 1 and out.startswith(b"golive: --key: "), out
    assert b"\x1b" not in out and not (tmp_path / "s").exists()


@pytest.mark.parametrize("command", ["resume", "watch"])
def test_a_missing_session_folder_is_one_line_and_the_terminal_never_leaves_its_normal_screen(command):
    out = one_line_error(command, "/nope")
    assert out.count(b"\n") == 1 and out.startswith(b"golive: /nope/journal.jsonl"), out
    assert b"\x1b" not in out   # no alternate screen, no mouse mode, nothing to undo


def test_starting_in_a_folder_that_holds_a_journal_is_one_line(tmp_path):
    # a session folder that already holds a journal cannot be started again: said before the screen opens
    from tests.ui.harness import ONE_PHASE, write_runbook

    runbook = write_runbook(tmp_path, ONE_PHASE)
    folder = tmp_path / "session"
    folder.mkdir()
    (folder / "journal.jsonl").write_text("{}\n")
    out = one_line_error("run", str(runbook), "--session-dir", str(folder))
    assert out.count(b"\n") == 1 and out.startswith(b"golive: "), out
    assert b"\x1b" not in out


def _watch(folder: Path, *extra: str) -> bytes:
    term = Terminal("watch", str(folder), *extra)
    term.read_until(lambda out: b"READ-ONLY" in out)
    term.send(b"q")
    term.read_until(lambda out: b"Stop watching?" in out)
    term.send(b"y")
    term.finish()
    return term.output


def test_no_mouse_leaves_the_mouse_to_the_terminal_and_the_screen_still_opens(tmp_path):
    from tests.ui.scenario import write_session

    folder = write_session(tmp_path / "session")
    out = _watch(folder, "--no-mouse")
    assert ALT_SCREEN in out and b"READ-ONLY" in out
    assert MOUSE_ON not in out
    assert MOUSE_ON in _watch(folder)   # without the flag the screen takes the mouse, as before


def test_golive_no_mouse_in_the_environment_is_the_same_as_the_flag(monkeypatch):
    from golive.console.cli import build_parser

    for command in ("run", "resume", "watch", "demo"):
        target = [] if command == "demo" else ["x"]
        monkeypatch.delenv("GOLIVE_NO_MOUSE", raising=False)
        assert build_parser(command).parse_args([command, *target]).mouse is True
        assert build_parser(command).parse_args([command, *target, "--no-mouse"]).mouse is False
        monkeypatch.setenv("GOLIVE_NO_MOUSE", "1")
        assert build_parser(command).parse_args([command, *target]).mouse is False
