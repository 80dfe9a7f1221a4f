"""The driver client is a session for the screens: it folds the driver's snapshot and stream into a local
Engine, hears live samples, and its commands come back done or Refused with the driver's reason."""

from __future__ import annotations

import asyncio
import os
import pwd

import pytest

from golive.console.driver.client import DriverClient
from golive.console.engine import Refused
from tests.integration.driver_helpers import AUTO_ROLLBACK, HOLD, RawSeat, journal, start_driver, stop, write_runbook

ME = pwd.getpwuid(os.getuid()).pw_name


async def until(what: str, predicate) -> None:
    for _ in range(600):
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


def test_a_seat_sees_live_samples_other_seats_commands_and_the_drivers_refusals(tmp_path):
    folder = tmp_path / "session"
    driver = start_driver(write_runbook(tmp_path, HOLD), folder)

    async def main() -> None:
        heard: list[str] = []
        client = DriverClient(folder, listeners=(lambda kind, payload: heard.append(kind),))
        watcher = DriverClient(folder, read_only=True)
        runs = [asyncio.ensure_future(client.run()), asyncio.ensure_future(watcher.run())]
        try:
            first = client.engine.state.checks["up"].count
            await until("live samples reach the seat", lambda: client.engine.state.checks["up"].count > first + 3)
            assert "sample" in heard and client.engine.state.checks["up"].verdict == "PASS"
            await until("and the watching seat", lambda: watcher.engine.state.checks["up"].count > first + 3)
            other = RawSeat(folder)
            assert other.command("note", text="from the other seat")["ok"]
            other.close()
            await until("another seat's note", lambda: client.engine.state.notes)
            assert [(n["by"], n["text"]) for n in client.engine.state.notes] == [(ME, "from the other seat")]
            await client.tick("approved")
            assert client.engine.state.manual["approved"].checked
            assert client.engine.state.manual["approved"].by == ME
            with pytest.raises(Refused) as refused:
                await client.tick("no-such-item")
            assert str(refused.value)
            with pytest.raises(Refused, match="read-only"):
                await watcher.proceed()
        finally:
            client.stop()
            watcher.stop()
            await asyncio.gather(*runs)

    try:
        asyncio.run(main())
    finally:
        stop(driver)


def test_when_the_driver_dies_the_seat_says_so_and_its_holds_count_no_further(tmp_path):
    folder = tmp_path / "session"
    driver = start_driver(write_runbook(tmp_path, HOLD), folder)

    async def main() -> None:
        client = DriverClient(folder)
        run = asyncio.ensure_future(client.run())
        try:
            first = client.engine.state.checks["up"].count
            await until("samples arrive", lambda: client.engine.state.checks["up"].count > first + 2)
            assert client.driver_problem(client.clock()) == ""
            driver.kill()
            await until("the seat hears that its driver is gone", lambda: client.broken)
            now = client.clock()
            assert client.driver_problem(now).startswith("driver not running")
            assert client.engine.evidence_until == client.last_heard
            held = client.engine.hold_progress("up", now)[0]
            assert client.engine.hold_progress("up", now + 600)[0] == held
            with pytest.raises(Refused, match="driver stopped"):
                await client.proceed()
        finally:
            client.stop()
            await run

    try:
        asyncio.run(main())
    finally:
        stop(driver)


def test_a_sign_off_at_a_seat_is_made_as_the_seats_unix_user_and_another_name_is_refused(tmp_path):
    folder = tmp_path / "session"
    driver = start_driver(write_runbook(tmp_path, AUTO_ROLLBACK), folder)

    async def main() -> None:
        client = DriverClient(folder)
        run = asyncio.ensure_future(client.run())
        try:
            await until("the automatic rollback ended the go-live", lambda: client.engine.state.outcome)
            with pytest.raises(Refused, match=f"Unix user at this seat \\({ME}\\), not mallory"):
                await client.sign("deployment-lead", "mallory")
            await client.sign("deployment-lead", ME)
            assert [(s["role"], s["name"]) for s in client.engine.state.signoffs] == [("deployment-lead", ME)]
        finally:
            client.stop()
            await run

    try:
        asyncio.run(main())
        signoffs = [e for e in journal(folder) if e["type"] == "signoff"]
        assert [(e["name"], e["seat"].split()[0]) for e in signoffs] == [(ME, "seat-1")]
        assert (folder / "record.toml").is_file()
    finally:
        stop(driver)


def test_a_watching_seat_ends_with_exactly_the_live_figures_of_the_leads_seat(tmp_path):
    folder = tmp_path / "session"
    driver = start_driver(write_runbook(tmp_path, HOLD), folder)

    def figures(client: DriverClient) -> dict:
        return {cs.id: (cs.value, cs.count, cs.errors, cs.verdict, list(cs.history))
                for cs in client.engine.state.checks.values()}

    async def main() -> tuple[dict, dict]:
        lead, watcher = DriverClient(folder), DriverClient(folder, read_only=True)
        runs = [asyncio.ensure_future(lead.run()), asyncio.ensure_future(watcher.run())]
        first = lead.engine.state.checks["up"].count
        await until("samples arrive", lambda: watcher.engine.state.checks["up"].count > first + 5)
        driver.terminate()   # both seats hear the same stream to its end
        await asyncio.gather(*runs)
        return figures(lead), figures(watcher)

    try:
        seen_by_lead, seen_by_watcher = asyncio.run(main())
        assert seen_by_lead["up"][1] > 5
        assert seen_by_lead == seen_by_watcher
    finally:
        stop(driver)
