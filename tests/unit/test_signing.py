"""The pure parts of signing: the canonical body, the message a role signs, bad input, and the CLI's exit
codes for it. Signatures themselves are made with the real ssh-keygen in tests/integration.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w

from golive.console import cmd_sign, cmd_verify
from golive.console.signing import (
    GENESIS,
    RecordInputError,
    SigningError,
    canonical_body,
    sign_record,
    signature_digest,
    signing_message,
    verify_record,
)
from tests.fixtures.ssh import write_sample_session

FIELDS = {
    "role": "operations",
    "name": "Bob Ops",
    "principal": "bob@example.com",
    "signed_at": "2026-11-22T20:40:00Z",
    "previous": GENESIS,
}


def run_command(module, argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    module.add_arguments(parser, "cmd")
    return module.run(parser.parse_args(argv))


@pytest.fixture
def record_path(tmp_path: Path) -> Path:
    return write_sample_session(tmp_path / "session")[0]


def test_the_canonical_body_leaves_out_signatures_and_their_status(record_path: Path):
    text = record_path.read_text()
    signed = text + '\n[[signature]]\nrole = "operations"\nsignature = "x"\n\n[signature_status]\nmissing = []\n'
    assert canonical_body(signed) == canonical_body(text)
    assert b"signature_status" not in canonical_body(signed)


def test_the_canonical_body_does_not_depend_on_layout_but_on_every_value(record_path: Path):
    text = record_path.read_text()
    relaid = text.replace('outcome = "GO"', "outcome   =   'GO'   # the verdict")
    assert relaid != text and canonical_body(relaid) == canonical_body(text)
    changed = text.replace("last = 0.12", "last = 0.13")
    assert changed != text and canonical_body(changed) != canonical_body(text)


def test_the_canonical_body_keeps_keys_in_the_order_they_were_parsed(record_path: Path):
    text = record_path.read_text()
    body = canonical_body(text).decode()
    assert body.index("outcome =") < body.index("signoff =") < body.index("journal_events =")
    assert list(tomllib.loads(body)) == list(tomllib.loads(text))
    assert list(tomllib.loads(body)["record"]) == list(tomllib.loads(text)["record"])


def test_each_role_signs_the_same_body_with_its_own_trailer(record_path: Path):
    body = canonical_body(record_path.read_text())
    ops = signing_message(body, **FIELDS)
    sec = signing_message(body, **{**FIELDS, "role": "security"})
    assert ops.startswith(body) and sec.startswith(body)
    assert ops != sec
    trailer = tomllib.loads(ops[len(body) :].decode())["golive_signature"]
    assert trailer == FIELDS


def test_a_name_with_a_newline_cannot_forge_a_second_trailer(record_path: Path):
    body = canonical_body(record_path.read_text())
    sneaky = signing_message(body, **{**FIELDS, "name": 'Bob"\nrole = "security'})
    assert tomllib.loads(sneaky[len(body) :].decode())["golive_signature"]["role"] == "operations"


def test_a_damaged_armored_signature_has_no_digest():
    with pytest.raises(ValueError, match="not an armored SSH signature"):
        signature_digest("hello")


def test_a_file_that_is_not_a_record_is_bad_input(tmp_path: Path):
    other = tmp_path / "runbook.toml"
    other.write_text('[runbook]\nname = "x"\n')
    with pytest.raises(RecordInputError, match="not a Golive record"):
        canonical_body(other.read_text())
    signers = tmp_path / "allowed_signers"
    signers.write_text("")
    assert run_command(cmd_verify, [str(other), "--allowed-signers", str(signers)]) == 2


def test_a_record_of_an_unknown_format_is_bad_input():
    with pytest.raises(RecordInputError, match="format 2"):
        canonical_body("[record]\nformat = 2\n")


def test_an_unreadable_record_or_allowed_signers_file_exits_2(record_path: Path, tmp_path: Path, capsys):
    assert run_command(cmd_verify, [str(tmp_path / "nope.toml"), "--allowed-signers", "/dev/null"]) == 2
    assert "cannot read the record" in capsys.readouterr().err
    assert run_command(cmd_verify, [str(record_path), "--allowed-signers", str(tmp_path / "nope")]) == 2
    assert "cannot read the allowed signers file" in capsys.readouterr().err


def test_a_malformed_allowed_signers_line_is_bad_input_naming_its_line(record_path: Path, tmp_path: Path):
    signers = tmp_path / "allowed_signers"
    signers.write_text("# team keys\n\nbob@example.com ssh-ed25519 not-base64!!\n")
    with pytest.raises(RecordInputError, match=r"allowed_signers:3: the ssh-ed25519 key is not valid base64"):
        verify_record(record_path, signers)


def test_a_missing_journal_is_bad_input(record_path: Path, tmp_path: Path):
    signers = tmp_path / "allowed_signers"
    signers.write_text("")
    with pytest.raises(RecordInputError, match="cannot read the journal"):
        verify_record(record_path, signers, journal=tmp_path / "journal.jsonl")


def test_an_unsigned_record_does_not_verify_and_names_every_missing_role(record_path: Path, tmp_path: Path, capsys):
    signers = tmp_path / "allowed_signers"
    signers.write_text("")
    report = verify_record(record_path, signers, journal=record_path.with_name("journal.jsonl"))
    assert not report.ok
    assert [(row.role, row.status) for row in report.rows] == [
        ("deployment-lead", "missing"), ("operations", "missing"), ("security", "missing"),
    ]  # fmt: skip
    assert report.journal is not None and report.journal.ok
    assert report.verdict() == "NOT VERIFIED: deployment-lead missing, operations missing, security missing"
    assert run_command(cmd_verify, [str(record_path), "--allowed-signers", str(signers)]) == 1
    out = capsys.readouterr().out
    assert "! missing" in out and "✗ NOT VERIFIED" in out


def test_a_record_needing_no_sign_off_verifies_nothing(tmp_path: Path):
    record_path, _ = write_sample_session(tmp_path / "s", signoff=())
    signers = tmp_path / "allowed_signers"
    signers.write_text("")
    report = verify_record(record_path, signers)
    assert not report.ok and "signoff is empty" in report.verdict()


def test_signing_a_role_the_record_does_not_need_names_the_roles_it_needs(record_path: Path):
    with pytest.raises(RecordInputError, match="it needs deployment-lead, operations, security"):
        sign_record(record_path, "product", key=record_path)


def test_a_draft_cannot_be_signed(record_path: Path):
    data = tomllib.loads(record_path.read_text())
    data["record"].update(outcome="IN PROGRESS", draft=True)
    record_path.write_text(tomli_w.dumps(data))
    with pytest.raises(RecordInputError, match="is a draft"):
        sign_record(record_path, "operations", key=record_path)


def test_a_missing_key_is_a_one_line_error(record_path: Path, tmp_path: Path, capsys):
    with pytest.raises(SigningError, match="key .*id_nope not found"):
        sign_record(record_path, "operations", key=tmp_path / "id_nope")
    argv = [str(record_path), "--role", "operations", "--key", str(tmp_path / "id_nope")]
    assert run_command(cmd_sign, argv) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_a_missing_ssh_keygen_is_a_clear_error(record_path: Path, tmp_path: Path, monkeypatch):
    key = tmp_path / "id_test"
    key.write_text("not really a key, and never read: ssh-keygen is missing\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(SigningError, match="ssh-keygen not found: install OpenSSH"):
        sign_record(record_path, "operations", key=key)
    assert "[[signature]]" not in record_path.read_text()


def test_the_signing_core_and_its_commands_import_neither_textual_nor_cryptography():
    code = (
        "import sys, golive.console.signing, golive.console.verification, golive.console.cmd_sign, "
        "golive.console.cmd_verify; "
        "print(sorted(m for m in ('textual', 'cryptography', 'rich') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_printing_the_message_needs_no_key(record_path: Path, tmp_path: Path, monkeypatch, capsysbinary):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("GOLIVE_SIGNING_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.ssh/id_ed25519 there
    argv = [str(record_path), "--role", "security", "--print-message", "--name", "Sam Sec",
            "--at", "2026-11-22T20:40:00Z"]
    assert run_command(cmd_sign, argv) == 0
    out = capsysbinary.readouterr().out.decode()
    assert '[golive_signature]\nrole = "security"\nname = "Sam Sec"' in out
    assert 'signed_at = "2026-11-22T20:40:00Z"' in out


def test_printing_the_message_with_a_missing_key_named_is_still_an_error(record_path: Path, tmp_path: Path):
    argv = [str(record_path), "--role", "security", "--print-message", "--key", str(tmp_path / "id_nope")]
    assert run_command(cmd_sign, argv) == 1


def test_the_message_covers_the_roles_sign_off_entry():
    plain = signing_message(b"body\n", **FIELDS)
    covered = signing_message(b"body\n", **FIELDS, signoff={"name": "Bob Ops", "line": 9, "line_sha256": "ab" * 32})
    assert covered.startswith(plain.rstrip(b"\n"))
    assert b'[golive_signature.signoff]\nname = "Bob Ops"\nline = 9' in covered
