"""The scheduler: runs each active check on its interval and hands every Sample to one callback.

The next sample of a check is scheduled when the last one ends (never piling up);
errors back off exponentially up to a cap; each target has a concurrency limit;
identical requests on one target in flight at once share one request; every
sample has a timeout, and anything a source raises becomes an ERROR sample.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from typing import Any, Callable

from golive.checks.base import Sample, SourceError
from golive.console.runbook import Runbook, resolve_target

BACKOFF_CAP = 300.0
DEFAULT_CONCURRENCY = 8


class SourcePool:
    """One source per (kind, target), opened on first use; setup errors are remembered per target."""

    def __init__(self, runbook: Runbook, on_change: Callable[[str], None] | None = None,
                 on_log: Callable[[str, str], None] | None = None):
        self.runbook = runbook
        self._sources: dict[tuple[str, str], Any] = {}
        self._errors: dict[tuple[str, str], str] = {}
        self._limits: dict[tuple[str, str], asyncio.Semaphore] = {}
        self._on_change = on_change
        self._on_log = on_log

    def key(self, check: Any) -> tuple[str, str]:
        return (check.source, resolve_target(self.runbook, check) or "")

    def target_spec(self, key: tuple[str, str]) -> Any:
        kind, name = key
        return (getattr(self.runbook.targets, kind, None) or {}).get(name) if name else None

    def get(self, key: tuple[str, str]) -> Any:
        """The source for a target; raises SourceError (remembered) when it cannot be set up."""
        if key in self._errors:
            raise SourceError(self._errors[key])
        if key not in self._sources:
            from golive.checks import open_source

            kind, name = key
            on_change = self._on_change
            try:
                self._sources[key] = open_source(
                    kind, name, self.target_spec(key),
                    on_change=(lambda: on_change(f"{key[0]}:{key[1]}")) if on_change else None,
                    on_log=self._on_log,
                )
            except SourceError as exc:
                self._errors[key] = str(exc)
                raise
        return self._sources[key]

    def limit(self, key: tuple[str, str]) -> asyncio.Semaphore:
        if key not in self._limits:
            spec = self.target_spec(key)
            self._limits[key] = asyncio.Semaphore(getattr(spec, "concurrency", None) or DEFAULT_CONCURRENCY)
        return self._limits[key]

    async def close(self) -> None:
        for source in list(self._sources.values()):
            try:
                await source.close()
            except Exception:  # closing must never hide the outcome of the go-live
                pass
        self._sources.clear()


class Scheduler:
    """Samples the checks given to ``set_checks`` until they are removed or ``close`` is called.

    Every wait (interval, backoff, timeout) is on the running event loop's clock and ``clock`` stamps the samples
    the scheduler makes itself, so a loop on a virtual clock with ``clock=loop.time`` governs all of its time."""

    def __init__(self, pool: SourcePool, on_sample: Callable[[Sample], None],
                 clock: Callable[[], float] = time.time):
        self.pool = pool
        self.on_sample = on_sample
        self.clock = clock
        self._tasks: dict[str, asyncio.Task] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._checks: dict[str, Any] = {}
        self._inflight: dict[tuple, asyncio.Future] = {}
        self.requests = 0     # requests actually sent to sources (after sharing)
        self.samples = 0      # samples delivered

    def set_checks(self, checks: list[Any]) -> None:
        """Make ``checks`` the active set: start the new ones, stop the ones no longer listed."""
        wanted = {c.id: c for c in checks}
        for check_id in list(self._tasks):
            if check_id not in wanted:
                self._tasks.pop(check_id).cancel()
                self._wake.pop(check_id, None)
                self._checks.pop(check_id, None)
        for check_id, check in wanted.items():
            if check_id not in self._tasks:
                self._checks[check_id] = check
                self._wake[check_id] = asyncio.Event()
                self._tasks[check_id] = asyncio.create_task(self._loop(check), name=f"check:{check_id}")

    def poke(self, target: str | None = None) -> None:
        """Sample now the checks of ``target`` ("kind:name"), or all, instead of waiting."""
        for check_id, check in self._checks.items():
            kind, name = self.pool.key(check)
            if target is None or target == f"{kind}:{name}":
                self._wake[check_id].set()

    @property
    def active(self) -> list[str]:
        return list(self._tasks)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        await self.pool.close()

    async def _loop(self, check: Any) -> None:
        failures = 0
        while True:
            sample = await self.sample_once(check)
            self.samples += 1
            self.on_sample(sample)
            if sample.error:
                failures += 1
                delay = min(check.every * (2 ** min(failures - 1, 10)), max(BACKOFF_CAP, check.every))
            else:
                failures = 0
                delay = check.every
            wake = self._wake.get(check.id)
            if wake is None:
                return
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass

    async def sample_once(self, check: Any) -> Sample:
        """One sample of one check, shared with identical requests in flight, never raising."""
        key = self.pool.key(check)
        share = (key, check.request_key())
        future = self._inflight.get(share)
        if future is None:
            future = asyncio.ensure_future(self._request(check, key))
            self._inflight[share] = future
            future.add_done_callback(lambda _f: self._inflight.pop(share, None))
        try:
            sample = await asyncio.shield(future)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a source bug is an ERROR, never a crash of the go-live
            sample = Sample.failed(check.id, self.clock(), f"{type(exc).__name__}: {exc}".splitlines()[0])
        if sample.check_id != check.id:
            sample = dataclasses.replace(sample, check_id=check.id)
        return sample

    async def _request(self, check: Any, key: tuple[str, str]) -> Sample:
        self.requests += 1
        try:
            source = self.pool.get(key)
        except SourceError as exc:
            return Sample.failed(check.id, self.clock(), str(exc))
        # a source that limits its own connections (Prometheus batches many checks into one request)
        # must see every waiting check at once, so the per-target cap would only defeat it
        limit = contextlib.nullcontext() if getattr(source, "limits_own_concurrency", False) else self.pool.limit(key)
        async with limit:
            try:
                return await asyncio.wait_for(source.sample(check), timeout=check.timeout)
            except asyncio.TimeoutError:
                return Sample.failed(check.id, self.clock(), f"timed out after {check.timeout:g}s")
