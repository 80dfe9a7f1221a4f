"""The driver's side of a rollback step written with ``confirm = true``: it waits for its own confirmation
(the lead on the screen, or the headless run), journaled as a ``confirm_step`` decision before it runs."""

from __future__ import annotations

import asyncio
from typing import Any

from golive.console.rollback_plans import asks_confirm, step_confirmed

WAIT_EVERY = 0.05


async def await_confirm(session: Any, name: str, step: Any) -> bool:
    """True once the step may run (confirmed, or needs none); False when the go-live ended meanwhile."""
    engine = session.engine
    if not asks_confirm(engine.runbook, step) or step_confirmed(engine, name):
        return True
    if session.headless:
        session.submit(engine.cmd_confirm_step(name, "golive (headless)", "confirmed by the headless run",
                                               now=session.clock()))
        return True
    session._notify("confirm_step", (name, step.display()))
    # a resumed plan asks again here: the decision, not the question, is what the journal keeps
    while not step_confirmed(engine, name):
        if engine.state.outcome is not None or session._stop is not None and session._stop.is_set():
            return False
        await asyncio.sleep(WAIT_EVERY)
    return True
