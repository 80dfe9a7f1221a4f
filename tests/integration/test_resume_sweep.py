"""Kill after every journal line, resume, and end as the run left alone ended.

A kill -9 after line k leaves exactly the journal's first k lines (a torn last line is dropped on
resume), so each cut is a copy of one complete run's first k lines beside its runbook copy, resumed
headless in-process. The actions are real `sh -c` commands.
"""

from __future__ import annotations

import asyncio
import shutil
import tomllib
from pathlib import Path

import pytest

from golive.checks.manual import load_answers
from golive.console.journal import read_journal
from golive.console.journal_audit import record_differences
from golive.console.runbook import load_runbook
from golive.console.session import Session
from tests.integration.kill_runbooks import OUTCOMES, RUNBOOKS, actions_after_a_rollback_decision, summary, write

CONCURRENT = 4  # resumes driven at once in one event loop: each mostly waits for its commands


async def drive(session: Session) -> Session:
    try:
        await asyncio.wait_for(session.run(), 60)
    finally:
        session.close()
    return session


def complete_run(tmp_path: Path, name: str) -> tuple[Path, Path]:
    runbook, answers = write(tmp_path, name)
    folder = tmp_path / "whole"

    async def go() -> None:  # the session spawns its tasks on the running loop, so it is made inside it
        await drive(Session.start(load_runbook(runbook), session_dir=folder, headless=True,
                                  answers=load_answers(answers), operator="golive"))
    asyncio.run(go())
    return folder, answers


def cut(folder: Path, keep: int, to: Path) -> Path:
    to.mkdir()
    shutil.copyfile(folder / "runbook.toml", to / "runbook.toml")
    lines = (folder / "journal.jsonl").read_bytes().splitlines(keepends=True)
    (to / "journal.jsonl").write_bytes(b"".join(lines[:keep]))
    return to


async def resume_all(folders: list[Path], answers: Path) -> None:
    gate = asyncio.Semaphore(CONCURRENT)

    async def one(folder: Path) -> None:
        async with gate:
            await drive(Session.resume(folder, headless=True, answers=load_answers(answers), operator="golive"))
    await asyncio.gather(*(one(f) for f in folders))


def events_of(folder: Path) -> list[dict]:
    return read_journal(folder / "journal.jsonl").events


@pytest.mark.parametrize("name", sorted(RUNBOOKS))
def test_a_kill_after_any_journal_line_resumes_to_the_same_end(tmp_path, name):
    whole, answers = complete_run(tmp_path, name)
    reference = summary(events_of(whole))
    assert reference["outcomes"] == [OUTCOMES[name]], reference
    assert actions_after_a_rollback_decision(events_of(whole)) == []
    lines = len(events_of(whole))
    folders = [cut(whole, k, tmp_path / f"cut-{k:03d}") for k in range(1, lines + 1)]
    asyncio.run(resume_all(folders, answers))
    for k, folder in enumerate(folders, 1):
        events = events_of(folder)
        got = summary(events)
        assert got == reference, f"killed after line {k} ({events[k - 1]['type']}): {got} != {reference}"
        assert actions_after_a_rollback_decision(events) == [], f"killed after line {k}"
        record = tomllib.loads((folder / "record.toml").read_text())
        assert record["record"]["outcome"] == got["outcomes"][0], f"killed after line {k}"
        anchor = record["record"]["journal_events"]
        assert events[anchor - 1]["type"] == "outcome", f"killed after line {k}"
        assert {e["type"] for e in events[anchor:]} <= {"signoff", "resumed"}, f"killed after line {k}"
        # what verify --journal holds a record to: it says exactly what its journal does
        assert record_differences(record, events, anchor) == [], f"killed after line {k}"
        if k < anchor:  # the crash came before the outcome: the record says where the driver stopped
            assert record["resume"][0]["stopped_after_line"] == k, f"killed after line {k}"
