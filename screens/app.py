"""The Textual app behind `golive run`, `golive resume` and `golive watch`: the only core module that touches
Textual. It creates the session in its own event loop, drives it in a worker, and posts its news to the screen."""

from __future__ import annotations

import asyncio
import shlex
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.worker import Worker

from golive.screens.messages import ActionOutput, SamplesArrived, SessionEvent, SessionFeed
from golive.screens.mission import MissionScreen
from golive.screens.palette import Palette
from golive.themes import CSS_PATH, THEMES, choose_theme

SHUTDOWN_WAIT = 10.0   # seconds for checks and the scheduler to stop before the journal is closed anyway

MakeSession = Callable[..., Any]   # make_session(listeners=(...)) -> a started/resumed Session or a Follower


class GoliveApp(App[int]):
    """One mission screen over one session (driver or read-only follower)."""

    CSS_PATH = str(CSS_PATH)
    TITLE = "Golive"

    def __init__(self, make_session: MakeSession, *, theme: str | None = None, key: Path | None = None):
        super().__init__()
        for definition in THEMES.values():
            self.register_theme(definition)
        self.theme = choose_theme(theme)
        self.make_session, self.key = make_session, key
        self.session: Any = None
        self.mission: MissionScreen | None = None
        self.feed = SessionFeed()
        self.startup_error: BaseException | None = None
        self.session_closed = False
        self._session_worker: Worker | None = None
        self._palette: tuple[str, Palette] | None = None

    @property
    def palette(self) -> Palette:
        """Rich styles for the current theme's variables (rebuilt when the theme changes)."""
        if self._palette is None or self._palette[0] != self.theme:
            self._palette = (self.theme, Palette(self.get_css_variables()))
        return self._palette[1]

    def open_session(self) -> None:
        """Create the session (started, resumed or followed) now; raises what ``make_session`` raises.

        ``run_mission`` calls it before the terminal is switched to the screen, so a bad folder or a locked
        journal is one line on a normal terminal. The session binds nothing to an event loop until it runs."""
        if self.session is None:
            self.session = self.make_session(listeners=(self._hear,))

    def on_mount(self) -> None:
        try:
            self.open_session()
        except Exception as exc:  # cmd_run/cmd_watch print it after the terminal is restored
            self.startup_error = exc
            self.exit(2)
            return
        self.mission = MissionScreen(self.session, feed=self.feed, key=self.key)
        self.push_screen(self.mission)
        self._session_worker = self.run_worker(self.session.run(until_outcome=False), name="session",
                                               exit_on_error=False)
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: Any) -> None:
        if self.mission is not None:
            self.mission.refresh_all()

    def _hear(self, kind: str, payload: Any) -> None:
        """The session's listener: runs in this loop, only records and posts (never draws)."""
        screen = self.mission
        if screen is None:
            return  # the screen reads the whole state when it mounts
        if kind in ("sample", "history"):  # history: a sparkline filled from Prometheus's recent past
            feed = self.feed
            feed.dirty.add(payload.check_id if kind == "sample" else payload)
            if kind == "sample" and "pods" in payload.extra:
                feed.pods_changed = True
            if not feed.posted:
                feed.posted = True
                screen.post_message(SamplesArrived())
        elif kind == "event":
            screen.post_message(SessionEvent(payload))
        elif kind == "output":
            action, line = payload
            screen.post_message(ActionOutput(action, line))
        elif kind == "confirm_step":
            from golive.screens.messages import StepAwaitsConfirm

            screen.post_message(StepAwaitsConfirm(*payload))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker is self._session_worker and worker.error is not None and self.mission is not None:
            from golive.console.redact import scrub

            self.mission.refuse("session", scrub(f"the driver stopped: {type(worker.error).__name__}: {worker.error}"))

    async def shutdown(self) -> None:
        """Stop sampling, close the session (journal fsync'd, lock released), then leave."""
        await self._stop_session()
        self.exit(self.exit_code_for_outcome())

    async def on_unmount(self) -> None:
        # However the app ends (q, Ctrl+Q, a test leaving run_test), the session is closed in this loop.
        await self._stop_session()

    async def _stop_session(self) -> None:
        self.close_session_now()
        worker = self._session_worker
        if worker is not None:
            try:
                await asyncio.wait_for(worker.wait(), SHUTDOWN_WAIT)
            except BaseException:
                pass  # cancelled, failed or too slow: the journal is closed all the same
        self.finish_session()

    def close_session_now(self) -> None:
        if self.session is not None:
            self.session.stop()

    def finish_session(self) -> None:
        """Close the session once (a draft record first when the go-live has no outcome yet)."""
        session = self.session
        if session is None or self.session_closed:
            return
        self.session_closed = True
        if not session.read_only and session.view().outcome is None:
            try:
                session.write_record()
            except Exception:
                pass  # the journal is the source of truth; `golive report` can write the draft later
        session.close()

    def exit_code_for_outcome(self) -> int:
        session = self.session
        return 0 if session is not None and session.view().outcome == "GO" else 1

    async def action_quit(self) -> None:
        """Ctrl+Q goes through the same confirmation as q."""
        if self.mission is not None and self.screen is self.mission:
            self.mission.action_quit()
        else:
            await self.shutdown()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own theme list would offer themes without Golive's status colours; ours are in the palette.
        yield SystemCommand("Screenshot", "Save an SVG screenshot of the screen",
                            lambda: self.set_timer(0.1, self.deliver_screenshot))


def run_mission(make_session: MakeSession, *, theme: str | None = None, key: Path | None = None,
                mouse: bool = True) -> int:
    """Run the mission screen until the lead quits; returns 0 when the outcome is GO, 1 otherwise.

    Raises ValueError for an unknown theme and what ``make_session`` raises (a locked or damaged journal, a bad
    runbook), both before the terminal is switched to the screen. ``mouse=False`` leaves the mouse to the
    terminal (selecting text in tmux); every action has a key.
    """
    app = GoliveApp(make_session, theme=theme, key=key)
    app.open_session()
    try:
        app.run(mouse=mouse)
    except BaseException:
        app.close_session_now()
        app.finish_session()
        raise
    if app.startup_error is not None:
        raise app.startup_error
    session = app.session
    if session is None:
        return 1
    app.close_session_now()
    app.finish_session()
    folder = shlex.quote(str(session.folder))
    view = session.view()
    outcome = view.outcome
    if hasattr(session, "after_screen"):   # a seat at a driver: detached, or the driver stopped
        print(session.after_screen(), file=sys.stderr)
        return 0 if outcome == "GO" else 1
    if session.read_only:
        print(f"golive: stopped watching {folder}" + (f" (outcome {outcome})" if outcome else ""), file=sys.stderr)
    elif outcome is None:
        print(f"golive: the session is paused; carry on with: golive resume {folder}", file=sys.stderr)
    else:
        paths = session.record_paths or (Path(session.folder) / "record.toml", Path(session.folder) / "record.md")
        print(f"golive: outcome {outcome}; record: {paths[0]}  {paths[1]}", file=sys.stderr)
        missing = view.missing_signoffs
        if missing:
            print(f"golive: sign-off missing for {', '.join(missing)}: "
                  f"golive sign {shlex.quote(str(paths[0]))} --role ROLE", file=sys.stderr)
    return 0 if outcome == "GO" else 1
