"""The one interface the screens drive a go-live through: the commands, and what a seat says about itself.
The live session, the journal follower and a driver seat (DriverClient) each implement it."""

from __future__ import annotations

# A command returns once its event is journaled (fsync'd) — or raises Refused with the reason, the same reason
# Engine.why_not gives beforehand. ``by`` names the person where the implementation may choose it; a driver seat
# ignores it (the driver names the person from the kernel), a follower refuses everything.
from pathlib import Path
from typing import Any, Callable, Protocol, runtime_checkable


@runtime_checkable
class SeatCommands(Protocol):
    """Every command a screen sends."""

    async def proceed(self, by: str | None = None) -> None: ...

    async def override(self, reason: str, by: str | None = None) -> None: ...

    async def tick(self, check_id: str, checked: bool = True, note: str = "", by: str | None = None) -> None: ...

    async def note(self, text: str, by: str | None = None) -> None: ...

    async def sign(self, role: str, name: str | None = None) -> None: ...

    async def approve(self, role: str = "", note: str = "", by: str | None = None) -> None: ...

    async def rollback(self, by: str | None = None, reason: str = "", trigger: str = "", plan: str = "") -> None: ...

    async def decline_rollback(self, reason: str, by: str | None = None) -> None: ...

    async def run_action(self, by: str | None = None) -> None: ...

    async def fire_trigger(self, trigger_id: str, reason: str, by: str | None = None) -> None: ...

    async def resume_paused(self, note: str, by: str | None = None) -> None: ...

    async def abort(self, reason: str, by: str | None = None) -> None: ...

    async def confirm_step(self, step: str, note: str = "", by: str | None = None) -> None: ...

    def write_record(self) -> tuple[Path, Path]: ...


class Seat(SeatCommands, Protocol):
    """A seat as the screens see it: the commands, who sits there, and how to run and stop its feed."""

    read_only: bool
    dry_run: bool
    operator: str
    folder: Path
    record_paths: tuple[Path, Path] | None
    clock: Callable[[], float]
    engine: Any
    runbook: Any

    async def run(self, until_outcome: bool | None = None) -> str | None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...

    def view(self, now: float | None = None) -> Any: ...   # console.view.SessionView

    def subscribe(self, listener: Callable[[str, Any], None]) -> None: ...


COMMANDS = tuple(name for name in SeatCommands.__dict__ if not name.startswith("_") and name != "write_record")
