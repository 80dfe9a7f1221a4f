"""`golive verify` with [roles] in the record: a signer's principal must be bound to the role it signs, and one
key or principal signs one role only unless the runbook allows it (signoff_distinct = false). Real ssh-keygen
keys and signatures."""

from __future__ import annotations

import tomllib
from datetime import datetime, timezone
from pathlib import Path

import pytest
import tomli_w

from golive.console.role_signers import NOT_BOUND
from golive.console.signed_body import RecordInputError
from golive.console.signing import sign_record, verify_record
from tests.fixtures.ssh import SIGNOFF, SshKey, write_sample_session

AT = datetime(2026, 11, 22, 20, 40, tzinfo=timezone.utc)
LATER = datetime(2026, 11, 23, tzinfo=timezone.utc)
BOUND = {role: {"users": [role], "groups": [], "min": 1, "not_operator": False} for role in SIGNOFF}


def record_with(tmp_path: Path, roles: dict | None, allow: bool = False) -> Path:
    path = write_sample_session(tmp_path / "session")[0]
    data = tomllib.loads(path.read_text())
    if roles is not None:
        data["record"]["roles"] = roles
    if allow:
        data["record"]["signoff_distinct"] = False
    path.write_text(tomli_w.dumps(data))
    return path


@pytest.fixture
def allowed(ssh_keys: dict[str, SshKey], tmp_path: Path) -> Path:
    path = tmp_path / "allowed_signers"
    path.write_text("".join(ssh_keys[role].allowed_line() + "\n" for role in SIGNOFF))
    return path


@pytest.fixture(autouse=True)
def no_agent(monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("GOLIVE_SIGNING_KEY", raising=False)


def sign(record: Path, role: str, key: SshKey) -> None:
    sign_record(record, role, key=key.path, name=role, now=AT)


def statuses(record: Path, allowed: Path) -> dict[str, tuple[str, str]]:
    return {row.role: (row.status, row.detail) for row in verify_record(record, allowed, now=LATER).rows}


def test_every_role_signed_by_its_own_bound_principal_verifies(tmp_path, ssh_keys, allowed):
    record = record_with(tmp_path, BOUND)
    for role in SIGNOFF:
        sign(record, role, ssh_keys[role])
    report = verify_record(record, allowed, now=LATER)
    assert report.ok, [(r.role, r.status, r.detail) for r in report.rows]


def test_a_principal_not_bound_to_the_role_it_signs_is_rejected(tmp_path, ssh_keys, allowed):
    record = record_with(tmp_path, {**BOUND, "security": {"users": ["sam"], "groups": []}})
    for role in SIGNOFF:
        sign(record, role, ssh_keys[role])
    status, detail = statuses(record, allowed)["security"]
    assert status == NOT_BOUND
    assert detail.startswith("security@example.com is not bound to security (only sam)")
    assert not verify_record(record, allowed, now=LATER).ok


def test_one_key_signing_two_roles_is_refused_unless_the_runbook_allows_it(tmp_path, ssh_keys, allowed):
    roles = {**BOUND, "operations": {"users": ["operations", "security"], "groups": []}}
    record = record_with(tmp_path, roles)
    sign(record, "operations", ssh_keys["security"])
    with pytest.raises(RecordInputError, match="one key signs one role"):
        sign(record, "security", ssh_keys["security"])

    allowed_record = record_with(tmp_path / "allowed", roles, allow=True)
    for role in SIGNOFF:
        sign(allowed_record, role, ssh_keys["security" if role == "operations" else role])
    assert verify_record(allowed_record, allowed, now=LATER).ok


def test_without_roles_in_the_record_no_principal_is_held_against_a_binding(tmp_path, ssh_keys, allowed):
    record = record_with(tmp_path, {})
    for role in SIGNOFF:
        sign(record, role, ssh_keys[role])
    report = verify_record(record, allowed, now=LATER)
    assert report.ok and not any(r.status == NOT_BOUND for r in report.rows)
