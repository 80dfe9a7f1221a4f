"""Repair text whose UTF-8 was once read as cp1252 ("âœ…" for "✅", "â€”" for "—", "ðŸš€" for "🚀")."""

from __future__ import annotations

import re
from dataclasses import dataclass

# cp1252 leaves five bytes undefined; decoders either keep them as C1 controls or drop them
_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


def _byte_of_char() -> dict[str, int]:
    table: dict[str, int] = {}
    for byte in range(0x80, 0x100):
        try:
            table[bytes([byte]).decode("cp1252")] = byte
        except UnicodeDecodeError:
            table[chr(byte)] = byte  # kept as the C1 control of the same number
    return table


_BYTE = _byte_of_char()
_CONT = "".join(re.escape(ch) for ch, b in _BYTE.items() if 0x80 <= b <= 0xBF)
# a lead byte as cp1252 shows it, then the continuation bytes it needs (or one fewer: a dropped byte)
_SEQUENCE = re.compile(
    f"[\u00c2-\u00df][{_CONT}]|[\u00e0-\u00ef][{_CONT}]{{1,2}}|[\u00f0-\u00f4][{_CONT}]{{2,3}}"
)


@dataclass(frozen=True)
class Repair:
    """The repaired text and how many damaged characters were restored or, unrecoverable, dropped."""

    text: str
    restored: int = 0
    dropped: int = 0


def _needed(lead: int) -> int:
    return 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


def _decode_one(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if len(text) == 1 else None


def _fix(seq: str) -> tuple[str | None, bool]:
    """The character a damaged sequence stood for; (None, True) when it is damaged beyond repair."""
    raw = bytes(_BYTE[ch] for ch in seq)
    if len(raw) == _needed(raw[0]):
        return _decode_one(raw), False
    # one byte short: a cp1252 decoder dropped an undefined byte; repair only if exactly one fits
    fits = {
        ch
        for pos in range(1, len(raw) + 1)
        for missing in _UNDEFINED
        if (ch := _decode_one(raw[:pos] + bytes([missing]) + raw[pos:])) is not None
    }
    if len(fits) == 1:
        return fits.pop(), False
    if raw == b"\xe2\x80":
        return "\u201d", False  # "â€" then a space: the closing quote, by far the likeliest loss
    # a 4-byte emoji lead (ð + Ÿ) is unmistakable even when it cannot be restored
    return None, raw[0] == 0xF0 and raw[1] == 0x9F


def repair_mojibake(text: str) -> Repair:
    """Undo UTF-8-read-as-cp1252 damage, character by character.

    Only sequences that decode to one valid UTF-8 character are replaced, so
    ordinary accented text ("café", "Müller") is left alone. An emoji whose
    fourth byte was lost cannot be told apart from its neighbours and is dropped.
    """
    restored = dropped = 0

    def replace(m: re.Match) -> str:
        nonlocal restored, dropped
        fixed, unrecoverable = _fix(m.group(0))
        if fixed is not None:
            restored += 1
            return fixed
        if unrecoverable:
            dropped += 1
            return ""
        return m.group(0)

    repaired = _SEQUENCE.sub(replace, text)
    return Repair(repaired, restored, dropped)
