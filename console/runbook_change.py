"""The change-management parts of a runbook: [[notify]] targets (and, from console.window, [window])."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from golive.console.units import parse_duration
from golive.console.window import Freeze, Window

__all__ = ["NOTIFY_EVENTS", "Freeze", "NotifyTarget", "Window"]

Duration = Annotated[float, BeforeValidator(parse_duration)]

# approval_awaited is accepted now and fires once approvals exist
NOTIFY_EVENTS = ("phase_started", "phase_ended", "gate_open", "approval_awaited", "trigger", "decision",
                 "outcome", "signed")


class NotifyTarget(BaseModel):
    """A webhook the room listens on; the URL is a secret, so only where to read it is written here."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    kind: Literal["webhook", "slack"] = "webhook"
    url_env: str | None = None
    url_file: str | None = None
    on: list[str] = Field(min_length=1)
    remind_every: Duration | None = None
    timeout: Duration = 5.0
    retries: int = Field(3, ge=0, le=10)

    @field_validator("on")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        bad = [e for e in value if e not in NOTIFY_EVENTS]
        if bad:
            raise ValueError(f"unknown event {bad[0]!r} (known: {', '.join(NOTIFY_EVENTS)})")
        return value

    @model_validator(mode="after")
    def _one_url(self) -> "NotifyTarget":
        if (self.url_env is None) == (self.url_file is None):
            raise ValueError("a notify target needs exactly one of url_env or url_file")
        if self.remind_every is not None and self.remind_every < 10:
            raise ValueError("remind_every below 10s would flood the room")
        return self
