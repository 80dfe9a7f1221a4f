"""The one protocol every evidence source implements, and the frozen Sample it returns."""

from __future__ import annotations

import math
import os
import socket
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Sample:
    """One observation of one check.

    A sample is either an error (``error`` set: unreachable, timeout, malformed
    answer), no data (``no_data``: empty vector, NaN, ±Inf, no rows), or an
    observation: a numeric ``value`` to compare with the check's thresholds,
    and/or ``ok`` when the source judges pass/fail itself (a rollout is
    available, a status code matched). ``detail`` is one line for the event log
    and the record; it never contains a secret.
    """

    check_id: str
    at: float
    value: float | None = None
    ok: bool | None = None
    error: str | None = None
    no_data: bool = False
    detail: str = ""
    # per-series values when a check sets each = true: ((labels, value), ...)
    series: tuple[tuple[str, float], ...] = ()
    # source-specific structured data for the screen (e.g. pod rows); not journaled
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def failed(cls, check_id: str, at: float, error: str) -> "Sample":
        return cls(check_id=check_id, at=at, error=error)

    @classmethod
    def empty(cls, check_id: str, at: float, detail: str = "no data") -> "Sample":
        return cls(check_id=check_id, at=at, no_data=True, detail=detail)

    @classmethod
    def number(cls, check_id: str, at: float, value: float, detail: str = "", **kw: Any) -> "Sample":
        """A numeric observation; NaN and ±Inf become no data, never a value."""
        if value is None or math.isnan(value) or math.isinf(value):
            return cls(check_id=check_id, at=at, no_data=True, detail=detail or f"value is {value}")
        return cls(check_id=check_id, at=at, value=float(value), detail=detail, **kw)


class SourceError(Exception):
    """A source could not produce a sample; the message is one line, free of secrets."""


@runtime_checkable
class Source(Protocol):
    """An evidence source bound to one target (one Prometheus, one cluster, one DSN).

    ``sample`` returns a Sample for the check; it must not raise for expected
    failures (network, timeout, bad answer) but return ``Sample.failed``. The
    scheduler still guards against anything raised, and treats it as ERROR.
    """

    kind: str

    async def sample(self, check: Any) -> Sample: ...

    async def close(self) -> None: ...


def os_reason(error: OSError) -> str:
    """What the operating system said, in its words and lower case: "connection refused", "no route to host"."""
    if isinstance(error, socket.gaierror) and error.strerror:
        return error.strerror.lower()  # its errno is a resolver code os.strerror does not know
    if error.errno:
        return os.strerror(error.errno).lower()  # asyncio's message repeats the address
    return (error.strerror or type(error).__name__).lower()
