"""Evidence sources, one module each; the only code that talks to the outside world.

``open_source(kind, name, target, ...)`` imports the module for ``kind`` only when a
runbook uses it (the Kubernetes client alone costs ~0.4 s to import).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from golive.checks.base import Sample, Source, SourceError

__all__ = ["Sample", "Source", "SourceError", "open_source", "KINDS"]

KINDS = ("prometheus", "kubernetes", "http", "postgres", "alertmanager", "command", "manual")

# on_change(): a push source asks for an immediate re-sample (Kubernetes watch)
# on_log(level, text): a line for the event log (Kubernetes warnings, alert names)
OnChange = Callable[[], None]
OnLog = Callable[[str, str], None]


def open_source(
    kind: str,
    name: str,
    target: Any | None,
    *,
    on_change: OnChange | None = None,
    on_log: OnLog | None = None,
) -> Source:
    """Create the source for one target.

    Args:
        kind: the runbook's ``source`` (prometheus, kubernetes, ...).
        name: the target's name in ``[targets.<kind>.<name>]`` ("" for none).
        target: the validated target model from the runbook, or None.
    Raises:
        SourceError: the target cannot be set up (a credential variable unset,
            an unreadable CA file); the message names the field, never a secret.
    """
    if kind not in KINDS:
        raise SourceError(f"unknown source {kind!r}")
    module = importlib.import_module(f"golive.checks.{kind}")
    return module.create(name, target, on_change=on_change, on_log=on_log)
