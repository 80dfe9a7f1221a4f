"""The mission screen's actions: name, footer label, help line, and whether `golive watch` allows it."""

from __future__ import annotations

# Keys live apart, in ``keymap.py``; the help screen and the footer are generated from both tables.
from dataclasses import dataclass


@dataclass(frozen=True)
class MissionAction:
    name: str            # the screen's method is action_<name>
    label: str           # a word or two for the footer
    help: str            # one line for the help screen
    read_only: bool      # available in `golive watch`
    footer: bool = True  # shown in the footer when available
    command: str = ""    # its name in the command palette (none: not offered there)


ACTIONS: tuple[MissionAction, ...] = (
    MissionAction("tick", "tick", "tick or untick the highlighted manual item, as the operator", False,
                  command="Tick the highlighted item"),
    MissionAction("proceed", "proceed", "go to the next phase (the gate must be open; says why when closed)", False,
                  command="Proceed to the next phase"),
    MissionAction("run_action", "action", "run the phase action after showing its exact command", False,
                  command="Run the phase action"),
    MissionAction("note", "note", "add a note to the journal and the record", False, command="Add a note"),
    MissionAction("override", "override", "proceed despite a closed gate, with a written reason (PARTIAL)", False,
                  command="Override the gate"),
    MissionAction("rollback", "rollback", "roll back: shows the exact rollback command, then runs it", False,
                  command="Roll back"),
    MissionAction("fire", "fire trigger", "fire a trigger only people can see (your role's), with a reason", False,
                  command="Fire a trigger"),
    MissionAction("resume", "resume", "resume a paused go-live, with a note saying why it is safe", False,
                  command="Resume the paused go-live"),
    MissionAction("sign", "sign off", "sign off the outcome for a role (and sign the record with your SSH key)",
                  False, command="Sign off"),
    MissionAction("approve", "approve", "approve the phase for your role (the gate awaits it), a note optional",
                  False, command="Approve the phase"),
    MissionAction("abort", "abort", "end the go-live now, NO-GO, with a written reason (nothing is rolled back)",
                  False, footer=False, command="Abort the go-live"),
    MissionAction("active_phase", "active phase", "back to the active phase after looking at another", True,
                  command="Show the active phase"),
    MissionAction("next_pane", "pane", "move to the next pane (the next tab on a small terminal)", True,
                  footer=False, command="Next pane"),
    MissionAction("previous_pane", "pane back", "move to the previous pane (or tab)", True, footer=False,
                  command="Previous pane"),
    MissionAction("help", "help", "show this help", True, command="Help: every key"),
    MissionAction("palette", "commands", "every action, jump to a phase or check, theme, record draft", True,
                  footer=False),
    MissionAction("detach", "detach", "leave the screen; the driver goes on (checks, holds, triggers, rollbacks): "
                  "golive attach comes back", True, command="Detach (the driver goes on)"),
    MissionAction("quit", "quit", "leave the screen (the session stays resumable)", True, command="Quit"),
)

BY_NAME: dict[str, MissionAction] = {action.name: action for action in ACTIONS}

# Moving around inside a pane is the widgets' own business; listed for the help screen.
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("↑ ↓  j k", "move in a table or list, scroll a pane"),
    ("PgUp PgDn", "page through a table or the event log (Home and End jump to its ends)"),
    ("Enter", "in the phase list: show that phase's checks; in a dialog: submit"),
    ("Esc", "in a dialog: cancel (each dialog says what its Enter and Esc do)"),
)
