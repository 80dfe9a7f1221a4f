"""List+watch of one Kubernetes resource in one namespace into an in-memory cache.

The informer lists, then watches from the list's resourceVersion; a watch that ends is
resumed from the last version seen, a 410 Gone (history compacted) re-lists, and errors
are retried with a capped backoff while ``error`` says, in one line, what is wrong.
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any, Awaitable, Callable

import aiohttp

from golive.checks.base import os_reason
from golive.console.redact import clip

BACKOFF_START = 0.2
BACKOFF_CAP = 5.0
# client-go watches for 5-10 minutes before asking again; the same spread avoids herds
WATCH_SECONDS = (300, 600)

OnItem = Callable[[dict | None, dict | None], None]


class ApiError(Exception):
    """The API server answered with an error Status; ``message`` is the server's, one line."""

    def __init__(self, status: int, reason: str, message: str = ""):
        super().__init__(f"{status} {reason}")
        self.status, self.reason, self.message = status, reason, message


class Expired(Exception):
    """The resourceVersion to resume from is gone from the server's history (410)."""


def api_error(status: int, body: bytes) -> ApiError:
    """An ApiError from an HTTP error answer (a Status object, or anything else)."""
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    reason = data.get("reason") or {401: "Unauthorized", 403: "Forbidden", 404: "NotFound"}.get(status, "Error")
    message = clip(str(data.get("message") or ""), 200)
    return ApiError(status, reason, message)


def describe_error(exc: BaseException, server: str) -> str:
    """One line for an exception met talking to the API server at ``server`` (no credentials)."""
    where = f"the Kubernetes API at {server}"
    if isinstance(exc, ApiError):
        if exc.status == 401:
            return f"401 Unauthorized from {where}: the credentials of the kubeconfig context were refused"
        detail = f": {exc.message}" if exc.message and exc.message != exc.reason else ""
        return f"{exc.status} {exc.reason} from {where}{detail}"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot reach {where}: {os_reason(exc.os_error)}"
    if isinstance(exc, asyncio.TimeoutError):
        return f"timed out waiting for {where}"
    if isinstance(exc, aiohttp.ClientError):
        return f"connection to {where} failed: {type(exc).__name__}"
    return f"{where}: {type(exc).__name__}: {clip(str(exc), 200)}"


class Informer:
    """Follows one list call (``call`` is a ``list_namespaced_*_without_preload_content``).

    ``items`` maps names to objects (plain dicts as the API sends them); ``on_item(old,
    new)`` is called for every change; ``on_state()`` when ``error`` or ``listed`` changes.
    """

    def __init__(self, call: Callable[..., Awaitable[Any]], describe: Callable[[BaseException], str],
                 on_item: OnItem, on_state: Callable[[], None], field_selector: str | None = None,
                 request_timeout: float = 10.0):
        self.call, self.describe = call, describe
        self.on_item, self.on_state = on_item, on_state
        self.field_selector = field_selector
        self.request_timeout = request_timeout
        self.items: dict[str, dict] = {}
        self.resource_version: str | None = None
        self.error: str | None = None
        self.listed = False
        self.lists = 0  # how many times it listed (a 410 Gone makes it list again)
        self.attempted = asyncio.Event()  # the first list succeeded or failed

    def _set_error(self, error: str | None) -> None:
        if error != self.error:
            self.error = error
            self.on_state()

    def _selector(self) -> dict:
        return {"field_selector": self.field_selector} if self.field_selector else {}

    async def run(self) -> None:
        """List and watch until cancelled."""
        backoff = BACKOFF_START
        while True:
            try:
                if self.resource_version is None:
                    await self._list()
                events = await self._watch()
                backoff = BACKOFF_START
                if not events:
                    await asyncio.sleep(BACKOFF_START)  # a server closing empty watches at once is not spun on
            except Expired:
                self.resource_version = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # every failure is retried; what it was is shown until then
                self._set_error(self.describe(exc))
                self.attempted.set()
                await asyncio.sleep(backoff * random.uniform(0.8, 1.2))
                backoff = min(backoff * 2, BACKOFF_CAP)

    async def _list(self) -> None:
        response = await self.call(_request_timeout=float(self.request_timeout), **self._selector())
        try:
            body = await response.read()
            if response.status != 200:
                raise api_error(response.status, body)
        finally:
            response.release()
        try:
            data = json.loads(body)
            items = {i["metadata"]["name"]: i for i in data.get("items") or []}
            version = str(data["metadata"]["resourceVersion"])
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ApiError(200, "MalformedList", "the list answer is not a Kubernetes list") from None
        old, self.items = self.items, items
        self.resource_version = version
        self.lists += 1
        first = not self.listed
        self.listed = True
        self.attempted.set()
        for name in old.keys() | items.keys():
            before, after = old.get(name), items.get(name)
            if (before or {}).get("metadata", {}).get("resourceVersion") != (after or {}).get("metadata", {}).get(
                    "resourceVersion"):
                self.on_item(before, after)
        if first:
            self.on_state()
        self._set_error(None)

    @staticmethod
    async def _next_line(response: Any) -> bytes:
        """The next line of a watch stream; b"" when it ends, cleanly or not.

        A stream cut in the middle (a restarting server, an idle connection dropped by a
        load balancer) is not yet an outage: the watch is resumed at once, and only a
        failing reconnection is an error.
        """
        try:
            return await response.content.readline()
        except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError, ConnectionError, asyncio.TimeoutError):
            return b""

    async def _watch(self) -> int:
        """Watch from ``resource_version`` until the server ends the stream; returns events seen.

        Raises:
            Expired: the server no longer has that version (410).
        """
        seconds = random.randint(*WATCH_SECONDS)
        response = await self.call(watch=True, resource_version=self.resource_version, allow_watch_bookmarks=True,
                                   timeout_seconds=seconds, _request_timeout=float(seconds + 30), **self._selector())
        seen = 0
        try:
            if response.status == 410:
                raise Expired()
            if response.status != 200:
                raise api_error(response.status, await response.read())
            self._set_error(None)  # connected again: the replay below brings the cache up to date
            while line := await self._next_line(response):
                try:
                    event = json.loads(line)
                    kind, obj = event["type"], event["object"]
                    meta = obj.get("metadata") or {}
                except (ValueError, KeyError, TypeError, AttributeError):
                    raise ApiError(200, "MalformedWatch", "a watch event is not a Kubernetes watch event") from None
                if kind == "ERROR":
                    if obj.get("code") == 410:
                        raise Expired()
                    raise ApiError(int(obj.get("code") or 500), str(obj.get("reason") or "Error"),
                                   clip(str(obj.get("message") or ""), 200))
                seen += 1
                name = meta.get("name")
                if kind in ("ADDED", "MODIFIED") and name:
                    before = self.items.get(name)
                    self.items[name] = obj
                    self.on_item(before, obj)
                elif kind == "DELETED" and name:
                    self.on_item(self.items.pop(name, None), None)
                if meta.get("resourceVersion"):
                    self.resource_version = str(meta["resourceVersion"])
        finally:
            response.release()
        return seen
