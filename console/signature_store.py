"""Writing a signature into record.toml: under a lock, atomically, keeping the body's text byte for byte,
then refreshing record.md.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Callable

import tomli_w

from golive.console import files
from golive.console.signed_body import RecordInputError, body_of, canonical_bytes, missing_roles
from golive.console.ssh_keygen import NAMESPACE, SigningError


class RecordLock(files.RecordLock):
    """The record lock every writer of record.toml takes (console.files.RecordLock); a timeout is a SigningError."""

    def __enter__(self) -> "RecordLock":
        try:
            super().__enter__()
        except files.LockTimeout as exc:
            raise SigningError(str(exc)) from None
        except OSError as exc:
            raise SigningError(f"{self.folder}: cannot lock the record: {exc.strerror}") from None
        return self


def store_signature(
    path: Path,
    text: str,
    record: dict,
    fields: dict,
    armored: str,
    message: bytes,
    expected_fingerprint: str | None,
    on_warning: Callable[[str], None] | None,
    distinct: Callable[[str], None] | None = None,
) -> dict:
    """Check ``armored`` covers ``message``, add it to the record, write record.toml and record.md; returns the
    new entry. Raises RecordInputError if the signature does not cover the message, SigningError otherwise.
    """
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
        raise SigningError(f"golive verify cannot check this signature ({exc}): sign with an ed25519 or RSA "
                           "key") from None
    fingerprint = public_key.sha256_str()
    if expected_fingerprint and fingerprint != expected_fingerprint:
        raise SigningError(f"ssh-keygen signed with {fingerprint}, not the key {expected_fingerprint} asked for")
    if distinct is not None:
        distinct(fingerprint)  # a signature made elsewhere: its key is known only now
    entry = {
        "role": fields["role"],
        "name": fields["name"],
        "principal": fields["principal"],
        "fingerprint": fingerprint,
        "signed_at": fields["signed_at"],
        "namespace": NAMESPACE,
        "previous": fields["previous"],
        "body_sha256": hashlib.sha256(canonical_bytes(record)).hexdigest(),
        **({"signoff": fields["signoff"]} if fields.get("signoff") else {}),
        "signature": armored,
    }
    signatures = [*record.get("signature", []), entry]
    updated = {**body_of(record), "signature": signatures}
    # the session's sign-offs live beside the signatures: they arrive one by one after the outcome
    # and must not change the body earlier roles signed
    signed_off = (record.get("signature_status") or {}).get("signed_off")
    updated["signature_status"] = {"missing": missing_roles(updated),
                                   **({"signed_off": signed_off} if signed_off else {})}
    new_text = _spliced_text(text, record, updated)
    write_atomic(path, new_text.encode("utf-8"))
    _refresh_markdown(path, tomllib.loads(new_text), on_warning)
    return entry


# The first [[signature]] or [signature_status] header: where the unsigned part of record.toml begins.
_UNSIGNED_HEADER = re.compile(r"^[ \t]*\[(?:\[[ \t]*signature[ \t]*\]|[ \t]*signature_status[ \t]*)\][ \t]*(?:#.*)?$",
                              re.M)


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
    """Replace ``path`` atomically; raises SigningError naming the file when it cannot be written."""
    try:
        files.write_atomic(path, data)
    except OSError as exc:
        raise SigningError(f"{path}: cannot write: {exc.strerror}") from None


def _refresh_markdown(path: Path, record: dict, on_warning: Callable[[str], None] | None) -> None:
    warn = on_warning or (lambda message: None)
    try:
        from golive.console.record import render_markdown
    except ImportError:
        warn(f"{path.with_suffix('.md').name} not refreshed: console.record.render_markdown is not available")
        return
    try:
        text = render_markdown(record)
    except Exception as exc:  # the signature is stored already; a rendering fault must not lose it
        warn(f"{path.with_suffix('.md').name} not refreshed: {type(exc).__name__}: {exc}")
        return
    write_atomic(path.with_suffix(".md"), text.encode("utf-8"))
