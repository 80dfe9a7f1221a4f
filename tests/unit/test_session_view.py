"""The screen's snapshot of a go-live (console/view.py): immutable, and the same from the live session and from
a follower of its journal at every step."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from golive.console.follower import Follower
from golive.console.runbook import load_runbook
from golive.console.session import Session

T0 = 1795379400.0

RUNBOOK = """
[runbook]
name = "v v1 to test"
service = "v"
version = "v1"
environment = "test"
signoff = ["deployment-lead"]

[[phase]]
id = "prep"
title = "Preparation"
  [[phase.check]]
  id = "approved"
  title = "Change approved"
  source = "manual"

[[phase]]
id = "go"
title = "Go"
  [[phase.check]]
  id = "smoke"
  title = "Smoke tested"
  source = "manual"
"""

SHARED = ("name", "service", "version", "environment", "started", "finished", "phases", "active", "gate", "paused",
          "rollback_request", "rollback_running", "manual", "triggers", "outcome", "outcome_reason", "signoffs",
          "missing_signoffs", "log")


def runbook(tmp_path):
    path = tmp_path / "runbook.toml"
    path.write_text(RUNBOOK)
    return load_runbook(path)


def same_fields(a, b) -> dict:
    return {name: (getattr(a, name), getattr(b, name)) for name in SHARED if getattr(a, name) != getattr(b, name)}


def test_the_view_cannot_be_changed_by_whoever_holds_it(tmp_path):
    session = Session.start(runbook(tmp_path), session_dir=tmp_path / "s", operator="lead",
                            clock=lambda: T0)
    try:
        view = session.view(T0)
        with pytest.raises(dataclasses.FrozenInstanceError):
            view.outcome = "GO"   # type: ignore[misc]
        with pytest.raises(TypeError):
            view.manual["approved"] = None   # type: ignore[index]
        assert view.active_phase is not None and view.active_phase.label == "Preparation"
        assert not view.gate.open and view.manual["approved"].label == "Change approved"
    finally:
        session.close()


def test_a_followers_view_equals_the_sessions_at_every_step(tmp_path):
    folder = tmp_path / "s"
    now = [T0]
    session = Session.start(runbook(tmp_path), session_dir=folder, operator="lead",
                            clock=lambda: now[0])
    follower = Follower(folder, clock=lambda: now[0])

    async def step(command) -> None:
        now[0] += 5
        await command()

    try:
        steps = [lambda: session.tick("approved"), lambda: session.note("paged the DBA"), session.proceed,
                 lambda: session.tick("smoke"), session.proceed, lambda: session.sign("deployment-lead", "lead")]
        assert same_fields(session.view(now[0]), follower.view(now[0])) == {}
        for command in steps:
            asyncio.run(step(command))
            follower.poll()
            assert same_fields(session.view(now[0]), follower.view(now[0])) == {}
        final = follower.view(now[0])
        assert final.outcome == "GO" and final.missing_signoffs == () and final.read_only
    finally:
        session.close()
