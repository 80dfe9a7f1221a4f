"""After the outcome the engine keeps observing for the screen, and nothing it observes reaches the record."""

from __future__ import annotations

from golive.checks.base import Sample
from golive.console.engine import Engine
from golive.console.runbook import load_runbook

T0 = 1795379400.0

RUNBOOK = """
[runbook]
name = "a v1 to test"
service = "a"
version = "v1"
environment = "test"

[[phase]]
id = "canary"
title = "Canary"

  [[phase.check]]
  id = "errors"
  title = "Error rate"
  source = "command"
  run = ["python3", "-c", "print(3)"]
  pass = "< 1"
  every = "1s"

[[trigger]]
id = "spike"
title = "Spike"
source = "command"
run = ["python3", "-c", "print(3)"]
fire = "> 2"
for = "10s"
then = "alert"
"""


def ended_engine(tmp_path) -> Engine:
    path = tmp_path / "rb.toml"
    path.write_text(RUNBOOK, encoding="utf-8")
    engine = Engine(load_runbook(path))
    for event in engine.cmd_start(T0, name="a"):
        engine.apply(event)
    for event in engine.observe(Sample.number("errors", T0 + 1, 3.0)):
        engine.apply(event)
    for event in engine.cmd_abort("lead", "bad canary", now=T0 + 2):
        engine.apply(event)
    return engine


def test_checks_and_triggers_are_still_sampled_after_the_outcome(tmp_path):
    engine = ended_engine(tmp_path)
    assert engine.state.outcome == "NO-GO"
    assert {c.id for c in engine.automated_checks_now(T0)} == {"errors", "spike"}


def test_a_sample_after_the_outcome_changes_live_figures_only(tmp_path):
    engine = ended_engine(tmp_path)
    recorded = engine.state.checks["errors"]
    before = (recorded.verdict, recorded.value, recorded.count, recorded.min, recorded.max, len(recorded.history))
    pods = [{"name": "a-1", "status": "Running"}]
    assert engine.observe(Sample.number("errors", T0 + 5, 0.2, extra={"pods": pods})) == []
    assert engine.observe(Sample.number("spike", T0 + 5, 9.0)) == []   # no trigger event after the outcome
    assert (recorded.verdict, recorded.value, recorded.count, recorded.min, recorded.max,
            len(recorded.history)) == before
    live = engine.live("errors")
    assert (live.value, live.verdict, live.history[-1]) == (0.2, "PASS", (T0 + 5, 0.2))
    assert engine.state.pods["errors"] == pods
    assert engine.live("spike").value == 9.0 and engine.state.triggers["spike"].state != "pending"
    assert engine.tick(T0 + 60) == []   # nor a timed firing
