"""Change windows and freezes: when `golive run` may start, as pure functions of the runbook's [window] and `now`.

A window is a set of allowed days and hours in a named time zone; freezes are whole local dates, inclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_SEARCH_DAYS = 800  # a freeze longer than two years is a mistake, not a window


def _to_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected a date like \"2026-12-20\", got {value!r}") from None
    if isinstance(value, datetime):
        raise ValueError("a freeze is whole dates: write \"2026-12-20\", not a time")
    return value


Day = Annotated[date, BeforeValidator(_to_date)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


class Freeze(_Model):
    from_: Day = Field(alias="from")
    to: Day
    reason: str = "change freeze"

    @model_validator(mode="after")
    def _ordered(self) -> "Freeze":
        if self.to < self.from_:
            raise ValueError(f"a freeze ends ({self.to}) before it starts ({self.from_})")
        return self


class Window(_Model):
    """[window]: outside it, or inside a freeze, `golive run` refuses unless --bypass-window "reason"."""

    timezone: str = "UTC"
    days: list[str] = list(DAYS)
    hours: str = "00:00-24:00"
    freeze: list[Freeze] = []
    # the environments this window binds ([runbook].environment); empty binds every environment
    environment: list[str] = []
    # with [roles]: only a member of this role may start outside the window (--bypass-window)
    bypass_role: str | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as \"Europe/Berlin\")") from None
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        bad = [d for d in value if d not in DAYS]
        if bad:
            raise ValueError(f"unknown day {bad[0]!r} (use {', '.join(DAYS)})")
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        parse_hours(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def binds(self, environment: str) -> bool:
        return not self.environment or environment in self.environment


def parse_hours(text: str) -> tuple[time | None, time | None, bool]:
    """("09:00-16:00") → (start, end, spans_midnight); an end of 24:00 is None (the end of the day).

    An end at or before the start spans midnight: "22:00-02:00" runs into the next day.
    """
    m = _HOURS.match(text.strip())
    if not m:
        raise ValueError(f"expected hours like \"09:00-16:00\", got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"not a time of day in {text!r}")
    start, end = time(h1, m1), None if h2 == 24 else time(h2, m2)
    if end is not None and end == start:
        raise ValueError(f"an empty window {text!r}: write \"00:00-24:00\" for the whole day")
    return start, end, end is not None and end < start


@dataclass(frozen=True)
class WindowStatus:
    """Whether a go-live may start now; ``next_open`` is the next allowed instant (UTC) when it may not."""

    open: bool
    reason: str
    next_open: datetime | None = None
    window: Window | None = None

    def next_text(self) -> str:
        """``2026-12-08 09:00 Europe/Berlin (08:00Z)``, or that nothing opens within two years."""
        if self.next_open is None:
            return "no allowed time within two years"
        assert self.window is not None
        local = self.next_open.astimezone(self.window.zone)
        return f"{local:%Y-%m-%d %H:%M} {self.window.timezone} ({self.next_open:%Y-%m-%d %H:%M}Z)"


def _local(day: date, at: time | None, zone: ZoneInfo) -> datetime:
    # fold=0: a wall time skipped by spring-forward means the instant just after the gap, an
    # ambiguous one at fall-back its first occurrence — the window never starts twice
    if at is None:
        day, at = day + timedelta(days=1), time(0, 0)
    return datetime.combine(day, at, tzinfo=zone).astimezone(timezone.utc)


def intervals(window: Window, around: datetime, days: int = _SEARCH_DAYS):
    """The window's allowed intervals [start, end) in UTC, from the local day before ``around`` on."""
    zone = window.zone
    start, end, spans = parse_hours(window.hours)
    first = around.astimezone(zone).date() - timedelta(days=1)
    allowed = {DAYS.index(d) for d in window.days}
    for n in range(days):
        day = first + timedelta(days=n)
        if day.weekday() not in allowed:
            continue
        end_day = day + timedelta(days=1) if spans else day
        yield _local(day, start, zone), _local(end_day, end, zone)


def _freeze_at(window: Window, t: datetime) -> tuple[Freeze, datetime] | None:
    """The freeze covering instant ``t`` and the instant it ends, or None."""
    zone = window.zone
    for f in window.freeze:
        begin = _local(f.from_, time(0, 0), zone)
        finish = _local(f.to, None, zone)
        if begin <= t < finish:
            return f, finish
    return None


def window_status(window: Window | None, now: datetime, environment: str = "") -> WindowStatus:
    """May a go-live start at ``now`` (an aware datetime)? Pure: the answer depends on its arguments only."""
    if window is None or not window.binds(environment):
        return WindowStatus(True, "no change window applies")
    now = now.astimezone(timezone.utc)
    frozen = _freeze_at(window, now)
    inside = any(s <= now < e for s, e in intervals(window, now, days=3))
    if frozen is None and inside:
        return WindowStatus(True, "inside the change window", window=window)
    if frozen is not None:
        f = frozen[0]
        reason = f"in the freeze {f.from_}..{f.to} ({f.reason})"
    else:
        local = now.astimezone(window.zone)
        reason = (f"outside the change window ({', '.join(window.days)} {window.hours} {window.timezone}; "
                  f"it is {DAYS[local.weekday()]} {local:%H:%M} there)")
    return WindowStatus(False, reason, next_allowed(window, now), window)


def next_allowed(window: Window, now: datetime) -> datetime | None:
    """The first instant at or after ``now`` inside the window and outside every freeze (UTC), or None."""
    now = now.astimezone(timezone.utc)
    for start, end in intervals(window, now):
        if end <= now:
            continue
        candidate = max(start, now)
        while candidate < end and (frozen := _freeze_at(window, candidate)) is not None:
            candidate = frozen[1]
        if candidate < end:
            return candidate
    return None
