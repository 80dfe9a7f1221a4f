"""The lead's screen and a `golive watch` follower, both seats at one real driver process, show the same sample
values and the same pods at the same moment: their rendered check and pod tables are compared cell by cell.

The evidence is made still for each comparison: the command checks print what a file holds and the Kubernetes
sandbox's deployment is left alone, so both screens must settle on one picture, and it must be the evidence's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.console.driver.client import DriverClient
from golive.screens.app import GoliveApp
from tests.fixtures.kube import DEPLOYMENT, NAMESPACE
from tests.integration.driver_helpers import start_driver, stop, write_runbook
from tests.ui.harness import wait_for

CHECKS = ("rate", "errors", "latency")


def runbook_text(values: Path, kubeconfig: Path) -> str:
    checks = "".join(f"""
  [[phase.check]]
  id = "{name}"
  source = "command"
  run = ["cat", "{values / name}"]
  pass = "< 1000"
  unit = "ms"
  every = "100ms"
""" for name in CHECKS)
    return f"""
[runbook]
name = "two seats, one picture"
service = "payments-api"
version = "v1.2.2"
signoff = ["deployment-lead"]

[targets.kubernetes.sandbox]
kubeconfig = "{kubeconfig}"
namespace = "{NAMESPACE}"

[[phase]]
id = "canary"
hold = "1h"
{checks}
  [[phase.check]]
  id = "rollout"
  source = "kubernetes"
  deployment = "{DEPLOYMENT}"
  expect = "available"
  every = "100ms"
"""


def seat_app(folder: Path, read_only: bool) -> GoliveApp:
    """The mission screen over a seat, as `golive attach` (the lead) or `golive watch` (a follower) makes it."""
    return GoliveApp(lambda listeners=(): DriverClient(folder, read_only=read_only, listeners=listeners),
                     theme="high-contrast")


def picture(app: GoliveApp) -> dict:
    """What the screen shows of the evidence: each check's verdict, value and target, and every pod cell."""
    if app.mission is None or app.mission.panes is None:
        return {}
    panes = app.mission.panes
    table, pods = panes.checks, panes.pods.table

    def text(grid, row: str, column: str) -> str:
        value = grid.get_cell(row, column)
        return str(getattr(value, "plain", value))
    checks = {row.value: tuple(text(table, row.value, c) for c in ("title", "verdict", "value", "target"))
              for row in table.rows}
    columns = [c.value for c in pods.columns]
    rows = [tuple(text(pods, row.value, c) for c in columns) for row in pods.rows] if pods.display else []
    return {"checks": checks, "pods": rows}


def shows(shown: dict, values: dict[str, str], pods: set[str], image_tag: str) -> bool:
    """The picture is the evidence's: every check shows its file's value, the pods are the sandbox's."""
    if not shown or set(shown["checks"]) != {*CHECKS, "rollout"}:
        return False
    if any(not shown["checks"][name][2].startswith(values[name]) for name in CHECKS):
        return False
    return {row[0] for row in shown["pods"]} == pods and all(row[-1] == image_tag for row in shown["pods"])


@pytest.mark.asyncio
async def test_the_follower_shows_the_sample_values_and_pods_the_leads_screen_shows(tmp_path, kube_payments,
                                                                                  kubeconfig):
    values = tmp_path / "values"
    values.mkdir()
    for name, value in zip(CHECKS, ("41", "0.5", "230"), strict=True):
        (values / name).write_text(value + "\n")
    folder = tmp_path / "session"
    driver = start_driver(write_runbook(tmp_path, runbook_text(values, kubeconfig)), folder)
    sim = kube_payments.sim
    try:
        lead, follower = seat_app(folder, False), seat_app(folder, True)
        async with lead.run_test(size=(160, 48)) as lead_pilot, follower.run_test(size=(160, 48)):
            assert follower.session.read_only and not lead.session.read_only
            rounds = [({"rate": "41", "errors": "0.5", "latency": "230"}, None),
                      ({"rate": "57", "errors": "0.75", "latency": "310"}, 5)]   # new values, and two pods more
            for want, replicas in rounds:
                for name, value in want.items():
                    (values / name).write_text(value + "\n")
                if replicas is not None:
                    sim.scale(NAMESPACE, DEPLOYMENT, replicas)
                    sim.settle()   # the new pods created and ready: then the sandbox is still again
                expected = {p["metadata"]["name"] for p in kube_payments.store.list("pods", NAMESPACE)[0]}

                def settled(want: dict = want, expected: set = expected) -> dict | None:
                    # both screens read in one step of the loop: no line from the driver can come in between
                    leads, followers = picture(lead), picture(follower)
                    if leads == followers and shows(leads, want, expected, "v1.2.2"):
                        return followers
                    return None
                seen = await wait_for(lead_pilot, settled, f"both seats showing {want} and {len(expected)} pods", 60)
                assert len(seen["pods"]) == len(expected) == (replicas or 3)
    finally:
        stop(driver)
