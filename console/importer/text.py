"""Inline Markdown to plain text, titles, and the slugs that become runbook ids."""

from __future__ import annotations

import re
import unicodedata

_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)]*)\)")
# spans are bounded so that text full of unmatched markers stays linear to read
_EMPHASIS = re.compile(
    r"\*\*(?=\S)([^\n]{1,120}?)(?<=\S)\*\*|(?<!_)__(?=[^_\s])([^\n]{1,120}?)(?<=[^_\s])__(?!_)"
    r"|(?<![\w*])\*(?=\S)([^*\n]{1,120}?)(?<=\S)\*(?![\w*])"
)
_CODE = re.compile(r"`+([^`]*)`+")
_HTML_TAG = re.compile(r"</?(?:br|b|i|em|strong|code|span|sup|sub|u|s|kbd)\s*/?>", re.IGNORECASE)
# a character a decorative marker is made of: emoji, dingbats, variation selectors, joiners
_MARKER_CATEGORIES = {"So", "Sk", "Cf", "Mn", "Co", "Cn", "Cs"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def clean_control(text: str) -> str:
    """Text with control characters (and lone surrogates) replaced by spaces, tabs and newlines kept."""
    return _CONTROL.sub(" ", text)


def plain(text: str) -> str:
    """Inline Markdown as plain text: emphasis, code spans, links and simple HTML tags removed."""
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _CODE.sub(lambda m: m.group(1), text)
    for _ in range(3):  # nested emphasis: ***x*** or **_x_**
        new = _EMPHASIS.sub(lambda m: next(g for g in m.groups() if g is not None), text)
        if new == text:
            break
        text = new
    text = _HTML_TAG.sub(" ", text)
    return " ".join(text.split())


def is_marker(ch: str) -> bool:
    """True for emoji and symbols used as status decoration (✅ ❌ ⚠️ 🚀 ☐)."""
    return ord(ch) > 127 and unicodedata.category(ch) in _MARKER_CATEGORIES  # "`" and "^" are Markdown


def strip_markers(text: str) -> str:
    """Text without decorative symbols at either end ("✅ Production Environment ✅" → "Production Environment")."""
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or is_marker(text[start])):
        start += 1
    while end > start and (text[end - 1].isspace() or is_marker(text[end - 1])):
        end -= 1
    return text[start:end]


def starts_with_marker(text: str) -> bool:
    """True when the text opens with a status symbol, the way report bullets are ticked."""
    stripped = text.lstrip()
    return bool(stripped) and is_marker(stripped[0])


def clean_title(text: str) -> str:
    """A heading or item as a title: plain text, no decorative symbols, no trailing colon."""
    title = strip_markers(plain(text))
    return title.rstrip(":").strip() if title.endswith(":") else title


def slug(text: str, limit: int = 48) -> str:
    """An id made of lowercase ASCII letters, digits and hyphens ("" when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or (words[0][:limit] if words else "")


def split_title(text: str, limit: int = 100) -> tuple[str, str]:
    """(title, rest): a bold lead-in ("**Git tag**: v1") is the title; long text is cut at a word."""
    text = strip_markers(text)
    m = re.match(r"^\s*(?:\*\*|__)(.+?):?(?:\*\*|__)(?<=:\*\*|:__)\s*(.*)$", text) or re.match(
        r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*:\s*(.*)$", text)
    if m and m.group(2).strip() and len(plain(m.group(1))) >= 2:
        lead, rest = clean_title(m.group(1)), plain(m.group(2))
        if lead:
            return lead, rest.lstrip(":").strip()
    title = clean_title(text)
    if len(title) <= limit:
        return title, ""
    cut = title.rfind(" ", 0, limit)
    cut = cut if cut > limit // 2 else limit
    return title[:cut].rstrip(" ,;:") + "…", title


_DO = re.compile(
    r"^\s*(?:(?:step|phase|stage)\s*\d+[.:)]?\s*[:\-–—]?\s*|\d+[.)]\s*|then\s+|now\s+|first\s+|next\s+)*"
    r"(?:deploy|run|execute|apply|start|restart|roll\s*out|rollout|scale|switch|promote|install|migrate|trigger|"
    r"push|create|enable|disable|update|upgrade|set|shift|route|tag|build|back\s*up|backup|take|stop|drain|flush|"
    r"merge|release|publish|configure|copy|upload|sync|invoke|perform|begin|kick\s+off|launch|activate|cut\s*over|"
    r"provision|initiate|increase|decrease|ramp|pull|load|seed|import|rotate|reload|edit|add|remove|delete|"
    r"clean|purge|clear|generate|register|submit|approve|notify|post|send|lower|raise|pause|resume|resize|"
    r"revert|roll\s*back|rollback|undo|abort|restore|re-?route|redirect|bump|freeze|unfreeze|prepare|invalidate|"
    r"warm|prime|open|close|announce|schedule|mark|record|ship|sign|commit|checkout|check\s*out|fetch|"
    r"download|compile|package|cordon|uncordon|patch|tear\s+down|teardown|bring\s+up|spin\s+up|flip|toggle|"
    r"turn\s+(?:on|off)|put|complete|finish|finali[sz]e|proceed|continue|expand|move|go\s+to|cut)\b",
    re.IGNORECASE,
)


def says_do(text: str) -> bool:
    """True when a step is written as something to do ("Deploy the canary", "Step 2: Run migrations"),
    not as something to confirm ("Backups verified")."""
    text = strip_markers(plain(text))
    return bool(_DO.match(text)) or bool(re.match(r"^\s*step\s*\d+\b", text, re.IGNORECASE))
