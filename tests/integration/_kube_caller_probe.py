"""Watches the caller's event loop while a fresh process takes its first Kubernetes sample; prints JSON.

``python -m tests.integration._kube_caller_probe KUBECONFIG NAMESPACE DEPLOYMENT`` (see ``probe``)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
import threading
import time
from typing import Any

TICK = 0.005


def package_dir(name: str) -> str:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin, name
    return os.path.dirname(spec.origin) + os.sep


# the client, and pydantic's checking of its arguments: the costly part of a first call
VALIDATED_CLIENT = (package_dir("kubernetes"), os.path.join(package_dir("pydantic"), "_internal", "_validate_call.py"))
# aiohttp too must not run on the caller's thread (yet it reads ~/.netrc in an executor thread)
CLIENT_CODE = VALIDATED_CLIENT + (package_dir("aiohttp"),)


def in_validated_client(frame: Any) -> bool:
    """Whether a frame, or any frame that called it, runs the client or its argument checks."""
    while frame is not None:
        if frame.f_code.co_filename.startswith(VALIDATED_CLIENT):
            return True
        frame = frame.f_back
    return False


class CallerWatch:
    """A profile hook on the caller's thread that notes the first client function run there."""

    def __init__(self) -> None:
        self.first: str | None = None

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.startswith(CLIENT_CODE):
            self.first = f"{frame.f_code.co_filename}:{frame.f_code.co_name}"
            sys.setprofile(None)  # one is proof enough; profiling on would only slow the rest


async def ticker(stats: dict) -> None:
    """Wakes every TICK: records the longest gap, and the turns taken while client code ran elsewhere."""
    caller = threading.get_ident()
    last = time.perf_counter()
    while True:
        await asyncio.sleep(TICK)
        now = time.perf_counter()
        stats["longest_gap"] = max(stats["longest_gap"], now - last)
        last = now
        stats["ticks"] += 1
        if any(in_validated_client(frame) for ident, frame in sys._current_frames().items() if ident != caller):
            stats["ticks_while_client_busy_elsewhere"] += 1


async def probe(kubeconfig: str, namespace: str, deployment: str) -> dict:
    """Sample one rollout check once, then close; returns the first client function seen running on
    the caller's thread (or None), the caller's turns (all, and while the client ran on another
    thread) and its longest gap between turns during the sample, and the sample."""
    watch = CallerWatch()
    sys.setprofile(watch)  # from the source's import to its close
    try:
        from golive.checks.kubernetes import create
        from golive.console.runbook import KubernetesCheck, KubernetesTarget

        check = KubernetesCheck(id="rollout", source="kubernetes", deployment=deployment)
        source = create("probe", KubernetesTarget(kubeconfig=kubeconfig, namespace=namespace))
        stats = {"longest_gap": 0.0, "ticks": 0, "ticks_while_client_busy_elsewhere": 0}
        ticking = asyncio.create_task(ticker(stats))
        await asyncio.sleep(0)  # the ticker's clock starts before the sample
        began = time.perf_counter()
        try:
            sample = await source.sample(check)
            took = time.perf_counter() - began
            ticking.cancel()
        finally:
            await source.close()
    finally:
        sys.setprofile(None)
    return {"client_code_on_caller": watch.first, "first_sample_seconds": took, **stats,
            "sample": {"ok": sample.ok, "value": sample.value, "error": sample.error, "detail": sample.detail},
            "kubernetes_imported": "kubernetes" in sys.modules}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(probe(*sys.argv[1:4]))))
