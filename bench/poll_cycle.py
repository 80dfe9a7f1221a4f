"""One poll cycle of N distinct PromQL checks: Golive's Prometheus source against a sequential client.

Starts its own Prometheus holding the tests' backfilled history, then for N = 100,
500, 1000 times one full cycle (a) through ``golive.console.scheduler`` and
``checks.prometheus`` as a go-live runs checks, (b) the source alone, and
(c) the baseline in the same run: ``prometheus_api_client.PrometheusConnect.custom_query``
in a loop. Twice: on loopback, and through a proxy that adds 10 ms each way (a
20 ms round trip; this machine has no netem). Prints figures; never fails on time.

Usage: python bench/poll_cycle.py [--sizes 100,500,1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from golive.checks.prometheus import PrometheusSource  # noqa: E402
from golive.console.runbook import PrometheusCheck, PrometheusTarget  # noqa: E402
from tests.fixtures import _prometheus_history as history  # noqa: E402
from tests.fixtures import _prometheus_server as servers  # noqa: E402
from tests.fixtures._binaries import free_port  # noqa: E402

NOW = history.NOW


def distinct_queries(n: int) -> list[str]:
    """n distinct single-series queries over the backfilled history, kinds mixed in a fixed order."""
    windows = ("1m", "2m", "5m", "10m")
    queries = []
    for w in windows:
        for s in history.STATUS_RATE:
            for r in history.REGION_FACTOR:
                for v in history.VERSIONS:
                    queries.append(f'sum(rate(http_requests_total{{status="{s}",region="{r}",version="{v}"}}[{w}]))')
                for m in history.METHOD_FACTOR:
                    queries.append(f'sum(increase(http_requests_total{{status="{s}",region="{r}",method="{m}"}}[{w}]))')
        for r in history.REGION_FACTOR:
            for v in history.VERSIONS:
                queries.append(f'sum(rate(http_requests_total{{status=~"5..",region="{r}",version="{v}"}}[{w}]))'
                               f' / sum(rate(http_requests_total{{region="{r}",version="{v}"}}[{w}])) * 100')
                for q in (0.5, 0.9, 0.95, 0.99):
                    queries.append(f'histogram_quantile({q}, sum by (le) (rate(http_request_duration_seconds_bucket'
                                   f'{{region="{r}",version="{v}"}}[{w}])))')
    random.Random(7).shuffle(queries)
    if n > len(queries):
        raise SystemExit(f"at most {len(queries)} distinct queries")
    return queries[:n]


def make_checks(queries: list[str]) -> list[PrometheusCheck]:
    return [PrometheusCheck.model_validate({"id": f"q{i}", "source": "prometheus", "query": q, "pass": "< 1e15"})
            for i, q in enumerate(queries)]


async def golive_cycle(url: str, checks: list, repeat: int, direct: bool = False) -> tuple[float, float, int]:
    """Median wall time of one cycle, client CPU per query, and bad samples (must be 0).

    Through ``golive.console.scheduler`` as a go-live runs checks, or (``direct``) the source alone.
    """
    source = PrometheusSource("bench", PrometheusTarget(url=url), clock=lambda: NOW)
    run = (lambda c: source.sample(c)) if direct else _through_scheduler(source, url)
    try:
        await asyncio.gather(*(run(c) for c in checks))  # warm: connections open
        walls, cpus, bad = [], [], 0
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            samples = await asyncio.gather(*(run(c) for c in checks))
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            bad += sum(1 for s in samples if s.value is None)
        return statistics.median(walls), statistics.mean(cpus) / len(checks), bad
    finally:
        await source.close()


def _through_scheduler(source: PrometheusSource, url: str):
    from golive.console.runbook import parse_runbook
    from golive.console.scheduler import Scheduler, SourcePool

    runbook = parse_runbook(
        f'[runbook]\nname = "bench"\nservice = "bench"\nversion = "1"\n'
        f'[targets.prometheus.bench]\nurl = "{url}"\n'
        f'[[phase]]\nid = "p"\n[[phase.check]]\nid = "c"\nsource = "prometheus"\nquery = "1"\npass = "< 2"\n'
    )

    class FixedClockPool(SourcePool):
        def get(self, key):  # the pool's own source would query at the wall clock, where there is no history
            return source

    scheduler = Scheduler(FixedClockPool(runbook), on_sample=lambda s: None, clock=lambda: NOW)
    return scheduler.sample_once


def baseline_cycle(url: str, queries: list[str], repeat: int) -> tuple[float, float]:
    """Median wall time of the sequential custom_query loop, and its CPU per query."""
    from prometheus_api_client import PrometheusConnect

    client = PrometheusConnect(url=url, disable_ssl=True)
    client.custom_query(query=queries[0], params={"time": NOW})  # warm: connection open
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        for query in queries:
            client.custom_query(query=query, params={"time": NOW})
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.mean(cpus) / len(queries)


def start_delay_proxy(upstream_port: int, delay: float) -> tuple[subprocess.Popen, str]:
    proxy = subprocess.Popen([sys.executable, str(Path(__file__).with_name("delay_proxy.py")), str(upstream_port),
                              str(delay)], stdout=subprocess.PIPE, text=True)
    port = int(proxy.stdout.readline())
    return proxy, f"http://127.0.0.1:{port}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,1000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="golive-bench-") as tmp:
        folder = Path(tmp)
        tsdb, series = servers.build_history_tsdb("promtool", folder)
        port = free_port()
        prometheus = servers.prometheus_process("prometheus", folder, tsdb, port, [])
        prometheus.start()
        proxy, delayed_url = start_delay_proxy(port, 0.010)
        try:
            print(f"Prometheus with {series} backfilled series; Python {sys.version.split()[0]}")
            header = (f"{'setting':<10} {'N':>5} {'baseline':>9} {'golive':>8} {'ratio':>6} {'source':>8} "
                      f"{'CPU/q':>8} {'base CPU/q':>10}")
            print(header)
            print("-" * len(header))
            for setting, url in (("loopback", prometheus.url), ("20 ms RTT", delayed_url)):
                for n in sizes:
                    queries = distinct_queries(n)
                    checks = make_checks(queries)
                    wall, cpu, bad = asyncio.run(golive_cycle(url, checks, args.repeat))
                    alone, _, bad_a = asyncio.run(golive_cycle(url, checks, args.repeat, direct=True))
                    bad += bad_a
                    base_repeat = args.repeat if setting == "loopback" else 1
                    base, base_cpu = baseline_cycle(url, queries, base_repeat)
                    note = f"  ({bad} samples without a value!)" if bad else ""
                    print(f"{setting:<10} {n:>5} {base:>8.3f}s {wall:>7.3f}s {base / wall:>5.1f}x {alone:>7.3f}s "
                          f"{cpu * 1000:>6.3f}ms {base_cpu * 1000:>8.3f}ms{note}", flush=True)
        finally:
            proxy.kill()
            proxy.wait()
            prometheus.stop()
    print("baseline: sequential PrometheusConnect.custom_query (median of --repeat on loopback, one run at 20 ms).\n"
          "golive: one cycle of every check through console.scheduler and checks.prometheus (median of --repeat).\n"
          "source: the same cycle calling the source directly. CPU/q: golive's client CPU per query.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
