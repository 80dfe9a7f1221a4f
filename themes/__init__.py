"""Golive's Textual themes: colours with meaningful names ($status-pass, $phase-active, …) that screens use."""

from __future__ import annotations

# Every theme defines every variable in ``VARIABLES``; screens and ``golive.tcss`` refer to the names, never to
# raw colours. Status is always shown by a symbol as well, so ``mono`` (taken when NO_COLOR is set) loses nothing.
import os
from pathlib import Path

from textual.theme import Theme

CSS_PATH = Path(__file__).with_name("golive.tcss")
DEFAULT_THEME = "golive-dark"

# What each variable colours; the help screen and the tests read this list.
VARIABLES = {
    "status-pass": "a check passing, GO",
    "status-warn": "a check in its warn band, PARTIAL, a pending trigger",
    "status-fail": "a failing check, NO-GO, a firing trigger, a crash-looping pod",
    "status-error": "a check that could not be measured (never a pass)",
    "status-pending": "no verdict yet, a disarmed trigger",
    "status-text": "text drawn on a status colour (badges)",
    "phase-active": "the phase being driven",
    "phase-done": "a phase passed",
    "phase-pending": "a phase not started",
    "gate-open": "the gate line when the lead may proceed",
    "gate-closed": "the gate line while evidence is missing",
    "badge-read-only": "the READ-ONLY badge of golive watch",
    "spark-threshold": "the threshold marker beside a sparkline",
    "log-time": "timestamps in the event log",
}


def _theme(name: str, *, dark: bool, primary: str, background: str, surface: str, panel: str, foreground: str,
           colours: dict[str, str]) -> Theme:
    missing = set(VARIABLES) - set(colours)
    assert not missing, f"theme {name} lacks {sorted(missing)}"
    return Theme(name=name, dark=dark, primary=primary, secondary=colours["phase-active"],
                 accent=colours["phase-active"], warning=colours["status-warn"], error=colours["status-fail"],
                 success=colours["status-pass"], foreground=foreground, background=background, surface=surface,
                 panel=panel, variables=dict(colours))


THEMES: dict[str, Theme] = {
    theme.name: theme for theme in (
        _theme("golive-dark", dark=True, primary="#3b82c4", background="#11151c", surface="#171c25",
               panel="#1f2633", foreground="#d8dee9", colours={
                   "status-pass": "#5fbf77", "status-warn": "#e5c15c", "status-fail": "#ef5f5f",
                   "status-error": "#d77fd7", "status-pending": "#8a93a3", "status-text": "#11151c",
                   "phase-active": "#5fafff", "phase-done": "#5fbf77", "phase-pending": "#8a93a3",
                   "gate-open": "#5fbf77", "gate-closed": "#e5c15c", "badge-read-only": "#5fafff",
                   "spark-threshold": "#e5c15c", "log-time": "#8a93a3",
               }),
        _theme("golive-light", dark=False, primary="#1f5fa8", background="#fafafa", surface="#f0f0f0",
               panel="#e4e7ec", foreground="#1d232b", colours={
                   "status-pass": "#1a7f37", "status-warn": "#9a6700", "status-fail": "#cf222e",
                   "status-error": "#8250df", "status-pending": "#57606a", "status-text": "#ffffff",
                   "phase-active": "#0969da", "phase-done": "#1a7f37", "phase-pending": "#57606a",
                   "gate-open": "#1a7f37", "gate-closed": "#9a6700", "badge-read-only": "#0969da",
                   "spark-threshold": "#9a6700", "log-time": "#57606a",
               }),
        # The war room's shared screen: black and white plus the Okabe-Ito colours, which stay apart for
        # the common colour-vision deficiencies.
        _theme("high-contrast", dark=True, primary="#56b4e9", background="#000000", surface="#000000",
               panel="#1a1a1a", foreground="#ffffff", colours={
                   "status-pass": "#56b4e9", "status-warn": "#f0e442", "status-fail": "#ff7f2a",
                   "status-error": "#cc79a7", "status-pending": "#c0c0c0", "status-text": "#000000",
                   "phase-active": "#ffffff", "phase-done": "#56b4e9", "phase-pending": "#c0c0c0",
                   "gate-open": "#56b4e9", "gate-closed": "#f0e442", "badge-read-only": "#ffffff",
                   "spark-threshold": "#f0e442", "log-time": "#c0c0c0",
               }),
        _theme("mono", dark=True, primary="#c0c0c0", background="#000000", surface="#000000",
               panel="#303030", foreground="#e0e0e0", colours={
                   "status-pass": "#e0e0e0", "status-warn": "#ffffff", "status-fail": "#ffffff",
                   "status-error": "#ffffff", "status-pending": "#a0a0a0", "status-text": "#000000",
                   "phase-active": "#ffffff", "phase-done": "#e0e0e0", "phase-pending": "#a0a0a0",
                   "gate-open": "#ffffff", "gate-closed": "#e0e0e0", "badge-read-only": "#ffffff",
                   "spark-threshold": "#ffffff", "log-time": "#a0a0a0",
               }),
    )
}


def choose_theme(requested: str | None, environ: dict[str, str] | None = None) -> str:
    """The theme to start with: ``requested`` if given, ``mono`` when NO_COLOR is set, else golive-dark.

    Raises ValueError naming the themes when ``requested`` is unknown.
    """
    environ = os.environ if environ is None else environ
    if requested:
        if requested not in THEMES:
            raise ValueError(f"unknown theme {requested!r} (choose from: {', '.join(THEMES)})")
        return requested
    return "mono" if "NO_COLOR" in environ else DEFAULT_THEME
