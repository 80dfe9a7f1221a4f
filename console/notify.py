"""Notifications: which events the runbook's [[notify]] targets hear, and the bodies they get (JSON or Slack).

Quiet by default: only targets the runbook declares, only the events each lists. Delivery is checks/webhook.py's,
on its own thread; nothing here waits on the network. Bodies never hold a secret: the URL stays with the sender,
a ticket URL loses its password, and no query, DSN or header is ever included. Schema: README, "Notifications".
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import deque
from pathlib import Path
from typing import Any, Callable

from golive.console import events as ev
from golive.console.record import iso
from golive.console.redact import redact_urls
from golive.console.runbook_change import NotifyTarget

SCHEMA = "golive.notification/1"
POLL_EVERY = 1.0
TRIGGER_STATES = ("pending", "firing")


class NotifyConfigError(ValueError):
    """A target's URL cannot be read; the message names the target and where it looked, never the URL."""


def resolve_url(target: NotifyTarget, index: int) -> str:
    where = f"notify[{index + 1}] {target.id}"
    if target.url_env:
        url = os.environ.get(target.url_env, "").strip()
        if not url:
            raise NotifyConfigError(f"{where}: environment variable {target.url_env} is not set")
        origin = f"${target.url_env}"
    else:
        path = Path(target.url_file or "").expanduser()
        try:
            url = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise NotifyConfigError(f"{where}: cannot read url_file {path}: "
                                    f"{getattr(exc, 'strerror', None) or 'not UTF-8 text'}") from None
        origin = str(path)
    if not url.startswith(("https://", "http://")):
        raise NotifyConfigError(f"{where}: the URL in {origin} is not an http(s) URL")
    return url


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(message: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook body (text, plus blocks for clients that show them)."""
    change = message["change"].get("id") or message["runbook"]["name"]
    where = f"{message['runbook']['service']} {message['runbook']['version']} → {message['runbook']['environment']}"
    phase = message.get("phase") or {}
    context = [where] + ([f"phase {phase['number']}/{phase['of']} {phase['title']}"] if phase else []) + \
        ([f"by {message['by']}"] if message.get("by") else [])
    text = f"[{change}] {message['text']}"
    return {"text": _slack_escape(text), "blocks": [
        {"type": "section",
         "text": {"type": "mrkdwn", "text": f"*{_slack_escape(change)}* {_slack_escape(message['text'])}"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(" · ".join(context))}]},
    ]}


class Notifier:
    """A session listener: turns events into notifications for each target that asked for them.

    ``senders`` maps a target id to an object with ``send(event, body) -> bool`` and ``close(wait)``. Subscribe
    it before the session starts (so the first phase is heard), then ``bind`` the session on its loop; events
    heard before that wait for it. ``poll(now)`` notices a gate that opened (no event says so) and reminds.
    """

    def __init__(self, runbook: Any, targets: list[NotifyTarget], senders: dict[str, Any] | None = None):
        self.runbook, self.targets = runbook, targets
        self.senders: dict[str, Any] = senders or {}
        self.session: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task | None = None
        self._early: list[ev.Event] = []
        self._actor = ""
        self._gate_since: float | None = None
        self._reminded: dict[str, tuple[float, int]] = {}   # target -> (last sent, reminders so far)
        self.sent: deque[dict[str, Any]] = deque(maxlen=1000)  # the latest handed to senders, in order

    def bind(self, session: Any) -> None:
        """Attach to the session on its running loop: hear what came before, then watch the gate."""
        self.session, self.loop = session, asyncio.get_running_loop()
        self._actor = self._actor or getattr(session, "operator", "")
        early, self._early = self._early, []
        for event in early:
            self._hear(event)
        self.task = self.loop.create_task(self.watch())

    # -------------------------------------------------------------- building messages

    def message(self, name: str, at: float, text: str, *, by: str = "", detail: dict | None = None,
                reminder: int = 0, phase_id: str = "") -> dict[str, Any]:
        meta, st = self.runbook.meta, self.session.engine.state
        phase = self.runbook.phases[self.runbook.phase_index(phase_id)] if phase_id else \
            self.session.engine.active_phase()
        number = self.runbook.phase_index(phase.id) + 1 if phase is not None else 0
        return {
            "schema": SCHEMA, "event": name, "at": iso(at), "text": text,
            "change": {"id": meta.change_id or "", "ticket": redact_urls(meta.ticket or ""),
                       "type": meta.change_type or "",
                       "window": st.change.get("window", "none")},
            "runbook": {"name": meta.name, "service": meta.service, "version": meta.version,
                        "environment": meta.environment},
            "session": Path(self.session.folder).name,
            "phase": None if phase is None else {"id": phase.id, "title": phase.label, "number": number,
                                                 "of": len(self.runbook.phases)},
            "by": by, "detail": detail or {}, "reminder": reminder,
        }

    def _describe(self, e: ev.Event) -> tuple[str, str, str, dict] | None:
        """(notification name, text, who acted, detail) for an event, or None when no notification is one."""
        rb = self.runbook
        if isinstance(e, ev.PhaseStarted):
            phase = rb.phases[rb.phase_index(e.phase)]
            return "phase_started", f"phase {phase.label} started", self._actor, {}
        if isinstance(e, ev.PhaseEnded):
            phase = rb.phases[rb.phase_index(e.phase)]
            return "phase_ended", f"phase {phase.label} {e.status}" + (f": {e.reason}" if e.reason else ""), \
                self._actor, {"status": e.status, "reason": e.reason}
        if isinstance(e, ev.TriggerState) and e.state in TRIGGER_STATES:
            trig = rb.check(e.trigger)
            return "trigger", f"trigger {trig.label} {e.state}", "", \
                {"trigger": trig.id, "title": trig.label, "state": e.state, "value": e.value, "then": trig.then}
        if isinstance(e, ev.Decision):
            return "decision", f"{e.kind} by {e.by}" + (f": {e.reason}" if e.reason else ""), e.by, \
                {"kind": e.kind, "reason": e.reason, "trigger": e.trigger}
        if isinstance(e, ev.Outcome):
            return "outcome", f"outcome {e.outcome}" + (f": {e.reason}" if e.reason else ""), self._actor, \
                {"outcome": e.outcome, "reason": e.reason}
        if isinstance(e, ev.SignOff):
            missing = self.session.engine.missing_signoffs()
            text = f"signed off as {e.role} by {e.name}" + ("; every role has signed off" if not missing
                                                            else f"; still to sign off: {', '.join(missing)}")
            return "signed", text, e.name, {"kind": "signoff", "role": e.role, "missing": missing,
                                            "complete": not missing}
        return None

    # -------------------------------------------------------------- listening

    def __call__(self, kind: str, payload: Any) -> None:
        if kind != "event":
            return
        if self.session is None:
            self._early.append(payload)
            return
        self._hear(payload)

    def _hear(self, e: ev.Event) -> None:
        by = getattr(e, "by", "") or getattr(e, "operator", "")
        if by and e.human:
            self._actor = by
        described = self._describe(e)
        if described is None:
            return
        name, text, actor, detail = described
        if name in ("phase_started", "decision", "outcome"):
            self._gate_since = None  # a new phase (or the end) closes the gate the room was waiting on
            self._reminded.clear()
        self._send(name, self.message(name, e.at, text, by=actor, detail=detail, phase_id=getattr(e, "phase", "")))

    def poll(self, now: float) -> None:
        """A gate that opened waits for a person: say so once, then remind every ``remind_every``."""
        engine = self.session.engine
        if getattr(self.session, "headless", False):
            return  # a headless run proceeds itself the moment a gate opens: nobody is waited for
        if engine.state.outcome is not None or not engine.gate(now).open:
            self._gate_since = None
            self._reminded.clear()
            return
        phase = engine.active_phase()
        if self._gate_since is None:
            self._gate_since = now
            self._send("gate_open", self._gate_message(now, phase, 0))
            return
        for target in self.targets:
            if target.remind_every is None or "gate_open" not in target.on:
                continue
            last, count = self._reminded.get(target.id, (self._gate_since, 0))
            if now - last >= target.remind_every:
                self._reminded[target.id] = (now, count + 1)
                self._send("gate_open", self._gate_message(now, phase, count + 1), only=target.id)

    def _gate_message(self, now: float, phase: Any, reminder: int) -> dict[str, Any]:
        waited = round(now - (self._gate_since or now))
        text = f"gate open: phase {phase.label} waits for the lead to proceed" + \
            (f" (reminder {reminder}, open {waited}s)" if reminder else "")
        return self.message("gate_open", now, text, detail={"open_for": waited}, reminder=reminder)

    def _send(self, name: str, message: dict[str, Any], only: str | None = None) -> None:
        for target in self.targets:
            if name not in target.on or (only and target.id != only):
                continue
            body = slack_body(message) if target.kind == "slack" else message
            self.sent.append({"target": target.id, **message})
            self.senders[target.id].send(name, body)

    async def watch(self) -> None:
        """Poll the gate once a second until cancelled (a task of the session's loop)."""
        while True:
            try:
                self.poll(self.session.clock())
            except Exception:  # a notification is never a reason to stop a go-live
                pass
            await asyncio.sleep(POLL_EVERY)

    def close(self, wait: float = 5.0) -> None:
        for sender in self.senders.values():
            left = sender.close(wait)
            if left:
                print(f"golive: warning: {left} notification(s) not delivered before exit", file=sys.stderr)


def prepare(runbook: Any, make_sender: Callable[..., Any] | None = None) -> Notifier | None:
    """A Notifier with one sender per [[notify]] target of ``runbook``; None when it declares none.

    Raises NotifyConfigError when a URL cannot be read (before anything is sent or created).
    """
    targets = list(runbook.notify)
    if not targets:
        return None
    if make_sender is None:
        from golive.checks.webhook import WebhookSender
        make_sender = WebhookSender
    urls = [resolve_url(t, i) for i, t in enumerate(targets)]
    notifier = Notifier(runbook, targets)
    for target, url in zip(targets, urls, strict=True):
        notifier.senders[target.id] = make_sender(url, timeout=target.timeout, retries=target.retries,
                                                  on_failure=_failure_hook(notifier, target.id))
    return notifier


def attach(session: Any, make_sender: Callable[..., Any] | None = None) -> Notifier | None:
    """Prepare, subscribe and bind in one step, for a session already started (a resume)."""
    notifier = prepare(session.runbook, make_sender)
    if notifier is not None:
        session.subscribe(notifier)
        notifier.bind(session)
    return notifier


def _warn(target: str, event: str, error: str) -> None:
    print(f"golive: warning: notification {target} ({event}) not delivered: {error}", file=sys.stderr)


def _failure_hook(notifier: Notifier, target: str) -> Callable[[str, int, str], None]:
    """Called on the sender's thread: the failure is journaled on the session's loop (one writer)."""
    def journal(event: str, attempts: int, error: str) -> None:
        session = notifier.session
        if session is not None and session.engine.state.outcome is None:
            try:
                session.submit([ev.NotifyFailed(at=session.clock(), target=target, event=event,
                                                attempts=attempts, error=error)])
                return
            except Exception:  # the journal has closed
                pass
        _warn(target, event, error)  # the record is final (bound to the outcome's line): a log line only

    def hook(event: str, attempts: int, error: str) -> None:
        try:
            if notifier.loop is None:
                raise RuntimeError("not bound")
            notifier.loop.call_soon_threadsafe(journal, event, attempts, error)
        except RuntimeError:  # the loop has closed
            _warn(target, event, error)
    return hook


def notify_signature(record_path: Path, role: str, name: str, missing: list[str], wait: float = 5.0) -> None:
    """Tell the targets that asked for ``signed`` that ``golive sign`` added a role's SSH signature.

    Runs outside any session: the runbook and state come from the session folder. Never raises; a target that
    cannot be reached is a warning on stderr.
    """
    import time
    from types import SimpleNamespace

    folder = Path(record_path).resolve().parent
    try:
        if "notify" not in (folder / "runbook.toml").read_text(encoding="utf-8"):
            return  # most runbooks notify nobody: skip the replay that signing would otherwise pay for
        from golive.console.journal import read_journal
        from golive.console.session import replay_session

        runbook, engine, _ = replay_session(folder, read_journal(folder / "journal.jsonl").events)
    except Exception:
        return  # a record without its session folder: nobody to tell
    if not any("signed" in t.on for t in runbook.notify):
        return
    try:
        notifier = prepare(runbook)
    except NotifyConfigError as exc:
        print(f"golive: warning: {exc}", file=sys.stderr)
        return
    assert notifier is not None
    notifier.session = SimpleNamespace(runbook=runbook, engine=engine, folder=folder, clock=time.time,
                                       operator=name, headless=True)
    text = f"record signed as {role} by {name}" + ("; every role has signed" if not missing
                                                   else f"; still to sign: {', '.join(missing)}")
    notifier._send("signed", notifier.message("signed", time.time(), text, by=name, detail={
        "kind": "signature", "role": role, "missing": list(missing), "complete": not missing}))
    notifier.close(wait)
