"""The allowed_signers file as ssh-keygen reads it: principal patterns, options, validity windows."""

from __future__ import annotations

import base64
import struct
from datetime import datetime, timezone
from pathlib import Path

import pytest

from golive.console.allowed_signers import (
    EXPIRED,
    NOT_YET_VALID,
    UNKNOWN_KEY,
    UNSUPPORTED,
    VALID,
    WRONG_NAMESPACE,
    WRONG_PRINCIPAL,
    AllowedSignersError,
    authorize,
    key_fingerprint,
    load_allowed_signers,
    match_pattern_list,
    parse_time,
)


def blob(key_type: str, payload: bytes) -> bytes:
    kt = key_type.encode()
    return struct.pack(">I", len(kt)) + kt + struct.pack(">I", len(payload)) + payload


BOB = blob("ssh-ed25519", b"b" * 32)
EVE = blob("ssh-ed25519", b"e" * 32)
B64 = base64.b64encode(BOB).decode()
AT = datetime(2026, 11, 22, 20, 40, tzinfo=timezone.utc)
LATER = datetime(2027, 1, 1, tzinfo=timezone.utc)


def load(tmp_path: Path, text: str):
    path = tmp_path / "allowed_signers"
    path.write_text(text)
    return load_allowed_signers(path)


def decide(tmp_path: Path, text: str, key: bytes = BOB, principal: str = "bob@example.com"):
    return authorize(load(tmp_path, text), key, principal, "golive-record", [("signed_at", AT), ("now", LATER)])


@pytest.mark.parametrize(
    ("patterns", "text", "expected"),
    [
        ("bob@example.com", "bob@example.com", 1),
        ("*@example.com", "bob@example.com", 1),
        ("b?b@example.com", "bob@example.com", 1),
        ("alice@example.com,bob@*", "bob@example.com", 1),
        ("*@example.com,!bob@example.com", "bob@example.com", -1),
        ("Bob@example.com", "bob@example.com", 0),
        ("[b]ob@example.com", "bob@example.com", 0),
    ],
)
def test_principal_patterns_match_as_in_openssh(patterns: str, text: str, expected: int):
    assert match_pattern_list(text, patterns) == expected


def test_a_plain_line_allows_its_principal(tmp_path: Path):
    status, detail = decide(tmp_path, f"# ops team\nbob@example.com ssh-ed25519 {B64} bob laptop\n")
    assert status == VALID and "allowed_signers:2" in detail


def test_quoted_principals_and_options_are_read(tmp_path: Path):
    line = f'"bob@example.com,ops@example.com" namespaces="golive-record,git",valid-after="20260101Z" ssh-ed25519 {B64}'
    (signer,) = load(tmp_path, line + "\n")
    assert signer.principals == "bob@example.com,ops@example.com"
    assert signer.namespaces == "golive-record,git"
    assert signer.valid_after == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert decide(tmp_path, line)[0] == VALID


def test_a_key_nobody_listed_is_unknown(tmp_path: Path):
    status, detail = decide(tmp_path, f"bob@example.com ssh-ed25519 {B64}\n", key=EVE)
    assert status == UNKNOWN_KEY and key_fingerprint(EVE) in detail


def test_a_listed_key_signing_as_someone_else_is_the_wrong_principal(tmp_path: Path):
    status, detail = decide(tmp_path, f"bob@example.com ssh-ed25519 {B64}\n", principal="alice@example.com")
    assert status == WRONG_PRINCIPAL and "not as alice@example.com" in detail


def test_a_negated_principal_is_refused(tmp_path: Path):
    status, _ = decide(tmp_path, f"*@example.com,!bob@example.com ssh-ed25519 {B64}\n")
    assert status == WRONG_PRINCIPAL


def test_a_key_limited_to_other_namespaces_is_the_wrong_namespace(tmp_path: Path):
    status, detail = decide(tmp_path, f'bob@example.com namespaces="git" ssh-ed25519 {B64}\n')
    assert status == WRONG_NAMESPACE and 'namespaces="git"' in detail


def test_a_key_retired_before_the_verification_time_has_expired(tmp_path: Path):
    status, detail = decide(tmp_path, f'bob@example.com valid-before="20261201Z" ssh-ed25519 {B64}\n')
    assert status == EXPIRED and "now is 2027-01-01T00:00:00Z" in detail


def test_a_key_retired_before_the_signature_was_made_has_expired(tmp_path: Path):
    status, detail = decide(tmp_path, f'bob@example.com valid-before="20261122Z" ssh-ed25519 {B64}\n')
    assert status == EXPIRED and "signed_at is 2026-11-22T20:40:00Z" in detail


def test_a_key_not_yet_valid_when_it_signed_is_refused(tmp_path: Path):
    status, _ = decide(tmp_path, f'bob@example.com valid-after="202611230000Z" ssh-ed25519 {B64}\n')
    assert status == NOT_YET_VALID


def test_one_good_line_for_the_key_is_enough(tmp_path: Path):
    text = f'bob@example.com valid-before="20200101Z" ssh-ed25519 {B64}\nbob@example.com ssh-ed25519 {B64}\n'
    assert decide(tmp_path, text)[0] == VALID


def test_certificate_authorities_are_reported_as_unsupported(tmp_path: Path):
    cert = blob("ssh-ed25519-cert-v01@openssh.com", b"c" * 40)
    status, _ = decide(tmp_path, f"*@example.com cert-authority ssh-ed25519 {B64}\n", key=cert)
    assert status == UNSUPPORTED


def test_times_read_as_utc_with_z_and_at_three_precisions():
    assert parse_time("20261122Z") == datetime(2026, 11, 22, tzinfo=timezone.utc)
    assert parse_time("202611222040Z") == datetime(2026, 11, 22, 20, 40, tzinfo=timezone.utc)
    assert parse_time("20261122204005Z") == datetime(2026, 11, 22, 20, 40, 5, tzinfo=timezone.utc)
    assert parse_time("20261122").tzinfo is not None  # local time, made aware


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f'bob@example.com valid-before="2026-12-01" ssh-ed25519 {B64}', "bad time"),
        (f'bob@example.com expires="20261201" ssh-ed25519 {B64}', "unknown option"),
        ("bob@example.com", "expected principals, then a key"),
        (f"bob@example.com ssh-rsa {B64}", "not 'ssh-rsa'"),
        (f'"bob@example.com ssh-ed25519 {B64}', "no closing quote"),
        # cut short at a base64 boundary: still valid base64, but not a whole key
        (f"bob@example.com ssh-ed25519 {B64[:64]}", "the ssh-ed25519 key is truncated"),
        (f"bob@example.com ssh-ed25519 {base64.b64encode(BOB[:15]).decode()}", "truncated or malformed"),
    ],
)
def test_a_malformed_line_is_an_error_naming_file_and_line(tmp_path: Path, line: str, message: str):
    with pytest.raises(AllowedSignersError, match=rf"allowed_signers:2: .*{message}"):
        load(tmp_path, f"# keys\n{line}\n")
