"""A fixed go-live for snapshots and the README screenshot: payments-api v1.2.3, mid-canary."""

from __future__ import annotations

# The state is built from a fixed journal (written with the real Journal) and a fixed list of samples fed to
# a Follower, with a fixed clock — nothing live, so every run draws the same screen.
import math
from pathlib import Path

from golive.checks.base import Sample
from golive.console.follower import Follower
from golive.console.journal import Journal
from golive.console.runbook import load_runbook

T0 = 1795379400.0          # 2026-11-22T20:30:00Z
NOW = T0 + 1380.0          # T+00:23:00
CANARY_START = T0 + 420.0

RUNBOOK = ("""
[runbook]
name = "payments-api v1.2.3 to production"
service = "payments-api"
version = "v1.2.3"
environment = "production"
signoff = ["deployment-lead", "operations", "security"]

[targets.prometheus.main]
url = "http://prometheus.monitoring:9090"

[targets.kubernetes.prod]
context = "prod-eu-1"
namespace = "payments"

[targets.postgres.primary]
dsn_env = "PAYMENTS_PG_DSN"

[[phase]]
id = "preflight"
title = "Pre-flight"

  [[phase.check]]
  id = "change-approved"
  title = "Change CHG-4711 approved"
  source = "manual"
  role = "deployment-lead"

  [[phase.check]]
  id = "baseline-errors"
  title = "Baseline error rate"
  source = "prometheus"
  query = 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) * 100'
  pass = "< 0.5"
  unit = "%"

[[phase]]
id = "canary"
title = "Canary 5%"
hold = "10m"
timeout = "1h"
action = { run = ["kubectl", "argo", "rollouts", "set", "weight", "payments-api", "5", "-n", "payments"] }

  [[phase.check]]
  id = "canary-error-rate"
  title = "Error rate (canary)"
  source = "prometheus"
  query = 'sum(rate(http_requests_total{status=~"5..",version="v1.2.3"}[5m])) / """
"""sum(rate(http_requests_total{version="v1.2.3"}[5m])) * 100'
  pass = "< 0.5"
  warn = "< 1.0"
  unit = "%"

  [[phase.check]]
  id = "canary-p99"
  title = "p99 latency"
  source = "prometheus"
  query = 'histogram_quantile(0.99, sum by (le) """
"""(rate(http_request_duration_seconds_bucket{version="v1.2.3"}[5m]))) * 1000'
  pass = "< 300"
  unit = "ms"

  [[phase.check]]
  id = "cpu-saturation"
  title = "CPU saturation"
  source = "prometheus"
  query = 'avg(rate(container_cpu_usage_seconds_total{pod=~"payments-api-.*"}[5m])) / """
"""avg(kube_pod_container_resource_limits{resource="cpu"}) * 100'
  pass = "< 70"
  warn = "< 85"
  unit = "%"

  [[phase.check]]
  id = "rollout"
  title = "Rollout available"
  source = "kubernetes"
  deployment = "payments-api"
  expect = "available"

  [[phase.check]]
  id = "health"
  title = "Health endpoint"
  source = "http"
  url = "https://payments.internal/healthz"

  [[phase.check]]
  id = "replication-lag"
  title = "Replica lag"
  source = "postgres"
  builtin = "replication_lag"
  pass = "< 5"
  unit = "s"

  [[phase.check]]
  id = "smoke"
  title = "Smoke tests passed"
  source = "manual"
  role = "qa"

[[phase]]
id = "canary-50"
title = "Canary 50%"
hold = "15m"
action = { run = ["kubectl", "argo", "rollouts", "set", "weight", "payments-api", "50", "-n", "payments"] }

  [[phase.check]]
  id = "half-error-rate"
  title = "Error rate (50%)"
  source = "prometheus"
  query = 'sum(rate(http_requests_total{status=~"5..",version="v1.2.3"}[5m])) * 100'
  pass = "< 0.5"
  unit = "%"

[[phase]]
id = "full"
title = "Full rollout"
hold = "30m"

  [[phase.check]]
  id = "full-error-rate"
  title = "Error rate (100%)"
  source = "prometheus"
  query = 'sum(rate(http_requests_total{status=~"5.."}[5m])) * 100'
  pass = "< 0.5"
  unit = "%"

[[trigger]]
id = "error-spike"
title = "5xx > 1% for 5m"
source = "prometheus"
query = 'sum(rate(http_requests_total{status=~"5.."}[1m])) / sum(rate(http_requests_total[1m])) * 100'
fire = "> 1"
for = "5m"
unit = "%"
then = "rollback"

[[trigger]]
id = "latency-alert"
title = "p99 > 800ms for 2m"
source = "prometheus"
query = 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m]))) * 1000'
fire = "> 800"
for = "2m"
unit = "ms"

[rollback]
run = ["kubectl", "argo", "rollouts", "abort", "payments-api", "-n", "payments"]
""")


def _events(rb_sha: str, variant: str) -> list[dict]:
    e = [
        {"type": "session_started", "at": T0, "runbook_sha256": rb_sha, "runbook_path": "payments-canary.toml",
         "name": "payments-api v1.2.3 to production", "service": "payments-api", "version": "v1.2.3",
         "environment": "production", "operator": "alice", "host": "bastion-1", "dry_run": False,
         "headless": False, "variables": {}},
        {"type": "phase_started", "at": T0, "phase": "preflight"},
        {"type": "verdict", "at": T0 + 4, "check": "baseline-errors", "verdict": "PASS", "value": 0.21,
         "detail": "0.21 % (pass < 0.5)"},
        {"type": "tick", "at": T0 + 95, "check": "change-approved", "by": "alice", "checked": True,
         "note": "approved by the change board"},
        {"type": "decision", "at": CANARY_START, "kind": "proceed", "phase": "preflight", "by": "alice",
         "reason": "", "trigger": ""},
        {"type": "phase_ended", "at": CANARY_START, "phase": "preflight", "status": "passed", "reason": ""},
        {"type": "phase_started", "at": CANARY_START, "phase": "canary"},
        {"type": "action_started", "at": CANARY_START + 12, "action": "phase:canary",
         "argv": ["kubectl", "argo", "rollouts", "set", "weight", "payments-api", "5", "-n", "payments"],
         "shell": False, "dry_run": False, "by": "alice"},
        {"type": "action_finished", "at": CANARY_START + 14, "action": "phase:canary", "exit_code": 0,
         "duration": 1.8, "output_tail": "rollout 'payments-api' weight set to 5", "output_sha256": "0" * 64,
         "dry_run": False, "error": ""},
        {"type": "note", "at": CANARY_START + 300, "by": "alice", "phase": "canary",
         "text": "eu-west canary pods take traffic; watching p99"},
    ]
    if variant in ("mid-canary", "rollback-requested"):
        e.append({"type": "log", "at": CANARY_START + 610, "source": "kubernetes", "level": "warning",
                  "text": "Back-off restarting failed container api in pod payments-api-7d9f8-xk2pq"})
    if variant in ("gate-open", "go"):
        e.append({"type": "tick", "at": CANARY_START + 320, "check": "smoke", "by": "bob", "checked": True,
                  "note": "suite 412/412 green"})
    if variant == "go":
        at = NOW - 600
        for check, value in (("canary-error-rate", 0.2), ("canary-p99", 190.0), ("cpu-saturation", 52.0),
                             ("rollout", None), ("health", None), ("replication-lag", 0.4)):
            e.append({"type": "verdict", "at": CANARY_START + 30, "check": check, "verdict": "PASS",
                      "value": value, "detail": ""})
        for phase, nxt, weight in (("canary", "canary-50", "50"), ("canary-50", "full", None)):
            e += [{"type": "decision", "at": at, "kind": "proceed", "phase": phase, "by": "alice", "reason": "",
                   "trigger": ""},
                  {"type": "phase_ended", "at": at, "phase": phase, "status": "passed", "reason": ""},
                  {"type": "phase_started", "at": at, "phase": nxt}]
            if weight:
                argv = ["kubectl", "argo", "rollouts", "set", "weight", "payments-api", weight, "-n", "payments"]
                e += [{"type": "action_started", "at": at + 5, "action": f"phase:{nxt}", "argv": argv,
                       "shell": False, "dry_run": False, "by": "alice"},
                      {"type": "action_finished", "at": at + 7, "action": f"phase:{nxt}", "exit_code": 0,
                       "duration": 1.9, "output_tail": "", "output_sha256": "0" * 64, "dry_run": False,
                       "error": ""}]
            e.append({"type": "verdict", "at": at + 20, "check": f"{'half' if nxt == 'canary-50' else 'full'}"
                      "-error-rate", "verdict": "PASS", "value": 0.18, "detail": ""})
            at += 240
        e += [{"type": "decision", "at": NOW - 60, "kind": "proceed", "phase": "full", "by": "alice", "reason": "",
               "trigger": ""},
              {"type": "phase_ended", "at": NOW - 60, "phase": "full", "status": "passed", "reason": ""},
              {"type": "outcome", "at": NOW - 60, "outcome": "GO", "reason": "every phase passed"},
              {"type": "signoff", "at": NOW - 30, "role": "deployment-lead", "name": "Alice Lead", "note": ""}]
    return e


def _wave(i: int, base: float, spread: float, period: float = 17.0) -> float:
    return round(base + spread * math.sin(i / period * 2 * math.pi) + spread * 0.35 * math.sin(i * 1.7), 4)


def _pods(at: float, healthy: bool = False) -> list[dict]:
    age = at - (CANARY_START + 14)
    rows = []
    for i, suffix in enumerate(("4b7xz", "9cd2m", "h2k8s", "m5p0q", "q8w3e", "t1v6n", "w0z4c", "x7r2b")):
        rows.append({"name": f"payments-api-6c5b9-{suffix}", "ready": "2/2", "status": "Running",
                     "restarts": 0, "age_seconds": 86400 * 3 + i * 600, "node": f"node-{i % 3}",
                     "image_tag": "v1.2.2"})
    rows.append({"name": "payments-api-7d9f8-ab3cd", "ready": "2/2", "status": "Running", "restarts": 0,
                 "age_seconds": age, "node": "node-1", "image_tag": "v1.2.3"})
    if healthy:
        rows.append({"name": "payments-api-7d9f8-xk2pq", "ready": "2/2", "status": "Running",
                     "restarts": 0, "age_seconds": age, "node": "node-2", "image_tag": "v1.2.3"})
    else:
        rows.append({"name": "payments-api-7d9f8-xk2pq", "ready": "1/2", "status": "CrashLoopBackOff",
                     "restarts": 7, "age_seconds": age, "node": "node-2", "image_tag": "v1.2.3"})
    return rows


def _samples(variant: str) -> list[Sample]:
    healthy = variant == "gate-open"
    out: list[Sample] = []
    start = CANARY_START + 20
    steps = int((NOW - start) // 10)
    for i in range(steps + 1):
        at = start + i * 10
        error = _wave(i, 0.24, 0.07)
        if 60 <= i <= 61 and not healthy:
            error = 0.74   # a blip into the warn band: the hold restarts after it
        if variant == "rollback-requested" and at > NOW - 420:
            error = 1.4 + 0.2 * math.sin(i)
        out.append(Sample.number("canary-error-rate", at, error))
        out.append(Sample.number("canary-p99", at, _wave(i, 205, 35, 23)))
        cpu = _wave(i, 48, 4, 29) if healthy else _wave(i, 56 + i * 0.18, 4, 29)
        out.append(Sample.number("cpu-saturation", at, cpu))
        if i % 3 == 0:
            if healthy:
                out.append(Sample(check_id="rollout", at=at, ok=True, detail="10/10 available",
                                  extra={"pods": _pods(at, healthy=True)}))
                out.append(Sample.number("replication-lag", at, _wave(i, 0.4, 0.2)))
            else:
                out.append(Sample(check_id="rollout", at=at, ok=False, detail="9/10 ready: 1 in CrashLoopBackOff",
                                  extra={"pods": _pods(at)}))
                out.append(Sample.failed("replication-lag", at, "connection refused (primary.payments:5432)"))
            out.append(Sample(check_id="health", at=at, ok=True, detail="200 in 41ms"))
        if variant == "rollback-requested":
            spike = at > NOW - 400
        else:
            spike = not healthy and at > NOW - 135
        out.append(Sample.number("error-spike", at, 1.3 + 0.1 * math.sin(i) if spike else _wave(i, 0.4, 0.15)))
        out.append(Sample.number("latency-alert", at, _wave(i, 420, 60, 23)))
    return out


class Rehearsal(Follower):
    """A follower that looks like the driver's screen (no READ-ONLY badge); commands are still refused."""

    read_only = False


VARIANTS = ("mid-canary", "gate-open", "rollback-requested", "go")


def write_session(folder: Path, variant: str = "mid-canary") -> Path:
    """Write the runbook copy and the journal of the go-live in state ``variant`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "runbook.toml").write_text(RUNBOOK, encoding="utf-8")
    sha = load_runbook(folder / "runbook.toml").sha256
    with Journal.create(folder) as journal:
        for event in _events(sha, variant):
            journal.append(event, sync=False)
    return folder


def scripted(folder: Path, variant: str = "mid-canary", *, read_only: bool = False, listeners=()):
    """A Follower (or a Rehearsal) over the fixed journal with the fixed samples folded in, its clock at NOW."""
    assert variant in VARIANTS, variant
    if not (folder / "journal.jsonl").exists():
        write_session(folder, variant)
    cls = Follower if read_only else Rehearsal
    follower = cls(folder, clock=lambda: NOW, listeners=tuple(listeners))
    for sample in _samples(variant):
        follower.observe(sample)
    return follower


def mid_canary(folder: Path, *, read_only: bool = False, listeners=()):
    return scripted(folder, "mid-canary", read_only=read_only, listeners=listeners)
