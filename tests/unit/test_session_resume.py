"""Resume in-process, from journals cut where a crash would cut them: answers, due phases, the record,
sign-offs and interrupted commands that may not be repeated. No command runs here."""

from __future__ import annotations

import asyncio
import shutil
import tomllib
from pathlib import Path

from golive.checks.manual import Answer, Answers
from golive.console import events as ev
from golive.console.journal import read_journal
from golive.console.runbook import load_runbook
from golive.console.session import Session

MANUAL = """
[runbook]
name = "svc 1"
service = "svc"
version = "1"
signoff = ["deployment-lead", "operations"]

[[phase]]
id = "one"
  [[phase.check]]
  id = "approved"
  source = "manual"

[[phase]]
id = "two"
  [[phase.check]]
  id = "smoke"
  source = "manual"
"""

ROLLBACK = """
[runbook]
name = "svc 1"
service = "svc"
version = "1"

[targets.prometheus.main]
url = "http://127.0.0.1:9"

[[phase]]
id = "one"
action = { run = ["false"] }

[[trigger]]
id = "spike"
source = "prometheus"
query = "z"
fire = "> 1"
then = "rollback"

[rollback]
run = ["false"]
"""

ANSWERS = Answers(items={"approved": Answer("approved", "alice"), "smoke": Answer("smoke", "bob", "green")},
                  signoff={"deployment-lead": "alice", "operations": "bob"})


def write_runbook(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rb.toml"
    path.write_text(text)
    return path


def started(tmp_path: Path, text: str, events=lambda session: []) -> Path:
    """A session folder whose journal holds the start, then ``events(session)``, as a crash left it."""
    async def go() -> Path:
        session = Session.start(load_runbook(write_runbook(tmp_path, text)), session_dir=tmp_path / "s",
                                operator="alice")
        session.submit(events(session))
        session.journal.close()  # as a kill leaves it: no summary, no draft record
        return session.folder
    return asyncio.run(go())


def cut(folder: Path, keep: int, to: Path) -> Path:
    """A copy of the session folder with the journal's first ``keep`` lines: what a kill after line ``keep`` leaves."""
    to.mkdir()
    shutil.copyfile(folder / "runbook.toml", to / "runbook.toml")
    lines = (folder / "journal.jsonl").read_text().splitlines(keepends=True)
    (to / "journal.jsonl").write_text("".join(lines[:keep]))
    return to


def resume(folder: Path, answers: Answers | None = ANSWERS) -> Session:
    async def go() -> Session:
        session = Session.resume(folder, headless=True, answers=answers, operator="golive")
        try:
            await asyncio.wait_for(session.run(), 30)
        finally:
            session.close()
        return session
    return asyncio.run(go())


def types(folder: Path) -> list[str]:
    return [e["type"] for e in read_journal(folder / "journal.jsonl").events]


def test_resume_applies_the_answers_and_starts_the_phase_that_was_due(tmp_path):
    folder = cut(started(tmp_path, MANUAL), 1, tmp_path / "cut")  # killed before the first phase started
    session = resume(folder)
    assert session.engine.state.outcome == "GO"
    assert session.engine.state.manual["approved"].by == "alice"
    assert session.engine.state.manual["smoke"].note == "green"


def test_resume_applies_the_answers_to_items_a_crash_left_unanswered(tmp_path):
    folder = started(tmp_path, MANUAL)  # killed after the phase started, before its ticks
    assert types(folder) == ["session_started", "phase_started"]
    assert resume(folder).engine.state.outcome == "GO"


def test_resume_of_a_finished_session_writes_the_record_and_the_missing_sign_offs(tmp_path):
    whole = resume(started(tmp_path, MANUAL))
    lines = types(whole.folder)
    folder = cut(whole.folder, lines.index("signoff") + 1, tmp_path / "cut")  # killed between two sign-offs
    session = resume(folder)
    assert session.record_paths is not None
    record = tomllib.loads((folder / "record.toml").read_text())
    assert record["record"]["outcome"] == "GO"
    assert [(s["role"], s["name"]) for s in record["signature_status"]["signed_off"]] == \
        [("deployment-lead", "alice"), ("operations", "bob")]
    assert types(folder).count("signoff") == 2


def test_a_declined_rollback_is_journaled_with_who_and_why(tmp_path):
    folder = started(tmp_path, ROLLBACK, lambda s: [
        ev.ActionStarted(at=s.clock(), action="phase:one", argv=("false",), dry_run=True),
        ev.TriggerState(at=s.clock(), trigger="spike", state="firing", value=2.0)])

    async def go() -> None:
        session = Session.resume(folder, operator="alice")
        await session.decline_rollback("the metric is known to be noisy", by="carol")
        assert session.engine.state.rollback_request is None
        session.journal.close()
    asyncio.run(go())
    decision = read_journal(folder / "journal.jsonl").events[-1]
    assert (decision["type"], decision["kind"], decision["by"], decision["trigger"]) == \
        ("decision", "decline_rollback", "carol", "spike")
    assert decision["reason"] == "the metric is known to be noisy"


def test_an_interrupted_rollback_that_may_not_be_repeated_ends_no_go_never_go(tmp_path):
    folder = started(tmp_path, ROLLBACK, lambda s: [
        ev.ActionStarted(at=s.clock(), action="phase:one", argv=("false",)),
        ev.ActionFinished(at=s.clock(), action="phase:one", exit_code=0),
        ev.TriggerState(at=s.clock(), trigger="spike", state="firing", value=2.0),
        ev.Decision(at=s.clock(), kind="rollback", phase="one", by="golive", trigger="spike"),
        ev.ActionStarted(at=s.clock(), action="rollback", argv=("false",))])
    session = resume(folder, answers=None)
    st = session.engine.state
    assert st.outcome == "NO-GO" and "rollback interrupted" in st.outcome_reason
    rollback = [a for a in st.actions if a["action"] == "rollback"]
    assert len(rollback) == 1 and rollback[0]["interrupted"] and rollback[0]["exit_code"] is None
    assert types(folder)[-3:] == ["action_finished", "phase_ended", "outcome"]


def test_an_interrupted_phase_action_that_may_not_be_repeated_ends_no_go_at_once(tmp_path):
    folder = started(tmp_path, ROLLBACK, lambda s: [
        ev.ActionStarted(at=s.clock(), action="phase:one", argv=("false",))])
    st = resume(folder, answers=None).engine.state
    assert st.outcome == "NO-GO" and "interrupted" in st.outcome_reason and "repeat_safe" in st.outcome_reason
    assert len(st.actions) == 1


def test_the_headless_report_names_the_interrupted_command(tmp_path):
    from io import StringIO

    from rich.console import Console

    from golive.console.reporter import RichReporter

    folder = started(tmp_path, ROLLBACK, lambda s: [
        ev.Decision(at=s.clock(), kind="rollback", phase="one", by="alice", reason="bad canary"),
        ev.ActionStarted(at=s.clock(), action="rollback", argv=("false",))])
    out = StringIO()

    async def go() -> None:
        session = Session.resume(folder, headless=True, operator="golive")
        session.subscribe(RichReporter(session.runbook, Console(file=out, width=200)))
        await asyncio.wait_for(session.run(), 30)
        session.close()
    asyncio.run(go())
    text = out.getvalue()
    assert "rollback was interrupted (exit unknown): false" in text
    assert "NO-GO" in text and "GO —" not in text.replace("NO-GO", "")
