"""Runbook problems as one line each: ``file:line: phase[2].check[3].pass: what was expected``."""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from typing import Any, Callable

from pydantic import ValidationError

_SOURCES = {"prometheus", "kubernetes", "http", "postgres", "alertmanager", "command", "manual"}


class RunbookError(Exception):
    """A runbook could not be loaded; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str], unreadable: bool = False):
        super().__init__("\n".join(problems))
        self.problems = problems
        self.unreadable = unreadable


def toml_syntax_problem(name: str, exc: tomllib.TOMLDecodeError) -> str:
    """``file:line:col: message`` from tomllib's "... (at line L, column C)"."""
    msg = str(exc)
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", msg)
    if m:
        return f"{name}:{m.group(1)}:{m.group(2)}: TOML syntax: {msg[: m.start()]}"
    m = re.search(r"\s*\(at end of document\)\s*$", msg)
    if m:
        return f"{name}: TOML syntax: {msg[: m.start()]} (at end of file)"
    return f"{name}: TOML syntax: {msg}"


MAX_PROBLEMS = 50   # a file with a thousand problems shows the first ones and a count, not a wall
MAX_LINE = 300      # one problem's line; a 3 KB value echoed back is no help


def toml_value_problem(name: str, text: str, exc: ValueError) -> str:
    """``file:line: path: ...`` for a value tomllib read but Python refuses (an integer of thousands of digits)."""
    m = re.search(r"\d{1000,}", text)
    line = text.count("\n", 0, m.start()) + 1 if m else None
    return f"{_where(name, text, line)}number too long ({len(m.group(0)) if m else 'thousands of'} digits)"


def nesting_problem(name: str, text: str, limit: int = 100) -> str:
    """``file:line: ...`` for arrays or inline tables nested too deeply, where the depth first passes ``limit``."""
    depth, line = 0, None
    for no, row in enumerate(text.splitlines(), start=1):
        for char in row:
            depth += 1 if char in "[{" else -1 if char in "]}" else 0
            if depth > limit:
                line = no
                break
        if line:
            break
    return f"{_where(name, text, line)}nested too deeply (arrays or tables inside each other hundreds of levels)"


def _where(name: str, text: str, line: int | None) -> str:
    """``file:line: path: `` (the path of the field defined on that line, when the scan finds one)."""
    if line is None:
        return f"{name}: "
    paths = [loc for loc, no in _line_index(text).items() if no == line]
    return f"{name}:{line}: " + (f"{path_text(max(paths, key=len))}: " if paths else "")


def cap_problems(name: str, lines: list[str]) -> list[str]:
    """At most MAX_PROBLEMS lines, then "… and N more"."""
    if len(lines) <= MAX_PROBLEMS:
        return lines
    more = len(lines) - MAX_PROBLEMS
    return lines[:MAX_PROBLEMS] + [f"{name}: … and {more} more problem{'' if more == 1 else 's'}"]


_EXPECT = {
    "list_type": "expected a list",
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "missing": "missing: this field is required",
}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 48 else text[:44] + "…" + text[-3:]


def format_validation_errors(exc: ValidationError, vocabulary: Callable[[tuple], list[str]]) -> list[tuple[tuple, str]]:
    """Turn pydantic's errors into (location, message) pairs; merge the alternatives of a union."""
    merged: dict[tuple, list[str]] = {}
    for err in exc.errors(include_url=False):
        loc = _clean_loc(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1]) if loc else "?"
            hint = difflib.get_close_matches(key, vocabulary(loc[:-1]), n=1, cutoff=0.6) if len(key) < 64 else []
            msg = f"unknown field {_short(key)}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
        elif kind == "value_error":
            msg = str(err.get("ctx", {}).get("error", err["msg"]))
        elif kind == "union_tag_invalid":
            ctx = err.get("ctx", {})
            msg = f"unknown source {_short(ctx.get('tag'))} (expected one of {ctx.get('expected_tags')})"
            loc = loc + ("source",)
        elif kind == "union_tag_not_found":
            msg = "missing: source (prometheus, kubernetes, http, postgres, alertmanager, command or manual)"
            loc = loc + ("source",)
        elif kind == "literal_error":
            msg = f"expected {err['ctx']['expected']}, got {_short(err['input'])}"
        elif kind == "string_pattern_mismatch":
            msg = f"expected an id of letters, digits, '-', '_' or '.', got {_short(err['input'])}"
        elif kind == "too_short" and loc == ("phase",):
            msg = "a runbook needs at least one [[phase]]"
        elif kind in _EXPECT:
            msg = _EXPECT[kind]
            if kind != "missing":
                msg += f", got {_short(err['input'])}"
        else:
            msg = err["msg"][0].lower() + err["msg"][1:]
        merged.setdefault(loc, [])
        if msg not in merged[loc]:
            merged[loc].append(msg)
    out = []
    for loc, msgs in merged.items():
        if len(msgs) > 1 and all(m.startswith("expected ") for m in msgs):
            kinds = [m.split(", got")[0][len("expected "):] for m in msgs]
            got = msgs[0].split(", got", 1)[1] if ", got" in msgs[0] else ""
            out.append((loc, "expected " + " or ".join(kinds) + (f", got{got}" if got else "")))
        else:
            out.append((loc, "; ".join(msgs)))
    return out


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-member markers (the discriminator tag, type names)."""
    out: list = []
    for i, part in enumerate(loc):
        if isinstance(part, str):
            prev = loc[i - 1] if i else None
            if part in _SOURCES and isinstance(prev, int) and len(out) >= 2 and out[-2] in ("check", "trigger"):
                continue
            if "[" in part or part in ("str", "int", "float", "bool", "function-before", "function-after"):
                continue
        out.append(part)
    return tuple(out)


def path_text(loc: tuple) -> str:
    """``phase[2].check[3].pass`` — indices count from 1, as a person counts [[phase]] blocks."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _map_origin(loc: tuple, origins: dict[tuple, tuple]) -> tuple:
    for n in (4, 2):
        if len(loc) >= n and loc[:n] in origins:
            return origins[loc[:n]] + loc[n:]
    return loc


def locate_problem(name: str, text: str, origins: dict[tuple, tuple], loc: tuple, msg: str) -> str:
    """One line: ``file:line: path: message`` (the line omitted when it cannot be found)."""
    loc = _map_origin(loc, origins)
    lines = _line_index(text)
    line = None
    for n in range(len(loc), 0, -1):
        if loc[:n] in lines:
            line = lines[loc[:n]]
            break
    where = f"{name}:{line}" if line else name
    out = f"{where}: {path_text(loc)}: {' '.join(msg.split())}"
    return out if len(out) <= MAX_LINE else out[: MAX_LINE - 1] + "…"


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*((?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')"
                  r"(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


def _split_key(text: str) -> list[str]:
    parts = re.findall(r"\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-]+", text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


@functools.lru_cache(maxsize=4)  # every problem of one file looks its line up here: scan the text once
def _line_index(text: str) -> dict[tuple, int]:
    """Map field paths to the line that defines them, by a light scan of the TOML text."""
    index: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    arrays: set[tuple] = set()
    current: tuple = ()
    in_multiline = False
    for no, line in enumerate(text.splitlines(), start=1):
        if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
            in_multiline = not in_multiline
            if not in_multiline:
                continue
        elif in_multiline:
            continue
        m = _HEADER.match(line)
        if m and not _KEY.match(line):
            keys = _split_key(m.group(2))
            path: tuple = ()
            for part in keys[:-1]:
                path += (part,)
                if path in arrays:
                    path += (counts[path] - 1,)
            last = keys[-1] if keys else ""
            path += (last,)
            if m.group(1) == "[[":
                arrays.add(path)
                counts[path] = counts.get(path, 0) + 1
                path += (counts[path] - 1,)
            current = path
            index.setdefault(current, no)
            continue
        k = _KEY.match(line)
        if k:
            index.setdefault(current + tuple(_split_key(k.group(1))), no)
    return index
