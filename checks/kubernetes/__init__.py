"""Kubernetes evidence: rollouts and pods of one cluster target, followed by list+watch into a cache
with the official client's asyncio API, on a loop thread of the source's own (see ``KubernetesSource``)."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, Callable

from golive.checks.base import Sample, SourceError
from golive.checks.kubernetes.cluster import ClusterFollower
from golive.checks.kubernetes.loop import LoopThread


class KubernetesSource:
    """Rollout and pod evidence from one cluster (one kubeconfig context, or in-cluster).

    The client is slow to start: its import, and the first call of each API method
    (pydantic builds the method's validators then), cost seconds of CPU. So the client,
    its watches and the cache live on a daemon thread with an event loop of its own,
    started by the first ``sample`` and stopped by ``close``; the caller's loop only
    awaits the verdict. ``on_change()`` and ``on_log(level, text)`` are called on the
    loop that last called ``sample``, never on the source's thread.
    """

    kind = "kubernetes"

    def __init__(self, name: str, target: Any | None, on_change: Any = None, on_log: Any = None):
        self.name = name
        self._on_change: Callable[[], None] | None = on_change
        self._on_log: Callable[[str, str], None] | None = on_log
        self._caller: asyncio.AbstractEventLoop | None = None
        self._thread: LoopThread | None = None
        self._cluster = ClusterFollower(target, on_change=self._changed if on_change else None,
                                        on_log=self._logged if on_log else None)

    async def sample(self, check: Any) -> Sample:
        """The check judged on the cached cluster state (see ``ClusterFollower.sample``).

        Returns ERROR (``Sample.failed``) until the first list arrives and while the API
        server is unreachable or refuses the credentials; no data when a pods-ready check
        selects no pod; otherwise ``ok`` with ``value`` = ready pods and
        ``extra["pods"]`` = the rows of the pod table.
        """
        at = time.time()
        if not check.deployment and not check.selector:
            return Sample.failed(check.id, at, "a kubernetes check needs a deployment or a selector")
        if check.expect == "available" and not check.deployment:
            return Sample.failed(check.id, at, 'expect = "available" needs a deployment')
        self._caller = asyncio.get_running_loop()
        if self._thread is None:
            self._thread = LoopThread(f"golive-kubernetes-{self.name}")
        return await self._thread.run(self._cluster.sample(check, at))

    def watch_status(self, namespace: str) -> dict:
        """How the following of a namespace goes: lists made, last resourceVersion, error (for diagnosis)."""
        return self._cluster.watch_status(namespace)

    async def close(self) -> None:
        """Stop every watch, close the API client and end the source's thread."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        try:
            await thread.run(self._cluster.close())
        finally:
            await thread.stop()

    # the cluster side calls these on the source's thread; the news is for the caller's loop

    def _changed(self) -> None:
        self._to_caller(self._on_change)

    def _logged(self, level: str, text: str) -> None:
        self._to_caller(self._on_log, level, text)

    def _to_caller(self, callback: Any, *args: Any) -> None:
        caller = self._caller
        if caller is None or callback is None:
            return
        try:
            caller.call_soon_threadsafe(callback, *args)
        except RuntimeError:
            pass  # the caller's loop is closed: nobody is left to tell


def create(name: str, target: Any | None, *, on_change: Any = None, on_log: Any = None) -> KubernetesSource:
    """The source for one ``[targets.kubernetes.<name>]``.

    Raises:
        SourceError: the target names a kubeconfig file that does not exist.
    """
    kubeconfig = getattr(target, "kubeconfig", None)
    if kubeconfig and not os.path.isfile(os.path.expanduser(kubeconfig)):
        raise SourceError(f"kubeconfig {kubeconfig} not found")
    return KubernetesSource(name, target, on_change=on_change, on_log=on_log)
