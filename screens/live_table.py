"""A DataTable that takes the rows it should show and changes only what differs: cells in place
(``update_cell``), rows appended or removed; a full rebuild only when the order of rows changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable


class LiveTable(DataTable):
    """Rows are (key, cells); columns are (key, label, width)."""

    BINDINGS = [Binding("j", "cursor_down", show=False), Binding("k", "cursor_up", show=False)]

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

    def on_resize(self, event: Any) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            self.post_message(self.Resized(self))

    def set_columns(self, columns: Sequence[tuple[str, str, int | None]]) -> bool:
        """Set the columns (key, label, width); returns True when they changed (the rows were cleared)."""
        spec = tuple(columns)
        if spec == self._column_spec:
            return False
        cursor_key = self.cursor_key()
        self.clear(columns=True)
        self._column_spec = spec
        self._column_keys = [key for key, _, _ in spec]
        for key, label, width in spec:
            self.add_column(label, key=key, width=width)
        self._keys, self._cells = [], {}
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
        for key in [k for k in keys if k not in self._cells]:
            self.add_row(*by_key[key], key=key)
            self._keys.append(key)
            self._cells[key] = tuple(by_key[key])
        for key, cells in rows:
            old = self._cells[key]
            if old == cells:
                continue
            for column_key, before, after in zip(self._column_keys, old, cells):
                if before != after:
                    self.update_cell(key, column_key, after)
            self._cells[key] = tuple(cells)
        restore = self._restore_cursor
        if restore is not None and restore in self._keys:
            self.move_cursor(row=self._keys.index(restore), animate=False)
            self._restore_cursor = None

    def _rebuild(self) -> None:
        self._restore_cursor = self.cursor_key()
        self.clear()
        self._keys, self._cells = [], {}

    def select_key(self, key: str) -> bool:
        """Move the cursor to the row ``key``; False when there is no such row."""
        if key not in self._keys:
            return False
        self.move_cursor(row=self._keys.index(key), animate=False)
        return True
