"""An asyncio event loop on a virtual clock, for unit tests of timing logic: when nothing is ready, the clock jumps to
the next timer instead of waiting, so sleeps, timeouts and intervals take no real time and give exact figures."""

from __future__ import annotations

import asyncio
import selectors
from typing import Any, Awaitable, Callable, TypeVar

T = TypeVar("T")
START = 1_700_000_000.0   # a plausible epoch second, so samples stamped with the loop's clock look real
IDLE_LIMIT = 10.0         # real seconds an idle loop with no timer waits for another thread before it fails


class _JumpingSelector(selectors.DefaultSelector):
    """Polls the real selector without blocking; an idle loop moves the clock instead of sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.loop: VirtualTimeLoop | None = None

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = super().select(0)
        if ready or timeout == 0 or self.loop is None:
            return ready
        if timeout is None:
            # no timer left: only another thread can wake the loop (an executor's result); a test that waits for
            # nothing at all would hang, so it fails instead
            ready = super().select(IDLE_LIMIT)
            if not ready:
                raise RuntimeError(f"virtual time: the loop has been idle {IDLE_LIMIT:g} s with no timer left")
            return ready
        self.loop.now += timeout
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """``time()`` is ``now``, which moves only when every task waits for a timer."""

    # a jump would not wait for a session's disk writer thread: on this loop it writes in place (golive.console.writer)
    disk_writes_inline = True

    def __init__(self) -> None:
        selector = _JumpingSelector()
        super().__init__(selector)
        self.now = START
        selector.loop = self
        # a jump lands on the timer's time give or take a rounding step of a float near START (0.24 us); asyncio
        # runs timers due within the clock's resolution, so it must exceed that step or the timer never comes due
        self._clock_resolution = 1e-6

    def time(self) -> float:
        return self.now


def run(main: Callable[[VirtualTimeLoop], Awaitable[T]]) -> T:
    """Run ``main(loop)`` to its end on a fresh virtual-time loop (pass ``loop.time`` as the clock under test)."""
    loop = VirtualTimeLoop()
    with asyncio.Runner(loop_factory=lambda: loop) as runner:
        return runner.run(main(loop))  # type: ignore[arg-type]
