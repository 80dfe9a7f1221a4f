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

import base64
import binascii
import fcntl
import hashlib
import os
import pwd
import re
import socket
import time
import tomllib
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import tomli_w

from console.ssh_keygen import NAMESPACE, SigningError, describe_key, sign_message, signing_key

__all__ = [
    "GENESIS",
    "NAMESPACE",
    "RecordInputError",
    "SigningError",
    "attach_signature",
    "canonical_body",
    "message_for_role",
    "sign_record",
    "signing_message",
    "verify_record",
]

GENESIS = "0" * 64
UNSIGNED_KEYS = ("signature", "signature_status")  # top-level parts of record.toml outside the signed body
_LOCK_WAIT = 30.0
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


def signing_message(body: bytes, *, role: str, name: str, principal: str, signed_at: str, previous: str) -> bytes:
    """The exact bytes one role signs: the canonical body, then the trailer that binds the signature."""
    fields = {"role": role, "name": name, "principal": principal, "signed_at": signed_at, "previous": previous}
    for key, value in fields.items():
        if not isinstance(value, str):
            raise ValueError(f"{key} must be a string")
    return body + b"\n" + tomli_w.dumps({"golive_signature": fields}).encode("utf-8")


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


class _RecordLock:
    """An exclusive flock on the record's folder, so two co-signers on one host cannot lose each other's write."""

    def __init__(self, path: Path):
        self.folder = Path(path).resolve().parent

    def __enter__(self) -> "_RecordLock":
        self.fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        deadline = time.monotonic() + _LOCK_WAIT
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(self.fd)
                    raise SigningError(f"{self.folder}: another golive sign is still writing this record") from None
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing the descriptor releases the flock


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
    with _RecordLock(path), signing_key(key) as key_path:
        text, record = read_record(path)
        _check_can_sign(record, role, str(path))
        identity = describe_key(key_path)
        fields = {
            "role": role,
            "name": name or default_name(),
            "principal": principal or default_principal(identity.comment),
            "signed_at": utc_stamp(now),
            "previous": chain_head(record.get("signature", [])),
        }
        message = signing_message(canonical_bytes(record), **fields)
        armored = sign_message(key_path, message)
        return _store(path, text, record, fields, armored, message, identity.fingerprint, on_warning)


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
    with _RecordLock(path):
        text, record = read_record(path)
        _check_can_sign(record, role, str(path))
        fields = {
            "role": role,
            "name": name,
            "principal": principal,
            "signed_at": signed_at,
            "previous": chain_head(record.get("signature", [])),
        }
        message = signing_message(canonical_bytes(record), **fields)
        return _store(path, text, record, fields, armored.strip(), message, None, on_warning)


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
    fields = {
        "role": role,
        "name": name or default_name(),
        "principal": principal or principal_of_key(key),
        "signed_at": utc_stamp(now),
        "previous": chain_head(record.get("signature", [])),
    }
    return signing_message(body, **fields), fields


def _store(
    path: Path,
    text: str,
    record: dict,
    fields: dict,
    armored: str,
    message: bytes,
    expected_fingerprint: str | None,
    on_warning: Callable[[str], None] | None,
) -> dict:
    """Check ``armored`` covers ``message``, then add it to the record and write record.toml and record.md."""
    from sshsig import InvalidSignature, check_signature  # imported here: it pulls in cryptography

    try:
        public_key = check_signature(message, armored, NAMESPACE)
    except InvalidSignature as exc:
        raise RecordInputError(
            f"the signature does not cover the message for role {fields['role']} as {fields['name']} "
            f"<{fields['principal']}> at {fields['signed_at']} ({str(exc).splitlines()[0] if str(exc) else 'invalid'})"
            "; print the message again with the same --name, --principal and --at, and sign that"
        ) from None
    except (NotImplementedError, ValueError) as exc:
        raise SigningError(f"golive verify cannot check this signature ({exc}): sign with an ed25519 or RSA key") from None
    fingerprint = public_key.sha256_str()
    if expected_fingerprint and fingerprint != expected_fingerprint:
        raise SigningError(f"ssh-keygen signed with {fingerprint}, not the key {expected_fingerprint} asked for")
    entry = {
        "role": fields["role"],
        "name": fields["name"],
        "principal": fields["principal"],
        "fingerprint": fingerprint,
        "signed_at": fields["signed_at"],
        "namespace": NAMESPACE,
        "previous": fields["previous"],
        "body_sha256": hashlib.sha256(canonical_bytes(record)).hexdigest(),
        "signature": armored,
    }
    signatures = [*record.get("signature", []), entry]
    updated = {**body_of(record), "signature": signatures}
    updated["signature_status"] = {"missing": missing_roles(updated)}
    new_text = _spliced_text(text, record, updated)
    write_atomic(path, new_text.encode("utf-8"))
    _refresh_markdown(path, tomllib.loads(new_text), on_warning)
    return entry


_UNSIGNED_HEADER = re.compile(r"^[ \t]*\[(?:\[[ \t]*signature[ \t]*\]|[ \t]*signature_status[ \t]*)\][ \t]*(?:#.*)?$", re.M)


def _spliced_text(text: str, record: dict, updated: dict) -> str:
    """The new record.toml: the body's original text kept byte for byte (people diff records), then the
    signature section rewritten. Falls back to rewriting everything when the layout is not the usual one.
    """
    section = tomli_w.dumps(
        {"signature": updated["signature"], "signature_status": updated["signature_status"]}, multiline_strings=True
    )
    match = _UNSIGNED_HEADER.search(text)
    prefix = text[: match.start()] if match else text
    try:
        kept_whole = tomllib.loads(prefix) == body_of(record)
    except tomllib.TOMLDecodeError:
        kept_whole = False
    if not kept_whole:
        prefix = tomli_w.dumps(body_of(record))
    return prefix.rstrip("\n") + "\n\n" + section


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a crash leaves the old file or the new one, never half of either."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SigningError(f"{path}: cannot write: {exc.strerror}") from None


def _refresh_markdown(path: Path, record: dict, on_warning: Callable[[str], None] | None) -> None:
    warn = on_warning or (lambda message: None)
    try:
        from console.record import render_markdown
    except ImportError:
        warn(f"{path.with_suffix('.md').name} not refreshed: console.record.render_markdown is not available")
        return
    try:
        text = render_markdown(record)
    except Exception as exc:  # the signature is stored already; a rendering fault must not lose it
        warn(f"{path.with_suffix('.md').name} not refreshed: {type(exc).__name__}: {exc}")
        return
    write_atomic(path.with_suffix(".md"), text.encode("utf-8"))


def verify_record(path: Path, allowed_signers: Path, journal: Path | None = None, now: datetime | None = None):
    """Verify every signature and, when given, the journal; see console.verification.verify_record."""
    from console.verification import verify_record as verify

    return verify(path, allowed_signers, journal, now)
