"""The pods the Kubernetes checks report: name, ready, status or reason, restarts, age, image tag."""

from __future__ import annotations

# Crash-looping and not-ready pods come first and are marked with a symbol as well as a colour.
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from golive.console.state import GoLiveState
from golive.screens.live_table import LiveTable, cell
from golive.screens.palette import Palette

HEALTHY = ("Running", "Succeeded", "Completed")


def pod_age(seconds: Any) -> str:
    """A coarse age (``45s``, ``12m``, ``3h4m``, ``2d3h``) so the table does not redraw every second."""
    try:
        s = int(float(seconds))
    except (TypeError, ValueError):
        return "?"
    if s < 60:
        return f"{max(s, 0)}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60}m"
    return f"{s // 86400}d{s % 86400 // 3600}h"


def pod_trouble(pod: dict) -> tuple[bool, bool]:
    """(status is bad, not ready) for one pod row."""
    status = str(pod.get("status", ""))
    ready = str(pod.get("ready", ""))
    try:
        have, want = (int(x) for x in ready.split("/", 1))
        not_ready = have < want
    except ValueError:
        not_ready = True
    return status not in HEALTHY, not_ready


def fit_name(name: str, width: int) -> str:
    """The pod's name, cut from the left when too long: the generated suffix is what tells pods apart."""
    return name if len(name) <= width else "…" + name[len(name) - width + 1:]


def pod_cells(pod: dict, palette: Palette, name_width: int = 64) -> tuple:
    bad_status, not_ready = pod_trouble(pod)
    fail, warn = palette.style("status-fail", bold=True), palette.style("status-warn", bold=True)
    status = str(pod.get("status", "?"))
    restarts = int(pod.get("restarts") or 0)
    return (
        cell(fit_name(str(pod.get("name", "?")), name_width), fail if bad_status else ""),
        cell(("! " if not_ready else "") + str(pod.get("ready", "?")), warn if not_ready else ""),
        cell(("✗ " if bad_status else "") + status, fail if bad_status else palette.style("status-pass")),
        cell(str(restarts), warn if restarts else "dim"),
        cell(pod_age(pod.get("age_seconds")), "dim"),
        cell(str(pod.get("image_tag", "")), "dim"),
    )


def pod_order(state: GoLiveState) -> dict[str, dict]:
    """Each pod once, keyed by name, as the most recently sampled check saw it: troubled pods first, then by name.

    Several checks (a rollout check, a canary check, a trigger) report the same pods; the freshest row wins.
    """
    def sampled_at(check_id: str) -> float:
        cs = state.checks.get(check_id)
        return (cs.last_at or 0.0) if cs else 0.0

    latest: dict[str, dict] = {}
    for check_id in sorted(state.pods, key=sampled_at):
        for pod in state.pods[check_id]:
            latest[str(pod.get("name", "?"))] = pod
    return dict(sorted(latest.items(), key=lambda kv: (not any(pod_trouble(kv[1])), kv[0])))


class PodTable(LiveTable):
    def show(self, state: GoLiveState, palette: Palette) -> None:
        if not self.size.width:
            return
        width = self.size.width
        pods = [p for rows in state.pods.values() for p in rows]
        # The pod's name matters most: the other columns take what their longest value needs.
        status = max(8, min(22, max((len(str(p.get("status", ""))) + 2 for p in pods), default=8)))
        image = max(5, min(20, max((len(str(p.get("image_tag", ""))) for p in pods), default=5)))
        narrow = width < 100
        restarts = 3 if narrow else 8
        fixed = 5 + status + restarts + 5 + image + 2 * 6 + 2   # the columns, their padding, a scrollbar
        longest = max((len(str(p.get("name", ""))) for p in pods), default=16)
        name = max(12, min(longest, width - fixed))
        image += max(0, width - fixed - name)
        self.set_columns([("name", "Pod", name), ("ready", "Ready", 5), ("status", "Status", status),
                          ("restarts", "Rst" if narrow else "Restarts", restarts), ("age", "Age", 5),
                          ("image", "Image", image)])
        order = pod_order(state)

        def make(key: str) -> tuple:
            pod = order.get(key)
            return pod_cells(pod, palette, name) if pod is not None else self._cells.get(key, ("",) * 6)
        self.sync_lazy(list(order), make)


class PodPane(Vertical):
    """The pod table, with a line that says so when no check reports pods."""

    DEFAULT_CSS = """
    PodPane { height: 1fr; }
    PodPane > #pods-empty { color: $text-muted; padding: 0 1; }
    """

    def __init__(self, **kw: Any):
        super().__init__(**kw)
        self.table = PodTable(id="pod-table")

    def compose(self) -> ComposeResult:
        yield Static("no pods reported (the runbook has no Kubernetes check, or none has run yet)", id="pods-empty")
        yield self.table

    def show(self, state: GoLiveState, palette: Palette) -> None:
        has_pods = any(state.pods.values())
        self.query_one("#pods-empty").display = not has_pods
        self.table.display = has_pods
        if has_pods and not self.table.size.width:
            # just shown: the table has its width only after the next layout, so fill it then
            self.call_after_refresh(self.table.show, state, palette)
        elif has_pods:
            self.table.show(state, palette)
