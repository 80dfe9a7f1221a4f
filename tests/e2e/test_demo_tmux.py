"""`golive demo` in a real terminal: tmux at 120×40 shows the header, phases, sparklines and pods at once, and the
demo's driver outlives the terminal as a run's does."""

from __future__ import annotations

import os
import shlex
import signal
import time

import pytest

from golive.console.driver.client import DriverGone, query_status
from tests.e2e.test_tmux import GOLIVE, Tmux, lock_is_free
from tests.fixtures._binaries import need_binary
from tests.integration.driver_helpers import wait_until

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
        # the demo is driven as a run is: its sandboxes and session in a driver, this terminal a seat
        folder = tmp_path / "s"
        pid = query_status(folder)["pid"]
        tmux.kill()   # the terminal goes away …
        time.sleep(1)
        assert query_status(folder)["pid"] == pid and not lock_is_free(folder)   # … and the go-live goes on
        os.kill(pid, signal.SIGTERM)
        wait_until("the demo's driver stopped and let go of the session", lambda: lock_is_free(folder))
        assert "golive demo: kubectl works against it" in (folder / "driver.log").read_text()
    finally:
        tmux.kill()
        if (tmp_path / "s" / "driver.sock").exists():
            try:
                os.kill(query_status(tmp_path / "s")["pid"], signal.SIGTERM)
            except (DriverGone, ProcessLookupError):
                pass
