"""Nothing a person signed is ever lost: re-rendering a signed record and concurrent writers of record.toml
(report, sign, the session's own sign-offs) keep every signature. Real sessions, real ssh-keygen.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from golive.checks.manual import Answers
from golive.console import cmd_report
from golive.console.runbook import load_runbook
from golive.console.session import Session
from golive.console.signing import sign_record, verify_record
from tests.fixtures.ssh import make_key

RUNBOOK = """
[runbook]
name = "svc 1"
service = "svc"
version = "1"
signoff = ["deployment-lead", "operations", "security"]

[[phase]]
id = "only"
  [[phase.check]]
  id = "ok"
  source = "command"
  run = ["true"]
  every = "50ms"
"""

ROLES = ("deployment-lead", "operations", "security")
NAMES = {"deployment-lead": "Dana Lead", "operations": "Omar Ops", "security": "Sam Sec"}


def finished_session(folder: Path, runbook: str = RUNBOOK, signoffs: dict[str, str] | None = None) -> Path:
    """A headless GO session in ``folder`` whose answers sign off every role; returns the folder."""
    answers = Answers({}, dict(NAMES if signoffs is None else signoffs))
    source = folder.parent / f"{folder.name}-runbook.toml"
    source.write_text(runbook)

    async def go() -> None:
        session = Session.start(load_runbook(source), session_dir=folder, headless=True, answers=answers)
        try:
            await session.run()
        finally:
            session.close()

    asyncio.run(go())
    return folder


@pytest.fixture(scope="module")
def keys(ssh_keygen: str, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("keys")
    made = {role: make_key(root, role, f"{role}@example.com") for role in ROLES}
    allowed = root / "allowed_signers"
    allowed.write_text("".join(k.allowed_line() + "\n" for k in made.values()))
    return made, allowed


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return finished_session(tmp_path_factory.mktemp("unsigned") / "s")


@pytest.fixture
def session(unsigned: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(unsigned, tmp_path / "s"))


def report(folder: Path, *extra: str) -> int:
    parser = argparse.ArgumentParser()
    cmd_report.add_arguments(parser, "report")
    return cmd_report.run(parser.parse_args([str(folder), *extra]))


def test_golive_report_on_a_signed_record_keeps_every_signature(session: Path, keys, capsys):
    made, allowed = keys
    for role in ROLES[:2]:
        sign_record(session / "record.toml", role, key=made[role].path, name=NAMES[role])
    assert report(session) == 0
    capsys.readouterr()
    result = verify_record(session / "record.toml", allowed, journal=session / "journal.jsonl")
    assert [(r.role, r.status) for r in result.rows] == [
        ("deployment-lead", "valid"), ("operations", "valid"), ("security", "missing")]
    assert "Omar Ops" in (session / "record.md").read_text()


def test_a_session_record_and_its_re_rendering_have_the_same_body(session: Path):
    before = (session / "record.toml").read_text()
    assert report(session) == 0
    assert tomllib.loads((session / "record.toml").read_text()) == tomllib.loads(before)


def test_a_signed_record_whose_journal_renders_differently_keeps_its_signed_body(session: Path, keys, capsys):
    made, allowed = keys
    sign_record(session / "record.toml", "deployment-lead", key=made["deployment-lead"].path, name="Dana Lead")
    path = session / "record.toml"
    # a record signed by an older Golive that rendered a field differently
    path.write_text(path.read_text().replace('environment = "production"', 'environment = "prod"'))
    sign_again = tomllib.loads(path.read_text())
    assert report(session) == 0
    err = capsys.readouterr().err
    assert "kept as signed" in err
    assert tomllib.loads(path.read_text())["record"]["environment"] == "prod"
    assert len(tomllib.loads(path.read_text())["signature"]) == len(sign_again["signature"])


def test_three_concurrent_signers_beside_a_report_keep_all_three_signatures(session: Path, keys):
    made, allowed = keys
    env_python = sys.executable
    signers = [
        subprocess.Popen([env_python, "-m", "golive.console.cli", "sign", str(session / "record.toml"), "--role", role,
                          "--key", str(made[role].path), "--name", NAMES[role]],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for role in ROLES
    ]
    reporter = subprocess.Popen([env_python, "-m", "golive.console.cli", "report", str(session)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for proc in (*signers, reporter):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    result = verify_record(session / "record.toml", allowed, journal=session / "journal.jsonl")
    assert [r.status for r in result.rows] == ["valid"] * 3, result.verdict()
    assert result.ok


def test_report_json_prints_the_record_as_written(session: Path, capsys):
    assert report(session, "--json") == 0
    out = capsys.readouterr().out
    import json

    printed = json.loads(out)
    assert printed == tomllib.loads((session / "record.toml").read_text())
    assert printed["record"]["outcome"] == "GO" and printed["signature_status"]["missing"] == list(ROLES)


def test_report_on_a_folder_it_cannot_write_is_one_line_and_exit_2(session: Path, capsys, monkeypatch):
    import errno

    from golive.console import record_file

    def refuse(path, data):  # a read-only folder; root ignores chmod, so the refusal is made here
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(record_file, "write_atomic", refuse)
    assert report(session) == 2
    err = capsys.readouterr().err
    assert err == f"golive report: {session}/record.toml: cannot write: Permission denied\n"


def test_a_crash_and_the_resume_appear_in_the_record(session: Path, tmp_path: Path):
    import json

    lines = (session / "journal.jsonl").read_bytes().splitlines(keepends=True)
    kinds = [json.loads(line)["type"] for line in lines]
    cut = kinds.index("outcome") - 1  # the driver dies before its outcome; resume carries on
    folder = tmp_path / "crashed"
    shutil.copytree(session, folder)
    (folder / "journal.jsonl").write_bytes(b"".join(lines[:cut]))
    (folder / "record.toml").unlink()

    async def go() -> None:
        resumed = Session.resume(folder, headless=True, answers=Answers({}, dict(NAMES)))
        try:
            await resumed.run()
        finally:
            resumed.close()

    asyncio.run(go())
    record = tomllib.loads((folder / "record.toml").read_text())
    assert record["resume"][0]["stopped_after_line"] == cut
    assert "resumed" in record["resume"][0] and record["resume"][0]["by"]
    md = (folder / "record.md").read_text()
    assert f"## Interruptions\n\n- the driver stopped after journal line {cut}" in md


def test_notes_marked_in_the_session_reach_both_records(tmp_path: Path):
    source = tmp_path / "rb.toml"
    source.write_text(RUNBOOK)

    async def go() -> Path:
        session = Session.start(load_runbook(source), session_dir=tmp_path / "s", headless=True)
        await session.note("p99 spiked once at 12:03", kind="anomaly")
        await session.note("pre-warm the cache next time", by="omar", kind="lesson")
        try:
            await session.run()
        finally:
            session.close()
        return session.folder

    folder = asyncio.run(go())
    notes = tomllib.loads((folder / "record.toml").read_text())["note"]
    assert [(n["kind"], n["text"]) for n in notes] == [
        ("anomaly", "p99 spiked once at 12:03"), ("lesson", "pre-warm the cache next time")]
    md = (folder / "record.md").read_text()
    assert "## Anomalies" in md and "## Lessons learned" in md and "omar: pre-warm the cache next time" in md


def test_a_resume_after_the_outcome_does_not_change_what_the_record_says(session: Path):
    before = tomllib.loads((session / "record.toml").read_text())

    async def go() -> None:
        resumed = Session.resume(session, headless=True)
        try:
            await resumed.run()
        finally:
            resumed.close()

    asyncio.run(go())
    after = tomllib.loads((session / "record.toml").read_text())
    assert after["phase"][0]["check"][0]["verdict"] == "PASS"  # not reset by the resume that followed
    assert {k: v for k, v in after.items() if k != "signature_status"} == \
        {k: v for k, v in before.items() if k != "signature_status"}
