"""The signed body of a record and the message one role signs: the canonical body, then a trailer that
binds the signature to its role, signer, time and place in the chain of signatures (see console.signing).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import tomli_w

from golive.console.ssh_keygen import SigningError

GENESIS = "0" * 64
UNSIGNED_KEYS = ("signature", "signature_status")  # top-level parts of record.toml outside the signed body
_ARMOR_BEGIN, _ARMOR_END = "-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----"


class RecordInputError(SigningError):
    """The record cannot be read, is not a Golive record, or cannot take this signature (bad input)."""


def utc_stamp(when: datetime | None = None) -> str:
    """``2026-11-22T20:40:00Z``: ``when`` (default now) in UTC to the second."""
    when = when or datetime.now(timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_record(text: str, where: str = "record") -> dict:
    """The parsed record; raises RecordInputError if it is not TOML or not a Golive record of format 1."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RecordInputError(f"{where}: not a Golive record: {exc}") from None
    record = data.get("record")
    if not isinstance(record, dict) or "format" not in record:
        raise RecordInputError(f"{where}: not a Golive record (no [record] table with a format)")
    if record["format"] != 1:
        raise RecordInputError(f"{where}: record format {record['format']!r} is not one this Golive reads (1)")
    signoff = record.get("signoff", [])
    if not isinstance(signoff, list) or not all(isinstance(r, str) for r in signoff):
        raise RecordInputError(f"{where}: [record].signoff must be a list of role names")
    signatures = data.get("signature", [])
    if not isinstance(signatures, list) or not all(isinstance(s, dict) for s in signatures):
        raise RecordInputError(f"{where}: signature must be an array of [[signature]] tables")
    return data


def read_record(path: Path) -> tuple[str, dict]:
    """(text, parsed record) of ``path``; raises RecordInputError if unreadable or not a record."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise RecordInputError(f"{path}: cannot read the record: {why}") from None
    return text, parse_record(text, str(path))


def body_of(record: dict) -> dict:
    """The signed part of a parsed record: everything but the top-level signature and signature_status."""
    return {k: v for k, v in record.items() if k not in UNSIGNED_KEYS}


def canonical_bytes(record: dict) -> bytes:
    """The canonical body of a parsed record: tomli_w's rendering of ``body_of(record)``, keys as parsed."""
    # Fixed options: the canonical form must not depend on how the file happened to be written.
    return tomli_w.dumps(body_of(record), multiline_strings=False, indent=4).encode("utf-8")


def canonical_body(record_text: str) -> bytes:
    """The bytes every role signs for a record.toml text; raises RecordInputError if it is not a record.

    Re-serializing makes the signature independent of layout (spacing, quoting, inline tables) while any
    change of a value changes the bytes.
    """
    return canonical_bytes(parse_record(record_text))


def signature_digest(armored: str) -> str:
    """SHA-256 hex of the SSHSIG blob inside an armored signature; raises ValueError if it is not one."""
    lines = [ln.strip() for ln in armored.strip().splitlines()]
    if len(lines) < 3 or lines[0] != _ARMOR_BEGIN or lines[-1] != _ARMOR_END:
        raise ValueError("not an armored SSH signature")
    try:
        blob = base64.b64decode("".join(lines[1:-1]), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the armored SSH signature is not valid base64") from None
    return hashlib.sha256(blob).hexdigest()


def signing_message(body: bytes, *, role: str, name: str, principal: str, signed_at: str, previous: str,
                    signoff: dict | None = None) -> bytes:
    """The exact bytes one role signs: the canonical body, then the trailer that binds the signature.

    ``signoff`` is the role's sign-off entry from [signature_status] (who signed off, when, and the journal
    line that holds it): the sign-offs follow the record's anchor, so each role's signature covers its own.
    """
    fields: dict = {"role": role, "name": name, "principal": principal, "signed_at": signed_at, "previous": previous}
    for key, value in fields.items():
        if not isinstance(value, str):
            raise ValueError(f"{key} must be a string")
    if signoff:
        if not isinstance(signoff, dict):
            raise ValueError("signoff must be a table")
        fields["signoff"] = dict(signoff)
    return body + b"\n" + tomli_w.dumps({"golive_signature": fields}).encode("utf-8")


def signoff_entry(record: dict, role: str) -> dict | None:
    """The role's sign-off in [signature_status].signed_off, as a signature covers it (without the role)."""
    status = record.get("signature_status")
    entries = status.get("signed_off", []) if isinstance(status, dict) else []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("role") == role:
            return {k: v for k, v in entry.items() if k != "role"}
    return None


def entry_message(body: bytes, entry: dict) -> bytes:
    """What a stored [[signature]] entry claims to have signed; raises ValueError if a field is missing."""
    missing = [k for k in ("role", "name", "principal", "signed_at", "previous") if k not in entry]
    if missing:
        raise ValueError(f"the signature has no {', '.join(missing)}")
    return signing_message(
        body,
        role=entry["role"],
        name=entry["name"],
        principal=entry["principal"],
        signed_at=entry["signed_at"],
        previous=entry["previous"],
        signoff=entry.get("signoff"),
    )


def chain_head(signatures: list[dict]) -> str:
    """What the next signature's ``previous`` must be; raises RecordInputError if the last one is not armored."""
    if not signatures:
        return GENESIS
    try:
        return signature_digest(str(signatures[-1].get("signature", "")))
    except ValueError as exc:
        raise RecordInputError(f"the last [[signature]] ({signatures[-1].get('role')!r}) is damaged: {exc}") from None


def missing_roles(record: dict) -> list[str]:
    """Required roles (in [record].signoff order) with no [[signature]] entry yet."""
    signed = {s.get("role") for s in record.get("signature", [])}
    return [r for r in record["record"].get("signoff", []) if r not in signed]
