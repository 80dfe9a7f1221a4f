"""One poll cycle of N distinct PromQL checks: Golive's Prometheus source against a sequential client.

Starts its own Prometheus holding the tests' backfilled history, then for N = 100,
500, 1000 times one full cycle (a) through ``checks.prometheus`` with every sample
awaited at once, (b) through ``console.scheduler`` as it runs checks today, and
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

from checks.prometheus import PrometheusSource  # noqa: E402
from console.runbook import PrometheusCheck, PrometheusTarget  # noqa: E402
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


def scheduler_available() -> bool:
    try:
        import console.scheduler  # noqa: F401
    except ImportError:
        return False
    return True


async def golive_cycle(url: str, checks: list, repeat: int, scheduler: str = "") -> tuple[float, float, int]:
    """Median wall time of one cycle, client CPU per query, and bad samples (must be 0).

    ``scheduler``: "" calls the source directly; "capped" goes through the scheduler as it
    is; "uncapped" through the scheduler without its per-target limit on samples in flight.
    """
    source = PrometheusSource("bench", PrometheusTarget(url=url), clock=lambda: NOW)
    run = _through_scheduler(source, url, scheduler == "uncapped") if scheduler else (lambda c: source.sample(c))
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


def _through_scheduler(source: PrometheusSource, url: str, uncapped: bool):
    from console.runbook import parse_runbook
    from console.scheduler import Scheduler, SourcePool

    runbook = parse_runbook(
        f'[runbook]\nname = "bench"\nservice = "bench"\nversion = "1"\n'
        f'[targets.prometheus.bench]\nurl = "{url}"\n'
        f'[[phase]]\nid = "p"\n[[phase.check]]\nid = "c"\nsource = "prometheus"\nquery = "1"\npass = "< 2"\n'
    )

    class FixedClockPool(SourcePool):
        def get(self, key):  # the pool's own source would query at the wall clock, where there is no history
            return source

        def limit(self, key):
            # the source bounds its own connections; the pool's limit caps how many samples can batch
            return asyncio.Semaphore(1_000_000) if uncapped else super().limit(key)

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
    with_scheduler = scheduler_available()

    with tempfile.TemporaryDirectory(prefix="golive-bench-") as tmp:
        folder = Path(tmp)
        tsdb, series = servers.build_history_tsdb("promtool", folder)
        port = free_port()
        prometheus = servers.prometheus_process("prometheus", folder, tsdb, port, [])
        prometheus.start()
        proxy, delayed_url = start_delay_proxy(port, 0.010)
        try:
            print(f"Prometheus with {series} backfilled series; {sys.executable.split('/')[-3]} Python "
                  f"{sys.version.split()[0]}; scheduler: {'console/scheduler.py' if with_scheduler else 'absent'}")
            header = (f"{'setting':<10} {'N':>5} {'baseline':>9} {'golive':>8} {'ratio':>6} {'sched':>8} "
                      f"{'ratio':>6} {'uncapped':>8} {'ratio':>6} {'CPU/q':>8} {'base CPU/q':>10}")
            print(header)
            print("-" * len(header))
            for setting, url in (("loopback", prometheus.url), ("20 ms RTT", delayed_url)):
                for n in sizes:
                    queries = distinct_queries(n)
                    checks = make_checks(queries)
                    wall, cpu, bad = asyncio.run(golive_cycle(url, checks, args.repeat))
                    sched = free = float("nan")
                    if with_scheduler:
                        sched, _, bad_s = asyncio.run(golive_cycle(url, checks, args.repeat, "capped"))
                        free, _, bad_f = asyncio.run(golive_cycle(url, checks, args.repeat, "uncapped"))
                        bad += bad_s + bad_f
                    base_repeat = args.repeat if setting == "loopback" else 1
                    base, base_cpu = baseline_cycle(url, queries, base_repeat)
                    note = f"  ({bad} samples without a value!)" if bad else ""
                    print(f"{setting:<10} {n:>5} {base:>8.3f}s {wall:>7.3f}s {base / wall:>5.1f}x {sched:>7.3f}s "
                          f"{base / sched:>5.1f}x {free:>7.3f}s {base / free:>5.1f}x {cpu * 1000:>6.3f}ms "
                          f"{base_cpu * 1000:>8.3f}ms{note}", flush=True)
        finally:
            proxy.kill()
            proxy.wait()
            prometheus.stop()
    print("baseline: sequential PrometheusConnect.custom_query (median of --repeat on loopback, one run at 20 ms).\n"
          "golive: one cycle through checks.prometheus with every sample awaited at once (median of --repeat).\n"
          "sched: the same through console.scheduler.Scheduler.sample_once as it is (per-target limit on samples\n"
          "in flight); uncapped: the scheduler without that limit. CPU/q: golive's client CPU per query.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
