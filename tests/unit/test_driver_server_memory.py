"""The driver's memory over a long quiet go-live: what it keeps for snapshots stays bounded."""

from __future__ import annotations

from pathlib import Path

from golive.console import events as ev
from golive.console.driver.server import DriverServer
from golive.console.runbook import load_runbook
from golive.console.session import Session
from tests.integration.driver_helpers import HOLD, write_runbook


def test_a_run_of_heartbeats_is_kept_for_the_snapshot_as_its_latest_one_only(tmp_path: Path):
    clock = [1_800_000_000.0]
    session = Session.start(load_runbook(write_runbook(tmp_path, HOLD)), session_dir=tmp_path / "s",
                            clock=lambda: clock[0])
    server = DriverServer(session)
    session.subscribe(server._hear)
    started = len(server.events)
    try:
        for at in range(1, 1001):
            session.submit([ev.Heartbeat(at=clock[0] + 5 * at)])
        session.submit([ev.Note(at=clock[0] + 6000, by="alice", text="still quiet")])
        session.submit([ev.Heartbeat(at=clock[0] + 6005), ev.Heartbeat(at=clock[0] + 6010)])
        kept = [(e["type"], e["at"] - clock[0]) for e in server.events[started:]]
        assert kept == [("heartbeat", 5000), ("note", 6000), ("heartbeat", 6010)]
    finally:
        session.close()
