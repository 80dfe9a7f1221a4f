"""The scheduler with fake sources on a virtual clock: sharing, concurrency limits, timeouts, backoff, never
raising. Time moves only when every task waits, so each figure below is exact, not a count over real time."""

from __future__ import annotations

import asyncio

import pytest

from golive.checks.base import Sample
from golive.console.runbook import parse_runbook
from golive.console.scheduler import BACKOFF_CAP, Scheduler, SourcePool
from tests.unit.virtual_time import START, run

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
    """Answers after ``delay`` seconds of the loop's clock; remembers when each request started."""

    kind = "prometheus"

    def __init__(self, delay=0.05, behaviour=None):
        self.delay, self.behaviour = delay, behaviour
        self.starts: list[float] = []     # seconds after the start, one per request
        self.running, self.peak, self.cancelled = 0, 0, 0

    @property
    def calls(self) -> int:
        return len(self.starts)

    async def sample(self, check):
        loop = asyncio.get_running_loop()
        self.starts.append(round(loop.time() - START, 6))
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(self.delay)
            if self.behaviour:
                return self.behaviour(check, self.calls)
            return Sample.number(check.id, loop.time(), 0.5)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
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


def collect(rb, cks, source, seconds):
    """Samples delivered in ``seconds`` of virtual time, and the scheduler."""
    async def main(loop):
        got: list[Sample] = []
        sched = Scheduler(FakePool(rb, source), got.append, clock=loop.time)
        sched.set_checks(cks)
        await asyncio.sleep(seconds)
        await sched.close()
        return got, sched

    return run(main)


def gaps(starts: list[float]) -> list[float]:
    return [round(b - a, 6) for a, b in zip(starts, starts[1:], strict=False)]


def test_identical_queries_on_one_target_share_one_request():
    rb, cks = checks(5, query=lambda i: "same_query", every="1h")
    source = FakeSource(delay=0.05)
    got, sched = collect(rb, cks, source, 0.15)
    assert source.calls == 1 and sched.requests == 1  # five checks, one request
    assert sorted(s.check_id for s in got) == [f"c{i}" for i in range(5)]


def test_each_shared_result_is_delivered_under_every_checks_own_id():
    rb, cks = checks(3, query=lambda i: "same_query", every="1h")
    got, _ = collect(rb, cks, FakeSource(delay=0.02), 0.05)
    assert sorted(s.check_id for s in got) == ["c0", "c1", "c2"]
    assert {s.value for s in got} == {0.5}


def test_a_target_never_has_more_requests_in_flight_than_its_concurrency():
    rb, cks = checks(10, every="1h")
    source = FakeSource(delay=0.05)
    got, _ = collect(rb, cks, source, 0.3)
    # ten requests at once, two at a time: they start in pairs, one answer time apart
    assert source.peak == 2
    assert source.starts == [0.0, 0.0, 0.05, 0.05, 0.1, 0.1, 0.15, 0.15, 0.2, 0.2]
    assert len(got) == 10


def test_a_sample_that_outlives_its_timeout_is_an_error_stamped_when_it_timed_out():
    rb, cks = checks(1, timeout="50ms", every="1h")
    source = FakeSource(delay=5)
    got, _ = collect(rb, cks, source, 0.2)
    assert [s.error for s in got] == ["timed out after 0.05s"]
    assert got[0].at == pytest.approx(START + 0.05)
    assert source.cancelled == 1 and source.running == 0   # the slow request does not linger


def test_a_source_that_raises_gives_an_error_sample_not_a_crash():
    rb, cks = checks(1, every="1h")

    def boom(check, n):
        raise RuntimeError("parser exploded\nsecond line")

    got, _ = collect(rb, cks, FakeSource(delay=0, behaviour=boom), 0.05)
    assert [s.error for s in got] == ["RuntimeError: parser exploded"]
    assert got[0].at == pytest.approx(START)


def test_errors_back_off_doubling_the_interval():
    rb, cks = checks(1, every="20ms")

    def fail(check, n):
        return Sample.failed(check.id, 0.0, "down")

    failing = FakeSource(delay=0, behaviour=fail)
    collect(rb, cks, failing, 0.7)
    assert gaps(failing.starts) == [0.02, 0.04, 0.08, 0.16, 0.32]


def test_a_success_resets_the_interval_after_errors():
    rb, cks = checks(1, every="20ms")

    def fail_three_times(check, n):
        return Sample.failed(check.id, 0.0, "down") if n <= 3 else Sample.number(check.id, 0.0, 0.5)

    source = FakeSource(delay=0, behaviour=fail_three_times)
    collect(rb, cks, source, 0.25)
    assert gaps(source.starts) == [0.02, 0.04, 0.08, 0.02, 0.02, 0.02, 0.02, 0.02]


def test_the_backoff_stops_growing_at_its_cap():
    rb, cks = checks(1, every="100s")

    def fail(check, n):
        return Sample.failed(check.id, 0.0, "down")

    source = FakeSource(delay=0, behaviour=fail)
    collect(rb, cks, source, 1500)
    assert gaps(source.starts) == [100, 200, BACKOFF_CAP, BACKOFF_CAP, BACKOFF_CAP]


def test_the_next_sample_starts_when_the_last_ends_never_piling_up():
    rb, cks = checks(1, every="10ms", timeout="2s")
    source = FakeSource(delay=0.1)
    collect(rb, cks, source, 0.35)
    assert source.peak == 1
    assert gaps(source.starts) == [0.11, 0.11, 0.11]   # 100 ms answering, then the 10 ms interval


def test_removing_a_check_stops_its_sampling():
    rb, cks = checks(2)

    async def main(loop):
        got: list[Sample] = []
        sched = Scheduler(FakePool(rb, FakeSource(delay=0)), got.append, clock=loop.time)
        sched.set_checks(cks)
        await asyncio.sleep(0.05)
        sched.set_checks(cks[:1])
        before = len([s for s in got if s.check_id == "c1"])
        await asyncio.sleep(1)
        after = len([s for s in got if s.check_id == "c1"])
        kept = len([s for s in got if s.check_id == "c0"])
        await sched.close()
        return before, after, kept, sched.active

    before, after, kept, active = run(main)
    assert before == after == 1 and kept == 11 and active == []


def test_a_poke_samples_now_instead_of_waiting_for_the_interval():
    rb, cks = checks(1, every="1h")

    async def main(loop):
        source = FakeSource(delay=0)
        sched = Scheduler(FakePool(rb, source), lambda s: None, clock=loop.time)
        sched.set_checks(cks)
        await asyncio.sleep(0.02)
        sched.poke("prometheus:main")
        await asyncio.sleep(0.02)
        await sched.close()
        return source.starts

    assert run(main) == [0.0, 0.02]


def test_a_poke_for_another_target_leaves_the_interval_alone():
    rb, cks = checks(1, every="1h")

    async def main(loop):
        source = FakeSource(delay=0)
        sched = Scheduler(FakePool(rb, source), lambda s: None, clock=loop.time)
        sched.set_checks(cks)
        await asyncio.sleep(0.02)
        sched.poke("kubernetes:prod")
        await asyncio.sleep(0.02)
        await sched.close()
        return source.starts

    assert run(main) == [0.0]
