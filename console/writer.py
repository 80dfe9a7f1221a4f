"""The session's disk writer: one thread that runs journal appends, fsyncs and record writes in the order they
were submitted, so the event loop never waits on the disk; each job's completion comes back on the loop."""

from __future__ import annotations

import asyncio
import collections
import queue
import threading
from typing import Any, Callable

Done = Callable[[Any, BaseException | None], None]


class Job:
    """One piece of disk work; ``future`` resolves on the loop, after ``on_done`` ran, to the job's error or None."""

    __slots__ = ("fn", "args", "on_done", "future", "result", "error", "finished")

    def __init__(self, fn: Callable[..., Any], args: tuple, on_done: Done | None, future: asyncio.Future | None):
        self.fn, self.args, self.on_done, self.future = fn, args, on_done, future
        self.result: Any = None
        self.error: BaseException | None = None
        self.finished = threading.Event()


class DiskWriter:
    """A FIFO of disk jobs run by one thread. ``submit`` is called on the loop; ``pump`` (scheduled on the loop
    by the thread, or called directly after ``close``) hands finished jobs back in submission order."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None, name: str = "golive-writer",
                 on_idle: Callable[[], None] | None = None):
        self.loop = loop or asyncio.get_running_loop()
        self.on_idle = on_idle   # called on the loop whenever the last job in flight has been handed back
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._finished: collections.deque[Job] = collections.deque()
        self._pending = 0   # submitted and not yet handed back by pump (loop side only)
        self._drained: list[asyncio.Future] = []
        # a loop on a virtual clock (tests) jumps its time instead of waiting for a thread: there the jobs run in
        # place, and their completions still come back through the loop, in order
        self.inline = bool(getattr(self.loop, "disk_writes_inline", False))
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        if not self.inline:
            self._thread.start()

    @property
    def pending(self) -> int:
        """Jobs submitted whose completion the loop has not handled yet."""
        return self._pending

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Done | None = None) -> Job:
        """Queue ``fn(*args)`` behind every job submitted before it; ``on_done(result, error)`` runs on the loop."""
        job = Job(fn, args, on_done, self.loop.create_future())
        self._pending += 1
        if self.inline:
            self._run(job)
            self.loop.call_soon(self.pump)
        else:
            self._jobs.put(job)
        return job

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            self._run(job)
            try:
                self.loop.call_soon_threadsafe(self.pump)
            except RuntimeError:
                pass   # the loop is closed: whoever closes the writer pumps what is left

    def _run(self, job: Job) -> None:
        try:
            job.result = job.fn(*job.args)
        except BaseException as exc:  # handed to the loop: a full disk is the session's to report
            job.error = exc
        self._finished.append(job)
        job.finished.set()

    def pump(self) -> None:
        """Hand finished jobs back in order: their ``on_done``, then their future. Loop side only."""
        while self._finished:
            job = self._finished.popleft()
            self._pending -= 1
            try:
                if job.on_done is not None:
                    job.on_done(job.result, job.error)
            except Exception as exc:  # one bad callback must not hold back the jobs after it
                self.loop.call_exception_handler({"message": "golive writer: a completion failed", "exception": exc})
            fut = job.future
            # the error is the result, so an error nobody awaits is not "never retrieved"
            if fut is not None and not fut.done() and not fut.get_loop().is_closed():
                fut.set_result(job.error)
        if not self._pending:
            waiting, self._drained = self._drained, []
            for fut in waiting:
                if not fut.done() and not fut.get_loop().is_closed():
                    fut.set_result(None)
            if self.on_idle is not None:
                self.on_idle()

    async def drained(self) -> None:
        """Return once no job is in flight (at once when none is)."""
        if self._pending:
            fut = self.loop.create_future()
            self._drained.append(fut)
            await asyncio.shield(fut)

    def close(self) -> None:
        """Finish every queued job, stop the thread, and hand back what finished (blocks until then)."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
        self.pump()


async def settle(job: Job | None) -> BaseException | None:
    """Wait for ``job`` (and so for every job before it); returns its error or None."""
    if job is None or job.future is None:
        return job.error if job is not None else None
    return await asyncio.shield(job.future)
