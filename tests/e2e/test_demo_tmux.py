"""`golive demo` in a real terminal: tmux at 120×40 shows the header, phases, sparklines and pods at once."""

from __future__ import annotations

import shlex
import time

import pytest

from tests.e2e.test_tmux import GOLIVE, Tmux
from tests.fixtures._binaries import need_binary

pytestmark = pytest.mark.e2e


def test_the_demo_shows_header_phases_sparklines_and_pods_right_away(tmp_path):
    tmux = Tmux(need_binary("tmux", "tmux"))
    command = f"{shlex.quote(str(GOLIVE))} demo --session-dir {shlex.quote(str(tmp_path / 's'))}"
    started = time.monotonic()
    tmux("new-session", "-d", "-s", "demo", "-x", "120", "-y", "40", "-c", str(tmp_path), command)
    try:
        screen = tmux.wait_for("demo", "checkout v2.4.0", "Pre-flight", "Canary 5%", "Trends", "Pods",
                               "checkout-", "v2.3.1")
        print(f"golive demo drew its first complete screen {time.monotonic() - started:.2f} s after start")
        assert "phase 1/6" in screen
        assert any(ch in screen for ch in "▁▂▃▄▅▆▇█")  # a sparkline is drawn
        assert screen.count("Running") >= 6          # every pod of the stable version
    finally:
        tmux.kill()
