"""The scheduler with fake sources: sharing, concurrency limits, timeouts, backoff, never raising."""

from __future__ import annotations

import asyncio

from golive.checks.base import Sample
from golive.console.runbook import parse_runbook
from golive.console.scheduler import Scheduler, SourcePool

RUNBOOK = """
[runbook]
name = "x"
service = "x"
version = "1"

[targets.prometheus.main]
url = "http://127.0.0.1:9"
concurrency = 2

[[phase]]
id = "p"
"""


def checks(n: int, query=lambda i: f"q{i}", every="100ms", timeout="1s"):
    body = RUNBOOK + "".join(
        f'\n  [[phase.check]]\n  id = "c{i}"\n  source = "prometheus"\n  query = "{query(i)}"\n  pass = "< 1"\n'
        f'  every = "{every}"\n  timeout = "{timeout}"\n' for i in range(n))
    rb = parse_runbook(body, "t.toml")
    return rb, rb.phases[0].checks


class FakeSource:
    kind = "prometheus"

    def __init__(self, delay=0.05, behaviour=None):
        self.delay, self.behaviour = delay, behaviour
        self.calls, self.running, self.peak = 0, 0, 0

    async def sample(self, check):
        self.calls += 1
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(self.delay)
            if self.behaviour:
                return self.behaviour(check, self.calls)
            return Sample.number(check.id, 0.0, 0.5)
        finally:
            self.running -= 1

    async def close(self):
        pass


class FakePool(SourcePool):
    def __init__(self, runbook, source):
        super().__init__(runbook)
        self.source = source

    def get(self, key):
        return self.source


async def collect(rb, cks, source, seconds):
    got: list[Sample] = []
    sched = Scheduler(FakePool(rb, source), got.append)
    sched.set_checks(cks)
    await asyncio.sleep(seconds)
    await sched.close()
    return got, sched


def test_identical_queries_on_one_target_share_one_request():
    rb, cks = checks(5, query=lambda i: "same_query", every="1h")
    source = FakeSource(delay=0.05)
    got, sched = asyncio.run(collect(rb, cks, source, 0.15))
    assert source.calls == 1 and sched.requests == 1  # five checks, one request
    assert sorted(s.check_id for s in got) == [f"c{i}" for i in range(5)]


def test_each_shared_result_is_delivered_under_every_checks_own_id():
    rb, cks = checks(3, query=lambda i: "same_query")
    source = FakeSource(delay=0.02)
    got, _ = asyncio.run(collect(rb, cks, source, 0.05))
    assert {s.check_id for s in got} == {"c0", "c1", "c2"}


def test_a_target_never_has_more_requests_in_flight_than_its_concurrency():
    rb, cks = checks(10)
    source = FakeSource(delay=0.05)
    asyncio.run(collect(rb, cks, source, 0.3))
    assert source.peak == 2 and source.calls >= 10


def test_a_sample_that_outlives_its_timeout_is_an_error():
    rb, cks = checks(1, timeout="50ms")
    source = FakeSource(delay=5)
    got, _ = asyncio.run(collect(rb, cks, source, 0.2))
    assert got and got[0].error == "timed out after 0.05s"


def test_a_source_that_raises_gives_an_error_sample_not_a_crash():
    rb, cks = checks(1)

    def boom(check, n):
        raise RuntimeError("parser exploded\nsecond line")

    got, _ = asyncio.run(collect(rb, cks, FakeSource(delay=0, behaviour=boom), 0.05))
    assert got[0].error == "RuntimeError: parser exploded"


def test_errors_back_off_and_a_success_resets_the_interval():
    rb, cks = checks(1, every="20ms")

    def fail(check, n):
        return Sample.failed(check.id, 0.0, "down")

    failing = FakeSource(delay=0, behaviour=fail)
    asyncio.run(collect(rb, cks, failing, 0.5))
    healthy = FakeSource(delay=0)
    asyncio.run(collect(rb, cks, healthy, 0.5))
    # 20, 40, 80, 160 ms... gives ~5 tries in 0.5 s; a healthy check samples ~25 times
    assert failing.calls <= 6 < healthy.calls


def test_the_next_sample_starts_when_the_last_ends_never_piling_up():
    rb, cks = checks(1, every="10ms", timeout="2s")
    source = FakeSource(delay=0.1)
    asyncio.run(collect(rb, cks, source, 0.35))
    assert source.peak == 1


def test_removing_a_check_stops_its_sampling():
    rb, cks = checks(2)

    async def run():
        got: list[Sample] = []
        sched = Scheduler(FakePool(rb, FakeSource(delay=0)), got.append)
        sched.set_checks(cks)
        await asyncio.sleep(0.05)
        sched.set_checks(cks[:1])
        await asyncio.sleep(0.01)
        before = len([s for s in got if s.check_id == "c1"])
        await asyncio.sleep(0.3)
        after = len([s for s in got if s.check_id == "c1"])
        await sched.close()
        return before, after, sched.active

    before, after, active = asyncio.run(run())
    assert before == after and active == []


def test_a_poke_samples_now_instead_of_waiting_for_the_interval():
    rb, cks = checks(1, every="1h")

    async def run():
        source = FakeSource(delay=0)
        sched = Scheduler(FakePool(rb, source), lambda s: None)
        sched.set_checks(cks)
        await asyncio.sleep(0.02)
        sched.poke("prometheus:main")
        await asyncio.sleep(0.02)
        await sched.close()
        return source.calls

    assert asyncio.run(run()) == 2
