"""Sparklines of recent values for every numeric check (and trigger), with the threshold drawn beside."""

from __future__ import annotations

# Bars are coloured by the verdict each value would get (pass, warn, fail); the scale always includes the
# threshold, and the threshold's own bar height is drawn in ``$spark-threshold`` before its text, so a glance
# says how far above or below it the values run. Line API: only visible lines are drawn, at most once a second.
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from golive.console.derived import for_display
from golive.console.units import format_number
from golive.console.view import SessionView
from golive.console.wording import verdict_symbol
from golive.screens.palette import Palette

BARS = "▁▂▃▄▅▆▇█"


def bar_level(value: float, lo: float, hi: float) -> int:
    """0..7: the bar for ``value`` on a scale from lo to hi (the middle bar when the scale is flat)."""
    if hi <= lo:
        return 3
    return max(0, min(7, int((value - lo) / (hi - lo) * 7.999)))


def value_band(check: Any, value: float, trigger: bool) -> str:
    """The theme variable for a value: pass/warn/fail against the check's thresholds (a trigger fires on fail)."""
    if trigger:
        fire = getattr(check, "fire", None)
        return "status-fail" if fire is not None and fire.test(value) else "status-pass"
    if check.pass_ is None or check.pass_.test(value):
        return "status-pass"
    if check.warn is not None and check.warn.test(value):
        return "status-warn"
    return "status-fail"


def threshold_of(check: Any, trigger: bool):
    return getattr(check, "fire", None) if trigger else getattr(check, "pass_", None)


def spark_segments(check: Any, values: list[float], width: int, palette: Palette, trigger: bool) -> list[Segment]:
    """``width`` cells of bars for the last values, each coloured by its band; padded on the left."""
    shown = values[-width:] if width > 0 else []
    threshold = threshold_of(check, trigger)
    points = shown + ([threshold.number] if threshold is not None else [])
    lo, hi = (min(points), max(points)) if points else (0.0, 0.0)
    segments = [Segment(" " * (width - len(shown)))] if len(shown) < width else []
    run_style, run = None, []
    for value in shown:
        style = palette.style(value_band(check, value, trigger))
        if style is not run_style and run:
            segments.append(Segment("".join(run), run_style))
            run = []
        run_style = style
        run.append(BARS[bar_level(value, lo, hi)])
    if run:
        segments.append(Segment("".join(run), run_style))
    return segments


class SparklinePanel(ScrollView):
    """One line per numeric check of the phase on view, then the triggers with a `fire` threshold."""

    BINDINGS = [Binding("j", "scroll_down", show=False), Binding("k", "scroll_up", show=False)]
    DEFAULT_CSS = """
    SparklinePanel { height: 1fr; overflow-x: hidden; }
    """

    def __init__(self, runbook: Any, **kw: Any):
        super().__init__(**kw)
        self.runbook = runbook
        self.view: SessionView | None = None   # the snapshot the lines are drawn from
        self.rows: list[tuple[str, bool]] = []       # (check id, is a trigger)
        self.palette: Palette | None = None
        self._signature: tuple = ()
        self._cache: dict[int, tuple[tuple, Strip]] = {}

    def rows_for(self, view: SessionView, phase_index: int) -> list[tuple[str, bool]]:
        runbook = self.runbook
        rows: list[tuple[str, bool]] = []
        if 0 <= phase_index < len(runbook.phases):
            rows += [(c.id, False) for c in runbook.phases[phase_index].automated_checks
                     if getattr(c, "pass_", None) is not None or view.checks[c.id].history]
        rows += [(t.id, True) for t in runbook.triggers if getattr(t, "fire", None) is not None]
        return rows

    def show(self, view: SessionView, phase_index: int, palette: Palette) -> None:
        """Redraw when a shown check has new values, the rows or the theme changed; otherwise do nothing."""
        self.view = view
        rows = self.rows_for(view, phase_index)
        live = [view.checks[c] for c, _ in rows]   # after the outcome, what is observed since
        signature = (tuple(rows), id(palette), self.scrollable_content_region.width,
                     tuple((len(cs.history), cs.last_at, cs.verdict) for cs in live))
        if signature == self._signature:
            return
        if rows != self.rows or palette is not self.palette:
            self._cache.clear()
        self._signature, self.rows, self.palette = signature, rows, palette
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if not (0 <= index < len(self.rows)) or self.palette is None or self.view is None or width <= 0:
            return Strip.blank(width, self.rich_style)
        check_id, trigger = self.rows[index]
        cs = self.view.checks[check_id]
        key = (check_id, len(cs.history), cs.last_at, cs.verdict, width)
        cached = self._cache.get(index)
        if cached is not None and cached[0] == key:
            return cached[1]
        strip = self._line(check_id, trigger, width).adjust_cell_length(width, self.rich_style)
        self._cache[index] = (key, strip)
        return strip

    def _line(self, check_id: str, trigger: bool, width: int) -> Strip:
        palette, view = self.palette, self.view
        assert view is not None   # render_line draws nothing before the first show
        cs = view.checks[check_id]
        # a target relative to a baseline is drawn where the last baseline puts it
        check = for_display(self.runbook.check(check_id), cs)
        threshold = threshold_of(check, trigger)
        values = [v for _, v in cs.history]
        if trigger:
            ts = view.triggers[check_id]
            symbol, sym_style = "⚑", palette.style("status-fail" if ts.state == "firing" else "status-pending",
                                                   bold=True)
        else:
            symbol, sym_style = verdict_symbol(cs.verdict), palette.verdict(cs.verdict, bold=True)
        unit = f" {check.unit}" if check.unit else ""
        value = f"{format_number(cs.value)}{unit}" if cs.value is not None else "—"
        target = f"{'fire' if trigger else 'pass'} {threshold}" if threshold is not None else ""
        if cs.baseline is not None and getattr(check, "baseline", None):
            target += f" (baseline {format_number(cs.baseline)})"
        label_width, bars_width, target = legend_layout(width, value, target, marker=threshold is not None)
        label = check.label if len(check.label) <= label_width else check.label[: label_width - 1] + "…"
        segments = [Segment(symbol + " ", sym_style), Segment(f"{label:<{label_width}} ")]
        if values:
            segments += spark_segments(check, values, bars_width, palette, trigger)
        else:
            segments.append(Segment(f"{'no values yet':<{bars_width}}", Style(dim=True)))
        value_style = palette.style(value_band(check, cs.value, trigger)) if cs.value is not None else Style(dim=True)
        segments.append(Segment(f" {value:>10}", value_style))   # legend_layout left room for all of it
        if threshold is not None:
            lo_hi = values[-bars_width:] + [threshold.number]
            level = bar_level(threshold.number, min(lo_hi), max(lo_hi))
            segments += [Segment(" "), Segment(BARS[level], palette.style("spark-threshold", bold=True)),
                         Segment(target, palette.style("spark-threshold"))]
        return Strip(segments)


def legend_layout(width: int, value: str, target: str, *, marker: bool) -> tuple[int, int, str]:
    """(label width, bars width, target text) for one line ``width`` cells wide: the value and the target are
    never cut (a cut "pass > 10" for "pass > 100" would lie), so the bars, then the label, give way, and only
    when even that is not enough does the target text go (its marker bar stays)."""
    label_width = max(10, min(26, width // 4))
    value_width = max(10, len(value)) + 1

    def bars(label_w: int, tail: str) -> int:
        return width - 2 - label_w - 1 - value_width - (len(tail) + 2 if marker else 0)
    if bars(label_width, target) < 4:
        label_width = max(6, label_width - (4 - bars(label_width, target)))
    if bars(label_width, target) < 4:
        target = ""
    return label_width, max(4, bars(label_width, target)), target
