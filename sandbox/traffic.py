"""The demo's simulated traffic: request rate, error ratio, p95 latency and saturation, driven by the rollout.

Values are a function of simulated time and of the share of traffic on the new
version (from the Kubernetes sandbox's ready pods), with deterministic noise, so
an instant query and a range query over the same moment agree. This is a
sandbox for the demo and tests, not a model of any real service.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, ClassVar

SCENARIOS = ("good", "bad-canary", "flaky", "blue-green", "blue-green-bad", "soak", "smoke")
BREAKING = ("bad-canary", "blue-green-bad")   # the new version breaks under the load of 25 % and more


def _noise(key: str, t: float) -> float:
    """Deterministic noise in [-1, 1] for a key and a whole second of time."""
    digest = hashlib.blake2b(f"{key}:{int(t)}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 0xFFFFFFFF * 2 - 1


@dataclass
class TrafficModel:
    """Metrics of one service with an old and a new version side by side."""

    # other services whose exporters' metrics the model answers too (a cache's `service="…-cache"`)
    companions: ClassVar[tuple[str, ...]] = ()

    service: str
    old_version: str
    new_version: str
    scenario: str = "good"
    speed: float = 1.0
    weight_source: Callable[[], float] = lambda: 0.0   # share of ready pods on the new version, 0..1
    stage_source: Callable[[], float] = lambda: 0.0    # the canary weight the rollout was set to, 0..100
    clock: Callable[[], float] = time.time
    started: float = field(default_factory=time.time)
    # the flaky scenario's outage: from this long after the canary reaches 25 %, for this long (simulated s)
    outage: tuple[float, float] = (5.0, 30.0)
    _times: list[float] = field(default_factory=list)
    _weights: list[float] = field(default_factory=list)
    _stage25_since: float | None = None  # simulated time the canary reached 25 %
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def sim_time(self, t: float | None = None) -> float:
        """Simulated seconds since the start for a wall-clock time."""
        t = self.clock() if t is None else t
        return (t - self.started) * self.speed

    def record(self) -> None:
        """Sample the rollout's weight now (the sandbox calls this about once a second)."""
        now = self.clock()
        weight = max(0.0, min(1.0, float(self.weight_source())))
        with self._lock:
            self._times.append(now)
            self._weights.append(weight)
            # the bad canary looks healthy at 5 % and breaks under the load of 25 %
            if self._stage25_since is None and self.stage_source() >= 25:
                self._stage25_since = self.sim_time(now)
            if len(self._times) > 20000:
                del self._times[:10000], self._weights[:10000]

    def weight_at(self, t: float) -> float:
        with self._lock:
            i = bisect.bisect_right(self._times, t) - 1
            return self._weights[i] if i >= 0 else 0.0

    def in_outage(self, t: float | None = None) -> bool:
        """The flaky scenario drops the metrics endpoint while the canary runs at 25 %."""
        with self._lock:
            since = self._stage25_since
        if self.scenario != "flaky" or since is None:
            return False
        after = self.sim_time(t) - since
        return self.outage[0] <= after < self.outage[0] + self.outage[1]

    def _breaking_for(self, t: float) -> float:
        """Simulated seconds since the bad canary started to break at time t (0 before, and when good)."""
        with self._lock:
            since = self._stage25_since if self.scenario in BREAKING else None
        if since is None:
            return 0.0
        return max(0.0, self.sim_time(t) - since)

    # ------------------------------------------------------------ metrics

    def request_rate(self, version: str | None, t: float) -> float:
        s = self.sim_time(t)
        total = 240 + 30 * math.sin(s / 90) + 8 * _noise("rps", s)
        if version is None:
            return total
        w = self.weight_at(t)
        return total * (w if version == self.new_version else 1 - w)

    def error_ratio(self, version: str | None, t: float) -> float | None:
        """5xx share in percent; None when the version takes no traffic (no data, as in Prometheus)."""
        s = self.sim_time(t)
        old = 0.08 + 0.03 * _noise("err-old", s)
        new = 0.11 + 0.04 * _noise("err-new", s)
        if self.scenario == "soak":
            new *= 0.2   # a release that has settled: the seed's 24-hour validation reports 0.02 %
        new += min(6.0, 0.15 * self._breaking_for(t) ** 1.2)
        if version is None:
            w = self.weight_at(t)
            return old * (1 - w) + new * w
        if version == self.new_version:
            return new if self.weight_at(t) > 0 else None
        return old if self.weight_at(t) < 1 else None

    def latency_p95(self, version: str | None, t: float) -> float | None:
        s = self.sim_time(t)
        old = 182 + 9 * _noise("lat-old", s)
        new = 168 + 9 * _noise("lat-new", s)
        new += min(400.0, 6 * self._breaking_for(t))
        if version is None:
            w = self.weight_at(t)
            return old * (1 - w) + new * w
        if version == self.new_version:
            return new if self.weight_at(t) > 0 else None
        return old if self.weight_at(t) < 1 else None

    def saturation(self, t: float) -> float:
        s = self.sim_time(t)
        return 38 + 10 * (self.request_rate(None, t) - 240) / 30 + 3 * _noise("cpu", s)
