"""Signing in the session: a later role's sign-off leaves an earlier role's SSH signature valid."""

from __future__ import annotations

import asyncio
from pathlib import Path

from golive.console.runbook import parse_runbook
from golive.console.session import Session
from golive.console.signing import sign_record, verify_record
from tests.fixtures.ssh import make_key

RUNBOOK = """
[runbook]
name = "svc 1"
service = "svc"
version = "1"
signoff = ["deployment-lead", "operations"]

[[phase]]
id = "only"
  [[phase.check]]
  id = "ok"
  source = "command"
  run = ["true"]
  every = "100ms"
"""


def test_a_later_sign_off_leaves_an_earlier_signature_valid(tmp_path, ssh_keygen):
    lead = make_key(tmp_path, "lead", "dana@example.com")
    ops = make_key(tmp_path, "ops", "omar@example.com")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"{lead.allowed_line()}\n{ops.allowed_line()}\n")

    async def go() -> Session:
        session = Session.start(parse_runbook(RUNBOOK, "rb.toml"), session_dir=tmp_path / "s", headless=True)
        await session.run()
        await session.sign("deployment-lead", "Dana Lead")
        sign_record(session.folder / "record.toml", "deployment-lead", key=lead.path, name="Dana Lead")
        await session.sign("operations", "Omar Ops")          # rewrites record.toml and record.md
        sign_record(session.folder / "record.toml", "operations", key=ops.path, name="Omar Ops")
        session.close()
        return session

    session = asyncio.run(go())
    assert session.engine.state.outcome == "GO"
    report = verify_record(session.folder / "record.toml", allowed, journal=session.folder / "journal.jsonl")
    assert [(r.role, r.status) for r in report.rows] == [("deployment-lead", "valid"), ("operations", "valid")]
    assert report.journal is not None and report.journal.ok, report.journal
    assert report.ok
    text = Path(session.folder / "record.md").read_text()
    assert "Omar Ops" in text and "Dana Lead" in text
