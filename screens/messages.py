"""Messages from the session (driver or follower) to the mission screen."""

from __future__ import annotations

# The session's listener runs inside the app's event loop and only posts these; the screen reads the engine's
# state when it handles them. Samples are high-rate, so one pending ``SamplesArrived`` replaces the next and the
# ids of the checks that changed wait in a set the listener fills (see ``SessionFeed``).
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class SessionEvent(Message):
    """One event was journaled and folded into the state."""

    event: Any


@dataclass
class SamplesArrived(Message):
    """New samples were folded in; the checks that changed are in the feed's ``dirty`` set."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SamplesArrived)


@dataclass
class ActionOutput(Message):
    """A line of an action's output (not journaled line by line: only its digest and tail are)."""

    action: str
    line: str


@dataclass
class StepAwaitsConfirm(Message):
    """A rollback step written with ``confirm = true`` waits for the lead (the screen reads which from the state)."""

    step: str
    command: str


@dataclass
class SessionFeed:
    """What the listener collected since the screen last looked: checks with new samples, pods changed."""

    dirty: set[str] = field(default_factory=set)
    pods_changed: bool = False
    posted: bool = False        # a SamplesArrived is on its way: the next samples need not post another

    def take(self) -> tuple[set[str], bool]:
        dirty, pods = self.dirty, self.pods_changed
        self.dirty, self.pods_changed = set(), False
        return dirty, pods
