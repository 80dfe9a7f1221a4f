"""How the HTTP, Prometheus and Alertmanager sources reach a server: one pooled client, one scrubber, URLs
without their credentials, and one wording of every transport failure (refused, timed out, TLS, reset)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from golive.checks.base import SourceError, os_reason
from golive.checks.http_credentials import HttpCredentials, read_credentials
from golive.console import redact
from golive.console.units import format_duration

LIMIT = 300  # characters of one message line


def make_client(verify: ssl.SSLContext, headers: dict[str, str], *, concurrency: int,
                timeout: float | None = None) -> httpx.AsyncClient:
    """One keep-alive HTTP/1.1 pool for a target, at most ``concurrency`` connections."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=60)
    return httpx.AsyncClient(
        headers=headers,
        verify=verify,
        limits=limits,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,  # a redirect is an answer the runbook should expect by status
        trust_env=False,  # a proxy or a .netrc from the environment would see or change the credentials
    )


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """One line of at most ``LIMIT`` characters: no registered secret (nor ``secrets``), no URL userinfo."""
    return redact.clip(text, LIMIT, secrets)


def without_userinfo(url: str) -> str:
    """The URL without ``user:password@`` (credentials travel in headers, out of what httpx logs)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def bare_url(url: str) -> str:
    """A server's base URL for requests: no userinfo, no fragment, no trailing slash."""
    return without_userinfo(url).partition("#")[0].rstrip("/")


def no_answer(shown: str, timeout: float) -> str:
    """The one wording of a request that outlived its timeout."""
    return f"no answer from {shown} within {format_duration(timeout)}"


def describe_error(exc: BaseException, shown: str, timeout: float) -> str:
    """One line for a transport failure; names what failed, never a header or credential."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out after {format_duration(timeout)} connecting to {shown}"
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return no_answer(shown, timeout)
    verify = _cause(exc, ssl.SSLCertVerificationError)
    if verify is not None:
        return f"TLS certificate of {shown} rejected: {verify.verify_message or verify.reason}"
    tls = _cause(exc, ssl.SSLError)
    if tls is not None:
        return f"TLS error with {shown}: {tls.reason or tls}"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {shown}: {_reason(exc, 'connection failed')}"
    if isinstance(exc, httpx.RemoteProtocolError) and "without sending a response" in str(exc):
        return f"{shown} closed the connection without an answer"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        return f"malformed HTTP answer from {shown}: {exc or type(exc).__name__}"
    if isinstance(exc, httpx.NetworkError):
        return f"connection to {shown} lost: {_reason(exc, type(exc).__name__)}"
    if isinstance(exc, httpx.HTTPError):
        return f"request to {shown} failed: {type(exc).__name__}: {exc}"
    return f"request to {shown} failed: {type(exc).__name__}"


def http_status_problem(status: int, reason: str, shown: str) -> str:
    """One line for an unexpected HTTP status; 401/403 say the credentials were refused."""
    line = f"HTTP {status} {reason} from {shown}".rstrip()
    if status in (401, 403):
        line += " (credentials refused)"
    return line


@dataclass(frozen=True)
class ApiTarget:
    """An HTTP API target made ready: where it is declared, its credentials, the headers every request
    carries, and its URL bare (for requests) and as shown."""

    where: str
    credentials: HttpCredentials
    headers: dict[str, str]
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
        raise SourceError(f"{where}.url: expected http(s)://host:port, got {redact.shown_url(target.url)!r}")
    credentials = read_credentials(where, target, target.url)
    headers = {**(target.headers or {}), **credentials.headers}
    return ApiTarget(where, credentials, headers, bare_url(target.url), redact.shown_url(target.url))


def _reason(exc: BaseException, default: str) -> str:
    """What the operating system said, in its words: "connection refused", "name or service not known"."""
    cause = _cause(exc, OSError)
    if cause is not None and (cause.errno or cause.strerror):
        return os_reason(cause)
    text = str(exc)
    return "connection refused" if "refused" in text.lower() else (text or default)


def _cause(exc: BaseException, kind: type, depth: int = 0) -> Any:
    """The first exception of ``kind`` in the chain, looking inside exception groups too.

    (anyio reports a refused connection as "All connection attempts failed" raised
    from a group holding the ConnectionRefusedError that says what happened.)
    """
    node: BaseException | None = exc
    while node is not None and depth < 10:
        if isinstance(node, BaseExceptionGroup):
            for inner in node.exceptions:
                found = _cause(inner, kind, depth + 1)
                if found is not None:
                    return found
        elif isinstance(node, kind) and not (kind is OSError and isinstance(node, OSError) and node.errno is None
                                             and node.__cause__):
            return node
        node = node.__cause__ or node.__context__
        depth += 1
    return None
