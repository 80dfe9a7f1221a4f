"""Runbook consistency across fields: contradictions (a warn band inside pass, a timeout within the hold) and
URLs whose credentials would be mis-read."""

from __future__ import annotations

import re
from typing import Any

from golive.console.units import Threshold, format_duration, format_number

Problems = list[tuple[tuple, str]]

_UPPER, _LOWER = ("<", "<="), (">", ">=")
# RFC 3986 userinfo: unreserved, percent-encoded, sub-delims and ":"; anything else must be encoded
_USERINFO_OK = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*$")
_HTTP_TARGET_HINT = "leave credentials out of the URL: set username with password_env or password_file"
_CHECK_HINT = ("leave credentials out of the URL: name a [targets.http.<name>] with base_url, "
               "username and password_env or password_file")


def band_problem(pass_: Any, warn: Any) -> str | None:
    """Why ``warn`` can never apply beside ``pass`` (it must accept values pass refuses), or None."""
    if not (isinstance(pass_, Threshold) and isinstance(warn, Threshold)):
        return None  # a band, a tolerance or a baseline has no single side to compare
    for family in (_UPPER, _LOWER):
        if pass_.op in family and warn.op in family:
            wider = warn.number > pass_.number if family is _UPPER else warn.number < pass_.number
            if wider or (warn.number == pass_.number and len(warn.op) > len(pass_.op)):
                return None
            how = "the same as" if (warn.op, warn.number) == (pass_.op, pass_.number) else "stricter than"
            return (f"warn {warn} is {how} pass {pass_}: every value that meets warn already passes, so "
                    f"warn never applies (warn is the band between pass and fail, e.g. warn = "
                    f"\"{pass_.op} {_looser(pass_, family)}\")")
    if pass_.op in _UPPER + _LOWER and warn.op in _UPPER + _LOWER:
        return f"warn {warn} points the other way from pass {pass_}: warn is the band between pass and fail"
    return None


def _looser(pass_: Any, family: tuple[str, str]) -> str:
    n = pass_.number
    if family is _UPPER:
        return format_number(n * 2 if n > 0 else n + 1)
    return format_number(n / 2 if n > 0 else n - 1)


def phase_problems(phase: Any, loc: tuple, problems: Problems) -> None:
    """A timeout no longer than the hold: the checks cannot hold before the phase times out."""
    if phase.timeout is not None and phase.hold and phase.timeout <= phase.hold:
        problems.append((loc + ("timeout",), f"timeout {format_duration(phase.timeout)} is not longer than hold "
                                             f"{format_duration(phase.hold)}: the checks cannot hold before the "
                                             f"phase times out"))


def url_problem(url: Any, in_check: bool) -> str | None:
    """Why a URL's ``user:password@`` part would be mis-read (an unencoded ``@``, ``/`` or other character)."""
    if not isinstance(url, str) or "://" not in url:
        return None
    rest = re.split(r"[?#]", url.partition("://")[2], maxsplit=1)[0]
    if "@" not in rest:
        return None
    authority, _, path = rest.partition("/")
    userinfo = authority.rpartition("@")[0] if "@" in authority else ""
    # "user:pa/ss@host": the first "/" ends the authority early, so the host read is "user" and the port "pa"
    port = authority.rpartition(":")[2] if ":" in authority else ""
    split_by_slash = "@" in path and ("@" in authority or bool(port) and not port.isdigit())
    if not split_by_slash and _USERINFO_OK.match(userinfo):
        return None
    return ("the user:password part of this URL is not percent-encoded (write @ as %40 and / as %2F)"
            f" and would be mis-read; better, {_CHECK_HINT if in_check else _HTTP_TARGET_HINT}")


def url_problems(rb: Any, problems: Problems) -> None:
    """Every target and check URL with credentials that would be mis-read."""
    for kind in ("prometheus", "alertmanager", "http"):
        for name, target in (getattr(rb.targets, kind, None) or {}).items():
            for field in ("url", "base_url"):
                why = url_problem(getattr(target, field, None), in_check=False)
                if why:
                    problems.append((("targets", kind, name, field), why))
    for i, phase in enumerate(rb.phases):
        for j, check in enumerate(phase.checks):
            why = url_problem(getattr(check, "url", None), in_check=True) if check.source == "http" else None
            if why:
                problems.append((("phase", i, "check", j, "url"), why))
    for k, trig in enumerate(rb.triggers):
        why = url_problem(getattr(trig, "url", None), in_check=True) if trig.source == "http" else None
        if why:
            problems.append((("trigger", k, "url"), why))
