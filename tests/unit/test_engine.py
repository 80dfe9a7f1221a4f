"""The engine's semantics: holds, no data, triggers, overrides, timeouts, rollbacks — with a fake clock."""

from __future__ import annotations

import math

import pytest

from golive.checks.base import Sample
from golive.console import events as ev
from golive.console.engine import Engine, Refused, judge
from golive.console.runbook import parse_runbook

RUNBOOK = """
[runbook]
name = "svc ${version}"
service = "svc"
version = "v2"
signoff = ["deployment-lead", "operations"]

[targets.prometheus.main]
url = "http://127.0.0.1:9"

[[phase]]
id = "canary"
hold = "5m"
timeout = "30m"
action = { run = ["true"] }

  [[phase.check]]
  id = "err"
  source = "prometheus"
  query = "x"
  pass = "< 0.5"
  warn = "< 1"
  unit = "%"

  [[phase.check]]
  id = "smoke"
  source = "manual"
  role = "qa"

[[phase]]
id = "full"

  [[phase.check]]
  id = "lat"
  source = "prometheus"
  query = "y"
  pass = "< 500"

[[trigger]]
id = "spike"
source = "prometheus"
query = "z"
fire = "> 1"
for = "5m"
then = "rollback"

[rollback]
run = ["true"]
"""


class Clock:
    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(clock: Clock) -> Engine:
    eng = Engine(parse_runbook(RUNBOOK, "test.toml"))
    feed(eng, eng.cmd_start(clock(), operator="alice"))
    return eng


def feed(engine: Engine, events: list[ev.Event]) -> list[ev.Event]:
    for e in events:
        engine.apply(e)
    return events


def sample(engine: Engine, check_id: str, at: float, value: float | None = None, **kw) -> list[ev.Event]:
    s = Sample.number(check_id, at, value) if value is not None else Sample(check_id=check_id, at=at, **kw)
    return feed(engine, engine.observe(s))


def run_action(engine: Engine, clock: Clock) -> None:
    feed(engine, [ev.ActionStarted(at=clock(), action="phase:canary", argv=("true",)),
                  ev.ActionFinished(at=clock(), action="phase:canary", exit_code=0)])


def test_a_check_with_no_data_is_an_error_not_a_pass(engine: Engine, clock: Clock):
    out = sample(engine, "err", clock(), no_data=True, detail="empty vector")
    assert [e.verdict for e in out] == ["ERROR"]
    assert engine.state.checks["err"].verdict == "ERROR"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_no_data_never_a_value(engine: Engine, clock: Clock, value: float):
    out = sample(engine, "err", clock(), value)
    assert out[0].verdict == "ERROR"


def test_no_data_can_be_declared_a_failure_but_never_a_pass():
    rb = parse_runbook(RUNBOOK.replace('unit = "%"', 'unit = "%"\n  on_no_data = "fail"'), "t.toml")
    verdict, _ = judge(rb.check("err"), Sample.empty("err", 0))
    assert verdict == "FAIL"


def test_an_error_sample_is_error(engine: Engine, clock: Clock):
    out = sample(engine, "err", clock(), error="connection refused")
    assert out[0].verdict == "ERROR" and out[0].detail == "connection refused"


def test_warn_is_the_band_between_pass_and_fail(engine: Engine, clock: Clock):
    assert sample(engine, "err", clock(), 0.7)[0].verdict == "WARN"
    assert sample(engine, "err", clock(), 3.0)[0].verdict == "FAIL"
    assert sample(engine, "err", clock(), 0.1)[0].verdict == "PASS"


def test_only_verdict_changes_become_events(engine: Engine, clock: Clock):
    assert len(sample(engine, "err", clock(), 0.1)) == 1
    assert sample(engine, "err", clock() + 15, 0.2) == []
    assert engine.state.checks["err"].count == 2 and engine.state.checks["err"].max == 0.2


def test_a_hold_counts_from_the_phase_action_not_before_it(engine: Engine, clock: Clock):
    sample(engine, "err", clock(), 0.1)
    clock.t += 600
    assert not engine.is_held("err", clock())  # passing for 10 min, but the action never ran
    run_action(engine, clock)
    clock.t += 299
    assert not engine.is_held("err", clock())
    clock.t += 1
    assert engine.is_held("err", clock())


def test_a_hold_broken_by_one_fail_starts_again(engine: Engine, clock: Clock):
    run_action(engine, clock)
    sample(engine, "err", clock(), 0.1)
    clock.t += 240
    sample(engine, "err", clock(), 5.0)  # one FAIL
    clock.t += 15
    sample(engine, "err", clock(), 0.1)
    start = clock.t
    clock.t += 120
    held, hold = engine.hold_progress("err", clock())
    assert (held, hold) == (120, 300)
    clock.t = start + 300
    assert engine.is_held("err", clock())


def test_the_gate_opens_only_when_every_check_is_held_and_every_item_confirmed(engine: Engine, clock: Clock):
    run_action(engine, clock)
    sample(engine, "err", clock(), 0.1)
    clock.t += 300
    gate = engine.gate(clock())
    assert not gate.open and any("not confirmed" in r for r in gate.reasons)
    with pytest.raises(Refused, match="gate closed"):
        engine.cmd_proceed("alice", now=clock())
    feed(engine, engine.cmd_tick("smoke", "bob", now=clock()))
    assert engine.gate(clock()).open
    feed(engine, engine.cmd_proceed("alice", now=clock()))
    assert engine.state.phases[0].status == "passed"
    assert engine.active_phase().id == "full"


def test_proceed_with_a_closed_gate_says_why(engine: Engine, clock: Clock):
    with pytest.raises(Refused) as info:
        engine.cmd_proceed("alice", now=clock())
    assert "phase action has not run" in str(info.value)


def test_an_override_needs_a_written_reason_and_makes_the_outcome_partial(engine: Engine, clock: Clock):
    with pytest.raises(Refused, match="reason"):
        engine.cmd_override("alice", "  ", now=clock())
    feed(engine, engine.cmd_override("alice", "metrics pipeline down, checked by hand", now=clock()))
    assert engine.state.phases[0].status == "overridden"
    decision = engine.state.decisions[-1]
    assert decision["kind"] == "override" and "checked by hand" in decision["reason"]
    sample(engine, "lat", clock(), 100)
    feed(engine, engine.cmd_proceed("alice", now=clock()))
    assert engine.state.outcome == "PARTIAL"


def test_a_phase_timeout_is_no_go(engine: Engine, clock: Clock):
    clock.t += 1799
    assert engine.tick(clock()) == []
    clock.t += 1
    out = feed(engine, engine.tick(clock()))
    assert [type(e).__name__ for e in out] == ["PhaseEnded", "Outcome"]
    assert engine.state.outcome == "NO-GO" and "timed out" in engine.state.outcome_reason
    assert engine.state.phases[0].status == "timeout"


def test_triggers_are_watched_from_the_first_action_on(engine: Engine, clock: Clock):
    assert "spike" not in [c.id for c in engine.automated_checks_now(clock())]
    run_action(engine, clock)
    assert "spike" in [c.id for c in engine.automated_checks_now(clock())]


def test_a_trigger_fires_only_after_its_condition_holds_for_the_whole_for(engine: Engine, clock: Clock):
    run_action(engine, clock)
    t0 = clock.t
    assert [e.state for e in sample(engine, "spike", t0, 2.0)] == ["pending"]
    for k in range(1, 20):  # every 15 s, 4m45s in all
        assert sample(engine, "spike", t0 + 15 * k, 2.0) == []
    out = sample(engine, "spike", t0 + 300, 2.0)
    assert [e.state for e in out] == ["firing"]
    assert engine.state.rollback_request == "spike"


def test_one_clean_sample_resets_a_pending_trigger(engine: Engine, clock: Clock):
    run_action(engine, clock)
    t0 = clock.t
    sample(engine, "spike", t0, 2.0)
    sample(engine, "spike", t0 + 240, 2.0)
    assert [e.state for e in sample(engine, "spike", t0 + 255, 0.5)] == ["resolved"]
    assert [e.state for e in sample(engine, "spike", t0 + 270, 2.0)] == ["pending"]
    assert sample(engine, "spike", t0 + 300, 2.0) == []  # only 30 s since the reset
    assert [e.state for e in sample(engine, "spike", t0 + 570, 2.0)] == ["firing"]


def test_a_blind_trigger_neither_fires_nor_resets(engine: Engine, clock: Clock):
    run_action(engine, clock)
    t0 = clock.t
    sample(engine, "spike", t0, 2.0)
    assert [e.state for e in sample(engine, "spike", t0 + 100, error="timeout")] == ["error"]
    assert [e.state for e in sample(engine, "spike", t0 + 300, 2.0)] == ["pending", "firing"]


def test_the_clock_fires_a_pending_trigger_between_samples(engine: Engine, clock: Clock):
    run_action(engine, clock)
    sample(engine, "spike", clock(), 2.0)
    clock.t += 300
    assert [e.state for e in feed(engine, engine.tick(clock()))] == ["firing"]


def test_a_fired_rollback_trigger_leads_to_rolled_back(engine: Engine, clock: Clock):
    run_action(engine, clock)
    sample(engine, "spike", clock(), 2.0)
    clock.t += 300
    feed(engine, engine.tick(clock()))
    feed(engine, engine.cmd_rollback("golive", "trigger fired", trigger="spike", now=clock()))
    assert engine.state.rollback_running
    feed(engine, engine.rollback_finished(0, dry_run=False, now=clock()))
    assert engine.state.outcome == "ROLLED BACK"
    assert engine.state.phases[0].status == "rolled_back"
    assert "spike" in engine.state.outcome_reason


def test_a_failed_rollback_is_no_go_not_rolled_back(engine: Engine, clock: Clock):
    feed(engine, engine.cmd_rollback("alice", "bad canary", now=clock()))
    feed(engine, engine.rollback_finished(3, dry_run=False, now=clock()))
    assert engine.state.outcome == "NO-GO" and "rollback failed" in engine.state.outcome_reason


def test_sign_off_opens_with_the_outcome_and_only_for_listed_roles(engine: Engine, clock: Clock):
    with pytest.raises(Refused, match="outcome"):
        engine.cmd_signoff("operations", "bob", now=clock())
    feed(engine, engine.cmd_abort("alice", "change window closed", now=clock()))
    with pytest.raises(Refused, match="unknown role"):
        engine.cmd_signoff("janitor", "bob", now=clock())
    feed(engine, engine.cmd_signoff("operations", "bob", now=clock()))
    with pytest.raises(Refused, match="already"):
        engine.cmd_signoff("operations", "carol", now=clock())
    assert engine.missing_signoffs() == ["deployment-lead"]


def test_replaying_the_journaled_events_gives_the_same_state(engine: Engine, clock: Clock):
    journaled: list[ev.Event] = []
    rb = engine.runbook
    fresh = Engine(rb)
    journaled += fresh.cmd_start(clock(), operator="alice")
    feed(fresh, journaled[-2:])

    def take(events):
        journaled.extend(events)
        return feed(fresh, events)

    take([ev.ActionStarted(at=clock(), action="phase:canary", argv=("true",)),
          ev.ActionFinished(at=clock(), action="phase:canary", exit_code=0)])
    take(fresh.observe(Sample.number("err", clock(), 0.1)))
    take(fresh.cmd_tick("smoke", "bob", note="all green", now=clock()))
    clock.t += 300
    take(fresh.cmd_proceed("alice", now=clock()))
    replayed = Engine(rb)
    feed(replayed, journaled)
    a, b = fresh.state, replayed.state
    assert a.active == b.active == 1
    assert a.manual["smoke"].by == b.manual["smoke"].by == "bob"
    assert [p.status for p in a.phases] == [p.status for p in b.phases]
    assert a.checks["err"].verdict == b.checks["err"].verdict == "PASS"


def test_a_resume_restarts_holds_because_nothing_was_observed_in_the_gap(engine: Engine, clock: Clock):
    run_action(engine, clock)
    sample(engine, "err", clock(), 0.1)
    clock.t += 200
    feed(engine, [ev.Resumed(at=clock(), operator="alice")])
    assert engine.hold_progress("err", clock())[0] == 0
