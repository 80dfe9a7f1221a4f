"""A rollback plan's step written with ``confirm = true`` at a real driver: every seat hears that it waits, a seat
confirms it, and the journal names that seat's person (from the kernel), not the lead who started the go-live."""

from __future__ import annotations

import asyncio
import os
import pwd

import pytest

from golive.console.driver.client import DriverClient
from golive.console.engine import Refused
from tests.integration import test_driver_roles as two_users
from tests.integration.driver_helpers import RawSeat, journal, start_driver, stop, wait_until, write_runbook

ME = pwd.getpwuid(os.getuid()).pw_name
STEP = "rollback:switch-back:2"

RUNBOOK = """
[runbook]
name = "a blue-green switch back"
service = "svc"
version = "2"
signoff = ["deployment-lead"]
{extra}
[[phase]]
id = "canary"
  [[phase.check]]
  id = "up"
  source = "command"
  run = ["true"]
  every = "100ms"

[[rollback]]
id = "switch-back"
title = "Switch the Service back to blue"
  [[rollback.step]]
  run = ["sh", "-c", "echo green drained"]
  [[rollback.step]]
  run = ["sh", "-c", "echo selector is blue"]
  confirm = true
"""

people, base = two_users.people, two_users.base   # two real Unix users, as the roles test makes them


async def until(what: str, predicate) -> None:
    for _ in range(600):
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


def kinds(folder):
    return [(e["type"], e.get("kind") or e.get("action")) for e in journal(folder)]


def test_a_seat_hears_the_step_wait_confirms_it_and_the_journal_names_the_seats_person(tmp_path):
    folder = tmp_path / "session"
    driver = start_driver(write_runbook(tmp_path, RUNBOOK.format(extra="")), folder)

    async def main() -> None:
        asked: list[tuple[str, str]] = []
        client = DriverClient(folder, listeners=(lambda kind, p: asked.append(p) if kind == "confirm_step" else None,))
        watcher = DriverClient(folder, read_only=True)
        runs = [asyncio.ensure_future(client.run()), asyncio.ensure_future(watcher.run())]
        try:
            await until("attached", lambda: client._writer is not None and watcher._writer is not None)
            rolling = asyncio.ensure_future(client.rollback(reason="green is slow", plan="switch-back"))
            await until("the seat hears that the step waits", lambda: asked)
            assert asked == [(STEP, "sh -c 'echo selector is blue'")]
            assert ("action_finished", "rollback:switch-back:1") in kinds(folder)
            assert ("action_started", STEP) not in kinds(folder)   # it waits: nothing ran yet
            with pytest.raises(Refused, match="rollback:switch-back:1 is not waiting"):
                await client.confirm_step("rollback:switch-back:1")
            with pytest.raises(Refused, match="read-only"):
                await watcher.confirm_step(STEP)
            late: list[tuple[str, str]] = []   # a seat that attaches while the step waits is asked at once
            latecomer = DriverClient(folder, listeners=(lambda kind, p: late.append(p) if kind == "confirm_step"
                                                        else None,))
            late_run = asyncio.ensure_future(latecomer.run())
            await until("the late seat is asked too", lambda: late)
            assert late == [(STEP, "sh -c 'echo selector is blue'")]
            latecomer.stop()
            await late_run
            await client.confirm_step(STEP, note="blue is warm")
            await asyncio.wait_for(rolling, 60)
            await until("the outcome reaches the seat", lambda: client.engine.state.outcome)
            assert client.engine.state.outcome == "ROLLED BACK"
        finally:
            client.stop()
            watcher.stop()
            await asyncio.gather(*runs)

    try:
        asyncio.run(main())
    finally:
        stop(driver)
    order = kinds(folder)
    assert order.index(("action_finished", "rollback:switch-back:1")) < order.index(("decision", "confirm_step")) \
        < order.index(("action_started", STEP))
    (confirm,) = [e for e in journal(folder) if e.get("kind") == "confirm_step"]
    assert (confirm["by"], confirm["step"], confirm["reason"]) == (ME, STEP, "blue is warm")
    assert confirm["seat"].startswith("seat-")


def test_another_unix_user_in_a_role_confirms_the_step_and_one_in_none_is_refused(people, base):
    runbook = base / "runbook.toml"
    runbook.write_text(RUNBOOK.format(extra=f'group = "{people["room"]}"\n\n[roles.deployment-lead]\n'
                                            f'users = ["{ME}"]\n\n[roles.sre]\ngroups = ["{people["secops"]}"]\n'))
    runbook.chmod(0o644)
    folder = base / "session"
    proc = start_driver(runbook, folder)
    try:
        lead = RawSeat(folder)
        try:
            lead.sock.sendall(b'{"type":"command","id":1,"command":"rollback","args":{"plan":"switch-back"}}\n')
            asked = lead.read()
            while asked["type"] != "confirm_step":
                asked = lead.read()
            assert (asked["step"], asked["command"]) == (STEP, "sh -c 'echo selector is blue'")

            other = two_users.seat_as(people["other"], folder, ("confirm_step", {"step": STEP}))
            assert [r["refused"] for r in other["replies"]] == [
                f"{people['other']} holds no role in this go-live (deployment-lead, sre) and may only watch"]
            sec = two_users.seat_as(people["sec"], folder, ("confirm_step", {"step": STEP, "note": "blue is warm"}))
            assert sec["user"] == people["sec"] and [r["ok"] for r in sec["replies"]] == [True]
            reply = lead.read()
            while reply["type"] != "reply":
                reply = lead.read()
            assert reply["ok"] is True   # the lead's rollback ran to its end once the step was confirmed
        finally:
            lead.close()
        wait_until("the outcome is journaled", lambda: any(e["type"] == "outcome" for e in journal(folder)))
    finally:
        stop(proc)
    (confirm,) = [e for e in journal(folder) if e.get("kind") == "confirm_step"]
    assert (confirm["by"], confirm["reason"]) == (people["sec"], "blue is warm")
    assert confirm["seat"].startswith("seat-") and confirm["by"] != ME
    assert [e["outcome"] for e in journal(folder) if e["type"] == "outcome"] == ["ROLLED BACK"]
