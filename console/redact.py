"""Secrets stay out of what Golive shows and writes: URLs lose their user:password part."""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@]*@")


def redact_urls(text: str) -> str:
    """``https://user:pw@host/x`` → ``https://host/x`` wherever a URL appears in ``text``."""
    return _USERINFO.sub(lambda m: m.group("scheme"), text)
