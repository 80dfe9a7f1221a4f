"""Who is asked to co-sign when the outcome is written, and the ``signature`` command's shape on the wire."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from golive.console.driver import protocol as proto
from golive.console.driver.cosign import ask_text

RUNBOOK = SimpleNamespace(roles={"security": SimpleNamespace(users=["alice"], groups=[]),
                                 "operations": SimpleNamespace(users=["bob"], groups=[])})
ARGS = {"role": "security", "signature": "-----BEGIN SSH SIGNATURE-----", "name": "Alice",
        "principal": "alice@example.com", "signed_at": "2026-12-01T23:50:00Z"}


def test_a_seat_is_asked_to_sign_only_the_missing_roles_its_person_is_bound_to():
    assert ask_text(RUNBOOK, "alice", ["security", "operations", "deployment-lead"]) == (
        "sign the record for security: press s (signed at this seat with your SSH key or agent)")


def test_a_seat_whose_person_holds_no_missing_role_is_not_asked():
    assert ask_text(RUNBOOK, "alice", ["operations"]) == ""
    assert ask_text(RUNBOOK, "mallory", ["security", "operations"]) == ""


def test_a_signature_command_carries_the_role_the_sshsig_and_the_signed_fields():
    assert proto.check_command({"type": "command", "id": 1, "command": "signature", "args": ARGS}) == (
        1, "signature", ARGS)


@pytest.mark.parametrize("missing", ["signature", "signed_at", "role"])
def test_a_signature_command_without_one_of_its_fields_is_a_protocol_error(missing):
    args = {k: v for k, v in ARGS.items() if k != missing}
    with pytest.raises(proto.ProtocolError, match=f"argument '{missing}' is required"):
        proto.check_command({"type": "command", "id": 1, "command": "signature", "args": args})
