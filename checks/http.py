"""HTTP(S) evidence: status, latency, body, JSON fields, security headers, TLS version and certificate lifetime.

One pooled ``httpx.AsyncClient`` per target; credentials come only from environment
variables or files and never appear in a message.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from golive.checks import http_conditions as cond
from golive.checks import http_transport as transport
from golive.checks.base import Sample, SourceError
from golive.checks.http_credentials import basic_authorization, read_credentials, userinfo
from golive.console import redact

_BODY_LIMIT = 1 << 20  # a health answer is small; never hold a runaway body in memory


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
        credentials = read_credentials(self._where, target)
        self._auth_headers, self._secrets, self._ssl = credentials.headers, credentials.secrets, credentials.verify
        self._client: httpx.AsyncClient | None = None

    def _pool(self) -> httpx.AsyncClient:
        if self._client is None:
            # the target's credential headers are not the pool's: they go to its own origin only
            self._client = transport.make_client(self._ssl, dict(getattr(self.target, "headers", {}) or {}),
                                                 concurrency=getattr(self.target, "concurrency", 8))
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
            userinfo_auth = _userinfo_authorization(url)
        except SourceError as exc:
            return Sample.failed(check.id, at, self._scrub(str(exc)))
        shown = self._scrub(transport.without_userinfo(url))  # the whole URL is a secret once registered
        try:
            async with asyncio.timeout(timeout):
                return await self._request(check, url, userinfo_auth, at, timeout)
        except TimeoutError:
            return Sample.failed(check.id, at, transport.no_answer(shown, timeout))
        except cond.Unmeasurable as exc:
            return Sample.failed(check.id, at, self._scrub(str(exc)))
        except httpx.HTTPError as exc:
            return Sample.failed(check.id, at, self._scrub(transport.describe_error(exc, shown, timeout)))
        except Exception as exc:  # fail closed: anything unexpected is an ERROR, not a crash
            return Sample.failed(check.id, at, self._scrub(f"{shown}: {type(exc).__name__}: {exc}"))

    async def _request(self, check: Any, url: str, userinfo_auth: str | None, at: float, timeout: float) -> Sample:
        headers = dict(self._auth_headers) if self._sends_credentials(url) else {}
        if userinfo_auth:
            headers["Authorization"] = userinfo_auth
            url = transport.without_userinfo(url)  # out of the URL httpx holds, which its request log prints
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
        return transport.scrub(text, self._secrets)

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


def _userinfo_authorization(url: str) -> str | None:
    """The Basic value for a ``user:password@`` in a check's URL; a user without a password is refused."""
    pair = userinfo(url)
    if pair is None:
        return None
    user, password = pair
    if password is None:
        raise SourceError(f"url {redact.shown_url(url)}: a username is set but no password")
    return basic_authorization(user, password)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or ""), parts.port or default
