"""An asyncio event loop on a daemon thread of its own, for client code too slow for the caller's loop
(the Kubernetes client's first calls cost seconds of CPU: it builds its argument validators then)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any, Coroutine, TypeVar

T = TypeVar("T")


class LoopThread:
    """A running event loop on a daemon thread; ``run`` hands it coroutines from any other loop."""

    def __init__(self, name: str):
        self.loop = asyncio.new_event_loop()
        self._ended: concurrent.futures.Future = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
            # stopped: what still runs is cancelled and allowed to clean up, as asyncio.run does
            tasks = asyncio.all_tasks(self.loop)
            for task in tasks:
                task.cancel()
            self.loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(None)
            self.loop.close()
            self._ended.set_result(None)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> "asyncio.Future[T]":
        """A future of the caller's loop for ``coroutine`` run on this thread's loop.

        Cancelling the future cancels the coroutine there.

        Raises:
            RuntimeError: the loop was stopped (the coroutine is closed unrun).
        """
        try:
            return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))
        except RuntimeError:
            coroutine.close()
            raise

    async def stop(self) -> None:
        """Stop the loop, cancelling what still runs on it, and wait (without blocking) for the thread to end."""
        try:
            self.loop.call_soon_threadsafe(self.loop.stop)
        except RuntimeError:
            pass  # already closed
        await asyncio.wrap_future(self._ended)
        self._thread.join()
