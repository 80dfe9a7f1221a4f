"""Three runbooks for the kill sweeps: `command` checks and `sh -c` actions, no servers."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomli_w

THREE_PHASES = """
[runbook]
name = "three answered phases"
service = "svc"
version = "1"
signoff = ["deployment-lead", "operations"]

[[phase]]
id = "one"
timeout = "2m"
action = { run = ["sh", "-c", "echo one"], repeat_safe = true }
  [[phase.check]]
  id = "up-one"
  source = "command"
  run = ["true"]
  every = "100ms"
  [[phase.check]]
  id = "approved"
  source = "manual"

[[phase]]
id = "two"
timeout = "2m"
action = { run = ["sh", "-c", "echo two"], repeat_safe = true }
  [[phase.check]]
  id = "up-two"
  source = "command"
  run = ["true"]
  every = "100ms"
  [[phase.check]]
  id = "smoke"
  source = "manual"

[[phase]]
id = "three"
timeout = "2m"
  [[phase.check]]
  id = "handover"
  source = "manual"
"""

SLOW_ROLLBACK = """
[runbook]
name = "a rollback that takes a second"
service = "svc"
version = "1"
signoff = ["deployment-lead"]

[[phase]]
id = "canary"
timeout = "2m"
action = { run = ["sh", "-c", "echo canary"], repeat_safe = true }
  [[phase.check]]
  id = "up"
  source = "command"
  run = ["true"]
  every = "100ms"

[[phase]]
id = "full"
action = { run = ["sh", "-c", "echo DEPLOYING TO 100 PERCENT"], repeat_safe = true }

[[trigger]]
id = "errors"
source = "command"
run = ["echo", "5"]
fire = "> 1"
for = "300ms"
every = "100ms"
then = "rollback"

[rollback]
run = ["sh", "-c", "sleep 1; echo undone"]
repeat_safe = true
"""

PHASE_ONE_OF_TWO = """
[runbook]
name = "rolls back from phase 1 of 2"
service = "svc"
version = "1"
signoff = ["deployment-lead", "operations"]

[[phase]]
id = "canary"
timeout = "2m"
action = { run = ["sh", "-c", "echo canary"], repeat_safe = true }
  [[phase.check]]
  id = "approved"
  source = "manual"

[[phase]]
id = "full"
action = { run = ["sh", "-c", "echo full"], repeat_safe = true }

[[trigger]]
id = "errors"
source = "command"
run = ["echo", "5"]
fire = "> 1"
every = "100ms"
then = "rollback"
auto = true

[rollback]
run = ["sh", "-c", "echo undone"]
repeat_safe = true
"""

ANSWERS = """
[answers.approved]
by = "alice"
note = "CHG-1 approved"

[answers.smoke]
by = "bob"

[answers.handover]
by = "carol"

[signoff.deployment-lead]
by = "alice"

[signoff.operations]
by = "bob"
"""

RUNBOOKS = {"three-phases": THREE_PHASES, "slow-rollback": SLOW_ROLLBACK, "phase-one-of-two": PHASE_ONE_OF_TWO}
OUTCOMES = {"three-phases": "GO", "slow-rollback": "ROLLED BACK", "phase-one-of-two": "ROLLED BACK"}


def write(folder: Path, name: str) -> tuple[Path, Path]:
    """The runbook ``name`` and the answers file, written into ``folder``.

    The answers file holds only the items and roles that runbook has: a run refuses answers it cannot use.
    """
    runbook, answers = folder / f"{name}.toml", folder / "answers.toml"
    runbook.write_text(RUNBOOKS[name])
    doc, every = tomllib.loads(RUNBOOKS[name]), tomllib.loads(ANSWERS)
    items = {c["id"] for p in doc["phase"] for c in p.get("check", []) if c.get("source") == "manual"}
    roles = set(doc["runbook"].get("signoff", []))
    answers.write_text(tomli_w.dumps({
        "answers": {k: v for k, v in every["answers"].items() if k in items},
        "signoff": {k: v for k, v in every["signoff"].items() if k in roles},
    }))
    return runbook, answers


def summary(events: list[dict]) -> dict:
    """What a run must agree on however often it was killed: outcome, actions that ran to their end, sign-offs."""
    outcomes = [e for e in events if e["type"] == "outcome"]
    done = [e["action"] for e in events if e["type"] == "action_finished" and not e.get("interrupted")]
    signoffs = [(e["role"], e["name"]) for e in events if e["type"] == "signoff"]
    return {"outcomes": [e["outcome"] for e in outcomes], "actions": done, "signoffs": signoffs}


def actions_after_a_rollback_decision(events: list[dict]) -> list[str]:
    """Phase actions started after a rollback was decided: must always be none."""
    decided = next((i for i, e in enumerate(events) if e["type"] == "decision" and e["kind"] == "rollback"), None)
    if decided is None:
        return []
    return [e["action"] for e in events[decided:] if e["type"] == "action_started" and e["action"] != "rollback"]
