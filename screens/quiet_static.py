"""A Static that redraws only when its text changed, and asks for a new layout only when its size would change."""

from __future__ import annotations

# A layout pass repaints the whole screen; on a slow SSH link that is the difference between a few hundred bytes
# a second and kilobytes, so once-a-second clocks must not trigger one.
from textual.content import Content
from textual.widgets import Static


class QuietStatic(Static):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._shown: str | None = None
        self._extent: tuple[int, int] | None = None

    def show_content(self, content: Content) -> bool:
        """Show ``content`` unless it is what is shown; returns True when it redrew."""
        key = content.markup
        if key == self._shown:
            return False
        self._shown = key
        width = self.content_region.width
        extent = (content.cell_length if self.styles.width is not None and self.styles.width.is_auto else 0,
                  content.get_height(self.styles, width) if width else -1)
        first = self._extent is None or width <= 0
        relayout = first or extent != self._extent
        self._extent = extent
        self.update(content, layout=relayout)
        if first:
            # The first measurement can precede the final width; measure again once laid out.
            self.call_after_refresh(self.refresh, layout=True)
        return True
