"""HTTP(S) evidence: status, latency, body, JSON fields, security headers, TLS version and certificate lifetime.

One pooled ``httpx.AsyncClient`` per target; credentials come only from environment
variables or files and never appear in a message.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import ssl
import time
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from golive.checks import http_conditions as cond
from golive.checks.base import Sample, SourceError
from golive.checks.http_credentials import read_credentials, ssl_context
from golive.console import redact
from golive.console.units import format_duration

_BODY_LIMIT = 1 << 20  # a health answer is small; never hold a runaway body in memory
_USERINFO = re.compile(r"(?<=://)[^/\s]*@")  # to the last "@": an unencoded one in a password is still hidden


def create(name: str, target: Any | None, *, on_change: Any = None, on_log: Any = None) -> "HttpSource":
    """The HTTP source for one ``[targets.http.<name>]`` (or None for checks with full URLs).

    Raises:
        SourceError: a credential variable is unset or a file unreadable; names the field only.
    """
    return HttpSource(name, target)


class HttpSource:
    """Samples HttpChecks against one target through one connection pool."""

    kind = "http"

    def __init__(self, name: str, target: Any | None) -> None:
        self.name = name
        self.target = target
        self._where = f"targets.http.{name}" if name else "http"
        self._auth_headers, self._secrets = read_credentials(self._where, target)
        self._ssl = ssl_context(self._where, target)
        self._client: httpx.AsyncClient | None = None

    def _pool(self) -> httpx.AsyncClient:
        if self._client is None:
            concurrency = getattr(self.target, "concurrency", 8)
            self._client = httpx.AsyncClient(
                headers=dict(getattr(self.target, "headers", {}) or {}),
                verify=self._ssl,
                limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
                follow_redirects=False,  # a redirect is an answer the runbook should expect by status
            )
        return self._client

    async def sample(self, check: Any) -> Sample:
        """Request ``check.url`` once and judge the answer.

        Returns:
            A Sample whose value is the latency in ms (days to certificate expiry when
            the check sets cert_days), ok when every condition holds, and detail the
            first failing condition; ``Sample.failed`` for connection errors, timeouts,
            TLS errors and answers that cannot be judged. Never raises.
        """
        at = time.time()
        timeout = _timeout(check, self.target)
        try:
            url = self._url(check)
        except SourceError as exc:
            return Sample.failed(check.id, at, str(exc))
        shown = self._scrub(url)
        try:
            async with asyncio.timeout(timeout):
                return await self._request(check, url, at, timeout)
        except TimeoutError:
            return Sample.failed(check.id, at, f"no answer within {format_duration(timeout)} from {shown}")
        except cond.Unmeasurable as exc:
            return Sample.failed(check.id, at, self._scrub(str(exc)))
        except httpx.HTTPError as exc:
            return Sample.failed(check.id, at, self._scrub(_describe(exc, shown, timeout)))
        except Exception as exc:  # fail closed: anything unexpected is an ERROR, not a crash
            return Sample.failed(check.id, at, self._scrub(f"{shown}: {type(exc).__name__}: {exc}"))

    async def _request(self, check: Any, url: str, at: float, timeout: float) -> Sample:
        headers = dict(self._auth_headers) if self._sends_credentials(url) else {}
        url, userinfo_auth = _split_userinfo(url)
        if userinfo_auth:
            headers["Authorization"] = userinfo_auth
        headers.update(check.headers)
        started = time.perf_counter()
        async with self._pool().stream(check.method.upper(), url, headers=headers, timeout=timeout) as response:
            ssl_object = _ssl_object(response)
            body = await _read_limited(response)
        latency = time.perf_counter() - started

        days_left = cond.certificate_days_left(ssl_object, time.time()) if check.cert_days is not None else None
        problem = self._first_problem(check, response, ssl_object, body, latency, days_left)
        value = days_left if days_left is not None else latency * 1000.0
        extra: dict[str, Any] = {"status": response.status_code, "latency_ms": round(latency * 1000.0, 1)}
        if ssl_object is not None:
            extra["tls"] = ssl_object.version()
        if days_left is not None:
            extra["cert_days"] = round(days_left, 2)
        detail = self._scrub(problem) if problem else _summary(response.status_code, latency, ssl_object, days_left)
        return Sample(check_id=check.id, at=at, value=value, ok=problem is None, detail=detail, extra=extra)

    def _first_problem(
        self, check: Any, response: httpx.Response, ssl_object: Any, body: bytes, latency: float,
        days_left: float | None,
    ) -> str | None:
        """The first failing condition, in the order a person would fix them."""
        problem = cond.status_problem(response.status_code, check.status)
        if problem is None and check.tls_min:
            problem = cond.tls_problem(ssl_object.version() if ssl_object else None, check.tls_min)
        if problem is None and days_left is not None:
            problem = cond.certificate_problem(days_left, check.cert_days)
        if problem is None and check.headers_required:
            problem = cond.headers_problem(response.headers, check.headers_required)
        if problem is None and check.body_contains is not None:
            problem = cond.body_problem(body.decode(response.encoding or "utf-8", "replace"), check.body_contains)
        if problem is None and check.json_equals:
            problem = cond.json_problem(body, check.json_equals)
        if problem is None and check.max_latency is not None:
            problem = cond.latency_problem(latency, check.max_latency)
        return problem

    def _url(self, check: Any) -> str:
        url = check.url
        if urlsplit(url).scheme:
            if urlsplit(url).scheme not in ("http", "https"):
                raise SourceError(f"url {self._scrub(url)}: only http and https are supported")
            return url
        if not (self.target and self.target.base_url):
            raise SourceError(f"url {self._scrub(url)} is relative and the target has no base_url")
        # joined as httpx joins a base_url: the path is appended, never replaces the base's path
        return self.target.base_url.rstrip("/") + "/" + url.lstrip("/")

    def _sends_credentials(self, url: str) -> bool:
        """Target credentials go to the target's own origin only, never to another host a check names."""
        if not (self.target and self.target.base_url):
            return True
        return _origin(url) == _origin(self.target.base_url)

    def _scrub(self, text: str) -> str:
        """One line, no userinfo in URLs, and no credential value anywhere (scrubbed before it is cut)."""
        return redact.clip(_USERINFO.sub("", text), 300, self._secrets)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _timeout(check: Any, target: Any | None) -> float:
    """The check's timeout, capped by the target's when it sets one."""
    target_timeout = getattr(target, "timeout", None)
    return min(check.timeout, target_timeout) if target_timeout else check.timeout


def _ssl_object(response: httpx.Response) -> ssl.SSLObject | None:
    stream = response.extensions.get("network_stream")
    return stream.get_extra_info("ssl_object") if stream is not None else None


async def _read_limited(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= _BODY_LIMIT:
            break
    return b"".join(chunks)[:_BODY_LIMIT]


def _summary(status: int, latency: float, ssl_object: Any, days_left: float | None) -> str:
    parts = [f"{status} in {latency * 1000:.0f} ms"]
    if ssl_object is not None:
        parts.append(str(ssl_object.version()))
    if days_left is not None:
        parts.append(f"certificate valid {days_left:.1f} more days")
    return ", ".join(parts)


def _describe(exc: httpx.HTTPError, shown: str, timeout: float) -> str:
    """One line for a transport failure; names what failed, never a header or credential."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out after {format_duration(timeout)} connecting to {shown}"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {format_duration(timeout)} from {shown}"
    verify = _cause(exc, ssl.SSLCertVerificationError)
    if verify is not None:
        return f"TLS certificate of {shown} rejected: {verify.verify_message or verify.reason}"
    tls = _cause(exc, ssl.SSLError)
    if tls is not None:
        return f"TLS error with {shown}: {tls.reason or tls}"
    if isinstance(exc, httpx.ConnectError):
        reason = _cause(exc, OSError)
        # asyncio words a refusal "Connect call failed (host, port)"; the errno says it plainly
        text = (os.strerror(reason.errno) if reason is not None and reason.errno else str(exc)) or "connection failed"
        return f"cannot connect to {shown}: {text}"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        return f"malformed HTTP answer from {shown}: {exc or type(exc).__name__}"
    return f"{type(exc).__name__} from {shown}: {exc}"


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


def _split_userinfo(url: str) -> tuple[str, str | None]:
    """The URL without ``user:password@``, and that pair as a Basic Authorization value.

    Keeps the password out of the URL httpx holds, which its request log prints.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    pair = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
    redact.register_url(url)  # a server that echoes headers must not put the credential in a detail
    return urlunsplit(parts._replace(netloc=host)), f"Basic {pair}"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or ""), parts.port or default
