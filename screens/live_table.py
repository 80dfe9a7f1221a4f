"""A DataTable that changes only what differs: cells in place (``update_cell``), rows appended or removed,
and with ``sync_lazy`` the cells of rows out of view computed only when they scroll into view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable


def cell(text: str, style: Style | str = "") -> Text:
    """A table cell: one line, cut with an ellipsis (which also spares Rich the work of wrapping it)."""
    return Text(text, style=style, no_wrap=True, overflow="ellipsis", end="")


def cut_middle(text: Any, width: int) -> Any:
    """``text`` cut to ``width`` cells by taking out its middle ("Canary error r…eu-west-2"): rows that share a
    long prefix stay apart by their ends. Anything but a too-long Text comes back as it was."""
    if not isinstance(text, Text) or width < 5 or text.cell_len <= width:
        return text
    end = len(text.plain)
    # A styled suffix (" (optional)") is kept whole when it is short: the cut comes out of the words before it.
    suffix = max((span.start for span in text.spans if span.end >= end and span.start > 0), default=end)
    if end - suffix > width // 2:
        suffix = end
    keep = width - 1 - (end - suffix)
    head = keep // 2
    tail = keep - head
    cut = Text.assemble(text[:head], "…", text[suffix - tail:], no_wrap=True, end="")
    cut.overflow = "ellipsis"
    return cut


class LiveTable(DataTable):
    """Rows are (key, cells); columns are (key, label, width)."""

    BINDINGS = [Binding("j", "cursor_down", show=False), Binding("k", "cursor_up", show=False)]
    # columns where rows that would read alike lose their middle: the checks' titles, the checklist's items
    MIDDLE_CUT: frozenset[str] = frozenset({"title", "item"})

    DEFAULT_CSS = """
    LiveTable { height: auto; max-height: 100%; }
    """

    @dataclass
    class Resized(Message):
        """The table's width changed: its columns (and so its rows) need laying out again."""

        table: "LiveTable"

    def __init__(self, **kw: Any):
        kw.setdefault("cursor_type", "row")
        kw.setdefault("zebra_stripes", False)
        super().__init__(**kw)
        self._keys: list[str] = []
        self._cells: dict[str, tuple] = {}
        self._column_keys: list[str] = []
        self._column_spec: tuple = ()
        self._restore_cursor: str | None = None
        self._width = 0
        self._in_place = False
        self._stale: set[str] = set()
        self._make: Callable[[str], tuple] | None = None
        self._cut: dict[int, int] = {}   # column index -> width, for the MIDDLE_CUT columns
        self._middled: set[tuple[str, int]] = set()   # the cells shown cut in the middle

    def refresh(self, *regions: Any, **kw: Any) -> Any:
        # update_cell repaints the whole table; while cells change in place, only their rows are repainted
        # (see sync_rows), so a value ticking in one row does not resend the rest of the table to the terminal.
        if getattr(self, "_in_place", False) and not regions and not kw:
            return self
        return super().refresh(*regions, **kw)

    def on_resize(self, event: Any) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            self.post_message(self.Resized(self))
        self.call_after_refresh(self.reveal)

    def set_columns(self, columns: Sequence[tuple[str, str, int | None]]) -> bool:
        """Set the columns (key, label, width); returns True when they changed (the rows were cleared)."""
        spec = tuple(columns)
        if spec == self._column_spec:
            return False
        cursor_key = self.cursor_key()
        self.clear(columns=True)
        self._column_spec = spec
        self._column_keys = [key for key, _, _ in spec]
        self._cut = {i: width for i, (key, _, width) in enumerate(spec) if key in self.MIDDLE_CUT and width}
        for key, label, width in spec:
            self.add_column(label, key=key, width=width)
        self._keys, self._cells, self._middled = [], {}, set()
        self._restore_cursor = cursor_key
        return True

    def cursor_key(self) -> str | None:
        """The key of the row under the cursor, or None when the table is empty."""
        if not self._keys or not (0 <= self.cursor_row < len(self._keys)):
            return None
        return self._keys[self.cursor_row]

    def sync_rows(self, rows: Sequence[tuple[str, tuple]]) -> None:
        """Show exactly ``rows``: update changed cells in place, append new rows, remove vanished ones."""
        keys = [key for key, _ in rows]
        if keys != self._keys:
            wanted, had = set(keys), set(self._keys)
            kept = [k for k in self._keys if k in wanted]
            added = [k for k in keys if k not in had]
            if kept + added == keys:
                for key in self._keys:
                    if key not in wanted:
                        self.remove_row(key)
                        self._cells.pop(key, None)
                self._keys = kept
            else:
                self._rebuild()
        by_key = dict(rows)
        middle = self._colliding(rows) if self._cut else set()
        added = [k for k in keys if k not in self._cells]
        for key in added:
            self.add_row(*[self._fit(key, i, c, middle) for i, c in enumerate(by_key[key])], key=key)
            self._keys.append(key)
            self._cells[key] = tuple(by_key[key])
        changed_rows = []
        self._in_place = True
        try:
            for key, cells in rows:
                old = self._cells[key]
                flips = set() if key in added else \
                    {i for i in self._cut if ((key, i) in middle) != ((key, i) in self._middled)}
                if old == cells and not flips:
                    continue
                for i, (column_key, before, after) in enumerate(zip(self._column_keys, old, cells, strict=False)):
                    if before != after or i in flips:
                        self.update_cell(key, column_key, self._fit(key, i, after, middle))
                self._cells[key] = tuple(cells)
                changed_rows.append(key)
        finally:
            self._in_place = False
            self._middled = middle
        for key in changed_rows:
            self.refresh_row(self.get_row_index(key))
        restore = self._restore_cursor
        if restore is not None and restore in self._keys:
            self.move_cursor(row=self._keys.index(restore), animate=False)
            self._restore_cursor = None

    def _fit(self, key: str, column: int, cell: Any, middle: set[tuple[str, int]]) -> Any:
        return cut_middle(cell, self._cut[column]) if (key, column) in middle else cell

    def _colliding(self, rows: Sequence[tuple[str, tuple]]) -> set[tuple[str, int]]:
        """(row key, column) of the MIDDLE_CUT cells that, cut at their end, would read the same as another
        row's: only those lose their middle instead (a unique long title keeps its start)."""
        out: set[tuple[str, int]] = set()
        for column, width in self._cut.items():
            starts: dict[str, list[str]] = {}
            for key, cells in rows:
                value = cells[column] if column < len(cells) else ""
                if isinstance(value, Text) and value.cell_len > width:
                    starts.setdefault(value.plain[:width - 1], []).append(key)
            for keys in starts.values():
                if len(keys) > 1:
                    out.update((key, column) for key in keys)
        return out

    def sync_lazy(self, keys: Sequence[str], make: Callable[[str], tuple], dirty: set[str] | None = None) -> None:
        """Show rows ``keys`` with cells ``make(key)``, computed only for rows in view: ``dirty`` rows (all
        when None) out of view keep their old cells (or blanks) until they scroll into view."""
        keys = list(keys)
        self._make = make
        self._stale = set(keys) if dirty is None else (self._stale | dirty) & set(keys)
        visible = self._visible(keys)
        blank = ("",) * len(self._column_keys)
        rows = []
        for key in keys:
            if key in self._stale and key in visible:
                cells = make(key)
                self._stale.discard(key)
            elif key in self._cells:
                cells = self._cells[key]
            else:
                cells = blank
                self._stale.add(key)
            rows.append((key, cells))
        self.sync_rows(rows)

    def _visible(self, keys: Sequence[str]) -> set[str]:
        """The keys of the rows that fit in the view at the current scroll position (rows are one line high)."""
        height = self.scrollable_content_region.height - (self.header_height if self.show_header else 0)
        if height <= 0:
            return set()
        start = max(0, int(self.scroll_y))
        return set(keys[start:start + height + 1])

    def reveal(self) -> None:
        """Compute the stale rows that are now in view (after a scroll or a resize)."""
        if not self._stale or self._make is None:
            return
        due = self._visible(self._keys) & self._stale
        if due:
            self._stale -= due
            self.sync_rows([(k, self._make(k) if k in due else self._cells[k]) for k in self._keys])

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.call_after_refresh(self.reveal)

    def _rebuild(self) -> None:
        self._restore_cursor = self.cursor_key()
        self.clear()
        self._keys, self._cells, self._middled = [], {}, set()

    def select_key(self, key: str) -> bool:
        """Move the cursor to the row ``key``; False when there is no such row."""
        if key not in self._keys:
            return False
        self.move_cursor(row=self._keys.index(key), animate=False)
        return True
