"""The mission screen in a real terminal: tmux at 120×40 runs `golive run`, keys sent through tmux land in the
journal, and `golive watch` in a second window shows them; quitting says how to resume."""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures._binaries import need_binary

REPO = Path(__file__).resolve().parents[2]
GOLIVE = Path(sys.executable).with_name("golive")
DEADLINE = 60.0   # seconds before giving up on something the screen should show; never a timing assertion

pytestmark = pytest.mark.e2e
ME = pwd.getpwuid(os.getuid()).pw_name


class Tmux:
    """A private tmux server (its own socket), killed at the end."""

    def __init__(self, binary: str):
        self.binary, self.socket = binary, f"golive-test-{os.getpid()}"

    def __call__(self, *args: str) -> str:
        environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TMUX")}
        result = subprocess.run([self.binary, "-L", self.socket, *args], capture_output=True, text=True,
                                timeout=30, env=environ)
        if result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def screen(self, target: str, history: int = 0) -> str:
        """The pane's text; -J joins wrapped lines, -S takes ``history`` lines of scrollback too."""
        return self("capture-pane", "-p", "-J", "-S", str(-history), "-t", target)

    def wait_for(self, target: str, *needles: str, history: int = 0) -> str:
        """The pane's text once every needle is on it; fails with the last capture after the deadline."""
        end = time.monotonic() + DEADLINE
        while True:
            text = self.screen(target, history)
            if all(n in text for n in needles):
                return text
            if time.monotonic() > end:
                raise AssertionError(f"{target} never showed {needles}; last screen:\n{text}")
            time.sleep(0.2)

    def kill(self) -> None:
        subprocess.run([self.binary, "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


def journal_events(folder: Path) -> list[dict]:
    path = folder / "journal.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def wait_for_event(folder: Path, kind: str) -> dict:
    end = time.monotonic() + DEADLINE
    while True:
        found = [e for e in journal_events(folder) if e["type"] == kind]
        if found:
            return found[0]
        if time.monotonic() > end:
            raise AssertionError(f"no {kind} event in {folder}/journal.jsonl")
        time.sleep(0.2)


def lock_is_free(folder: Path) -> bool:
    with open(folder / "driver.lock", "rb") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(fh, fcntl.LOCK_UN)
        return True


def test_golive_run_under_tmux_takes_keys_into_the_journal_and_watch_shows_them(tmp_path):
    tmux = Tmux(need_binary("tmux", "tmux"))
    folder = tmp_path / "session"
    # COLUMNS/LINES inherited from the test process would pin the app's idea of its size
    env = "env -u COLUMNS -u LINES TERM=xterm-256color TZ=UTC COLORTERM=truecolor"
    run = f"{env} {shlex.quote(str(GOLIVE))} run examples/local-smoke.toml --session-dir {shlex.quote(str(folder))} " \
          f"--operator e2e-lead"
    watch = f"{env} {shlex.quote(str(GOLIVE))} watch {shlex.quote(str(folder))}"
    try:
        tmux("-f", "/dev/null", "new-session", "-d", "-s", "golive", "-x", "120", "-y", "40", "-c", str(REPO), run)
        tmux("set-option", "-t", "golive", "remain-on-exit", "on")
        screen = tmux.wait_for("golive:0", "hello-service", "Pre-flight", "Release", "Python interpreter runs",
                               "Free disk on /tmp", "Change ticket approved")
        assert "phase 1/2" in screen and "[ ]" in screen

        tmux("send-keys", "-t", "golive:0", "Space")
        tick = wait_for_event(folder, "tick")
        # the person is the Unix user at the driver's socket, whatever --operator says
        assert (tick["check"], tick["by"], tick["checked"]) == ("change-approved", ME, True)
        tmux.wait_for("golive:0", "[x]", ME)

        tmux("new-window", "-t", "golive", "-c", str(REPO), watch)
        watched = tmux.wait_for("golive:1", "READ-ONLY", "Change ticket approved", "[x]", ME)
        assert "hello-service" in watched

        tmux("select-window", "-t", "golive:0")
        tmux("send-keys", "-t", "golive:0", "q")
        tmux.wait_for("golive:0", "golive resume")
        tmux("send-keys", "-t", "golive:0", "y")
        # the message may scroll the screen when it wraps: look in the scrollback too
        after = tmux.wait_for("golive:0", f"golive resume {folder}", history=50)
        assert "Traceback" not in after
        end = time.monotonic() + DEADLINE
        while not lock_is_free(folder):
            assert time.monotonic() < end, "the driver kept the session lock after quitting"
            time.sleep(0.2)
    finally:
        tmux.kill()
