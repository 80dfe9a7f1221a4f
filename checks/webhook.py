"""Delivering notifications to webhooks: one thread and one bounded queue per target, retried with capped backoff.

Off the driver's hot path: ``send`` never blocks and never raises. The URL is a secret, so no message, error or
log line built here contains it; errors say only "HTTP 500", "timed out" and the like.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable

import httpx

QUEUE_SIZE = 200          # a room that cannot keep up loses the oldest news, never the driver's time
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 10.0

# on_failure(event name, attempts, error)
FailureHook = Callable[[str, int, str], None]


def _why(exc: BaseException) -> str:
    # httpx's messages can hold the URL; say what kind of failure it was, nothing more
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect"
    if isinstance(exc, httpx.HTTPError):
        return type(exc).__name__
    return f"internal error {type(exc).__name__}"


class WebhookSender:
    """POSTs JSON bodies to one URL in order, each retried ``retries`` times; a body that fails is reported."""

    def __init__(self, url: str, *, timeout: float = 5.0, retries: int = 3, on_failure: FailureHook | None = None,
                 backoff_first: float = BACKOFF_FIRST, backoff_cap: float = BACKOFF_CAP):
        self._url = url
        self.timeout, self.retries = timeout, retries
        self.backoff_first, self.backoff_cap = backoff_first, backoff_cap
        self.on_failure = on_failure or (lambda event, attempts, error: None)
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue(QUEUE_SIZE)
        self._closing = threading.Event()
        self.delivered = 0
        self._thread = threading.Thread(target=self._work, name="golive-notify", daemon=True)
        self._thread.start()

    def __repr__(self) -> str:
        return f"WebhookSender(delivered={self.delivered})"  # never the URL

    def send(self, event: str, body: dict[str, Any]) -> bool:
        """Queue one body; False (and a failure report) when the queue is full. Never blocks."""
        try:
            self._queue.put_nowait((event, body))
            return True
        except queue.Full:
            self.on_failure(event, 0, f"dropped: {QUEUE_SIZE} notifications already waiting")
            return False

    def close(self, wait: float = 5.0) -> int:
        """Deliver what is queued for at most ``wait`` seconds, then stop; returns how many were left undelivered."""
        deadline = time.monotonic() + wait
        try:
            self._queue.put(None, timeout=max(0.0, wait))
            sentinel = 1
        except queue.Full:
            sentinel = 0
        self._thread.join(max(0.0, deadline - time.monotonic()))
        self._closing.set()  # a stalled receiver: stop retrying, the thread dies with the process
        return 0 if not self._thread.is_alive() else max(0, self._queue.qsize() - sentinel)

    def _work(self) -> None:
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                event, body = item
                attempts, error = self._deliver(client, body)
                if error:
                    self.on_failure(event, attempts, error)
                else:
                    self.delivered += 1

    def _deliver(self, client: httpx.Client, body: dict[str, Any]) -> tuple[int, str]:
        error, delay = "", self.backoff_first
        for attempt in range(1, self.retries + 2):
            if self._closing.is_set():
                return attempt - 1, error or "not sent: the session closed"
            try:
                response = client.post(self._url, json=body)
                if 200 <= response.status_code < 300:
                    return attempt, ""
                error = f"HTTP {response.status_code}"
                if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                    return attempt, error  # the receiver refuses this body: retrying changes nothing
            except Exception as exc:  # whatever happens here must never reach the driver
                error = _why(exc)
            if attempt <= self.retries and self._closing.wait(delay):
                return attempt, error
            delay = min(self.backoff_cap, delay * 2)
        return self.retries + 1, error
