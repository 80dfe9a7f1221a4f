"""The event log: the state's log lines (verdict changes, decisions, actions, triggers) and action output,
each with its time. Appends only what is new."""

from __future__ import annotations

from collections import deque
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import RichLog

from golive.console.state import GoLiveState
from golive.screens.checklist import clock_text
from golive.screens.palette import Palette

LEVELS = {"info": ("·", "status-pending"), "warning": ("!", "status-warn"), "error": ("✗", "status-fail")}


def log_line(at: float, level: str, text: str, palette: Palette) -> Text:
    symbol, variable = LEVELS.get(level, ("·", "status-pending"))
    line = Text(clock_text(at), style=palette.style("log-time"))
    line.append(f" {symbol} ", style=palette.style(variable, bold=True))
    line.append(text, style=palette.style(variable) if level != "info" else "")
    return line


class EventLog(RichLog):
    """Follows the end unless scrolled back; j/k scroll."""

    BINDINGS = [Binding("j", "scroll_down", show=False), Binding("k", "scroll_up", show=False)]

    def __init__(self, **kw: Any):
        kw.setdefault("max_lines", 2000)
        kw.setdefault("wrap", True)
        kw.setdefault("min_width", 20)  # wrap at the pane's width, never scroll sideways
        super().__init__(markup=False, highlight=False, **kw)
        self._last: tuple | None = None
        self.lines_written = 0
        self.recent: deque[str] = deque(maxlen=200)   # the last lines as plain text, unwrapped

    def sync(self, state: GoLiveState, palette: Palette) -> None:
        """Write the log entries added since the last call (all of them the first time)."""
        new: list[tuple] = []
        for entry in reversed(state.log):
            if entry is self._last:
                break
            new.append(entry)
        if not new:
            return
        self._last = new[0]
        following = self.is_vertical_scroll_end or self.max_scroll_y == 0
        for at, level, text in reversed(new):
            self._write(log_line(at, level, text, palette), follow=False)
        if following:
            # Scroll in the same frame as the new lines (RichLog's own follow costs a second frame), and only
            # when the reader was at the end: scrolling back to read is not undone by the next line.
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def on_resize(self, event: Any) -> None:
        super().on_resize(event)
        if self.auto_scroll:   # lines first drawn at another width can leave the view short of the end
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True, x_axis=False)

    def add_output(self, at: float, action: str, line: str, palette: Palette) -> None:
        """One line of an action's output, shown as it is (never as markup)."""
        text = Text(clock_text(at), style=palette.style("log-time"))
        text.append(f" │ {action}: ", style="dim")
        text.append(line)
        self._write(text)

    def _write(self, line: Text, follow: bool | None = None) -> None:
        self.write(line, scroll_end=follow)
        self.recent.append(line.plain)
        self.lines_written += 1
