"""The detach key in a real terminal: `d` leaves the driver running, `golive sessions` lists it, and
`golive attach` brings the screen back to the same go-live; quitting there stops the driver."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from tests.e2e.test_tmux import GOLIVE, ME, REPO, Tmux, journal_events, lock_is_free, wait_for_event
from tests.fixtures._binaries import need_binary
from tests.integration.driver_helpers import wait_until

pytestmark = pytest.mark.e2e


def test_detach_leaves_the_driver_running_and_attach_comes_back_to_it(tmp_path):
    tmux = Tmux(need_binary("tmux", "tmux"))
    tmux.socket += "-driver"   # its own tmux server: never the one another test in this process is killing
    folder = tmp_path / "session"
    env = "env -u COLUMNS -u LINES TERM=xterm-256color TZ=UTC COLORTERM=truecolor"
    golive = shlex.quote(str(GOLIVE))
    run = f"{env} {golive} run examples/local-smoke.toml --session-dir {shlex.quote(str(folder))}"
    try:
        tmux("-f", "/dev/null", "new-session", "-d", "-s", "golive", "-x", "120", "-y", "40", "-c", str(REPO), run)
        tmux("set-option", "-t", "golive", "remain-on-exit", "on")
        screen = tmux.wait_for("golive:0", "hello-service", "Change ticket approved", "detach")
        assert "phase 1/2" in screen
        tmux("send-keys", "-t", "golive:0", "d")
        after = tmux.wait_for("golive:0", f"golive attach {folder}", history=50)
        assert "Traceback" not in after
        assert not lock_is_free(folder), "the driver holds the session after the screen detached"

        listed = subprocess.run([sys.executable, "-m", "golive.console.cli", "sessions", "--search", str(tmp_path)],
                                cwd=REPO, capture_output=True, text=True, timeout=60)
        assert "hello-service" in listed.stdout and "no seat" in listed.stdout, listed.stdout + listed.stderr

        # golive watch takes a read-only seat at the running driver (not a journal tail): the driver counts it
        tmux("new-window", "-t", "golive", "-c", str(REPO), f"{env} {golive} watch {shlex.quote(str(folder))}")
        tmux.wait_for("golive:1", "READ-ONLY", "Change ticket approved")
        wait_until("the watcher is a seat of the driver", lambda: f"seats: {ME}" in subprocess.run(
            [sys.executable, "-m", "golive.console.cli", "sessions", "--search", str(tmp_path)], cwd=REPO,
            capture_output=True, text=True, timeout=60).stdout)
        tmux("kill-window", "-t", "golive:1")

        tmux("new-window", "-t", "golive", "-c", str(REPO), f"{env} {golive} attach {shlex.quote(str(folder))}")
        tmux("set-option", "-t", "golive:1", "remain-on-exit", "on")
        tmux.wait_for("golive:1", "hello-service", "Change ticket approved")
        tmux("send-keys", "-t", "golive:1", "Space")
        tick = wait_for_event(folder, "tick")
        assert (tick["check"], tick["by"]) == ("change-approved", ME)
        tmux("send-keys", "-t", "golive:1", "q")
        tmux.wait_for("golive:1", "golive resume")
        tmux("send-keys", "-t", "golive:1", "y")
        tmux.wait_for("golive:1", f"golive resume {folder}", history=50)
        wait_until("the driver stopped and let go of the session", lambda: lock_is_free(folder))
        assert [e["type"] for e in journal_events(folder)].count("tick") == 1
    finally:
        tmux.kill()
