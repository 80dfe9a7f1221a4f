"""The checks and triggers of a runbook: one model per evidence source, told apart by ``source``."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field

from golive.console.runbook_base import Duration, Model, ThresholdField

# ---------------------------------------------------------------- checks

class CheckBase(Model):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    title: str | None = None
    description: str | None = None
    target: str | None = None
    every: Duration = 15.0
    timeout: Duration = 10.0
    pass_: ThresholdField | None = Field(None, alias="pass")
    warn: ThresholdField | None = None
    unit: str = ""
    on_no_data: Literal["error", "fail"] = "error"
    required: bool = True
    # judge a figure over a window instead of the last value: "no growth over 1h" is
    # window = "1h", measure = "max-min", pass = "< 20"
    window: Duration | None = None
    measure: Literal["max-min", "slope"] | None = None
    when: str | None = None      # "strategy == blue-green": the check applies only then

    @property
    def label(self) -> str:
        return self.title or self.id

    def request_key(self) -> tuple:
        """What makes two checks the same request on one target (for sharing)."""
        return (self.source, self.target, self.id)  # type: ignore[attr-defined]


class PrometheusCheck(CheckBase):
    source: Literal["prometheus"]
    query: str
    each: bool = False
    baseline: str | None = None  # a query for the stable version, for pass = "<= baseline * 1.2"

    def request_key(self) -> tuple:
        # with each = true the sample's value is the worst series by this check's own threshold
        judged = (str(self.pass_), str(getattr(self, "fire", None))) if self.each else ()
        return ("prometheus", self.target, self.query, self.each, *judged)


class KubernetesCheck(CheckBase):
    source: Literal["kubernetes"]
    deployment: str | None = None
    selector: str | None = None
    namespace: str | None = None
    expect: Literal["available", "pods-ready"] = "available"
    image_tag: str | None = None
    max_restarts: int | None = Field(None, ge=0)


class HttpCheck(CheckBase):
    source: Literal["http"]
    url: str
    method: str = "GET"
    status: int = Field(200, ge=100, le=599)
    max_latency: Duration | None = None
    body_contains: str | None = None
    json_equals: dict[str, Any] = {}
    headers_required: list[str] = []
    headers: dict[str, str] = {}
    tls_min: Literal["1.0", "1.1", "1.2", "1.3"] | None = None
    cert_days: ThresholdField | None = None


class PostgresCheck(CheckBase):
    source: Literal["postgres"]
    query: str | None = None
    builtin: Literal["replication_lag"] | None = None


class AlertmanagerCheck(CheckBase):
    source: Literal["alertmanager"]
    matchers: list[str] = []


class CommandCheck(CheckBase):
    source: Literal["command"]
    run: list[str] | str
    shell: bool = False
    cwd: str | None = None
    env: dict[str, str] = {}
    confirm: bool = False

    def request_key(self) -> tuple:
        return ("command", str(self.run), self.id)


class ManualCheck(CheckBase):
    source: Literal["manual"]
    role: str | None = None


Check = Annotated[
    Union[PrometheusCheck, KubernetesCheck, HttpCheck, PostgresCheck, AlertmanagerCheck, CommandCheck, ManualCheck],
    Field(discriminator="source"),
]


# ---------------------------------------------------------------- triggers

RESPONSES = ("rollback", "pause", "alert", "abort")


class TriggerFields(Model):
    fire: ThresholdField | None = None
    for_: Duration = Field(0.0, alias="for")
    then: Literal["rollback", "pause", "alert", "abort"] = "alert"
    auto: bool = False
    plan: str | None = None                     # which [[rollback]] plan a rollback runs
    during: list[str] = []                      # watched only in these phases
    for_after_action: Duration | None = None    # watched only this long after a phase action
    keep_firing_for: Duration = 0.0             # as in Prometheus: stays firing this long after it clears

    @property
    def scoped(self) -> bool:
        return bool(self.during) or self.for_after_action is not None


class PrometheusTrigger(PrometheusCheck, TriggerFields): ...
class KubernetesTrigger(KubernetesCheck, TriggerFields): ...
class HttpTrigger(HttpCheck, TriggerFields): ...
class PostgresTrigger(PostgresCheck, TriggerFields): ...
class AlertmanagerTrigger(AlertmanagerCheck, TriggerFields): ...
class CommandTrigger(CommandCheck, TriggerFields): ...
class ManualTrigger(ManualCheck, TriggerFields):
    """A condition a person sees ("data corruption detected"): fired by a member of its role, with a reason."""


Trigger = Annotated[
    Union[PrometheusTrigger, KubernetesTrigger, HttpTrigger, PostgresTrigger, AlertmanagerTrigger, CommandTrigger,
          ManualTrigger],
    Field(discriminator="source"),
]
