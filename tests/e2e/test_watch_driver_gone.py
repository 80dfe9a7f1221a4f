"""`golive watch` in a real terminal when its driver is killed mid-hold: the banner says the driver is gone and
since when, and the hold shown never passes what was observed — the live seat's last sample, and for a
follower of the journal (no driver to attach to) what the journal proves."""

from __future__ import annotations

import os
import re
import shlex
import signal
import time

import pytest

from tests.e2e.test_tmux import DEADLINE, GOLIVE, REPO, Tmux, journal_events, wait_for_event
from tests.fixtures._binaries import need_binary

pytestmark = pytest.mark.e2e

RUNBOOK = """
[runbook]
name = "hold-svc v1 to test"
service = "hold-svc"
version = "v1"
environment = "test"

[[phase]]
id = "hold"
title = "Hold"
hold = "20s"

  [[phase.check]]
  id = "rate"
  title = "Request rate"
  source = "command"
  run = ["python3", "-c", "print(7)"]
  pass = "> 0"
  every = "1s"
"""

HELD = re.compile(r"held (\d+)s / 20s")


def shown_holds(screen: str) -> list[int]:
    return [int(n) for n in HELD.findall(screen)]


def test_watch_names_a_killed_driver_and_never_counts_its_hold_past_the_journal(tmp_path):
    tmux = Tmux(need_binary("tmux", "tmux"))
    folder = tmp_path / "session"
    runbook = tmp_path / "hold.toml"
    runbook.write_text(RUNBOOK, encoding="utf-8")
    env = "env -u COLUMNS -u LINES TERM=xterm-256color TZ=UTC"
    run = f"{env} {shlex.quote(str(GOLIVE))} run {shlex.quote(str(runbook))} --session-dir {shlex.quote(str(folder))}"
    watch = f"{env} {shlex.quote(str(GOLIVE))} watch {shlex.quote(str(folder))}"
    try:
        tmux("-f", "/dev/null", "new-session", "-d", "-s", "golive", "-x", "120", "-y", "40", "-c", str(REPO), run)
        tmux("set-option", "-t", "golive", "remain-on-exit", "on")
        wait_for_event(folder, "verdict")
        tmux("new-window", "-t", "golive", "-c", str(REPO), watch)
        tmux.wait_for("golive:1", "READ-ONLY", "Request rate")

        # mid-hold: the watcher shows a few seconds held, well short of 20
        end = time.monotonic() + DEADLINE
        while not any(h >= 4 for h in shown_holds(tmux.screen("golive:1"))):
            assert time.monotonic() < end, f"the watcher never showed a hold; last screen:\n{tmux.screen('golive:1')}"
            time.sleep(0.2)
        pid = int((folder / "driver.lock").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        killed = time.time()

        # the live seat: the banner, and a hold frozen at the last sample it heard
        tmux.wait_for("golive:1", "driver not running — last heard")
        events = journal_events(folder)
        started = max(e["at"] for e in events if e["type"] == "phase_started")
        passing = [e["at"] for e in events if e["type"] == "verdict" and e["check"] == "rate"
                   and e["verdict"] == "PASS"]
        observed = killed - max(started, passing[-1])
        assert observed < 20, "the driver lived through the whole hold; the test must kill it mid-hold"
        time.sleep(1.5)   # the panes redraw once a second: let the last one land
        frozen = None
        for _ in range(10):
            screen = tmux.screen("golive:1")
            assert "driver not running" in screen
            assert "GATE OPEN" not in screen and "held ✓" not in screen
            assert shown_holds(screen) and max(shown_holds(screen)) <= observed + 1, (observed, screen)
            assert frozen in (None, max(shown_holds(screen))), screen
            frozen = max(shown_holds(screen))
            assert "press p" not in screen and "press s" not in screen
            time.sleep(0.4)

        # a follower started now has no driver to attach to: it follows the journal, with the same banner
        tmux("new-window", "-t", "golive", "-c", str(REPO), watch)
        screen = tmux.wait_for("golive:2", "driver not running — last heard")
        proven = int(max(e["at"] for e in journal_events(folder)) - max(started, passing[-1]))
        for _ in range(10):
            screen = tmux.screen("golive:2")
            assert "GATE OPEN" not in screen and "held ✓" not in screen
            assert max(shown_holds(screen) or [0]) <= proven, (proven, screen)
            assert "press p" not in screen and "press s" not in screen
            time.sleep(0.4)
    finally:
        tmux.kill()
