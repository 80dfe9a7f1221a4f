"""The OpenSSH allowed_signers file (ssh-keygen(1), ALLOWED SIGNERS) and the rules `ssh-keygen -Y verify`
applies with it: principal patterns, namespaces=, valid-after=, valid-before=.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

# Statuses this module decides (console.verification adds the others).
VALID = "valid"
UNKNOWN_KEY = "unknown key"
WRONG_PRINCIPAL = "wrong principal"
WRONG_NAMESPACE = "wrong namespace"
EXPIRED = "expired"
NOT_YET_VALID = "not yet valid"
UNSUPPORTED = "unsupported"

_OPTION_NAMES = ("cert-authority", "namespaces", "valid-after", "valid-before")
_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z?)")


class AllowedSignersError(Exception):
    """The file cannot be read or a line is malformed; the message is one line naming ``file:line``."""


@dataclass(frozen=True)
class AllowedSigner:
    """One line: who may sign (a pattern list) with which key, and under which restrictions."""

    where: str  # "allowed_signers:3", for the report
    principals: str
    key_type: str
    key_blob: bytes
    namespaces: str | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None
    cert_authority: bool = False


def key_fingerprint(key_blob: bytes) -> str:
    """``SHA256:…`` exactly as ``ssh-keygen -l`` prints it for the key in its wire encoding."""
    digest = hashlib.sha256(key_blob).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def key_type_of(key_blob: bytes) -> str:
    """The algorithm name at the start of an SSH public key blob; raises ValueError if there is none."""
    if len(key_blob) < 4:
        raise ValueError("key too short")
    (length,) = struct.unpack(">I", key_blob[:4])
    if length == 0 or len(key_blob) < 4 + length:
        raise ValueError("key is truncated")
    return key_blob[4 : 4 + length].decode("ascii", "replace")


# How many SSH strings (after the type) each public key holds; a blob cut short or padded is malformed.
_KEY_FIELDS = {"ssh-ed25519": 1, "ssh-rsa": 2, "ssh-dss": 4, "sk-ssh-ed25519@openssh.com": 2,
               "sk-ecdsa-sha2-nistp256@openssh.com": 3}
_KEY_SIZES = {"ssh-ed25519": (32,), "sk-ssh-ed25519@openssh.com": (32, None)}


def check_key_blob(key_type: str, blob: bytes) -> None:
    """Raise ValueError unless ``blob`` is a whole public key of ``key_type``: every length-prefixed field
    present and complete, nothing after the last one (a key cut short by copy and paste is refused here)."""
    fields, pos = [], 0
    while pos < len(blob):
        if pos + 4 > len(blob):
            raise ValueError(f"the {key_type} key is truncated")
        (length,) = struct.unpack(">I", blob[pos : pos + 4])
        if pos + 4 + length > len(blob):
            raise ValueError(f"the {key_type} key is truncated")
        fields.append(blob[pos + 4 : pos + 4 + length])
        pos += 4 + length
    want = 3 if key_type.startswith("ecdsa-sha2-") else _KEY_FIELDS.get(key_type)
    if want is not None and len(fields) - 1 != want:
        raise ValueError(f"the {key_type} key is truncated or malformed ({len(fields) - 1} of {want} fields)")
    for field, size in zip(fields[1:], _KEY_SIZES.get(key_type, ()), strict=False):
        if size is not None and len(field) != size:
            raise ValueError(f"the {key_type} key is truncated or malformed")


def match_pattern(text: str, pattern: str) -> bool:
    """OpenSSH's match_pattern: ``*`` any run, ``?`` any one character, everything else literal, case-sensitive."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, flags=re.DOTALL) is not None


def match_pattern_list(text: str, patterns: str) -> int:
    """OpenSSH's match_pattern_list: 1 if a pattern matches, -1 if a ``!negated`` one does (it wins), else 0."""
    found = 0
    for pattern in patterns.split(","):
        negated = pattern.startswith("!")
        if match_pattern(text, pattern[1:] if negated else pattern):
            if negated:
                return -1
            found = 1
    return found


def parse_time(value: str) -> datetime:
    """``YYYYMMDD[HHMM[SS]][Z]`` as an aware datetime: UTC with ``Z``, else local time, as ssh-keygen reads it.

    Raises ValueError for any other shape or an impossible date.
    """
    m = _TIME.fullmatch(value)
    if not m:
        raise ValueError(f"bad time {value!r}: expected YYYYMMDD[HHMM[SS]][Z]")
    year, month, day, hour, minute, second, zulu = m.groups()
    naive = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    if zulu:
        return naive.replace(tzinfo=timezone.utc)
    return naive.astimezone(timezone.utc)  # a naive datetime is taken as local time, like mktime(3)


def _split_principals(line: str) -> tuple[str, str]:
    if line.startswith('"'):
        end = line.find('"', 1)
        if end < 0:
            raise ValueError("no closing quote after the principals")
        return line[1:end], line[end + 1 :].lstrip()
    parts = line.split(None, 1)
    if len(parts) < 2:
        raise ValueError("expected principals, then a key")
    return parts[0], parts[1]


def _split_options(rest: str) -> tuple[dict[str, str], str]:
    """Options are comma-separated with no spaces outside double quotes; returns (options, the rest)."""
    first = rest.split(None, 1)[0]
    if not ("=" in first or "," in first or first.lower() == "cert-authority"):
        return {}, rest
    options: dict[str, str] = {}
    i = 0
    while i < len(rest) and not rest[i].isspace():
        name = next((n for n in _OPTION_NAMES if rest[i : i + len(n)].lower() == n), None)
        if name is None:
            raise ValueError(f"unknown option at {rest[i:].split(None, 1)[0]!r}")
        if name in options:
            raise ValueError(f"option {name} given twice")
        i += len(name)
        if name == "cert-authority":
            options[name] = ""
        else:
            if rest[i : i + 2] != '="':
                raise ValueError(f'option {name} needs ="…"')
            end = rest.find('"', i + 2)
            if end < 0:
                raise ValueError(f"option {name} has no closing quote")
            options[name] = rest[i + 2 : end]
            i = end + 1
        if i < len(rest) and rest[i] == ",":
            i += 1
    return options, rest[i:].lstrip()


def parse_line(line: str, where: str) -> AllowedSigner:
    """One non-comment line; raises ValueError saying what is wrong with it."""
    principals, rest = _split_principals(line)
    options, rest = _split_options(rest)
    parts = rest.split(None, 2)
    if len(parts) < 2:
        raise ValueError("expected a key type and a base64 key")
    key_type, b64 = parts[0], parts[1]
    try:
        blob = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"the {key_type} key is not valid base64") from None
    if key_type_of(blob) != key_type:
        raise ValueError(f"the key says it is {key_type_of(blob)!r}, not {key_type!r}")
    check_key_blob(key_type, blob)
    return AllowedSigner(
        where=where,
        principals=principals,
        key_type=key_type,
        key_blob=blob,
        namespaces=options.get("namespaces"),
        valid_after=parse_time(options["valid-after"]) if "valid-after" in options else None,
        valid_before=parse_time(options["valid-before"]) if "valid-before" in options else None,
        cert_authority="cert-authority" in options,
    )


def load_allowed_signers(path: Path) -> list[AllowedSigner]:
    """Every entry of the file; raises AllowedSignersError naming ``file:line`` for the first bad line.

    Malformed lines are errors rather than skipped: a verifier that silently drops a line could pass or fail
    for reasons nobody sees.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise AllowedSignersError(f"{path}: cannot read the allowed signers file: {why}") from None
    signers = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path.name}:{number}"
        try:
            signers.append(parse_line(line, where))
        except ValueError as exc:
            raise AllowedSignersError(f"{path}:{number}: {exc}") from None
    return signers


def _stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def authorize(
    signers: list[AllowedSigner],
    key_blob: bytes,
    principal: str,
    namespace: str,
    times: list[tuple[str, datetime]],
) -> tuple[str, str]:
    """Whether ``key_blob`` may sign as ``principal`` in ``namespace`` at every one of ``times``.

    ``times`` are (label, when) pairs, e.g. ("signed_at", …) and ("now", …): the key's window must contain each.
    Returns (status, detail) with status one of VALID, UNKNOWN_KEY, WRONG_PRINCIPAL, WRONG_NAMESPACE, EXPIRED,
    NOT_YET_VALID, UNSUPPORTED and a detail naming the line that decided it.
    """
    fingerprint = key_fingerprint(key_blob)
    key_type = key_type_of(key_blob)
    if key_type.endswith("-cert-v01@openssh.com"):
        return UNSUPPORTED, f"{key_type} certificates are not supported; list the signer's own key"
    same_key = [s for s in signers if s.key_blob == key_blob and not s.cert_authority]
    if not same_key:
        return UNKNOWN_KEY, f"key {fingerprint} is not in the allowed signers file"
    for_principal = [s for s in same_key if match_pattern_list(principal, s.principals) == 1]
    if not for_principal:
        allowed = "; ".join(f"{s.principals} ({s.where})" for s in same_key)
        return WRONG_PRINCIPAL, f"key {fingerprint} may sign as {allowed}, not as {principal}"
    failures: list[tuple[str, str]] = []
    for signer in for_principal:
        if signer.namespaces is not None and match_pattern_list(namespace, signer.namespaces) != 1:
            failures.append(
                (WRONG_NAMESPACE, f'{signer.where}: namespaces="{signer.namespaces}" does not allow {namespace}')
            )
            continue
        problem = _outside_window(signer, times)
        if problem:
            failures.append(problem)
            continue
        return VALID, f"allowed by {signer.where}"
    return failures[0]


def _outside_window(signer: AllowedSigner, times: list[tuple[str, datetime]]) -> tuple[str, str] | None:
    for label, when in times:
        if signer.valid_after is not None and when < signer.valid_after:
            return NOT_YET_VALID, (
                f"{signer.where}: key valid only from {_stamp(signer.valid_after)}; {label} is {_stamp(when)}"
            )
        if signer.valid_before is not None and when > signer.valid_before:
            return EXPIRED, (f"{signer.where}: key valid only until {_stamp(signer.valid_before)}; "
                             f"{label} is {_stamp(when)}")
    return None
