"""Credentials, TLS and one pooled httpx client for an HTTP-speaking target, and secret-free error text.

Secrets come only from environment variables and files named in the runbook; every
value read is remembered so ``scrub`` can take it out of any text shown to a person.
"""

from __future__ import annotations

import base64
import os
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from golive.checks.base import SourceError
from golive.console import redact
from golive.console.units import format_duration


@dataclass(frozen=True)
class HttpCredentials:
    """What a client sends: headers (Authorization included), TLS verification, and the secrets to hide."""

    headers: dict[str, str]
    verify: ssl.SSLContext | bool
    secrets: tuple[str, ...]


def read_credentials(where: str, target: Any, url: str | None = None) -> HttpCredentials:
    """Read every credential a target names, so a missing one fails at start, not mid-go-live.

    Args:
        where: the target's path in the runbook, e.g. ``targets.prometheus.main``.
        target: an ``HttpAuth`` model (headers, headers_env, bearer_token_env/_file,
            username + password_env/_file, ca_file, insecure_skip_verify).
        url: the target's URL; a password written in it is used and hidden like any other.
    Raises:
        SourceError: naming the field and the variable or file, never the value.
    """
    headers = dict(getattr(target, "headers", {}) or {})
    secrets: list[str] = []
    for header, env in (getattr(target, "headers_env", {}) or {}).items():
        value = _env(f"{where}.headers_env.{header}", env)
        headers[header] = value
        secrets.append(value)

    token = _secret(where, "bearer_token", target)
    user = getattr(target, "username", None)
    password = _secret(where, "password", target)
    userinfo = urlsplit(url) if url else None
    if userinfo is not None and userinfo.password:
        secrets.append(userinfo.password)
        if user is None:
            user, password = userinfo.username or "", userinfo.password
    if password is not None and user is None:
        raise SourceError(f"{where}.username: a password is set but no username")
    if token is not None and user is not None:
        raise SourceError(f"{where}: bearer_token_* and username/password are exclusive: set one")
    if token is not None:
        secrets.append(token)
        headers["Authorization"] = f"Bearer {token}"
    elif user is not None:
        encoded = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
        secrets.append(encoded)
        if password:
            secrets.append(password)
        headers["Authorization"] = f"Basic {encoded}"
    redact.register(*secrets)
    return HttpCredentials(headers=headers, verify=_verify(where, target), secrets=tuple(s for s in secrets if s))


def make_client(credentials: HttpCredentials, *, concurrency: int, timeout: float) -> httpx.AsyncClient:
    """One keep-alive HTTP/1.1 pool for a target, at most ``concurrency`` connections."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=60)
    return httpx.AsyncClient(
        headers=credentials.headers,
        verify=credentials.verify,
        limits=limits,
        timeout=httpx.Timeout(timeout),
        http1=True,
        http2=False,
        follow_redirects=False,
        trust_env=False,  # a proxy from the environment would see the credentials
    )


def shown_url(url: str) -> str:
    """The URL as a person may see it: user and password removed, no query string."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def bare_url(url: str) -> str:
    """The URL without userinfo, for requests (credentials travel in headers instead)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, "")).rstrip("/")


def scrub(text: str, secrets: tuple[str, ...], limit: int = 300) -> str:
    """One line of at most ``limit`` characters with every secret replaced by ``***`` (before the cut)."""
    return redact.clip(text, limit, secrets)


def describe_error(exc: BaseException, shown: str, timeout: float) -> str:
    """One line for a transport failure: refused, timed out, TLS, reset, DNS."""
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer from {shown} within {format_duration(timeout)}"
    if isinstance(exc, httpx.ConnectError):
        reason = _root_reason(exc)
        if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate" in reason.lower():
            return f"TLS certificate of {shown} not trusted: {reason}"
        return f"cannot connect to {shown}: {reason}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{shown} closed the connection without an answer"
    if isinstance(exc, httpx.HTTPError):
        return f"request to {shown} failed: {type(exc).__name__}: {_root_reason(exc)}"
    return f"request to {shown} failed: {type(exc).__name__}"


def http_status_problem(status: int, reason: str, shown: str) -> str:
    """One line for an unexpected HTTP status; 401/403 say the credentials were refused."""
    line = f"HTTP {status} {reason} from {shown}".rstrip()
    if status in (401, 403):
        line += " (credentials refused)"
    return line


def _root_reason(exc: BaseException) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):  # its errno is an OpenSSL code, not an OS one
            verify = getattr(cause, "verify_message", None)
            return f"{cause.reason or 'TLS error'}: {verify}" if verify else str(cause.reason or cause)
        if isinstance(cause, OSError) and cause.errno:
            return os.strerror(cause.errno).lower()  # asyncio's strerror repeats the address
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
        cause = cause.__cause__ or cause.__context__
    text = str(exc) or type(exc).__name__
    if "refused" in text.lower():
        return "connection refused"
    return text


def _env(field: str, name: str) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        raise SourceError(f"{field}: {name} is not set")
    return value


def _secret(where: str, stem: str, target: Any) -> str | None:
    """The value of ``<stem>_env`` or ``<stem>_file`` (not both), or None when neither is set."""
    env_name = getattr(target, f"{stem}_env", None)
    path = getattr(target, f"{stem}_file", None)
    if env_name and path:
        raise SourceError(f"{where}.{stem}_env: {stem}_env and {stem}_file are exclusive: set one")
    if env_name:
        return _env(f"{where}.{stem}_env", env_name)
    if path:
        try:
            with open(os.path.expanduser(path), encoding="utf-8") as f:
                value = f.read().strip()
        except OSError as exc:
            raise SourceError(f"{where}.{stem}_file: cannot read {path}: "
                              f"{exc.strerror or type(exc).__name__}") from None
        except UnicodeDecodeError:
            raise SourceError(f"{where}.{stem}_file: {path} is not UTF-8 text") from None
        if not value:
            raise SourceError(f"{where}.{stem}_file: {path} is empty")
        return value
    return None


def _verify(where: str, target: Any) -> ssl.SSLContext | bool:
    if getattr(target, "insecure_skip_verify", False):
        return False
    ca_file = getattr(target, "ca_file", None)
    if not ca_file:
        return True
    try:
        return ssl.create_default_context(cafile=os.path.expanduser(ca_file))
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__
        raise SourceError(f"{where}.ca_file: cannot read {ca_file}: {reason}") from None


@dataclass(frozen=True)
class ApiTarget:
    """An HTTP API target made ready: where it is declared, its credentials, its URL bare and as shown."""

    where: str
    credentials: "HttpCredentials"
    base: str
    shown: str


def open_api_target(kind: str, name: str, target: Any) -> ApiTarget:
    """Check a Prometheus-style target's URL and read its credentials.

    Raises:
        SourceError: undeclared, not an http(s) URL, or a credential missing; names the field, never a secret.
    """
    where = f"targets.{kind}.{name}"
    if target is None:
        raise SourceError(f"{where}: not declared")
    parts = urlsplit(target.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"{where}.url: expected http(s)://host:port, got {shown_url(target.url)!r}")
    return ApiTarget(where, read_credentials(where, target, target.url), bare_url(target.url), shown_url(target.url))
