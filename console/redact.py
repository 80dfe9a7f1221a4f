"""Secrets stay out of what Golive shows and writes: one registry of every secret value read, one scrubber.

Values come from ``*_env`` variables, ``*_file`` files, DSNs and URL userinfo (with the Basic
credential a ``user:pass@`` URL becomes). Every writer — journal, record, ``--json``, the
screen, action output — scrubs through ``scrub``; every cut to a readable length goes
through ``clip``, which scrubs first, so no prefix of a secret survives a truncation.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import re
from typing import Any, Iterable
from urllib.parse import parse_qs, unquote, urlsplit

MASK = "***"
MIN_LENGTH = 4  # shorter values (a tenant id "7") would blank out unrelated text
_FILE_LIMIT = 1 << 16

_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s]*@")
_KV_PASSWORD = re.compile(r"\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|\S+)")


class SecretRegistry:
    """The secret values of this process; ``scrub`` replaces each by ``***``, longest first."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, *values: str | None) -> None:
        fresh = {v for v in values if isinstance(v, str) and len(v) >= MIN_LENGTH} - self._values
        if fresh:
            self._values |= fresh
            # one alternation, longest first, so a token inside a longer value never leaves it half-replaced
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, ordered)))

    def __contains__(self, value: str) -> bool:
        return value in self._values

    def __len__(self) -> int:
        return len(self._values)

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return self._pattern

    def scrub(self, text: str) -> str:
        return self._pattern.sub(MASK, text) if self._pattern is not None and text else text


REGISTRY = SecretRegistry()


def redact_urls(text: str) -> str:
    """``https://user:pw@host/x`` → ``https://host/x`` wherever a URL appears in ``text``."""
    return _USERINFO.sub(lambda m: m.group("scheme"), text)


def scrub(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with every registered secret (and ``extra``) replaced by ``***`` and URLs without userinfo."""
    if not isinstance(text, str) or not text:
        return text
    extras = [e for e in extra if e]  # a source's own secrets, whatever their length, as it always scrubbed them
    text = REGISTRY.scrub(text)
    for value in sorted(extras, key=len, reverse=True):
        text = text.replace(value, MASK)
    return redact_urls(text) if "@" in text else text


def clip(text: str, limit: int = 300, extra: Iterable[str] = ()) -> str:
    """One scrubbed line of at most ``limit`` characters: scrubbed first, then cut (with ``…``)."""
    line = " ".join(scrub(text, extra).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def scrub_value(value: Any) -> Any:
    """Strings, and the strings inside lists, tuples and dicts, scrubbed; anything else as it is."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, tuple):
        return tuple(scrub_value(v) for v in value)
    if isinstance(value, list):
        return [scrub_value(v) for v in value]
    if isinstance(value, dict):
        return {k: scrub_value(v) for k, v in value.items()}
    return value


# the free-text fields of events and samples; ids, states and replay data (variables, digests) stay as they
# are, so a secret that happens to equal a check id cannot break the fold
TEXT_FIELDS = frozenset({"detail", "error", "reason", "text", "note", "output_tail", "argv", "extra"})


def scrub_fields(obj: Any) -> Any:
    """A frozen dataclass (an event, a sample) with its free-text fields scrubbed; the same object when clean."""
    changes = {}
    for f in dataclasses.fields(obj):
        if f.name not in TEXT_FIELDS:
            continue
        before = getattr(obj, f.name)
        if not before or not _may_hold_a_secret(before):
            continue
        after = scrub_value(before)
        if after != before:
            changes[f.name] = after
    return dataclasses.replace(obj, **changes) if changes else obj


def _may_hold_a_secret(value: Any) -> bool:
    """One search over every string inside ``value``: most samples (pod rows) hold none, and are left alone."""
    leaves: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            leaves.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    text = "\0".join(leaves)
    pattern = REGISTRY.pattern
    return ("@" in text and "://" in text) or (pattern is not None and pattern.search(text) is not None)


# ---------------------------------------------------------------- gathering


def register(*values: str | None) -> None:
    """Remember secret values read anywhere (a source reading its credentials)."""
    REGISTRY.add(*values)
    for value in values:
        if isinstance(value, str) and "://" in value:
            register_url(value)


def register_url(url: str) -> None:
    """A URL's password (as written and decoded) and the Basic credential its userinfo becomes."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return
    register_query_password(parts.query)
    infos = [parts.netloc.rpartition("@")[0]] if "@" in parts.netloc else []
    rest = url.strip().partition("://")[2]
    if "@" in rest.split("?")[0]:
        # an unencoded "/" or "@" in a password ends the authority early: take the widest reading as well
        infos.append(rest.split("?")[0].rpartition("@")[0])
    for userinfo in infos:
        user, _, password = userinfo.partition(":")
        REGISTRY.add(url.strip(), password, unquote(password))
        register_basic(unquote(user), unquote(password))
        register_basic(user, password)


def register_basic(user: str | None, password: str | None) -> None:
    """``base64(user:password)``, the credential of a Basic Authorization header."""
    if user is None and not password:
        return
    REGISTRY.add(base64.b64encode(f"{user or ''}:{password or ''}".encode()).decode("ascii"))


def register_query_password(query: str) -> None:
    for value in parse_qs(query).get("password", []):
        REGISTRY.add(value)


def register_dsn(dsn: str) -> None:
    """A PostgreSQL DSN: the whole DSN, its URL password, or the ``password=`` of the key=value form."""
    REGISTRY.add(dsn.strip())
    if "://" in dsn:
        register_url(dsn)
    for match in _KV_PASSWORD.finditer(dsn):
        value = match.group(1)
        REGISTRY.add(value, value.strip("'"))


def gather(runbook: Any) -> None:
    """Read every secret a runbook's targets and checks name, before any action can print one.

    Walks each target's ``*_env`` and ``*_file`` fields (a missing variable or unreadable file is
    the source's error to report, not this one's), DSNs, usernames with passwords, and the
    userinfo of every URL. Never raises.
    """
    targets = getattr(runbook, "targets", None)
    for kind in type(targets).model_fields if targets is not None else ():
        for target in (getattr(targets, kind, None) or {}).values():
            _gather_target(target)
    for target in getattr(runbook, "notify", None) or []:  # a webhook URL is itself a secret
        _gather_target(target)
    for target in (getattr(targets, "kubernetes", None) or {}).values():
        if not getattr(target, "in_cluster", False):
            _gather_kubeconfig(getattr(target, "kubeconfig", None))
    checks = [c for _, c in runbook.iter_checks()] + list(getattr(runbook, "triggers", []))
    for check in checks:
        for name in ("url", "base_url"):
            value = getattr(check, name, None)
            if isinstance(value, str) and "@" in value:
                register_url(value)


def _gather_target(target: Any) -> None:
    read: dict[str, str | None] = {}
    for name, value in target:
        if name.endswith("_env") and isinstance(value, dict):
            REGISTRY.add(*(os.environ.get(v) for v in value.values() if isinstance(v, str)))
        elif name.endswith("_env") and isinstance(value, str):
            read[name[:-4]] = os.environ.get(value)
        elif name.endswith("_file") and name != "ca_file" and isinstance(value, str):
            read[name[:-5]] = read.get(name[:-5]) or _read_file(value)
        elif name in ("url", "base_url") and isinstance(value, str) and "@" in value:
            register_url(value)
    for stem, value in read.items():
        if not value:
            continue
        if stem == "dsn":
            register_dsn(value)
        else:
            register(value)
    password = read.get("password")
    if password:
        register_basic(getattr(target, "username", None), password)


def _read_file(path: str, limit: int = _FILE_LIMIT) -> str | None:
    try:
        with open(os.path.expanduser(path), "rb") as f:
            return f.read(limit).decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return None


_KUBE_SECRETS = ("token", "password", "client-key-data")


def _gather_kubeconfig(path: str | None) -> None:
    """The users' tokens, passwords and client keys of a kubeconfig (the target's, $KUBECONFIG or ~/.kube/config)."""
    paths = [path] if path else (os.environ.get("KUBECONFIG") or "~/.kube/config").split(os.pathsep)
    for one in paths:
        text = _read_file(one, 1 << 20) if one else None
        if not text:
            continue
        try:
            import yaml

            doc = yaml.safe_load(text)
        except Exception:  # not YAML, or no YAML library: the Kubernetes source reports a broken kubeconfig
            continue
        users = doc.get("users") if isinstance(doc, dict) else None
        for entry in users if isinstance(users, list) else []:
            user = entry.get("user") if isinstance(entry, dict) else None
            if isinstance(user, dict):
                REGISTRY.add(*(str(user[k]) for k in _KUBE_SECRETS if user.get(k)))


class ScrubbingStream:
    """A text stream that scrubs every write: the driver's stdout and stderr (driver.log) go through it,
    so a traceback or a library's warning that quotes a secret reaches the log masked."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(scrub(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding … as the wrapped stream
        return getattr(self._inner, name)

