"""The runbook's service, version and environment, read only from fields the checklist states explicitly
("**Service**: auth-api", "| Environment | staging |"); anything else is left for a person to fill in."""

from __future__ import annotations

import re

from golive.console.importer.markdown import Block, Item, Paragraph, Table
from golive.console.importer.text import plain

_LABELS = {
    "service": ("service", "service name", "application", "app", "app name", "component", "deployment name"),
    "version": ("release version", "version to deploy", "target version", "release", "build", "service version",
                "app version", "application version", "image tag", "version"),
    "environment": ("environment", "target environment", "env", "deploy environment", "deployment environment"),
}
_FIELD = re.compile(r"^\s*(?:[-*+]\s+)?(?:\[[ xX]\]\s*)?(?:\*\*|__)?([A-Za-z][\w /\-]{1,40}?)(?:\*\*|__)?\s*:\s*"
                    r"(?:\*\*|__)?\s*(.+?)\s*$")
_PLACEHOLDER = re.compile(r"^\[.*\]$|^<.*>$|^\{.*\}$|^_+$|^x+$|^tbd$|^n/?a$|^e\.g\.|\be\.g\.,|^\(.*\)$|^\.\.\.$|…",
                          re.I)
_ENVIRONMENTS = {"prod": "production", "production": "production", "stage": "staging", "staging": "staging",
                 "qa": "qa", "dev": "dev", "development": "dev", "test": "test", "uat": "uat", "preprod": "preprod",
                 "pre-production": "preprod", "sandbox": "sandbox"}


def _fields(blocks: list[Block]):
    """(label, value) pairs of every "Label: value" line and two-column table row."""
    for block in blocks:
        if isinstance(block, Table):
            for row in [block.header, *block.rows]:
                if len(row) >= 2:
                    yield plain(row[0]).strip(" :*").lower(), plain(row[1]).strip()
        elif isinstance(block, (Paragraph, Item)):
            for line in block.text.splitlines():
                m = _FIELD.match(line)
                if m:
                    yield m.group(1).strip().lower(), plain(m.group(2)).strip(" `*")
            if isinstance(block, Item):
                yield from _fields(block.children)


def _value(value: str, key: str) -> str | None:
    value = value.strip(" `'\"*").split("  ")[0].strip()
    if not value or _PLACEHOLDER.search(value) or len(value) > 60:
        return None
    if key == "environment":
        first = value.split()[0].strip(".,;()").lower()
        return _ENVIRONMENTS.get(first)
    if key == "service" and (" " in value.strip() or not re.match(r"^[A-Za-z0-9][\w.\-]*$", value)):
        return None  # a sentence, not a service name
    if key == "version" and not re.match(r"^v?\d+(?:\.\d+){1,3}(?:[\-+][\w.\-]+)?$", value):
        return None
    return value


def explicit_meta(blocks: list[Block]) -> dict[str, str]:
    """Service, version and environment the checklist names in a field of their own.

    A "Version" field next to "Document ID" or "Last Updated" is the document's version, not the release's.
    """
    found: dict[str, str] = {}
    pairs = list(_fields(blocks))
    document_meta = any(label in ("document id", "last updated", "date created", "doc id") for label, _ in pairs)
    for label, raw in pairs:
        for key, labels in _LABELS.items():
            if key in found or label not in labels:
                continue
            if key == "version" and label == "version" and document_meta and "service" not in found:
                continue
            value = _value(raw, key)
            if value:
                found[key] = value
    return found
