"""The Alertmanager evidence source: how many alerts matching a check's matchers are firing now.

``Sample.value`` is the count of active, unsilenced, uninhibited alerts; the detail
names them, and each newly firing alert is logged once as a warning.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable

import httpx

from golive.checks import http_transport as transport
from golive.checks.base import Sample, SourceError

OnLog = Callable[[str, str], None]


def create(name: str, target: Any, *, on_change: Any = None, on_log: OnLog | None = None,
           clock: Callable[[], float] | None = None) -> "AlertmanagerSource":
    """The source for ``[targets.alertmanager.<name>]``.

    Raises:
        SourceError: a credential variable unset, a file unreadable, a bad URL.
    """
    return AlertmanagerSource(name, target, on_log=on_log, clock=clock)


class AlertmanagerSource:
    """Counts firing alerts on one Alertmanager (API v2); never raises for I/O trouble."""

    kind = "alertmanager"

    def __init__(self, name: str, target: Any, *, on_log: OnLog | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        api = transport.open_api_target("alertmanager", name, target)
        self._credentials, self._headers, self.shown = api.credentials, api.headers, api.shown
        self._url = api.base + "/api/v2/alerts"
        self._concurrency = target.concurrency
        self._target_timeout = target.timeout
        self._on_log = on_log
        self._clock = clock or time.time
        self._client: httpx.AsyncClient | None = None
        self._watchers: dict[str, set[str]] = {}  # fingerprint -> ids of the checks that see it firing

    async def sample(self, check: Any) -> Sample:
        """The number of matching firing alerts, or an error (one line, no secrets)."""
        timeout = getattr(check, "timeout", 10.0)
        if self._target_timeout:
            timeout = min(timeout, self._target_timeout)
        at = self._clock()
        try:
            alerts = await asyncio.wait_for(self._alerts(list(getattr(check, "matchers", [])), timeout), timeout)
        except asyncio.TimeoutError:
            return Sample.failed(check.id, at, transport.no_answer(self.shown, timeout))
        except SourceError as exc:
            return Sample.failed(check.id, at, str(exc))
        self._announce(check.id, alerts)
        names = sorted(_describe(a) for a in alerts)
        ok = None
        if getattr(check, "pass_", None) is None and getattr(check, "fire", None) is None:
            ok = not alerts  # no threshold given: any matching alert firing is a failure
        detail = "no matching alert firing" if not names else "firing: " + ", ".join(names)
        return Sample(check_id=check.id, at=at, value=float(len(alerts)), ok=ok,
                      detail=transport.scrub(detail, ()), extra={"alerts": names})

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _alerts(self, matchers: list[str], timeout: float) -> list[dict[str, Any]]:
        """Active, unsilenced, uninhibited alerts matching ``matchers``. Raises SourceError."""
        if self._client is None:
            self._client = transport.make_client(self._credentials.verify, self._headers,
                                                  concurrency=self._concurrency, timeout=timeout)
        params: list[tuple[str, Any]] = [("active", "true"), ("silenced", "false"), ("inhibited", "false")]
        params += [("filter", m) for m in matchers]
        try:
            response = await self._client.get(self._url, params=params, timeout=timeout)
        except httpx.HTTPError as exc:
            raise SourceError(self._scrub(transport.describe_error(exc, self.shown, timeout))) from None
        if response.status_code == 400:
            raise SourceError(self._scrub(f"Alertmanager refused the matchers {matchers}: {_reason(response.content)}"))
        if response.status_code != 200:
            raise SourceError(transport.http_status_problem(response.status_code, response.reason_phrase, self.shown))
        try:
            alerts = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise SourceError(f"malformed answer from {self.shown}: not JSON") from None
        if not isinstance(alerts, list) or not all(isinstance(a, dict) and isinstance(a.get("labels"), dict)
                                                   for a in alerts):
            raise SourceError(f"malformed answer from {self.shown}: not a list of alerts")
        return alerts

    def _announce(self, check_id: str, alerts: list[dict[str, Any]]) -> None:
        """Log each alert once when it starts firing; forget it when no check sees it any more."""
        current = {str(a.get("fingerprint") or sorted(a["labels"].items())): a for a in alerts}
        for fingerprint, alert in current.items():
            watchers = self._watchers.setdefault(fingerprint, set())
            if not watchers and self._on_log is not None:
                self._on_log("warning", f"alert firing: {_describe(alert, spaced=True)}")
            watchers.add(check_id)
        for fingerprint in [f for f, ids in self._watchers.items() if check_id in ids and f not in current]:
            self._watchers[fingerprint].discard(check_id)
            if not self._watchers[fingerprint]:
                del self._watchers[fingerprint]

    def _scrub(self, text: str) -> str:
        return transport.scrub(text, self._credentials.secrets)


def _describe(alert: dict[str, Any], spaced: bool = False) -> str:
    """``HighErrorRate{severity="critical"}``: the alert's name and its other labels."""
    labels = alert["labels"]
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "alertname")
    name = labels.get("alertname", "(unnamed)")
    return f"{name} {{{rest}}}" if spaced else f"{name}{{{rest}}}"


def _reason(body: bytes) -> str:
    try:
        text = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        text = body.decode("utf-8", "replace")
    return str(text.get("message", text) if isinstance(text, dict) else text)
