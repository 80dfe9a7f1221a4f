"""The runbook's building blocks: the strict model base, duration and threshold fields, targets and actions."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from golive.console.comparisons import parse_comparison
from golive.console.units import parse_duration, parse_t_plus

Duration = Annotated[float, BeforeValidator(parse_duration)]
TPlus = Annotated[float, BeforeValidator(parse_t_plus)]
# "< 0.5", a band "40..70", a tolerance "< 200 ± 10%", or relative to a baseline "<= baseline * 1.2"
ThresholdField = Annotated[Any, BeforeValidator(parse_comparison)]

SOURCES = ("prometheus", "kubernetes", "http", "postgres", "alertmanager", "command", "manual")
# sources whose checks must name (or default to) a declared target
TARGETED = ("prometheus", "kubernetes", "postgres", "alertmanager")


class Model(BaseModel):
    # strict: TOML has real types, so "yes" for a boolean or "5" for a number is a mistake worth naming
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


# ---------------------------------------------------------------- targets

class HttpAuth(Model):
    """Credentials by reference only: environment variable names or file paths."""

    headers: dict[str, str] = {}
    headers_env: dict[str, str] = {}
    bearer_token_env: str | None = None
    bearer_token_file: str | None = None
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    ca_file: str | None = None
    insecure_skip_verify: bool = False
    concurrency: int = Field(8, ge=1, le=256)
    timeout: Duration | None = None


class PrometheusTarget(HttpAuth):
    url: str


class AlertmanagerTarget(HttpAuth):
    url: str


class HttpTarget(HttpAuth):
    base_url: str | None = None


class KubernetesTarget(Model):
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str = "default"
    in_cluster: bool = False
    concurrency: int = Field(8, ge=1, le=256)
    timeout: Duration | None = None


class PostgresTarget(Model):
    dsn_env: str | None = None
    dsn_file: str | None = None
    concurrency: int = Field(4, ge=1, le=64)
    statement_timeout: Duration = 5.0
    timeout: Duration | None = None


class Targets(Model):
    prometheus: dict[str, PrometheusTarget] = {}
    alertmanager: dict[str, AlertmanagerTarget] = {}
    http: dict[str, HttpTarget] = {}
    kubernetes: dict[str, KubernetesTarget] = {}
    postgres: dict[str, PostgresTarget] = {}


# ---------------------------------------------------------------- actions

class Action(Model):
    """An argv list (or, with shell = true, one shell string) with a timeout."""

    run: list[str] | str
    shell: bool = False
    confirm: bool = True
    # a crash leaves the exit unknown; a resume re-runs the action by itself only when it is safe to repeat
    repeat_safe: bool = False
    timeout: Duration = 600.0
    cwd: str | None = None
    env: dict[str, str] = {}
    title: str | None = None

    @property
    def argv(self) -> list[str]:
        if isinstance(self.run, str):
            return ["/bin/sh", "-c", self.run]
        return list(self.run)

    def display(self) -> str:
        """The exact command as it will run, for confirmation modals and the record."""
        import shlex

        if isinstance(self.run, str):
            return self.run
        return shlex.join(self.run)
