"""Placeholders ([REGION_NAME], <service>) and the release version become runbook ${variables}."""

from __future__ import annotations

import re
from collections import Counter

# not a link ("[TEXT](url)", "[TEXT][ref]") nor a link definition ("[REF]: https://…")
_BRACKET = re.compile(r"\[([A-Z][A-Z0-9_/ \-]{1,38}[A-Z0-9]|[a-z][a-z0-9]*(?:[\-_][a-z0-9]+)+)\](?![(\[])(?!:\s*\S+://)")
_ANGLE = re.compile(r"<([a-z][a-z0-9_\-]{1,30})>")
_HTML = {
    "br", "b", "i", "p", "a", "em", "strong", "code", "pre", "div", "span", "details", "summary", "sup", "sub",
    "hr", "img", "u", "s", "kbd", "ul", "ol", "li", "table", "tr", "td", "th", "thead", "tbody", "center", "small",
    "del", "ins", "mark", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "html", "head", "body", "script", "style",
}
# placeholders that name a [runbook] field are that field, not a new variable
_META = {"service": "service", "service_name": "service", "version": "version", "release": "version",
         "environment": "environment", "env": "environment"}
_VERSION = re.compile(r"(?<![\w.\-/])(v?\d+\.\d+\.\d+)(?!\.?\d)(?![A-Za-z0-9])")


def detect_version(title: str, texts: list[str]) -> str | None:
    """The release this checklist is for: the most frequent "v1.2.3" in the text, or a version in the title."""
    tagged = Counter(v for text in texts for v in _VERSION.findall(text) if v.startswith("v"))
    if tagged:
        return tagged.most_common(1)[0][0]
    in_title = _VERSION.findall(title)
    return in_title[0] if in_title else None


class Variables:
    """Rewrites text for the runbook: literal "${" escaped, placeholders and the version made variables."""

    def __init__(self, version: str | None):
        self.version = version
        self.declared: dict[str, str] = {}  # variable name -> the placeholder as the checklist wrote it
        self._version_re = (
            re.compile(rf"(?<![\w.\-/]){re.escape(version)}(?!\.?\d)(?![A-Za-z0-9])") if version else None
        )

    def _name(self, raw: str) -> str:
        name = re.sub(r"[^a-z0-9]+", "_", raw.lower()).strip("_") or "value"
        if name[0].isdigit():
            name = "v_" + name
        if name in _META:
            return _META[name]
        if name in ("name", "sha256", "source_path", "variables"):
            name += "_value"
        return name

    def _declare(self, raw: str, shown: str) -> str:
        name = self._name(raw)
        if name not in _META.values():
            self.declared.setdefault(name, shown)
        return "${" + name + "}"

    def apply(self, text: str) -> str:
        """The text as the runbook should hold it; unknown "${...}" stay literal ("$${...}")."""
        text = text.replace("${", "$${")
        if self._version_re is not None:
            text = self._version_re.sub("${version}", text)
        text = _BRACKET.sub(lambda m: self._declare(m.group(1), m.group(0)), text)
        return _ANGLE.sub(
            lambda m: m.group(0) if m.group(1) in _HTML else self._declare(m.group(1), m.group(0)), text
        )
