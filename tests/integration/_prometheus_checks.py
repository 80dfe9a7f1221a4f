"""Building Prometheus checks and sources for the integration tests."""

from __future__ import annotations

import asyncio
from typing import Any

from golive.checks.prometheus import PrometheusSource, create
from golive.console.runbook import PrometheusCheck, PrometheusTarget
from tests.fixtures._prometheus_history import NOW


def check(query: str, *, passes: str = "< 1e15", each: bool = False, timeout: float = 10.0,
          check_id: str = "c") -> PrometheusCheck:
    return PrometheusCheck.model_validate(
        {"id": check_id, "source": "prometheus", "query": query, "pass": passes, "each": each, "timeout": timeout}
    )


def source(url: str, *, at: float | None = NOW, **target: Any) -> PrometheusSource:
    """A source for ``url``; ``at`` fixes the evaluation time (None: the real clock)."""
    spec = PrometheusTarget(url=url, **target)
    return create("main", spec, clock=(lambda: at) if at is not None else None)


def sample_alone(url: str, c: PrometheusCheck, **target: Any):
    """One sample from a fresh source, closed afterwards."""
    async def run():
        src = source(url, **target)
        try:
            return await src.sample(c)
        finally:
            await src.close()

    return asyncio.run(run())
