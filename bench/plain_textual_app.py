"""Baseline for bench/ui.py: a plain Textual app with 50 Sparklines and a 100-row DataTable, every value changing
once a second — the same load with stock widgets and no care for what changed."""

from __future__ import annotations

# Usage: python bench/plain_textual_app.py   (bench/ui.py runs it in a pseudo-terminal)
import math
import random

from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Label, Sparkline

SPARKLINES, ROWS, HISTORY = 50, 100, 120


class PlainApp(App):
    CSS = """
    #sparks { width: 1fr; }
    Sparkline { height: 1; margin-bottom: 0; }
    DataTable { width: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rng = random.Random(7)
        self.tick = 0
        self.series = [[self.rng.random() * 100 for _ in range(HISTORY)] for _ in range(SPARKLINES)]

    def compose(self) -> ComposeResult:
        yield Label("plain-textual-baseline")
        with Horizontal():
            with VerticalScroll(id="sparks"):
                for i in range(SPARKLINES):
                    yield Sparkline(self.series[i], id=f"s{i}")
            yield DataTable(id="table")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name in ("pod", "ready", "status", "restarts", "age"):
            table.add_column(name, key=name)
        for i in range(ROWS):
            table.add_row(f"pod-{i:03d}", "2/2", "Running", "0", "1m", key=str(i))
        self.set_interval(1.0, self.update_everything)

    def update_everything(self) -> None:
        self.tick += 1
        for i, series in enumerate(self.series):
            series.append(50 + 40 * math.sin((self.tick + i) / 7) + self.rng.random() * 10)
            del series[0]
            self.query_one(f"#s{i}", Sparkline).data = list(series)
        table = self.query_one(DataTable)
        for i in range(ROWS):
            table.update_cell(str(i), "restarts", str((self.tick + i) % 4), update_width=False)


if __name__ == "__main__":
    PlainApp().run()
