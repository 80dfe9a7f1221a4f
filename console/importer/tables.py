"""Check tables ("Metric | Value | Target | Status") to manual checks, or Prometheus checks when a query is known."""

from __future__ import annotations

from golive.console.importer.context import ImportContext
from golive.console.importer.draft import Entry
from golive.console.importer.items import evidence_entry, manual_entry, needs_query_note
from golive.console.importer.markdown import Table
from golive.console.importer.text import clean_title, plain
from golive.console.importer.thresholds import find_threshold


def convert_table(table: Table, columns: tuple[int, int | None], ctx: ImportContext, group: str) -> list[Entry]:
    """One check per row: its name, with the target as the threshold. Value and status columns are a
    past run's results and are not imported."""
    check_col, target_col = columns
    entries: list[Entry] = []
    for row in table.rows:
        if check_col >= len(row) or not clean_title(row[check_col]):
            continue
        name = clean_title(row[check_col])
        target = plain(row[target_col]) if target_col is not None and target_col < len(row) else ""
        title = f"{group}: {name}" if group else name
        threshold = find_threshold(f"{name} {target}") if target else find_threshold(name)
        shown = f"{title} (target {target})" if target else title
        found = evidence_entry(ctx, shown, plain(f"{name} {target}"), "", group, "", threshold)
        if found is not None:
            entries.append(found)
            continue
        entry = manual_entry(ctx, shown, "", None, group)
        if threshold is not None:
            entry.comments.append(needs_query_note(threshold))
            entry.needs = "query"
        entries.append(entry)
    return entries
