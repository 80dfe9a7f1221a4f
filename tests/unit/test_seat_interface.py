"""The live session, the journal follower and a driver seat implement one command interface (console/seat.py):
every command the screens send exists on all three, as a coroutine taking the interface's arguments."""

from __future__ import annotations

import inspect

import pytest

from golive.console.driver.client import DriverClient
from golive.console.follower import Follower
from golive.console.seat import COMMANDS, SeatCommands
from golive.console.session import Session


@pytest.mark.parametrize("implementation", [Session, Follower, DriverClient], ids=lambda c: c.__name__)
def test_every_command_of_the_interface_is_a_coroutine_taking_its_arguments(implementation):
    assert {"proceed", "override", "tick", "note", "sign", "approve", "rollback", "decline_rollback",
            "run_action", "fire_trigger", "resume_paused", "abort"} <= set(COMMANDS)
    for name in COMMANDS:
        method = getattr(implementation, name, None)
        assert method is not None and inspect.iscoroutinefunction(method), f"{implementation.__name__}.{name}"
        wanted = inspect.signature(getattr(SeatCommands, name)).parameters
        given = inspect.signature(method).parameters
        for arg, spec in wanted.items():
            assert arg in given, f"{implementation.__name__}.{name} takes no {arg!r}"
            assert (spec.default is inspect.Parameter.empty) or given[arg].default is not inspect.Parameter.empty, \
                f"{implementation.__name__}.{name}: {arg!r} must stay optional"
        extra = [a for a, p in given.items() if a not in wanted and p.default is inspect.Parameter.empty]
        assert not extra, f"{implementation.__name__}.{name} needs more than the interface gives: {extra}"
    assert callable(getattr(implementation, "write_record", None))
