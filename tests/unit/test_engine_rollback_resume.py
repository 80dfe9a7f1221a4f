"""A decided rollback is final, triggers hold the gate, a declined rollback is a decision, and a resume
finishes what a crash left due — the engine side, with a fake clock."""

from __future__ import annotations

import pytest

from golive.console import events as ev
from golive.console.engine import Engine, Refused
from golive.console.record import build_record
from golive.console.resume import due_transitions, interrupted_actions, rollback_stage
from golive.console.runbook import parse_runbook
from tests.unit.test_engine import RUNBOOK, Clock, feed, run_action, sample


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(clock: Clock) -> Engine:
    eng = Engine(parse_runbook(RUNBOOK, "test.toml"))
    feed(eng, eng.cmd_start(clock(), operator="alice"))
    return eng


def open_the_gate(engine: Engine, clock: Clock) -> None:
    run_action(engine, clock)
    sample(engine, "err", clock(), 0.1)
    feed(engine, engine.cmd_tick("smoke", "bob", now=clock()))
    clock.t += 300
    assert engine.gate(clock()).open


def fire_the_trigger(engine: Engine, clock: Clock) -> None:
    sample(engine, "spike", clock(), 2.0)
    clock.t += 300
    feed(engine, engine.tick(clock()))
    assert engine.state.rollback_request == "spike"


# ---------------------------------------------------------------- 1. a decided rollback is final

def test_once_a_rollback_is_decided_nothing_proceeds(engine: Engine, clock: Clock):
    open_the_gate(engine, clock)
    feed(engine, engine.cmd_rollback("alice", "bad canary", now=clock()))
    gate = engine.gate(clock())
    assert not gate.open and any("rollback was decided" in r for r in gate.reasons)
    with pytest.raises(Refused, match="rollback was decided"):
        engine.cmd_proceed("golive (headless)", now=clock())
    with pytest.raises(Refused, match="rollback was decided"):
        engine.cmd_override("alice", "ship it anyway", now=clock())


def test_once_a_rollback_is_decided_no_phase_action_starts(engine: Engine, clock: Clock):
    feed(engine, engine.cmd_rollback("alice", "bad canary", now=clock()))
    with pytest.raises(Refused, match="rollback was decided"):
        engine.cmd_action(now=clock())


def test_a_second_rollback_is_refused_while_one_is_decided(engine: Engine, clock: Clock):
    feed(engine, engine.cmd_rollback("alice", "bad canary", now=clock()))
    feed(engine, [ev.ActionStarted(at=clock(), action="rollback", argv=("true",)),
                  ev.ActionFinished(at=clock(), action="rollback", exit_code=0)])
    with pytest.raises(Refused, match="already decided"):
        engine.cmd_rollback("bob", "again", now=clock())


def test_a_decided_rollback_outlasts_the_phase_timeout(engine: Engine, clock: Clock):
    feed(engine, engine.cmd_rollback("alice", "bad canary", now=clock()))
    clock.t += 3600
    assert not any(isinstance(e, ev.Outcome) for e in engine.tick(clock()))


def test_a_rollback_awaiting_the_leads_answer_outlasts_the_phase_timeout(engine: Engine, clock: Clock):
    run_action(engine, clock)
    fire_the_trigger(engine, clock)
    clock.t += 3600
    assert not any(isinstance(e, ev.Outcome) for e in engine.tick(clock()))
    feed(engine, engine.cmd_decline_rollback("alice", "a known blip", now=clock()))
    assert any(isinstance(e, ev.Outcome) and e.outcome == "NO-GO" for e in engine.tick(clock()))


def test_a_requested_rollback_keeps_the_next_phase_action_from_starting(clock: Clock):
    text = RUNBOOK.replace('[[phase]]\nid = "full"\n', '[[phase]]\nid = "full"\naction = { run = ["true"] }\n')
    eng = Engine(parse_runbook(text, "test.toml"))
    feed(eng, eng.cmd_start(clock(), operator="alice"))
    open_the_gate(eng, clock)
    feed(eng, eng.cmd_proceed("alice", now=clock()))
    fire_the_trigger(eng, clock)
    with pytest.raises(Refused, match="confirm or decline"):
        eng.cmd_action(now=clock())
    assert any("spike fired" in r for r in eng.gate(clock()).reasons)
    feed(eng, eng.cmd_decline_rollback("alice", "a known blip", now=clock()))
    assert eng.cmd_action(now=clock()) is eng.runbook.phases[1].action


# ---------------------------------------------------------------- 3. triggers hold the gate

def test_a_pending_trigger_keeps_the_gate_closed_and_says_for_how_long(engine: Engine, clock: Clock):
    open_the_gate(engine, clock)
    sample(engine, "spike", clock(), 2.0)
    clock.t += 12
    gate = engine.gate(clock())
    assert not gate.open and gate.reasons == ["spike pending 12s of 5m"]
    with pytest.raises(Refused, match="spike pending 12s of 5m"):
        engine.cmd_proceed("golive (headless)", now=clock())


def test_a_blind_trigger_keeps_the_gate_closed_and_says_it_cannot_see(engine: Engine, clock: Clock):
    open_the_gate(engine, clock)
    sample(engine, "spike", clock(), error="connection refused")
    gate = engine.gate(clock())
    assert not gate.open and gate.reasons == ["spike cannot see: connection refused"]


def test_one_clean_trigger_sample_opens_the_gate_again(engine: Engine, clock: Clock):
    open_the_gate(engine, clock)
    sample(engine, "spike", clock(), 2.0)
    sample(engine, "spike", clock(), 0.1)
    assert engine.gate(clock()).open


def test_an_override_names_every_pending_or_blind_trigger(clock: Clock):
    text = RUNBOOK + '\n[[trigger]]\nid = "latency"\nsource = "prometheus"\nquery = "q"\nfire = "> 1"\n'
    eng = Engine(parse_runbook(text, "test.toml"))
    feed(eng, eng.cmd_start(clock(), operator="alice"))
    run_action(eng, clock)
    sample(eng, "spike", clock(), 2.0)
    sample(eng, "latency", clock(), error="timeout")
    with pytest.raises(Refused, match="written reason"):
        eng.cmd_override("alice", "", now=clock())
    decision = feed(eng, eng.cmd_override("alice", "the dashboard says fine", now=clock()))[0]
    assert decision.kind == "override"
    assert "spike pending 0s of 5m" in decision.reason and "latency cannot see: timeout" in decision.reason


# ---------------------------------------------------------------- 4. declining is a decision

def test_declining_a_requested_rollback_is_a_decision_with_who_and_why(engine: Engine, clock: Clock):
    run_action(engine, clock)
    fire_the_trigger(engine, clock)
    with pytest.raises(Refused, match="written reason"):
        engine.cmd_decline_rollback("alice", "no", now=clock())
    [decision] = feed(engine, engine.cmd_decline_rollback("alice", "known noisy metric during warm-up", now=clock()))
    assert (decision.kind, decision.trigger, decision.by) == ("decline_rollback", "spike", "alice")
    assert decision.human and engine.state.rollback_request is None
    feed(engine, engine.cmd_abort("alice", "window closed", now=clock()))
    record = build_record(engine, "0" * 64, 1)
    assert {"kind": "decline_rollback", "trigger": "spike", "by": "alice",
            "reason": "known noisy metric during warm-up"}.items() <= record["decision"][0].items()


def test_declining_needs_a_requested_rollback(engine: Engine, clock: Clock):
    with pytest.raises(Refused, match="no rollback is requested"):
        engine.cmd_decline_rollback("alice", "nothing to decline", now=clock())


# ---------------------------------------------------------------- 2, 5. interrupted by a crash

def test_an_action_interrupted_by_a_crash_can_run_again(engine: Engine, clock: Clock):
    feed(engine, [ev.ActionStarted(at=clock(), action="phase:canary", argv=("true",))])
    with pytest.raises(Refused, match="running"):
        engine.cmd_action(now=clock())
    [finish] = feed(engine, interrupted_actions(engine, clock()))
    assert finish.interrupted and finish.exit_code is None and "exit unknown" in finish.error
    assert engine.cmd_action(now=clock()) is engine.runbook.phases[0].action
    reason = engine.gate(clock()).reasons[0]
    assert "interrupted" in reason and "running" not in reason
    assert engine.state.actions[0]["interrupted"] is True


def test_a_rollback_interrupted_by_a_crash_is_not_running_and_never_goes_on(engine: Engine, clock: Clock):
    open_the_gate(engine, clock)
    feed(engine, engine.cmd_rollback("golive", "trigger spike fired", trigger="spike", now=clock()))
    assert rollback_stage(engine) == "due"
    feed(engine, [ev.ActionStarted(at=clock(), action="rollback", argv=("true",))])
    assert rollback_stage(engine) == "running"
    feed(engine, interrupted_actions(engine, clock()))
    assert rollback_stage(engine) == "interrupted" and not engine.state.rollback_running
    assert due_transitions(engine, clock()) == []
    assert any("rollback was interrupted" in r for r in engine.gate(clock()).reasons)
    with pytest.raises(Refused):
        engine.cmd_proceed("golive (headless)", now=clock())
    feed(engine, engine.cmd_rollback("alice", "run it again", now=clock()))  # a person confirms the re-run
    feed(engine, [ev.ActionStarted(at=clock(), action="rollback", argv=("true",)),
                  ev.ActionFinished(at=clock(), action="rollback", exit_code=0)])
    feed(engine, due_transitions(engine, clock()))
    assert engine.state.outcome == "ROLLED BACK"


def test_a_rollback_that_ran_before_the_crash_ends_rolled_back_on_resume(engine: Engine, clock: Clock):
    feed(engine, engine.cmd_rollback("alice", "bad canary", now=clock()))
    feed(engine, [ev.ActionStarted(at=clock(), action="rollback", argv=("true",)),
                  ev.ActionFinished(at=clock(), action="rollback", exit_code=0)])
    assert rollback_stage(engine) == "done"
    events = feed(engine, due_transitions(engine, clock()))
    assert [type(e).__name__ for e in events] == ["PhaseEnded", "Outcome"]
    assert engine.state.outcome == "ROLLED BACK"


# ---------------------------------------------------------------- 6. transitions that were due

def test_a_resume_starts_the_first_phase_when_the_crash_came_before_it(clock: Clock):
    eng = Engine(parse_runbook(RUNBOOK, "test.toml"))
    feed(eng, eng.cmd_start(clock(), operator="alice")[:1])
    assert [(type(e).__name__, e.phase) for e in due_transitions(eng, clock())] == [("PhaseStarted", "canary")]


def test_a_resume_completes_a_journaled_proceed(engine: Engine, clock: Clock):
    open_the_gate(engine, clock)
    feed(engine, engine.cmd_proceed("alice", now=clock())[:1])
    feed(engine, due_transitions(engine, clock()))
    assert [p.status for p in engine.state.phases] == ["passed", "active"]


def test_a_resume_starts_the_next_phase_after_a_journaled_phase_end(engine: Engine, clock: Clock):
    open_the_gate(engine, clock)
    feed(engine, engine.cmd_proceed("alice", now=clock())[:2])
    assert [type(e).__name__ for e in feed(engine, due_transitions(engine, clock()))] == ["PhaseStarted"]
    assert engine.state.active == 1 and due_transitions(engine, clock()) == []


def test_a_resume_writes_the_outcome_after_the_last_phase_ended(engine: Engine, clock: Clock):
    feed(engine, engine.cmd_override("alice", "skip the canary", now=clock()))
    sample(engine, "lat", clock(), 100.0)
    feed(engine, engine.cmd_proceed("alice", now=clock())[:2])
    feed(engine, due_transitions(engine, clock()))
    assert engine.state.outcome == "PARTIAL"


def test_a_resume_completes_a_journaled_abort_as_no_go(engine: Engine, clock: Clock):
    feed(engine, engine.cmd_abort("alice", "window closed", now=clock())[:1])
    feed(engine, due_transitions(engine, clock()))
    assert engine.state.outcome == "NO-GO" and "aborted by alice" in engine.state.outcome_reason


def test_after_a_resume_a_check_is_pending_until_a_fresh_sample(engine: Engine, clock: Clock):
    open_the_gate(engine, clock)
    feed(engine, [ev.Resumed(at=clock(), operator="alice")])
    assert engine.state.checks["err"].verdict == "PENDING" and not engine.gate(clock()).open
    [verdict] = sample(engine, "err", clock(), 0.1)
    assert verdict.verdict == "PASS"


def test_a_trigger_not_sampled_since_it_was_armed_or_resumed_is_unseen(engine: Engine, clock: Clock):
    assert engine.unseen_triggers() == []          # disarmed: nothing to watch yet
    run_action(engine, clock)
    assert engine.unseen_triggers() == ["spike"]
    sample(engine, "spike", clock(), 0.1)
    assert engine.unseen_triggers() == []
    clock.t += 60
    feed(engine, [ev.Resumed(at=clock(), operator="alice")])
    assert engine.unseen_triggers() == ["spike"]


def test_lint_knows_repeat_safe_on_phase_actions_and_the_rollback():
    from golive.console.runbook import RunbookError

    rb = parse_runbook(RUNBOOK.replace('run = ["true"] }', 'run = ["true"], repeat_safe = true }')
                       .replace('[rollback]\nrun = ["true"]', '[rollback]\nrun = ["true"]\nrepeat_safe = true'),
                       "test.toml")
    assert rb.phases[0].action.repeat_safe and rb.rollback.repeat_safe
    assert not parse_runbook(RUNBOOK, "test.toml").rollback.repeat_safe  # repeating is opt-in
    with pytest.raises(RunbookError) as info:
        parse_runbook(RUNBOOK.replace('[rollback]\nrun = ["true"]', '[rollback]\nrun = ["true"]\nrepeat_safe = "yes"'),
                      "test.toml")
    assert any("rollback.repeat_safe" in line for line in info.value.problems), info.value.problems
