"""One rule per command (console/refusals.py): the engine's commands refuse with exactly the reason
``Engine.why_not`` gives beforehand, and a rule asked without its arguments judges only the state."""

from __future__ import annotations

import pytest

from golive.console.engine import Engine, Refused
from golive.console.refusals import Explained
from golive.console.runbook import parse_runbook
from tests.unit.test_engine import RUNBOOK, Clock, feed, run_action


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(clock: Clock) -> Engine:
    eng = Engine(parse_runbook(RUNBOOK, "test.toml"))
    feed(eng, eng.cmd_start(clock(), operator="alice"))
    return eng


def refused_with(command) -> str:
    with pytest.raises(Refused) as caught:
        command()
    return str(caught.value)


def test_a_command_is_refused_with_the_reason_why_not_gave_before_it_was_sent(engine, clock):
    now = clock()
    assert refused_with(lambda: engine.cmd_proceed("alice", now=now)) == engine.why_not("proceed", by="alice",
                                                                                        now=now)
    assert refused_with(lambda: engine.cmd_signoff("operations", "alice", now=now)) == engine.why_not(
        "sign", role="operations", name="alice", now=now)
    assert refused_with(lambda: engine.cmd_tick("err", "alice", now=now)) == engine.why_not(
        "tick", by="alice", now=now, check_id="err")
    assert refused_with(lambda: engine.cmd_resume("alice", "all clear", now=now)) == engine.why_not(
        "resume", by="alice", now=now, note="all clear")


def test_a_rule_asked_before_the_reason_is_typed_judges_only_the_state(engine, clock):
    now = clock()
    assert engine.why_not("override", by="alice", now=now) is None
    assert engine.why_not("override", by="alice", now=now, reason="") == "an override needs a written reason"
    assert engine.why_not("abort", by="alice", now=now) is None


def test_an_abort_without_a_written_reason_is_refused_and_nothing_ends(engine, clock):
    with pytest.raises(Refused, match="an abort needs a written reason"):
        engine.cmd_abort("alice", "  ", now=clock())
    assert engine.state.outcome is None
    feed(engine, engine.cmd_abort("alice", "provider outage", now=clock()))
    assert engine.state.outcome == "NO-GO"


def test_a_closed_gate_is_a_refusal_the_key_still_offers_and_an_ended_go_live_one_it_does_not(engine, clock):
    proceed = engine.why_not("proceed", by="alice", now=clock())
    assert isinstance(proceed, Explained) and proceed.startswith("gate closed: ")
    run_action(engine, clock)
    feed(engine, engine.cmd_abort("alice", "provider outage", now=clock()))
    ended = engine.why_not("proceed", by="alice", now=clock())
    assert ended == "the go-live has ended (NO-GO)" and not ended.shown
    assert engine.why_not("sign", now=clock()) is None
    assert engine.why_not("sign", role="operations", name="alice", now=clock()) is None
