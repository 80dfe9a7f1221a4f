"""Words and symbols for what the engine decides: the screens, the headless reporter and the record share them."""

from __future__ import annotations

from golive.console.state import ERROR, FAIL, PASS, PENDING, WARN


def verdict_symbol(verdict: str) -> str:
    """Status is shown by symbol as well as colour."""
    return {PASS: "✓", WARN: "!", FAIL: "✗", ERROR: "⚠", PENDING: "…"}.get(verdict, "?")
