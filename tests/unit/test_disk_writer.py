"""The disk off the loop: the session's writer thread journals, fsyncs and writes records in order while the event
loop runs on, and nobody hears of a human event before its fsync returned. The fsync is held by a fake ``os``."""

from __future__ import annotations

import asyncio
import errno
import os
import threading
import tomllib
from pathlib import Path

import pytest

import golive.console.files
import golive.console.journal
from golive.console import events as ev
from golive.console.journal import JournalError, read_journal
from golive.console.runbook import load_runbook
from golive.console.session import Session
from golive.console.writer import DiskWriter

RUNBOOK = """
[runbook]
name = "disk"
service = "svc"
version = "1"
signoff = ["deployment-lead"]

[[phase]]
id = "only"
  [[phase.check]]
  id = "approved"
  source = "manual"
"""

WAIT = 20.0   # a deadline for the test to give up, never a timing it asserts on


class HeldDisk:
    """``os`` for the journal and record writers: fsync waits while ``held`` is set, and every fsync or write
    remembers the thread it ran on; ``full`` makes journal writes fail with ENOSPC."""

    def __init__(self):
        self.held = False
        self.full = False
        self.entered = threading.Event()    # an fsync is waiting
        self.release = threading.Event()
        self.returned = 0                   # fsyncs that have returned
        self.threads: list[str] = []

    def fsync(self, fd: int) -> None:
        self.threads.append(threading.current_thread().name)
        if self.held:
            self.entered.set()
            assert self.release.wait(WAIT), "the test never released the fsync"
        os.fsync(fd)
        self.returned += 1

    def write(self, fd: int, data) -> int:
        self.threads.append(threading.current_thread().name)
        if self.full and os.readlink(f"/proc/self/fd/{fd}").endswith("journal.jsonl"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return os.write(fd, data)

    def __getattr__(self, name: str):
        return getattr(os, name)


@pytest.fixture
def disk(monkeypatch) -> HeldDisk:
    fake = HeldDisk()
    monkeypatch.setattr(golive.console.journal, "os", fake)
    monkeypatch.setattr(golive.console.files, "os", fake)
    return fake


def start(tmp_path: Path, heard: list) -> Session:
    path = tmp_path / "rb.toml"
    path.write_text(RUNBOOK)
    return Session.start(load_runbook(path), session_dir=tmp_path / "s", operator="tester",
                         listeners=(lambda kind, payload: heard.append((kind, payload)),))


async def running(session: Session) -> asyncio.Task:
    task = asyncio.ensure_future(session.run(until_outcome=False))
    while session._writer is None:
        await asyncio.sleep(0.01)
    return task


async def until(condition, what: str) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + WAIT
    while not condition():
        assert loop.time() < end, f"gave up waiting for {what}"
        await asyncio.sleep(0.01)


def ticks(heard: list) -> list:
    return [p for kind, p in heard if kind == "event" and isinstance(p, ev.Tick)]


def test_a_tick_is_done_only_once_its_fsync_returned_and_the_loop_runs_on_while_it_waits(tmp_path, disk):
    heard: list = []
    session = start(tmp_path, heard)

    async def main() -> None:
        run = await running(session)
        beats = 0

        async def heartbeat() -> None:
            nonlocal beats
            while True:
                beats += 1
                await asyncio.sleep(0.01)

        beating = asyncio.ensure_future(heartbeat())
        disk.held = True
        tick = asyncio.ensure_future(session.tick("approved"))
        await until(disk.entered.is_set, "the tick's fsync to start")
        before = beats
        await until(lambda: beats >= before + 5, "the loop to run on while the fsync waits")
        # the fsync has not returned: nobody may show the tick done
        assert not tick.done()
        assert session.engine.state.manual["approved"].checked is False
        assert ticks(heard) == []
        fsyncs_before = disk.returned
        disk.release.set()
        await asyncio.wait_for(tick, WAIT)
        assert disk.returned > fsyncs_before
        assert session.engine.state.manual["approved"].checked is True
        assert [t.check for t in ticks(heard)] == ["approved"]
        beating.cancel()
        session.stop()
        await run

    try:
        asyncio.run(main())
    finally:
        session.close()
    assert [e["check"] for e in read_journal(tmp_path / "s" / "journal.jsonl").events if e["type"] == "tick"] \
        == ["approved"]


def test_no_journal_or_record_write_runs_on_the_loop_while_the_session_runs(tmp_path, disk):
    heard: list = []
    session = start(tmp_path, heard)

    async def main() -> None:
        run = await running(session)
        del disk.threads[:]
        await session.tick("approved")
        await session.note("looks good")
        await session.proceed()            # the only phase passes: GO, and the record is written
        await until(lambda: session.record_paths is not None, "the record")
        await session.sign("deployment-lead")
        assert await session.save_record() == session.record_paths
        assert disk.threads and set(disk.threads) == {"golive-writer"}
        session.stop()
        await run

    try:
        asyncio.run(main())
    finally:
        session.close()
    assert session.engine.state.outcome == "GO"
    record = tomllib.loads((tmp_path / "s" / "record.toml").read_text())
    # the sign-off's record was written behind its journal line, on the writer thread
    assert [(s["role"], s["name"]) for s in record["signature_status"]["signed_off"]] == [("deployment-lead", "tester")]


def test_concurrent_commands_are_journaled_in_the_order_they_were_given_with_the_chain_intact(tmp_path, disk):
    heard: list = []
    session = start(tmp_path, heard)
    texts = [f"note {i}" for i in range(30)]

    async def main() -> None:
        run = await running(session)
        disk.held = True
        notes = [asyncio.ensure_future(session.note(text)) for text in texts]
        await until(disk.entered.is_set, "the first fsync to start")
        disk.release.set()
        await asyncio.wait_for(asyncio.gather(*notes), WAIT)
        session.stop()
        await run

    try:
        asyncio.run(main())
    finally:
        session.close()
    events = read_journal(tmp_path / "s" / "journal.jsonl").events   # raises on a broken chain or seq
    assert [e["text"] for e in events if e["type"] == "note"] == texts
    assert [p.text for kind, p in heard if kind == "event" and isinstance(p, ev.Note)] == texts


def test_a_full_disk_fails_the_command_and_the_session_with_the_journal_line_and_nothing_is_shown(tmp_path, disk):
    heard: list = []
    session = start(tmp_path, heard)
    line = session.journal.seq + 1
    said = f"journal.jsonl:{line}: could not write: No space left on device"

    async def main() -> None:
        run = asyncio.ensure_future(session.run(until_outcome=False))
        await until(lambda: session._writer is not None, "the writer")
        disk.full = True
        with pytest.raises(JournalError) as tick:
            await session.tick("approved")
        assert str(tick.value) == said
        with pytest.raises(JournalError) as note:   # fail closed: nothing is journaled after the failed line
            await session.note("after the failure")
        assert str(note.value) == said
        with pytest.raises(JournalError) as stopped:
            await asyncio.wait_for(run, WAIT)
        assert str(stopped.value) == said

    try:
        asyncio.run(main())
    finally:
        session.close()
    assert session.engine.state.manual["approved"].checked is False
    assert ticks(heard) == []
    assert all(e["type"] not in ("tick", "note") for e in read_journal(tmp_path / "s" / "journal.jsonl").events)


def test_the_writer_runs_jobs_in_submission_order_and_hands_them_back_in_that_order():
    given: list[int] = []
    ran: list[int] = []
    landed: list[int] = []

    async def main() -> None:
        writer = DiskWriter()

        async def submitter(first: int) -> None:
            for i in range(first, first + 10):   # five tasks interleaving their submits
                given.append(i)
                writer.submit(ran.append, i, on_done=lambda _r, _e, i=i: landed.append(i))
                await asyncio.sleep(0)

        await asyncio.gather(*(submitter(k) for k in range(0, 50, 10)))
        assert await writer.submit(lambda: None).future is None   # the last one back means all are back
        writer.close()

    asyncio.run(main())
    assert sorted(given) == list(range(50)) and given != sorted(given)
    assert ran == given and landed == given


def test_a_failing_job_hands_its_error_back_and_the_jobs_after_it_still_run():
    async def main() -> None:
        writer = DiskWriter()

        def boom() -> None:
            raise OSError(errno.ENOSPC, "No space left on device", "record.toml")

        errors: list = []
        failed = writer.submit(boom, on_done=lambda _r, e: errors.append(e))
        after = writer.submit(lambda: "written")
        assert isinstance(await failed.future, OSError)
        assert await after.future is None and after.result == "written"
        writer.close()
        assert [type(e) for e in errors] == [OSError] and writer.pending == 0

    asyncio.run(main())


def test_the_drivers_seats_hear_a_tick_and_its_reply_only_after_the_fsync_and_its_record_is_written_off_the_loop(
        tmp_path, disk):
    import json

    from golive.console.driver.server import DriverServer

    heard: list = []
    session = start(tmp_path, heard)
    server = DriverServer(session)
    session.subscribe(server._hear)
    sent: list[dict] = []

    class Seat:
        user, mode, name, pid = "tester", "seat", "seat-1", 1

        def send(self, line: bytes, urgent: bool = True) -> None:
            sent.append(json.loads(line))

    seat = Seat()
    server.seats.append(seat)  # type: ignore[arg-type]

    async def main() -> None:
        run = await running(session)
        disk.held = True
        reply = asyncio.ensure_future(server._command(seat, 1, "tick", {"check_id": "approved"}))  # type: ignore
        await until(disk.entered.is_set, "the tick's fsync to start")
        await asyncio.sleep(0.05)   # the driver's loop runs on meanwhile
        assert not reply.done() and sent == []
        disk.release.set()
        await asyncio.wait_for(reply, WAIT)
        assert [m["type"] for m in sent] == ["event", "reply"] and sent[0]["event"]["type"] == "tick"
        assert sent[1]["ok"] is True
        del disk.threads[:]
        await server._command(seat, 2, "write_record", {})  # type: ignore[arg-type]
        assert sent[-1]["ok"] is True and sent[-1]["paths"][0].endswith("record.toml")
        assert disk.threads and set(disk.threads) == {"golive-writer"}
        session.stop()
        await run

    try:
        asyncio.run(main())
    finally:
        session.close()   # after the run, a draft is written in place: the loop is leaving anyway


def test_a_draft_asked_for_that_cannot_be_written_is_refused_to_the_asker_and_the_go_live_goes_on(
        tmp_path, disk, monkeypatch):
    heard: list = []
    session = start(tmp_path, heard)

    import golive.console.record_file

    full, write_atomic = [True], golive.console.record_file.write_atomic

    def no_room(path, data):
        if full[0]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        write_atomic(path, data)

    monkeypatch.setattr(golive.console.record_file, "write_atomic", no_room)

    async def main() -> None:
        run = await running(session)
        with pytest.raises(OSError, match="record.toml: cannot write: No space left on device"):
            await session.save_record()
        full[0] = False
        await session.tick("approved")   # the session still runs and journals
        assert session.engine.state.manual["approved"].checked is True
        assert not run.done()
        session.stop()
        await run

    try:
        asyncio.run(main())
    finally:
        session.close()
