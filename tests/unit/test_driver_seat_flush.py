"""A seat's lines: samples gathered into one write per flush, anything people act on sent at once, in order."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from golive.checks.base import Sample
from golive.console.driver.server import FLUSH_LINES, DriverServer, Seat


class Writer:
    """A seat's socket: what was written, one entry per write."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    async def drain(self) -> None:
        pass

    def close(self) -> None:
        pass


def kinds(data: bytes) -> list[str]:
    return [json.loads(line)["type"] for line in data.splitlines()]


async def attached(tmp_path: Path) -> tuple[DriverServer, Seat, Writer, asyncio.Task]:
    server, writer = DriverServer(session=None, folder=tmp_path), Writer()
    seat = Seat(server, writer, "seat-1", "alice", 1, "seat")  # type: ignore[arg-type]
    server.seats.append(seat)
    return server, seat, writer, asyncio.ensure_future(seat.pump())


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_samples_wait_for_one_write_and_an_event_takes_them_along_at_once(tmp_path):
    server, seat, writer, pump = await attached(tmp_path)
    try:
        for i in range(3):
            server._hear("sample", Sample(check_id="rate", at=100.0 + i, value=float(i)))
        await settle()
        assert writer.writes == [] and len(seat.out) == 3   # no wake-up, no write per sample
        server._hear("output", ("phase:canary", "deployed"))
        await settle()
        assert [kinds(w) for w in writer.writes] == [["sample", "sample", "sample", "output"]]
    finally:
        await server.close()
        pump.cancel()


@pytest.mark.asyncio
async def test_samples_go_out_by_themselves_in_one_write_when_no_event_comes(tmp_path):
    server, seat, writer, pump = await attached(tmp_path)
    try:
        for i in range(4):
            server._hear("sample", Sample(check_id="rate", at=100.0 + i, value=float(i)))
        for _ in range(400):   # the flush timer, with a deadline (no assertion on how long it took)
            if writer.writes:
                break
            await asyncio.sleep(0.05)
        assert [kinds(w) for w in writer.writes] == [["sample"] * 4]
        assert not seat.out
    finally:
        await server.close()
        pump.cancel()


@pytest.mark.asyncio
async def test_a_burst_of_samples_is_written_without_waiting_so_a_seat_never_looks_slow(tmp_path):
    server, seat, writer, pump = await attached(tmp_path)
    try:
        for i in range(FLUSH_LINES):
            server._hear("sample", Sample(check_id=f"c{i}", at=100.0, value=1.0))
        await settle()
        assert sum(len(kinds(w)) for w in writer.writes) == FLUSH_LINES
        assert not seat.resync   # far below QUEUE_MAX: no fresh snapshot for a seat that keeps up
    finally:
        await server.close()
        pump.cancel()
