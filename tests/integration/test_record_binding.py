"""A signed record held against its journal: one key and one person per role, a record edited to say what
the journal does not, and the sign-offs after the anchor — renamed, rewritten, deleted, forged — each caught.
Real sessions, real ssh-keygen.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tomllib
from pathlib import Path

import pytest
import tomli_w

from golive.console import cmd_verify, signing
from golive.console.signing import RecordInputError, sign_record, verify_record
from tests.fixtures.ssh import make_key
from tests.integration.test_record_rewrites import NAMES, ROLES, RUNBOOK, finished_session

NO_GO_RUNBOOK = RUNBOOK.replace('run = ["true"]', 'run = ["false"]').replace(
    'id = "only"', 'id = "only"\ntimeout = "1s"')
SHARED_RUNBOOK = RUNBOOK.replace('signoff = [', 'signoff_distinct = false\nsignoff = [')


@pytest.fixture(scope="module")
def keys(ssh_keygen: str, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("keys")
    made = {role: make_key(root, role, f"{role}@example.com") for role in ROLES}
    allowed = root / "allowed_signers"
    allowed.write_text("".join(k.allowed_line() + "\n" for k in made.values()))
    return made, allowed


def sign_all(folder: Path, made) -> None:
    for role in ROLES:
        sign_record(folder / "record.toml", role, key=made[role].path, name=NAMES[role])


@pytest.fixture(scope="module")
def signed(keys, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GO session whose three roles signed off in the session, then signed the record."""
    folder = finished_session(tmp_path_factory.mktemp("signed") / "s")
    sign_all(folder, keys[0])
    return folder


@pytest.fixture
def session(signed: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(signed, tmp_path / "s"))


def verify(folder: Path, allowed: Path, markdown: bool = False):
    return verify_record(folder / "record.toml", allowed, journal=folder / "journal.jsonl",
                         markdown=folder / "record.md" if markdown else None)


def journal_lines(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]


def append_line(folder: Path, event: dict) -> None:
    """Append a line with a valid chain: what someone who can edit the file and hash can do."""
    path = folder / "journal.jsonl"
    lines = path.read_bytes().splitlines()
    body = json.dumps({"seq": len(lines) + 1, **event, "prev": hashlib.sha256(lines[-1]).hexdigest()},
                      separators=(",", ":")).encode()
    path.write_bytes(path.read_bytes() + body + b"\n")


def test_a_signed_session_verifies_with_its_journal_and_its_markdown(session: Path, keys):
    from tests.integration.test_record_rewrites import report

    assert report(session) == 0  # a re-rendering changes nothing a verifier checks
    result = verify(session, keys[1], markdown=True)
    assert result.ok, (result.verdict(), result.journal)
    assert "record.md matches" in result.verdict()
    record = tomllib.loads((session / "record.toml").read_text())
    assert all("line" in s["signoff"] and "line_sha256" in s["signoff"] for s in record["signature"])


# ---------------------------------------------------------------- one key, one person, one role (item 10)

def test_one_key_cannot_sign_two_roles_of_a_record(tmp_path: Path, keys):
    folder = finished_session(tmp_path / "s")
    sign_record(folder / "record.toml", "deployment-lead", key=keys[0]["deployment-lead"].path, name="Dana Lead")
    with pytest.raises(RecordInputError, match="already signed role deployment-lead: one key signs one role"):
        sign_record(folder / "record.toml", "operations", key=keys[0]["deployment-lead"].path, name="Omar Ops")


def test_one_person_cannot_sign_off_two_roles_in_a_session(tmp_path: Path):
    folder = finished_session(tmp_path / "s", signoffs={"deployment-lead": "Dana", "operations": "Dana"})
    record = tomllib.loads((folder / "record.toml").read_text())
    assert [s["role"] for s in record["signature_status"]["signed_off"]] == ["deployment-lead"]


def test_a_runbook_that_allows_shared_signers_lets_one_key_sign_every_role(tmp_path: Path, keys):
    folder = finished_session(tmp_path / "s", SHARED_RUNBOOK, {role: "Dana" for role in ROLES})
    for role in ROLES:
        sign_record(folder / "record.toml", role, key=keys[0]["deployment-lead"].path, name="Dana")
    allowed = tmp_path / "allowed"
    allowed.write_text(keys[0]["deployment-lead"].allowed_line("*@example.com") + "\n")
    result = verify(folder, allowed)
    assert result.ok, result.verdict()


def test_verify_reports_a_key_used_twice_unless_the_record_allowed_it(tmp_path: Path, keys, monkeypatch):
    folder = finished_session(tmp_path / "s")
    monkeypatch.setattr(signing, "_check_distinct", lambda *a: None)  # as an older Golive signed
    lead = keys[0]["deployment-lead"]
    for role in ROLES:
        sign_record(folder / "record.toml", role, key=lead.path, name=NAMES[role], principal=lead.principal)
    result = verify(folder, keys[1])
    assert [r.status for r in result.rows] == ["valid", "key reused", "key reused"]
    assert "also signed deployment-lead" in result.rows[1].detail
    assert not result.ok


# ---------------------------------------------------------------- the record against its journal (item 11)

def test_a_no_go_record_edited_to_go_and_signed_is_caught_by_the_journal(tmp_path: Path, keys, capsys):
    folder = finished_session(tmp_path / "s", NO_GO_RUNBOOK)
    path = folder / "record.toml"
    data = tomllib.loads(path.read_text())
    assert data["record"]["outcome"] == "NO-GO"
    data["record"].update(outcome="GO", reason="every phase passed")
    data["phase"][0].update(status="passed")
    data["phase"][0].pop("reason", None)
    data["phase"][0]["check"][0].update(verdict="PASS")
    path.write_text(tomli_w.dumps(data))
    sign_all(folder, keys[0])
    result = verify(folder, keys[1])
    assert [r.status for r in result.rows] == ["valid"] * 3
    assert not result.ok and "record differs from its journal" in result.verdict()
    problems = "\n".join(result.journal.problems)
    assert "outcome: the record says GO, the journal says NO-GO" in problems
    assert "phase only: the record says passed, the journal says timeout" in problems
    assert "check ok: the record says PASS, the journal says FAIL" in problems
    parser = argparse.ArgumentParser()
    cmd_verify.add_arguments(parser, "verify")
    args = parser.parse_args([str(path), "--allowed-signers", str(keys[1]), "--journal", str(folder / "journal.jsonl")])
    assert cmd_verify.run(args) == 1
    out = capsys.readouterr().out
    assert "✗ outcome: the record says GO, the journal says NO-GO" in out


def test_a_decision_edited_in_the_record_is_named(session: Path, keys):
    path = session / "record.toml"
    data = tomllib.loads(path.read_text())
    data["decision"][0]["by"] = "mallory"
    path.write_text(tomli_w.dumps(data))
    result = verify(session, keys[1])
    assert any("decision 1 by: the record says 'mallory'" in p for p in result.journal.problems)


# ---------------------------------------------------------------- sign-offs after the anchor (item 12)

def test_renaming_a_signer_in_the_signature_status_is_caught(session: Path, keys):
    path = session / "record.toml"
    data = tomllib.loads(path.read_text())
    assert data["signature_status"]["signed_off"][0]["name"] == "Dana Lead"
    data["signature_status"]["signed_off"][0]["name"] = "Mallory"
    path.write_text(tomli_w.dumps(data))
    result = verify(session, keys[1])
    row = result.rows[0]
    assert (row.role, row.status) == ("deployment-lead", "sign-off changed")
    assert "'Mallory' (signed: 'Dana Lead')" in row.detail
    assert not result.ok


def test_rewriting_the_journals_last_sign_off_line_is_caught(session: Path, keys):
    events = journal_lines(session)
    assert events[-1]["type"] == "signoff"
    lines = (session / "journal.jsonl").read_bytes().splitlines(keepends=True)
    lines[-1] = lines[-1].replace(b'"Sam Sec"', b'"Mallory"')
    (session / "journal.jsonl").write_bytes(b"".join(lines))
    result = verify(session, keys[1])
    assert not result.ok
    assert any(f"journal line {len(events)} (signoff of security by Mallory) is not the sign-off" in p
               for p in result.journal.problems), result.journal


def test_deleting_the_journals_last_sign_off_line_is_caught(session: Path, keys):
    events = journal_lines(session)
    lines = (session / "journal.jsonl").read_bytes().splitlines(keepends=True)
    (session / "journal.jsonl").write_bytes(b"".join(lines[:-1]))
    result = verify(session, keys[1])
    assert not result.ok
    assert any(f"covers a sign-off at journal line {len(events)}, which is not there" in p
               for p in result.journal.problems), result.journal


def test_appending_a_forged_sign_off_with_a_valid_chain_is_caught(session: Path, keys):
    events = journal_lines(session)
    forged = {"type": "signoff", "at": events[-1]["at"] + 1, "role": "deployment-lead", "name": "Mallory", "note": ""}
    append_line(session, forged)
    result = verify(session, keys[1])
    assert not result.ok
    assert any(f"journal line {len(events) + 1}: a sign-off of deployment-lead by Mallory that no signature covers"
               in p for p in result.journal.problems), result.journal


def test_an_edited_record_md_is_caught_and_names_its_line(session: Path, keys):
    md = session / "record.md"
    md.write_text(md.read_text().replace("**Outcome: ✓ GO**", "**Outcome: ✓ GO (all clear)**"))
    result = verify(session, keys[1], markdown=True)
    assert not result.ok and "record.md differs" in result.verdict()
    assert "record.md:3 differs from the record's rendering" in result.markdown.detail


def test_a_forged_sign_off_stays_caught_after_golive_report_renders_it(session: Path, keys):
    from tests.integration.test_record_rewrites import report

    events = journal_lines(session)
    append_line(session, {"type": "signoff", "at": events[-1]["at"] + 1, "role": "operations", "name": "Mallory",
                          "note": ""})
    assert report(session) == 0
    listed = tomllib.loads((session / "record.toml").read_text())["signature_status"]["signed_off"]
    assert [(s["role"], s["line"]) for s in listed][-1] == ("operations", len(events) + 1)
    result = verify(session, keys[1])
    assert not result.ok
    assert any(f"journal line {len(events) + 1}: a sign-off of operations by Mallory" in p
               for p in result.journal.problems), result.journal


def test_resuming_a_finished_signed_session_changes_nothing_it_signed(session: Path, keys):
    import asyncio

    from golive.console.session import Session

    async def go() -> None:
        resumed = Session.resume(session, headless=True)
        try:
            await resumed.run()
        finally:
            resumed.close()

    before = tomllib.loads((session / "record.toml").read_text())
    asyncio.run(go())
    assert journal_lines(session)[-1]["type"] == "resumed"
    after = tomllib.loads((session / "record.toml").read_text())
    assert after["phase"] == before["phase"] and after["signature"] == before["signature"]
    result = verify(session, keys[1], markdown=True)
    assert result.ok, (result.verdict(), result.journal)
