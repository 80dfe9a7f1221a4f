"""Driving the mission screen in tests: small runbooks of command checks, the app over a real Session, waiting
for a condition with a deadline (never asserting on time), and reading the journal back."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from golive.console.journal import read_journal
from golive.console.runbook import load_runbook
from golive.console.session import Session
from golive.screens.app import GoliveApp

HEAD = """
[runbook]
name = "ui-svc v1 to test"
service = "ui-svc"
version = "v1"
environment = "test"
signoff = ["deployment-lead", "operations"]
"""

PASSING = """
  [[phase.check]]
  id = "{id}"
  title = "{title}"
  source = "command"
  run = ["python3", "-c", "print(7)"]
  pass = "> 0"
  unit = "req/s"
  every = "1s"
"""

MANUAL = """
  [[phase.check]]
  id = "{id}"
  title = "{title}"
  source = "manual"
  role = "deployment-lead"
"""

ROLLBACK = """
[rollback]
run = ["python3", "-c", "print('rolled back ui-svc')"]
"""

TWO_PHASES = (HEAD + """
[[phase]]
id = "first"
title = "First"
""" + PASSING.format(id="rate", title="Request rate") + MANUAL.format(id="approved", title="Change approved") + """
[[phase]]
id = "second"
title = "Second"
action = { run = ["python3", "-c", "print('deployed ui-svc')"] }
""" + PASSING.format(id="rate-two", title="Request rate again") + MANUAL.format(id="smoke", title="Smoke tested")
    + ROLLBACK)

ONE_PHASE = (HEAD + """
[[phase]]
id = "only"
title = "Only"
""" + MANUAL.format(id="approved", title="Change approved") + ROLLBACK)

ACTION_FIRST = (HEAD + """
[[phase]]
id = "deploy"
title = "Deploy"
action = { run = ["python3", "-c", "print('deployed ui-svc')"] }
""" + PASSING.format(id="rate", title="Request rate") + ROLLBACK)

FIRING_TRIGGER = (HEAD + """
[[phase]]
id = "watch"
title = "Watch"
action = { run = ["python3", "-c", "print('deployed ui-svc')"], confirm = false }
""" + MANUAL.format(id="approved", title="Change approved") + """
[[trigger]]
id = "errors-high"
title = "Errors above 1"
source = "command"
run = ["python3", "-c", "print(5)"]
fire = "> 1"
every = "1s"
then = "rollback"
""" + ROLLBACK)


def write_runbook(folder: Path, text: str, name: str = "runbook.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def driver_app(runbook_path: Path, session_dir: Path, *, dry_run: bool = False, key: Path | None = None,
               resume: bool = False) -> GoliveApp:
    """The mission app over a real Session started (or resumed) in the app's own loop, operator ``tester``."""
    def make_session(listeners=()):
        if resume:
            return Session.resume(session_dir, operator="tester", listeners=listeners)
        return Session.start(load_runbook(runbook_path), session_dir=session_dir, operator="tester",
                             dry_run=dry_run, listeners=listeners)
    return GoliveApp(make_session, theme="golive-dark", key=key)


async def wait_for(pilot, condition: Callable[[], object], what: str, deadline: float = 20.0):
    """Pause the pilot until ``condition()`` is truthy; fail naming ``what`` after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        await pilot.pause(0.05)


def journal(folder: Path) -> list[dict]:
    """Every event of the session's journal (verified)."""
    return read_journal(folder / "journal.jsonl").events


def of_type(folder: Path, kind: str) -> list[dict]:
    return [e for e in journal(folder) if e["type"] == kind]


def cell_text(table, row_key: str, column: str) -> str:
    """The plain text of one cell of a DataTable."""
    return str(getattr(table.get_cell(row_key, column), "plain", table.get_cell(row_key, column)))


def log_text(app) -> str:
    """The event log's recent lines as plain text (unwrapped)."""
    return "\n".join(app.mission.panes.log.recent)


def static_text(widget) -> str:
    """The plain text a Static (or a container of Statics) shows."""
    from textual.widgets import Static

    parts = [widget] if isinstance(widget, Static) else list(widget.query(Static))
    return "\n".join(str(getattr(w.render(), "plain", w.render())) for w in parts)
