"""Sparklines start with the recent past from Prometheus's query_range, on start and on resume."""

from __future__ import annotations

import asyncio
import time

import httpx

from golive.console.runbook import parse_runbook
from golive.console.session import Session


def runbook(url: str) -> str:
    return f"""
[runbook]
name = "history"
service = "svc"
version = "1"

[targets.prometheus.main]
url = "{url}"

[[phase]]
id = "p"
timeout = "2s"

  [[phase.check]]
  id = "live"
  source = "prometheus"
  query = "max(golive_live_scrapes)"
  pass = ">= 0"
  every = "1s"

  [[phase.check]]
  id = "waiting"
  source = "manual"
"""


def test_a_prometheus_sparkline_starts_with_its_recent_past_but_no_verdict_comes_from_it(tmp_path, prometheus_history):
    # the live exporter must have been scraped a few times for there to be a recent past
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = httpx.get(f"{prometheus_history.url}/api/v1/query",
                           params={"query": "count_over_time(golive_live_scrapes[2m])", "time": time.time()}).json()
        result = answer["data"]["result"]
        if result and float(result[0]["value"][1]) >= 4:
            break
        time.sleep(0.5)

    async def go() -> Session:
        session = Session.start(parse_runbook(runbook(prometheus_history.url), "rb.toml"), session_dir=tmp_path / "s",
                                headless=True)
        heard: list[str] = []
        session.subscribe(lambda kind, payload: heard.append(payload) if kind == "history" else None)
        await session.run()
        session.close()
        assert heard == ["live"]
        return session

    session = asyncio.run(go())
    cs = session.engine.state.checks["live"]
    samples_here = cs.count
    assert len(cs.history) > samples_here  # the past came from query_range, not from samples taken here
    times = [t for t, _ in cs.history]
    assert times == sorted(times)
    assert session.engine.state.outcome == "NO-GO"  # the unticked manual item; history decides nothing
