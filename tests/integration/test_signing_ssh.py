"""Signing with the real ssh-keygen and a real ssh-agent: interoperability with plain `ssh-keygen -Y`
both ways, co-signing in any order, agent keys, and passphrase-protected keys that must never prompt.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from golive.console import cmd_sign, ssh_keygen
from golive.console.signing import RecordInputError, SigningError, sign_record, verify_record
from tests.fixtures.ssh import SIGNOFF, SshKey, add_to_agent, make_key, write_sample_session

AT = datetime(2026, 11, 22, 20, 40, tzinfo=timezone.utc)
LATER = datetime(2026, 11, 23, tzinfo=timezone.utc)


def run_command(module, argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    module.add_arguments(parser, "cmd")
    return module.run(parser.parse_args(argv))


@pytest.fixture
def record(tmp_path: Path) -> Path:
    return write_sample_session(tmp_path / "session")[0]


@pytest.fixture
def allowed(ssh_keys: dict[str, SshKey], tmp_path: Path) -> Path:
    path = tmp_path / "allowed_signers"
    path.write_text("".join(ssh_keys[role].allowed_line() + "\n" for role in SIGNOFF))
    return path


@pytest.fixture
def no_agent(monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("GOLIVE_SIGNING_KEY", raising=False)


def statuses(record: Path, allowed: Path) -> dict[str, str]:
    return {row.role: row.status for row in verify_record(record, allowed, now=LATER).rows}


def test_a_record_signed_by_golive_verifies_with_plain_ssh_keygen(
    record: Path, ssh_keys, allowed: Path, tmp_path: Path, capsysbinary, no_agent
):
    sign_record(record, "operations", key=ssh_keys["operations"].path, name="Olga Ops", now=AT)
    assert run_command(cmd_sign, [str(record), "--role", "operations", "--print-message"]) == 0
    message = capsysbinary.readouterr().out
    assert run_command(cmd_sign, [str(record), "--role", "operations", "--print-signature"]) == 0
    signature = tmp_path / "operations.sig"
    signature.write_bytes(capsysbinary.readouterr().out)
    argv = ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "operations@example.com", "-n", "golive-record"]
    done = subprocess.run([*argv, "-s", str(signature)], input=message, capture_output=True, timeout=20)
    assert done.returncode == 0, done.stderr
    assert b'Good "golive-record" signature for operations@example.com' in done.stdout
    tampered = message.replace(b'outcome = "GO"', b'outcome = "NO-GO"')
    done = subprocess.run([*argv, "-s", str(signature)], input=tampered, capture_output=True, timeout=20)
    assert done.returncode != 0


def test_a_signature_made_by_plain_ssh_keygen_over_the_printed_message_verifies_with_golive(
    record: Path, ssh_keys, allowed: Path, tmp_path: Path, capsysbinary, no_agent
):
    who = ["--name", "Sam Sec", "--principal", "security@example.com", "--at", "2026-11-22T21:00:00Z"]
    assert run_command(cmd_sign, [str(record), "--role", "security", *who, "--print-message"]) == 0
    printed = capsysbinary.readouterr()
    assert b"--signature MESSAGE.sig" in printed.err
    done = subprocess.run(
        ["ssh-keygen", "-Y", "sign", "-n", "golive-record", "-f", str(ssh_keys["security"].path)],
        input=printed.out, capture_output=True, check=True, timeout=20,
    )  # fmt: skip
    signature = tmp_path / "message.sig"
    signature.write_bytes(done.stdout)
    assert run_command(cmd_sign, [str(record), "--role", "security", *who, "--signature", str(signature)]) == 0
    assert statuses(record, allowed) == {"deployment-lead": "missing", "operations": "missing", "security": "valid"}


def test_a_plain_signature_attached_with_other_fields_is_refused(
    record: Path, ssh_keys, tmp_path: Path, capsysbinary, no_agent
):
    who = ["--name", "Sam Sec", "--principal", "security@example.com"]
    run_command(cmd_sign, [str(record), "--role", "security", *who, "--at", "2026-11-22T21:00:00Z", "--print-message"])
    message = capsysbinary.readouterr().out
    done = subprocess.run(
        ["ssh-keygen", "-Y", "sign", "-n", "golive-record", "-f", str(ssh_keys["security"].path)],
        input=message, capture_output=True, check=True, timeout=20,
    )  # fmt: skip
    signature = tmp_path / "message.sig"
    signature.write_bytes(done.stdout)
    argv = [str(record), "--role", "security", *who, "--at", "2026-11-22T21:05:00Z", "--signature", str(signature)]
    assert run_command(cmd_sign, argv) == 2
    assert b"does not cover the message for role security" in capsysbinary.readouterr().err
    assert "[[signature]]" not in record.read_text()


@pytest.mark.parametrize("order", [("deployment-lead", "operations"), ("operations", "deployment-lead")])
def test_two_roles_signing_in_either_order_both_verify(record: Path, ssh_keys, allowed: Path, order, no_agent):
    for role in order:
        sign_record(record, role, key=ssh_keys[role].path, name=role, now=AT)
    assert statuses(record, allowed) == {"deployment-lead": "valid", "operations": "valid", "security": "missing"}


def test_a_third_signer_later_leaves_the_first_two_valid(record: Path, ssh_keys, allowed: Path, no_agent):
    body_text = record.read_text()
    for role in ("deployment-lead", "operations"):
        sign_record(record, role, key=ssh_keys[role].path, name=role, now=AT)
    first_two = record.read_text()
    entry = sign_record(record, "security", key=ssh_keys["security"].path, name="Sam Sec", now=LATER)
    assert entry["principal"] == "security@example.com"  # the key's comment
    after = record.read_text()
    assert after.startswith(body_text.rstrip("\n"))  # the body's text is kept byte for byte
    assert first_two.split("[signature_status]")[0] in after  # earlier signatures untouched
    report = verify_record(record, allowed, journal=record.with_name("journal.jsonl"), now=LATER)
    assert report.ok, report.verdict()
    assert 'missing = []' in after
    assert "security" in record.with_suffix(".md").read_text()


def test_a_role_signs_once_and_the_error_names_who_signed(record: Path, ssh_keys, no_agent):
    sign_record(record, "operations", key=ssh_keys["operations"].path, name="Olga Ops", now=AT)
    with pytest.raises(RecordInputError,
                       match=r"already signed by Olga Ops <operations@example.com> at 2026-11-22T20:40:00Z"):
        sign_record(record, "operations", key=ssh_keys["security"].path, name="Sam Sec")


def test_an_encrypted_key_with_no_agent_is_an_error_not_a_prompt(record: Path, tmp_path: Path, monkeypatch, no_agent):
    key = make_key(tmp_path, "locked", "locked@example.com", passphrase="correct horse")
    monkeypatch.setattr(ssh_keygen, "SIGN_TIMEOUT", 10.0)  # a hang would end here, as a failure
    with pytest.raises(SigningError) as caught:
        sign_record(record, "operations", key=key.path, name="Olga Ops")
    assert str(caught.value) == f"key {key.path} is passphrase-protected and no ssh-agent holds it: ssh-add it first"
    assert "[[signature]]" not in record.read_text()


def test_an_encrypted_key_the_agent_does_not_hold_is_the_same_error(record: Path, tmp_path: Path, ssh_agent,
                                                                    monkeypatch):
    monkeypatch.setenv("SSH_AUTH_SOCK", str(ssh_agent))
    key = make_key(tmp_path, "locked", "locked@example.com", passphrase="correct horse")
    with pytest.raises(SigningError, match="passphrase-protected and no ssh-agent holds it"):
        sign_record(record, "operations", key=key.path, name="Olga Ops")


def test_signing_through_the_agent_works_with_the_key_file_or_only_its_public_half(
    record: Path, tmp_path: Path, ssh_agent, monkeypatch
):
    monkeypatch.setenv("SSH_AUTH_SOCK", str(ssh_agent))
    key = make_key(tmp_path, "locked", "operations@example.com", passphrase="correct horse")
    add_to_agent(ssh_agent, key, "correct horse")
    sign_record(record, "operations", key=key.path, name="Olga Ops", now=AT)
    second = make_key(tmp_path, "agent-only", "security@example.com", passphrase="battery staple")
    add_to_agent(ssh_agent, second, "battery staple")
    second.path.unlink()  # only the agent holds the private half now
    sign_record(record, "security", key=second.pub, name="Sam Sec", now=AT)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(key.allowed_line() + "\n" + second.allowed_line() + "\n")
    assert statuses(record, allowed) == {"deployment-lead": "missing", "operations": "valid", "security": "valid"}


def test_with_no_key_given_the_agents_first_key_signs(record: Path, tmp_path: Path, ssh_agent, monkeypatch, capsys):
    monkeypatch.setenv("SSH_AUTH_SOCK", str(ssh_agent))
    monkeypatch.delenv("GOLIVE_SIGNING_KEY", raising=False)
    key = make_key(tmp_path, "lead", "lead@example.com")
    add_to_agent(ssh_agent, key)
    assert run_command(cmd_sign, [str(record), "--role", "deployment-lead", "--name", "Lee Lead"]) == 0
    assert "for deployment-lead as Lee Lead <lead@example.com>" in capsys.readouterr().out
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(key.allowed_line() + "\n")
    assert statuses(record, allowed)["deployment-lead"] == "valid"


def test_when_record_md_cannot_be_rendered_the_signature_is_kept_with_a_warning(record: Path, ssh_keys, monkeypatch):
    monkeypatch.setitem(sys.modules, "golive.console.record", None)  # as if the renderer were not installed
    warnings: list[str] = []
    sign_record(record, "operations", key=ssh_keys["operations"].path, name="Olga Ops", on_warning=warnings.append)
    assert warnings == ["record.md not refreshed: console.record.render_markdown is not available"]
    assert 'role = "operations"' in record.read_text()
