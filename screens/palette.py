"""Rich styles resolved from the theme's named variables, for widgets that draw Rich text (tables, sparklines)."""

from __future__ import annotations

# Textual markup resolves ``$status-pass`` itself; DataTable cells and Line-API strips need a Rich ``Style``,
# so this maps the same names to styles, rebuilt whenever the theme changes.
from functools import lru_cache

from rich.style import Style

VERDICT_VARIABLE = {"PASS": "status-pass", "WARN": "status-warn", "FAIL": "status-fail", "ERROR": "status-error",
                    "PENDING": "status-pending"}


class Palette:
    """Named Rich styles for one theme; ``style("status-fail", bold=True)``."""

    def __init__(self, variables: dict[str, str]):
        self.variables = dict(variables)
        self._cache: dict[tuple, Style] = {}

    def style(self, name: str, *, bold: bool = False, reverse: bool = False, dim: bool = False) -> Style:
        """The style of the variable ``name`` (plain when the theme lacks it, so nothing raises mid-draw)."""
        key = (name, bold, reverse, dim)
        cached = self._cache.get(key)
        if cached is None:
            colour = _colour(self.variables.get(name, ""))
            cached = Style(color=colour, bold=bold or None, reverse=reverse or None, dim=dim or None)
            self._cache[key] = cached
        return cached

    def verdict(self, verdict: str, *, bold: bool = False) -> Style:
        return self.style(VERDICT_VARIABLE.get(verdict, "status-pending"), bold=bold)


@lru_cache(maxsize=256)
def _colour(value: str) -> str | None:
    """A Rich colour for a theme value (a hex colour or an ANSI name); None when unusable."""
    if not value:
        return None
    from textual.color import Color

    try:
        return Color.parse(value).hex
    except Exception:
        return None
