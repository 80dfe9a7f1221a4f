"""Signed records: the canonical body every role signs, the message that binds one signature to its role and
place, and adding a role's SSH signature to record.toml without disturbing the others.

What one signature covers (``signing_message``) is the canonical body followed by a TOML trailer::

    [golive_signature]
    role = "operations"
    name = "Bob Ops"
    principal = "bob@example.com"
    signed_at = "2026-11-22T20:40:00Z"
    previous = "<SHA-256 of the SSHSIG blob of the signature before it, or 64 zeros for the first>"

so moving a signature to another role, editing its signer's name, principal or time, and removing or
reordering signatures all show, while the body itself stays the same for every role. ``golive sign RECORD
--role R --print-message`` prints these exact bytes, for ``ssh-keygen -Y sign``/``-Y verify`` by hand.
"""

from __future__ import annotations

import os
import pwd
import socket
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from golive.console.signature_store import RecordLock, store_signature, write_atomic
from golive.console.signed_body import (
    GENESIS,
    UNSIGNED_KEYS,
    RecordInputError,
    body_of,
    canonical_body,
    canonical_bytes,
    chain_head,
    entry_message,
    missing_roles,
    parse_record,
    read_record,
    signature_digest,
    signing_message,
    signoff_entry,
    utc_stamp,
)
from golive.console.ssh_keygen import NAMESPACE, SigningError, describe_key, sign_message, signing_key

if TYPE_CHECKING:
    from golive.console.verification import VerifyReport

__all__ = [
    "GENESIS", "NAMESPACE", "UNSIGNED_KEYS", "RecordInputError", "SigningError", "attach_signature", "body_of",
    "canonical_body", "canonical_bytes", "chain_head", "default_name", "default_principal", "entry_message",
    "message_for_role", "missing_roles", "parse_record", "principal_of_key", "principal_without_key", "read_record",
    "sign_record", "signature_digest", "signing_message", "signoff_entry", "utc_stamp", "verify_record",
    "write_atomic",
]  # fmt: skip


def _check_distinct(record: dict, role: str, name: str, fingerprint: str | None) -> None:
    """One person, one key, one role per record unless the record says otherwise ([record].signoff_distinct)."""
    if record["record"].get("signoff_distinct", True) is False:
        return
    for entry in record.get("signature", []):
        if entry.get("role") == role:
            continue
        if fingerprint and entry.get("fingerprint") == fingerprint:
            raise RecordInputError(f"key {fingerprint} already signed role {entry.get('role')}: one key signs one "
                                   "role (a runbook may allow more with signoff_distinct = false)")
        if str(entry.get("name", "")).casefold() == name.casefold():
            raise RecordInputError(f"{name} already signed role {entry.get('role')}: one person signs one role "
                                   "(a runbook may allow more with signoff_distinct = false)")


def _fields(record: dict, role: str, name: str, principal: str, signed_at: str) -> dict:
    fields: dict[str, Any] = {"role": role, "name": name, "principal": principal, "signed_at": signed_at,
              "previous": chain_head(record.get("signature", []))}
    covered = signoff_entry(record, role)
    if covered:
        fields["signoff"] = covered
    return fields


def _check_can_sign(record: dict, role: str, where: str) -> None:
    head = record["record"]
    if head.get("draft") is True or head.get("outcome") == "IN PROGRESS":
        raise RecordInputError(f"{where} is a draft: write the final record with golive report before signing")
    signoff = head.get("signoff", [])
    if role not in signoff:
        needed = ", ".join(signoff) if signoff else "no sign-off at all"
        raise RecordInputError(f"role {role!r} does not sign this record: it needs {needed}")
    for entry in record.get("signature", []):
        if entry.get("role") == role:
            raise RecordInputError(
                f"role {role} is already signed by {entry.get('name')} <{entry.get('principal')}> "
                f"at {entry.get('signed_at')}; a role signs once"
            )


def default_name() -> str:
    """The signer's name when none is given: the full name from the password database, else the login."""
    try:
        user = pwd.getpwuid(os.getuid())
        return user.pw_gecos.split(",")[0].strip() or user.pw_name
    except KeyError:
        return os.environ.get("USER", "unknown")


def default_principal(comment: str) -> str:
    """The principal when none is given: the key's comment, else user@host."""
    if comment:
        return comment
    try:
        login = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        login = os.environ.get("USER", "unknown")
    return f"{login}@{socket.gethostname()}"


def principal_of_key(key: Path | str | None) -> str:
    """The default principal for ``key`` (resolved as sign_record does); raises SigningError."""
    with signing_key(key) as key_path:
        return default_principal(describe_key(key_path).comment)


def sign_record(
    path: Path,
    role: str,
    key: Path | str | None = None,
    name: str | None = None,
    principal: str | None = None,
    now: datetime | None = None,
    *,
    on_warning: Callable[[str], None] | None = None,
) -> dict:
    """Sign ``path`` for ``role`` with an SSH key and store the signature; returns the new [[signature]] entry.

    ``key``: a private key file, or a public key file the ssh-agent holds; None picks $GOLIVE_SIGNING_KEY,
    the agent's first key, then ~/.ssh/id_ed25519. ``principal`` defaults to the key's comment (else
    user@host), ``name`` to the user's full name. The body is not touched, so earlier signatures stay valid.
    Raises RecordInputError (unreadable, not a record, a draft, role not required or already signed) or
    SigningError (key, agent or ssh-keygen trouble). ``on_warning`` hears about a record.md left stale.
    """
    path = Path(path)
    with RecordLock(path), signing_key(key) as key_path:
        text, record = read_record(path)
        _check_can_sign(record, role, str(path))
        identity = describe_key(key_path)
        fields = _fields(record, role, name or default_name(), principal or default_principal(identity.comment),
                         utc_stamp(now))
        _check_distinct(record, role, fields["name"], identity.fingerprint)
        message = signing_message(canonical_bytes(record), **fields)
        armored = sign_message(key_path, message)
        return store_signature(path, text, record, fields, armored, message, identity.fingerprint, on_warning)


def attach_signature(
    path: Path,
    role: str,
    armored: str,
    *,
    name: str,
    principal: str,
    signed_at: str,
    on_warning: Callable[[str], None] | None = None,
) -> dict:
    """Store a signature made elsewhere (plain ``ssh-keygen -Y sign`` over ``--print-message``'s bytes).

    The fields must be those the message was printed with. Returns the new entry; raises RecordInputError if
    the record cannot take it or the signature does not cover that message.
    """
    path = Path(path)
    with RecordLock(path):
        text, record = read_record(path)
        _check_can_sign(record, role, str(path))
        fields = _fields(record, role, name, principal, signed_at)
        _check_distinct(record, role, name, None)
        message = signing_message(canonical_bytes(record), **fields)
        return store_signature(path, text, record, fields, armored.strip(), message, None, on_warning,
                               distinct=lambda fingerprint: _check_distinct(record, role, name, fingerprint))


def message_for_role(
    path: Path,
    role: str,
    key: Path | str | None = None,
    name: str | None = None,
    principal: str | None = None,
    now: datetime | None = None,
) -> tuple[bytes, dict]:
    """(message, fields) a role signs: for a role already signed, what its signature covers (for
    ``ssh-keygen -Y verify``); otherwise what a new signature would cover with these fields (for
    ``ssh-keygen -Y sign``, then ``attach_signature`` with the same fields). Raises RecordInputError.
    """
    path = Path(path)
    _, record = read_record(path)
    body = canonical_bytes(record)
    for entry in record.get("signature", []):
        if entry.get("role") == role:
            try:
                return entry_message(body, entry), entry
            except ValueError as exc:
                raise RecordInputError(f"the signature of role {role} is damaged: {exc}") from None
    _check_can_sign(record, role, str(path))
    fields = _fields(record, role, name or default_name(), principal or principal_without_key(key), utc_stamp(now))
    _check_distinct(record, role, fields["name"], None)
    return signing_message(body, **fields), fields


def principal_without_key(key: Path | str | None) -> str:
    """The default principal for printing a message: the key's comment when a key is at hand, else user@host.

    Printing the message needs no key; only a key named with --key must be readable.
    """
    try:
        return principal_of_key(key)
    except SigningError:
        if key:
            raise
        return default_principal("")


def verify_record(
    path: Path, allowed_signers: Path, journal: Path | None = None, now: datetime | None = None,
    markdown: Path | None = None,
) -> "VerifyReport":
    """Verify every signature and, when given, the journal and record.md; see console.verification."""
    from golive.console.verification import verify_record as verify

    return verify(path, allowed_signers, journal, now, markdown)
