"""Credentials and TLS of an HTTP-speaking target (HTTP, Prometheus, Alertmanager), from variables and files only.

One reader for all three: every value read is registered with ``golive.console.redact`` so no message,
journal line or screen shows it; every error names the field path, never the value.
"""

from __future__ import annotations

import base64
import os
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from golive.checks.base import SourceError
from golive.console import redact


@dataclass(frozen=True)
class HttpCredentials:
    """What a client sends for a target: credential headers (Authorization included) and its TLS context."""

    headers: dict[str, str]
    verify: ssl.SSLContext
    secrets: tuple[str, ...]


def read_credentials(where: str, target: Any | None, url: str | None = None) -> HttpCredentials:
    """Read every credential a target names, so a missing one fails at start, not mid-go-live.

    Args:
        where: the target's path in the runbook, e.g. ``targets.prometheus.main``.
        target: an ``HttpAuth`` model (headers_env, bearer_token_env/_file, username with
            password_env/_file, ca_file, insecure_skip_verify), or None for no target.
        url: the target's URL; a ``user:password@`` written in it is used when no username is set.
    Raises:
        SourceError: a variable unset or empty, a file unreadable or empty, a username without a
            password (never sent as an empty one), or two kinds of credential at once.
    """
    headers: dict[str, str] = {}
    secrets: list[str] = []
    for header, env in (getattr(target, "headers_env", None) or {}).items():
        headers[header] = _env(f"{where}.headers_env.{header}", env)
        secrets.append(headers[header])
    token = _secret(where, "bearer_token", target)
    user = getattr(target, "username", None)
    password = _secret(where, "password", target)
    if password is not None and user is None:
        raise SourceError(f"{where}.username: a password is set but no username")
    if user is not None and password is None:
        raise SourceError(f"{where}.username: a username is set but no password_env or password_file")
    pair = userinfo(url) if url else None
    if pair is not None:
        if pair[1] is None:
            raise SourceError(f"{where}.url: a username is set but no password")
        secrets.append(pair[1])
        if user is None:
            user, password = pair
    if token is not None and user is not None:
        raise SourceError(f"{where}: bearer_token_* and username/password are exclusive: set one")
    if token is not None:
        secrets.append(token)
        headers["Authorization"] = f"Bearer {token}"
    elif user is not None and password is not None:
        headers["Authorization"] = basic_authorization(user, password)
        secrets += [password, headers["Authorization"].removeprefix("Basic ")]
    redact.register(*secrets)
    # as the registry does: a short value (a tenant id "7") would blank out unrelated text, a port or a status
    kept = tuple(s for s in secrets if len(s) >= redact.MIN_LENGTH)
    return HttpCredentials(headers=headers, verify=ssl_context(where, target), secrets=kept)


def userinfo(url: str) -> tuple[str, str | None] | None:
    """The decoded ``(user, password)`` written in a URL (password None for ``user@``), or None without one.

    A user without a password is refused by every caller, as a ``username`` field without one is.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return None
    redact.register_url(url)  # as written and decoded: a server that echoes it must not put it in a detail
    user, colon, password = parts.netloc.rpartition("@")[0].partition(":")
    return unquote(user), (unquote(password) if colon else None)


def basic_authorization(user: str, password: str) -> str:
    """The ``Basic …`` value for a pair; registered as a secret before anyone can print it."""
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    redact.register(password, encoded)
    return f"Basic {encoded}"


def ssl_context(where: str, target: Any | None) -> ssl.SSLContext:
    """The one TLS policy: the target's CA file, else the system store (certifi where it is empty).

    ``insecure_skip_verify`` still negotiates TLS (so tls_min and cert_days can be judged) but
    trusts any certificate. Raises SourceError when the CA file cannot be loaded.
    """
    ca_file = getattr(target, "ca_file", None)
    try:
        ctx = ssl.create_default_context(cafile=os.path.expanduser(ca_file)) if ca_file else \
            ssl.create_default_context()
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__
        raise SourceError(f"{where}.ca_file: cannot read {ca_file}: {reason}") from None
    if not ca_file and not ctx.cert_store_stats().get("x509_ca"):
        try:
            import certifi  # a container without a system store still verifies public servers

            ctx.load_verify_locations(certifi.where())
        except ImportError:
            pass
    if getattr(target, "insecure_skip_verify", False):
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _env(field: str, name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SourceError(f"{field}: {name} is {'empty' if value == '' else 'not set'}")
    return value


def _secret(where: str, stem: str, target: Any | None) -> str | None:
    """The value of ``<stem>_env`` or ``<stem>_file`` (not both), or None when neither is set."""
    env_name = getattr(target, f"{stem}_env", None)
    path = getattr(target, f"{stem}_file", None)
    if env_name and path:
        raise SourceError(f"{where}.{stem}_env: {stem}_env and {stem}_file are exclusive: set one")
    if env_name:
        return _env(f"{where}.{stem}_env", env_name)
    if not path:
        return None
    field = f"{where}.{stem}_file"
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as f:
            value = f.read().strip()
    except OSError as exc:
        raise SourceError(f"{field}: cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    except UnicodeDecodeError:
        raise SourceError(f"{field}: {path} is not UTF-8 text") from None
    if not value:
        raise SourceError(f"{field}: {path} is empty")
    return value
