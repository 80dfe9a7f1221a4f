"""The engine's seed-process semantics, each failing closed: baselines, windows, scoped, kept and manual
triggers, pause/abort responses, rollback plans with verification, not_before, soaks, several actions, when."""

from __future__ import annotations

import pytest

from golive.checks.base import Sample
from golive.console import events as ev
from golive.console.engine import Engine, Refused
from golive.console.runbook import parse_runbook

T0 = 1_800_000_000.0

HEAD = """
[runbook]
name = "svc"
service = "svc"
version = "v2"

[runbook.vars]
strategy = "blue-green"

[targets.prometheus.main]
url = "http://127.0.0.1:9"
"""


class Clock:
    def __init__(self, t: float = T0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def make(text: str, clock: Clock) -> Engine:
    eng = Engine(parse_runbook(HEAD + text, "t.toml"))
    feed(eng, eng.cmd_start(clock(), operator="alice"))
    return eng


def feed(engine: Engine, events: list[ev.Event]) -> list[ev.Event]:
    for e in events:
        engine.apply(e)
    return events


def sample(engine: Engine, check_id: str, at: float, value: float | None = None, **kw) -> list[ev.Event]:
    s = Sample.number(check_id, at, value) if value is not None else Sample(check_id=check_id, at=at, **kw)
    return feed(engine, engine.observe(s))


def act(engine: Engine, clock: Clock, name: str, code: int = 0) -> None:
    feed(engine, [ev.ActionStarted(at=clock(), action=name, argv=("true",)),
                  ev.ActionFinished(at=clock(), action=name, exit_code=code)])


# ------------------------------------------------------------------ baselines and windows

BASELINE = """
[[phase]]
id = "canary"

  [[phase.check]]
  id = "lat"
  source = "prometheus"
  query = 'latency{version="v2"}'
  baseline = 'latency{version="v1"}'
  pass = "<= baseline * 1.2"
  unit = "ms"
"""


def test_a_blind_baseline_is_an_error_never_a_pass():
    clock = Clock()
    eng = make(BASELINE, clock)
    assert [e.verdict for e in sample(eng, "lat", clock(), 100.0)] == ["ERROR"]
    assert "baseline blind" in eng.state.checks["lat"].detail
    sample(eng, "lat:baseline", clock(), error="connection refused")
    assert sample(eng, "lat", clock(), 100.0) == [] and eng.state.checks["lat"].verdict == "ERROR"
    assert "connection refused" in eng.state.checks["lat"].detail


def test_a_baseline_binds_the_relative_target_and_goes_stale():
    clock = Clock()
    eng = make(BASELINE, clock)
    sample(eng, "lat:baseline", clock(), 100.0)
    assert sample(eng, "lat", clock(), 119.0)[0].verdict == "PASS"
    assert "baseline 100 ms" in eng.state.checks["lat"].detail
    assert sample(eng, "lat", clock(), 125.0)[0].verdict == "FAIL"
    assert sample(eng, "lat", clock() + 3600, 110.0)[0].verdict == "ERROR"  # the baseline is an hour old
    assert "old" in eng.state.checks["lat"].detail


def test_the_sparkline_draws_a_relative_target_where_the_last_baseline_puts_it():
    from golive.console.derived import for_display

    clock = Clock()
    eng = make(BASELINE, clock)
    check, cs = eng.runbook.check("lat"), eng.state.checks["lat"]
    assert for_display(check, cs).pass_ is None  # no baseline yet: nothing to draw, nothing coloured as failing
    sample(eng, "lat:baseline", clock(), 100.0)
    shown = for_display(check, cs).pass_
    assert (shown.op, shown.number) == ("<=", 120.0)


def test_the_scheduler_is_given_the_baseline_request_beside_its_check():
    clock = Clock()
    eng = make(BASELINE, clock)
    requests = {c.id: c for c in eng.automated_checks_now(clock())}
    assert requests["lat:baseline"].query == 'latency{version="v1"}' and requests["lat:baseline"].pass_ is None


WINDOW = """
[[phase]]
id = "soak"

  [[phase.check]]
  id = "mem"
  source = "prometheus"
  query = "memory"
  pass = "< 20"
  unit = "MB"
  window = "1h"
  measure = "max-min"
"""


def test_no_growth_over_a_window_is_pending_until_the_window_is_covered_then_judged():
    clock = Clock()
    eng = make(WINDOW, clock)
    assert sample(eng, "mem", T0, 540.0) == [] and eng.state.checks["mem"].verdict == "PENDING"
    assert "watching 0s of 1h" in eng.state.checks["mem"].detail
    sample(eng, "mem", T0 + 1800, 545.0)
    assert sample(eng, "mem", T0 + 3600, 541.0)[0].verdict == "PASS"
    assert sample(eng, "mem", T0 + 5400, 600.0)[0].verdict == "FAIL"  # grew 55 MB within the last hour


# ------------------------------------------------------------------ triggers

SCOPED = """
[[phase]]
id = "canary-5"
action = { run = ["true"] }

[[phase]]
id = "canary-25"
action = { run = ["true"] }

[[trigger]]
id = "spike"
source = "prometheus"
query = "z"
fire = "> 1"
during = ["canary-25"]
then = "alert"

[[trigger]]
id = "late"
source = "prometheus"
query = "w"
fire = "> 1"
for_after_action = "2h"
then = "alert"
"""


def test_a_scoped_trigger_is_not_watched_outside_its_scope_and_says_so():
    clock = Clock()
    eng = make(SCOPED, clock)
    act(eng, clock, "phase:canary-5")
    feed(eng, eng.tick(clock()))
    ts = eng.state.triggers["spike"]
    assert ts.state == "idle" and "only during canary-25" in ts.detail
    assert "spike" not in {c.id for c in eng.automated_checks_now(clock())}
    assert sample(eng, "spike", clock(), 50.0) == []   # a stray sample outside the scope is not judged
    assert eng.state.triggers["spike"].state == "idle"
    feed(eng, eng.cmd_override("alice", "skip the wait", now=clock()))
    feed(eng, eng.tick(clock()))
    assert eng.state.triggers["spike"].state == "armed"
    assert "spike" in {c.id for c in eng.automated_checks_now(clock())}


def test_a_trigger_for_after_an_action_goes_idle_when_its_window_ends():
    clock = Clock()
    eng = make(SCOPED, clock)
    act(eng, clock, "phase:canary-5")
    assert "late" in {c.id for c in eng.automated_checks_now(clock())}
    clock.t += 2 * 3600 + 1
    feed(eng, eng.tick(clock()))
    assert eng.state.triggers["late"].state == "idle" and "2h after a phase action" in eng.state.triggers["late"].detail


KEEP = """
[[phase]]
id = "p"

[[trigger]]
id = "spike"
source = "prometheus"
query = "z"
fire = "> 1"
keep_firing_for = "10m"
then = "alert"
"""


def test_keep_firing_for_holds_a_cleared_trigger_firing_and_closes_the_gate_meanwhile():
    clock = Clock()
    eng = make(KEEP, clock)
    assert [e.state for e in sample(eng, "spike", T0, 5.0)] == ["pending", "firing"]
    assert sample(eng, "spike", T0 + 60, 0.1) == []
    assert eng.state.triggers["spike"].state == "firing"
    assert any("spike is firing" in r for r in eng.gate(T0 + 60).reasons)
    assert eng.tick(T0 + 60 + 599) == []
    feed(eng, eng.tick(T0 + 60 + 600))
    assert eng.state.triggers["spike"].state == "armed"


MANUAL = """
[[phase]]
id = "p"

[[trigger]]
id = "corruption"
title = "Data corruption detected"
source = "manual"
role = "operations"
then = "abort"

[[trigger]]
id = "incidents"
title = "More than 5 user-reported incidents"
source = "manual"
then = "pause"
"""


def test_a_manual_trigger_is_fired_by_a_person_with_a_reason_and_is_never_sampled():
    clock = Clock()
    eng = make(MANUAL, clock)
    assert not [c for c in eng.automated_checks_now(clock()) if c.id in ("corruption", "incidents")]
    with pytest.raises(Refused, match="reason"):
        eng.cmd_fire_trigger("corruption", "omar", "", now=clock())
    out = feed(eng, eng.cmd_fire_trigger("corruption", "omar", "orders table has duplicate ids", now=clock()))
    assert out[0].human and out[0].by == "omar"
    ts = eng.state.triggers["corruption"]
    assert ts.state == "firing" and ts.fired_by == "omar"


def test_a_paused_go_live_never_proceeds_without_a_note():
    clock = Clock()
    eng = make(MANUAL, clock)
    feed(eng, eng.cmd_fire_trigger("incidents", "quinn", "six tickets in ten minutes", now=clock()))
    assert eng.state.paused is not None
    assert any(r.startswith("paused by trigger") for r in eng.gate(clock()).reasons)
    with pytest.raises(Refused, match="gate closed"):
        eng.cmd_proceed("alice", now=clock())
    with pytest.raises(Refused, match="paused"):
        eng.cmd_override("alice", "ship it anyway", now=clock())
    with pytest.raises(Refused, match="note"):
        eng.cmd_resume("alice", " ", now=clock())
    feed(eng, eng.cmd_resume("alice", "tickets were a CDN blip, confirmed with support", now=clock()))
    assert eng.state.paused is None and eng.state.decisions[-1]["kind"] == "resume"
    feed(eng, eng.tick(clock()))
    assert not any(r.startswith("paused") for r in eng.gate(clock()).reasons)


# ------------------------------------------------------------------ rollback plans

PLANS = """
[[phase]]
id = "switch"
action = { run = ["true"] }

[[trigger]]
id = "errors"
source = "prometheus"
query = "e"
fire = "> 1"
then = "rollback"
plan = "switch-back"

[[rollback]]
id = "scale-down"
  [[rollback.step]]
  run = ["true"]

[[rollback]]
id = "switch-back"
hold = "30s"
timeout = "5m"

  [[rollback.step]]
  run = ["kubectl", "patch", "service", "web"]

  [[rollback.step]]
  run = ["true"]

  [[rollback.verify]]
  id = "blue-errors"
  source = "prometheus"
  query = "blue"
  pass = "< 0.5"
"""


def _rolled_steps(eng: Engine, clock: Clock) -> None:
    feed(eng, eng.cmd_rollback("golive", "trigger fired", trigger="errors", now=clock()))
    assert eng.state.rollback_plan == "switch-back"
    act(eng, clock, "rollback:switch-back:1")
    assert eng.state.verifying_since is None
    act(eng, clock, "rollback:switch-back:2")
    assert eng.state.verifying_since == clock()
    assert "blue-errors" in {c.id for c in eng.automated_checks_now(clock())}


def test_a_rollback_is_rolled_back_only_when_its_verification_holds():
    clock = Clock()
    eng = make(PLANS, clock)
    _rolled_steps(eng, clock)
    sample(eng, "blue-errors", clock(), 0.1)
    assert eng.tick(clock() + 29) == [] and eng.state.outcome is None
    feed(eng, eng.tick(clock() + 30))
    assert eng.state.outcome == "ROLLED BACK" and "verified" in eng.state.outcome_reason


def test_a_rollback_whose_verification_fails_ends_no_go_unverified():
    clock = Clock()
    eng = make(PLANS, clock)
    _rolled_steps(eng, clock)
    sample(eng, "blue-errors", clock(), 4.0)
    feed(eng, eng.tick(clock() + 300))
    assert eng.state.outcome == "NO-GO"
    assert eng.state.outcome_reason.startswith("rollback unverified") and "needs < 0.5" in eng.state.outcome_reason


def test_a_rollback_with_blind_verification_is_unverified_not_rolled_back():
    clock = Clock()
    eng = make(PLANS, clock)
    _rolled_steps(eng, clock)
    sample(eng, "blue-errors", clock(), error="timeout")
    feed(eng, eng.tick(clock() + 300))
    assert eng.state.outcome == "NO-GO"


def test_an_unknown_plan_is_refused_and_without_a_name_the_first_plan_runs():
    clock = Clock()
    eng = make(PLANS, clock)
    with pytest.raises(Refused, match="no rollback plan"):
        eng.cmd_rollback("alice", "x", plan="nope", now=clock())
    assert feed(eng, eng.cmd_rollback("alice", "by hand", now=clock()))[0].plan == "scale-down"


# ------------------------------------------------------------------ time: not_before and soaks

TIMED = """
[[phase]]
id = "first"

[[phase]]
id = "checkpoint"
not_before = "T+4h"
action = { run = ["true"] }

  [[phase.check]]
  id = "err"
  source = "prometheus"
  query = "x"
  pass = "< 0.5"
"""


def test_a_not_before_phase_cannot_start_early_even_after_a_resume(tmp_path):
    clock = Clock()
    eng = make(TIMED, clock)
    feed(eng, eng.cmd_proceed("alice", now=clock()))
    clock.t = T0 + 3600
    with pytest.raises(Refused, match=r"not before T\+4h \(in 3h\)"):
        eng.cmd_action(now=clock())
    assert any("not before T+4h" in r for r in eng.gate(clock()).reasons)
    # a resume replays the same start: the countdown does not restart from the resume
    replayed = Engine(eng.runbook)
    for e in eng.cmd_start(T0, operator="alice")[:1] + [ev.PhaseEnded(at=T0, phase="first", status="passed"),
                                                          ev.PhaseStarted(at=T0, phase="checkpoint"),
                                                          ev.Resumed(at=clock(), operator="bob")]:
        replayed.apply(e)
    with pytest.raises(Refused, match="not before"):
        replayed.cmd_action(now=clock())
    clock.t = T0 + 4 * 3600
    assert replayed.cmd_action(now=clock()).argv == ["true"]


def test_a_not_before_phase_counts_its_hold_from_its_time_not_from_earlier_passes():
    clock = Clock()
    eng = make(TIMED.replace('action = { run = ["true"] }\n', 'hold = "5m"\n'), clock)
    feed(eng, eng.cmd_proceed("alice", now=clock()))
    sample(eng, "err", T0 + 60, 0.1)
    assert eng.hold_progress("err", T0 + 4 * 3600 + 60) == (60.0, 300.0)


SOAK = """
[[phase]]
id = "soak"
duration = "24h"
timeout = "25h"

  [[phase.check]]
  id = "err"
  source = "prometheus"
  query = "x"
  pass = "< 0.5"
"""


def test_a_soak_opens_its_gate_only_at_its_end():
    clock = Clock()
    eng = make(SOAK, clock)
    sample(eng, "err", T0 + 15, 0.1)
    assert not eng.gate(T0 + 23 * 3600).open
    assert "soak: 23h of 24h" in eng.gate(T0 + 23 * 3600).reasons
    assert eng.gate(T0 + 24 * 3600).open


def test_a_fail_inside_a_soak_breaks_it_for_good():
    clock = Clock()
    eng = make(SOAK, clock)
    sample(eng, "err", T0 + 15, 0.1)
    sample(eng, "err", T0 + 5 * 3600, 3.0)
    sample(eng, "err", T0 + 5 * 3600 + 15, 0.1)
    gate = eng.gate(T0 + 24 * 3600)
    assert not gate.open and gate.reasons[0].startswith("soak broken: err FAIL at +5h")


def test_an_interrupted_soak_check_keeps_the_gate_closed():
    clock = Clock()
    eng = make(SOAK, clock)
    sample(eng, "err", T0 + 15, 0.1)
    sample(eng, "err", T0 + 3600, error="timeout")
    sample(eng, "err", T0 + 3615, 0.1)
    assert any("interrupted during the soak" in r for r in eng.gate(T0 + 24 * 3600).reasons)


# ------------------------------------------------------------------ several actions, when

PATHS = """
[[phase]]
id = "stress"
actions = [{ run = ["stress"] }, { run = ["failover"] }]

  [[phase.check]]
  id = "only-rolling"
  source = "prometheus"
  query = "x"
  pass = "< 1"
  when = "strategy == rolling"

[[phase]]
id = "rolling"
when = "strategy == rolling"

[[phase]]
id = "switch"
when = "strategy == blue-green"
"""


def test_a_phase_runs_its_actions_in_order_and_its_gate_waits_for_the_last():
    clock = Clock()
    eng = make(PATHS, clock)
    assert eng.cmd_action(now=clock()).argv == ["stress"] and eng.next_action_name() == "phase:stress"
    act(eng, clock, "phase:stress")
    assert eng.state.active_phase.action_done is None and "the phase action has not run" in eng.gate(clock()).reasons
    assert eng.cmd_action(now=clock()).argv == ["failover"] and eng.next_action_name() == "phase:stress#2"
    act(eng, clock, "phase:stress#2")
    assert eng.gate(clock()).open  # the skipped check is not required
    with pytest.raises(Refused, match="already run"):
        eng.cmd_action(now=clock())


def test_a_phase_whose_when_is_false_is_skipped_with_its_reason():
    clock = Clock()
    eng = make(PATHS, clock)
    assert "only-rolling" not in {c.id for c in eng.automated_checks_now(clock())}
    act(eng, clock, "phase:stress")
    act(eng, clock, "phase:stress#2")
    out = feed(eng, eng.cmd_proceed("alice", now=clock()))
    skipped = [e for e in out if isinstance(e, ev.PhaseEnded) and e.status == "skipped"]
    assert [e.phase for e in skipped] == ["rolling"] and "strategy is blue-green" in skipped[0].reason
    assert eng.active_phase().id == "switch" and eng.state.phases[1].status == "skipped"


def test_a_scoped_manual_trigger_cannot_be_fired_outside_its_scope():
    clock = Clock()
    eng = make(SCOPED + """
[[trigger]]
id = "incidents"
source = "manual"
during = ["canary-25"]
then = "pause"
""", clock)
    with pytest.raises(Refused, match="only during canary-25"):
        eng.cmd_fire_trigger("incidents", "omar", "six tickets", now=clock())
    with pytest.raises(Refused, match="not fired by hand"):
        eng.cmd_fire_trigger("spike", "omar", "looks bad", now=clock())


def test_a_pause_and_its_resume_replay_to_the_same_state():
    clock = Clock()
    eng = make(MANUAL, clock)
    journal = eng.cmd_start(T0, operator="alice")
    journal += feed(eng, eng.cmd_fire_trigger("incidents", "quinn", "six tickets in ten minutes", now=clock()))
    paused = dict(eng.state.paused)
    replayed = Engine(eng.runbook)
    for e in journal:
        replayed.apply(e)
    assert replayed.state.paused == paused and replayed.state.triggers["incidents"].fired_by == "quinn"
    resumed = feed(eng, eng.cmd_resume("alice", "tickets were a CDN blip", now=clock()))
    for e in resumed:
        replayed.apply(e)
    assert replayed.state.paused is None
