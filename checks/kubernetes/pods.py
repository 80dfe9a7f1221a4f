"""Judging Kubernetes objects (plain dicts as the API sends them): rollout status, pod health, pod rows.

Pure functions, no client: the Kubernetes source feeds them its cache. Counts the API
omits when zero are read as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from golive.checks.kubernetes.selectors import parse_label_selector, selector_matches

# waiting/terminated reasons that mean a pod is failing, not merely starting
BAD_REASONS = frozenset({
    "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "OOMKilled", "CreateContainerConfigError",
    "CreateContainerError", "InvalidImageName", "RunContainerError", "Error",
})
VERSION_LABELS = ("version", "app.kubernetes.io/version")


def image_tag(image: str) -> str:
    """The tag of an image reference (``reg:5000/app:v1@sha256:…`` → ``v1``; no tag → ``latest``)."""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return name.split(":", 1)[1] if ":" in name else "latest"


def parse_time(timestamp: str | None) -> float | None:
    """Epoch seconds of an RFC 3339 timestamp, or None."""
    if not timestamp:
        return None
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()
    except ValueError:
        return None


def is_terminating(pod: dict) -> bool:
    return bool(pod.get("metadata", {}).get("deletionTimestamp"))


def is_ready(pod: dict) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def restarts(pod: dict) -> int:
    return sum(cs.get("restartCount", 0) for cs in (pod.get("status") or {}).get("containerStatuses") or [])


def pod_status(pod: dict) -> str:
    """What kubectl's STATUS column says: Terminating, a waiting/terminated reason, or the phase."""
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Unknown"
    for cs in status.get("initContainerStatuses") or []:
        state = cs.get("state") or {}
        if (state.get("waiting") or {}).get("reason") not in (None, "PodInitializing"):
            reason = "Init:" + state["waiting"]["reason"]
    for cs in reversed(status.get("containerStatuses") or []):
        state = cs.get("state") or {}
        if (state.get("waiting") or {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif (state.get("terminated") or {}).get("reason"):
            reason = state["terminated"]["reason"]
    if is_terminating(pod):
        reason = "Terminating"
    return reason


def pod_problem(pod: dict) -> str | None:
    """Why a pod is failing (``CrashLoopBackOff (OOMKilled, 5 restarts)``, ``ErrImagePull``), or None."""
    if is_terminating(pod):
        return None
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        state, last = cs.get("state") or {}, (cs.get("lastState") or {}).get("terminated") or {}
        reason = (state.get("waiting") or {}).get("reason") or (state.get("terminated") or {}).get("reason")
        if reason in BAD_REASONS:
            notes = ["OOMKilled"] if reason == "CrashLoopBackOff" and last.get("reason") == "OOMKilled" else []
            count = cs.get("restartCount", 0)
            if count:
                notes.append(f"{count} restart{'s' if count != 1 else ''}")
            return f"{reason} ({', '.join(notes)})" if notes else reason
    return None


def pod_row(pod: dict, now: float) -> dict:
    """One row of the screen's pod table."""
    meta, spec, status = pod.get("metadata", {}), pod.get("spec") or {}, pod.get("status") or {}
    statuses = status.get("containerStatuses") or []
    containers = spec.get("containers") or []
    created = parse_time(meta.get("creationTimestamp"))
    labels = meta.get("labels") or {}
    return {
        "name": meta.get("name", ""),
        "ready": f"{sum(1 for cs in statuses if cs.get('ready'))}/{len(containers)}",
        "status": pod_status(pod),
        "restarts": restarts(pod),
        "age_seconds": max(0.0, now - created) if created is not None else None,
        "node": spec.get("nodeName") or "",
        "image_tag": image_tag(containers[0].get("image", "")) if containers else "",
        "version": next((labels[k] for k in VERSION_LABELS if k in labels), ""),
    }


def rollout_status(deploy: dict) -> tuple[bool, str]:
    """(complete, why not) as ``kubectl rollout status`` judges a Deployment, plus readiness.

    Complete means the controller has observed the current generation, every desired
    replica is updated, ready and available, and no old replica is left.
    """
    meta, spec, st = deploy.get("metadata", {}), deploy.get("spec") or {}, deploy.get("status") or {}
    name = meta.get("name", "")
    if st.get("observedGeneration", 0) < meta.get("generation", 0):
        return False, f"rollout of {name}: spec update not yet observed"
    progressing: dict = next((c for c in st.get("conditions") or [] if c.get("type") == "Progressing"), {})
    if progressing.get("reason") == "ProgressDeadlineExceeded":
        return False, f"rollout of {name} exceeded its progress deadline"
    desired = spec.get("replicas", 1)
    updated, total = st.get("updatedReplicas", 0), st.get("replicas", 0)
    ready, available = st.get("readyReplicas", 0), st.get("availableReplicas", 0)
    if updated < desired:
        return False, f"rollout of {name}: {updated} of {desired} new replicas updated"
    if total > updated:
        old = total - updated
        return False, f"rollout of {name}: {old} old replica{'s' if old != 1 else ''} pending termination"
    if available < updated or ready < desired or available < desired:
        return False, f"rollout of {name}: {min(ready, available)} of {desired} updated replicas available"
    return True, f"{name} {available}/{desired} available"


@dataclass(frozen=True)
class Verdict:
    """What the cache says about one check: ``ok`` (None with ``no_data``), ready pods, one line, rows."""

    ok: bool | None
    value: float
    detail: str
    rows: list[dict] = field(default_factory=list)
    no_data: bool = False


def _first(failures: list[str]) -> str:
    return failures[0] + (f" (and {len(failures) - 1} more)" if len(failures) > 1 else "")


def judge(check: Any, namespace: str, deploy: dict | None, pods: list[dict], now: float) -> Verdict:
    """Judge a KubernetesCheck against a Deployment (or None) and the namespace's pods.

    ``available``: the rollout is complete (see ``rollout_status``), every template container
    runs ``image_tag`` if set, and no selected pod is failing. ``pods-ready``: every selected
    pod (with ``image_tag``: every pod running that tag) is ready and none is failing; no such
    pod is no data. Both honour ``max_restarts``.

    Raises:
        ValueError: the check's selector does not parse.
    """
    name = check.deployment
    if name and deploy is None:
        return Verdict(False, 0, f"deployment {name} not found in namespace {namespace}")
    if check.selector:
        matches = parse_label_selector(check.selector)
        chosen = [p for p in pods if matches(p.get("metadata", {}).get("labels") or {})]
    else:
        if deploy is None:  # the source refuses a check with neither deployment nor selector
            raise ValueError("a kubernetes check needs a deployment or a selector")
        selector = (deploy.get("spec") or {}).get("selector")
        chosen = [p for p in pods if selector_matches(selector, p.get("metadata", {}).get("labels"))]
    chosen.sort(key=lambda p: p.get("metadata", {}).get("name", ""))
    rows = [pod_row(p, now) for p in chosen]
    judged = [p for p in chosen if not is_terminating(p)]
    if check.expect == "pods-ready" and check.image_tag:
        judged = [p for p in judged
                  if any(image_tag(c.get("image", "")) == check.image_tag for c in p["spec"].get("containers") or [])]
    ready = sum(1 for p in judged if is_ready(p))
    failures = [f'pod {p["metadata"]["name"]} {why}' for p in judged if (why := pod_problem(p))]
    if check.max_restarts is not None:
        failures += [f'pod {p["metadata"]["name"]} restarted {restarts(p)} times (max {check.max_restarts})'
                     for p in judged if restarts(p) > check.max_restarts]
    if check.expect == "available":
        if deploy is None:  # the source refuses an available check without a deployment
            raise ValueError("an available check needs a deployment")
        complete, why = rollout_status(deploy)
        if not complete:
            failures.append(why)
        passed = why
        if check.image_tag:
            containers = deploy["spec"]["template"]["spec"].get("containers") or []
            tags = sorted({image_tag(c.get("image", "")) for c in containers})
            if tags != [check.image_tag]:
                failures.append(f'{name} runs image tag {",".join(tags)}, not {check.image_tag}')
            passed += f", image {check.image_tag}"
    else:
        what = check.selector or name
        if not judged:
            suffix = f" running image tag {check.image_tag}" if check.image_tag else ""
            return Verdict(None, 0, f"no pods of {what}{suffix} in namespace {namespace}", rows, no_data=True)
        failures += [f'pod {p["metadata"]["name"]} not ready ({pod_status(p)})'
                     for p in judged if not is_ready(p) and not pod_problem(p)]
        passed = f"{ready}/{len(judged)} pods of {what} ready"
    if failures:
        return Verdict(False, ready, _first(failures), rows)
    return Verdict(True, ready, passed, rows)
