"""Ready-made states of the Kubernetes sandbox for the demo and for manual runs.

Every scenario has ``payments-api`` in namespace ``payments`` at v1.2.2 (3 replicas);
they differ in what happens next when the simulator runs.
"""

from __future__ import annotations

from typing import Any, Callable

NAMESPACE = "payments"
DEPLOYMENT = "payments-api"
IMAGE = "registry.example.com/payments-api"
OLD, NEW = "v1.2.2", "v1.2.3"


def _steady(sandbox: Any) -> None:
    sandbox.sim.create_deployment(NAMESPACE, DEPLOYMENT, f"{IMAGE}:{OLD}", replicas=3)


def _rollout(sandbox: Any) -> None:
    _steady(sandbox)
    sandbox.sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:{NEW}")


def _canary(sandbox: Any) -> None:
    _steady(sandbox)
    sandbox.sim.set_canary(NAMESPACE, DEPLOYMENT, 1)
    sandbox.sim.set_image(NAMESPACE, DEPLOYMENT, f"{IMAGE}:{NEW}")


def _crashloop(sandbox: Any) -> None:
    _rollout(sandbox)
    sandbox.sim.crashloop(NAMESPACE, DEPLOYMENT)


def _image_pull(sandbox: Any) -> None:
    sandbox.sim.fail_image_pull(f"{IMAGE}:{NEW}")
    _rollout(sandbox)


SCENARIOS: dict[str, Callable[[Any], None]] = {
    "empty": lambda sandbox: None,
    "steady": _steady,
    "rollout": _rollout,
    "canary": _canary,
    "crashloop": _crashloop,
    "image-pull": _image_pull,
}


def apply_scenario(sandbox: Any, name: str) -> None:
    """Set up the named scenario in a KubeSandbox; raises KeyError for an unknown name."""
    SCENARIOS[name](sandbox)
