"""Reviews after the fact (an emergency change's, above all): a signed statement about a final record, journaled
and kept in reviews.toml beside the record, outside its signed body so no signature of it changes.

A review signs, with ``ssh-keygen -Y sign`` in the golive-record namespace, a ``[golive_review]`` TOML table
naming the record's body digest, its journal anchor, the role, the reviewer, the time and the note.
"""

from __future__ import annotations

import hashlib
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import tomli_w

from golive.console.signed_body import RecordInputError, canonical_bytes, read_record, utc_stamp
from golive.console.ssh_keygen import NAMESPACE, SigningError, describe_key, sign_message, signing_key

REVIEWS = "reviews.toml"
FIELDS = ("record_sha256", "journal_sha256", "change_id", "role", "name", "principal", "reviewed_at", "note")


def statement(fields: dict[str, str]) -> bytes:
    """The exact bytes a review signs."""
    return tomli_w.dumps({"golive_review": {k: str(fields.get(k, "")) for k in FIELDS}}).encode("utf-8")


def read_reviews(folder: Path) -> list[dict]:
    """The [[review]] entries of reviews.toml (none when it does not exist); raises RecordInputError."""
    path = Path(folder) / REVIEWS
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RecordInputError(f"{path}: cannot read the reviews: {exc}") from None
    reviews = data.get("review", [])
    if not isinstance(reviews, list) or not all(isinstance(r, dict) for r in reviews):
        raise RecordInputError(f"{path}: review must be an array of [[review]] tables")
    return reviews


def add_review(folder: Path, role: str, *, key: str | None = None, name: str, principal: str | None = None,
               note: str = "", now: datetime | None = None) -> dict:
    """Sign a review of the final record in ``folder`` for ``role``, journal it, and add it to reviews.toml.

    Raises RecordInputError (no final record, the role already reviewed, a driver holds the session) or
    SigningError (key, agent or ssh-keygen trouble).
    """
    from golive.console import events as ev
    from golive.console.files import write_atomic
    from golive.console.journal import Journal, JournalError
    from golive.console.signing import default_principal

    folder = Path(folder)
    _, record = read_record(folder / "record.toml")
    head = record["record"]
    if head.get("draft") is True or head.get("outcome") == "IN PROGRESS":
        raise RecordInputError(f"{folder}/record.toml is a draft: a review is of a finished go-live")
    if not role.strip():
        raise RecordInputError("a review needs a role")
    reviews = read_reviews(folder)
    if any(r.get("role") == role for r in reviews):
        raise RecordInputError(f"role {role} has already reviewed this change")
    when = now or datetime.now(timezone.utc)
    with signing_key(key) as key_path:
        identity = describe_key(key_path)
        fields = {
            "record_sha256": hashlib.sha256(canonical_bytes(record)).hexdigest(),
            "journal_sha256": str(head.get("journal_sha256", "")),
            "change_id": str((record.get("change") or {}).get("id", "")),
            "role": role, "name": name, "principal": principal or default_principal(identity.comment),
            "reviewed_at": utc_stamp(when), "note": note.strip(),
        }
        message = statement(fields)
        armored = sign_message(key_path, message)
    entry = {**fields, "fingerprint": identity.fingerprint, "namespace": NAMESPACE, "signature": armored}
    try:
        journal, _ = Journal.resume(folder)
    except JournalError as exc:
        raise RecordInputError(str(exc)) from None
    try:
        journal.append(ev.Review(at=when.timestamp(), role=role, name=name, principal=fields["principal"],
                                 fingerprint=identity.fingerprint, note=fields["note"],
                                 statement_sha256=hashlib.sha256(message).hexdigest()).to_dict(), sync=True)
    except JournalError as exc:
        raise RecordInputError(str(exc)) from None
    finally:
        journal.close()
    try:
        write_atomic(folder / REVIEWS, tomli_w.dumps({"review": [*reviews, entry]}, multiline_strings=True).encode())
    except OSError as exc:
        raise SigningError(f"{folder / REVIEWS}: cannot write: {exc.strerror}") from None
    return entry


def verify_reviews(folder: Path, allowed_signers: Path, now: datetime | None = None) -> list[tuple[str, bool, str]]:
    """(role, ok, detail) for each review in ``folder``: signature, signer allowed, same record, journaled."""
    from sshsig import InvalidSignature, check_signature
    from sshsig.sshsig import SshsigSignature

    from golive.console import allowed_signers as signers_file
    from golive.console.journal import JournalError, read_journal

    now = now or datetime.now(timezone.utc)
    folder = Path(folder)
    _, record = read_record(folder / "record.toml")
    body_digest = hashlib.sha256(canonical_bytes(record)).hexdigest()
    signers = signers_file.load_allowed_signers(Path(allowed_signers))
    try:
        journaled = {e.get("statement_sha256") for e in read_journal(folder / "journal.jsonl").events
                     if e.get("type") == "review"}
    except JournalError:
        journaled = set()
    rows = []
    for entry in read_reviews(folder):
        role = str(entry.get("role", "?"))
        message = statement(entry)
        try:
            outer = SshsigSignature.from_armored(str(entry.get("signature", "")))
            check_signature(message, str(entry.get("signature", "")), NAMESPACE)
        except InvalidSignature:
            rows.append((role, False, "bad signature: the review's fields or signature were changed"))
            continue
        except Exception:
            rows.append((role, False, "bad signature: not an SSH signature"))
            continue
        if entry.get("record_sha256") != body_digest:
            rows.append((role, False, "the record changed since this review"))
            continue
        try:
            at = datetime.fromisoformat(str(entry.get("reviewed_at")).replace("Z", "+00:00"))
        except ValueError:
            rows.append((role, False, "reviewed_at is not an ISO-8601 time"))
            continue
        status, detail = signers_file.authorize(signers, outer.public_key, str(entry.get("principal", "")),
                                                NAMESPACE, [("signed_at", at), ("now", now)])
        if status != "valid":
            rows.append((role, False, f"{status}: {detail}"))
        elif hashlib.sha256(message).hexdigest() not in journaled:
            rows.append((role, False, "signed, but the journal holds no such review"))
        else:
            rows.append((role, True, f"valid: {entry.get('name')} <{entry.get('principal')}>, journaled"))
    return rows
