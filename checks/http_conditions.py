"""The conditions an HTTP check tests on one answer, each giving the one-line reason it failed."""

from __future__ import annotations

import json
import ssl
from typing import Any

from golive.console.redact import clip
from golive.console.units import format_number

_TLS_ORDER = {"TLSv1": 1.0, "TLSv1.1": 1.1, "TLSv1.2": 1.2, "TLSv1.3": 1.3}


class Unmeasurable(Exception):
    """The answer cannot be judged (malformed JSON, no certificate): an ERROR, never a pass."""


def status_problem(status: int, expected: int) -> str | None:
    if status == expected:
        return None
    if status in (401, 403) and expected not in (401, 403):
        return f"status {status} (credentials refused), expected {expected}"
    return f"status {status}, expected {expected}"


def tls_problem(negotiated: str | None, needed: str) -> str | None:
    """None when the negotiated version (``ssl.SSLObject.version()``) is at least ``needed``."""
    if negotiated is None:
        return f"not TLS (plain http), needs TLS {needed} or later"
    if _TLS_ORDER.get(negotiated, 0.0) < float(needed):
        return f"{negotiated} negotiated, needs TLS {needed} or later"
    return None


def certificate_days_left(ssl_object: ssl.SSLObject | None, now: float) -> float:
    """Days from ``now`` until the peer certificate's notAfter (negative once expired).

    Raises:
        Unmeasurable: no TLS, no certificate, or the expiry cannot be read.
    """
    if ssl_object is None:
        raise Unmeasurable("cert_days needs an https URL (this answer was not over TLS)")
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        raise Unmeasurable("the server sent no certificate")
    try:
        from cryptography import x509
    except ImportError:
        # Without cryptography only a verified certificate is decoded by the ssl module.
        decoded = ssl_object.getpeercert()
        if not decoded or "notAfter" not in decoded:
            raise Unmeasurable(
                "cannot read the certificate's expiry with verification off (install the cryptography package)"
            ) from None
        not_after = float(ssl.cert_time_to_seconds(str(decoded["notAfter"])))
    else:
        not_after = x509.load_der_x509_certificate(der).not_valid_after_utc.timestamp()
    return (not_after - now) / 86400.0


def certificate_problem(days_left: float, threshold: Any) -> str | None:
    if threshold.test(days_left):
        return None
    if days_left < 0:
        return f"certificate expired {-days_left:.1f} days ago (needs {threshold})"
    return f"certificate expires in {days_left:.1f} days (needs {threshold})"


def headers_problem(headers: Any, required: list[str]) -> str | None:
    for name in required:
        if name not in headers:  # httpx.Headers look names up case-insensitively
            return f"missing header {name}"
    return None


def body_problem(text: str, needle: str) -> str | None:
    if needle in text:
        return None
    return f"body does not contain {_short(needle)}"


def json_problem(body: bytes, expected: dict[str, Any]) -> str | None:
    """None when every dotted path in ``expected`` holds its value.

    Raises:
        Unmeasurable: the body is not JSON.
    """
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unmeasurable(f"response is not JSON: {exc}") from None
    for path, want in expected.items():
        found, value = _lookup(document, path)
        if not found:
            return f"field {path} missing"
        if not _same(value, want):
            return f"field {path} is {_short(value)}, expected {_short(want)}"
    return None


def latency_problem(latency_s: float, limit_s: float) -> str | None:
    if latency_s <= limit_s:
        return None
    return f"latency {latency_s * 1000:.0f} ms > {format_number(limit_s * 1000)} ms"


def _lookup(document: Any, path: str) -> tuple[bool, Any]:
    """Follow ``a.b.0.c`` through objects and lists; (False, None) when a step is missing."""
    node = document
    for step in path.split("."):
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return False, None
    return True, node


def _same(value: Any, want: Any) -> bool:
    # JSON true is not 1: a bool only equals a bool
    if isinstance(value, bool) or isinstance(want, bool):
        return isinstance(value, bool) and isinstance(want, bool) and value == want
    return value == want


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return clip(text, limit)  # scrubbed before the cut: an echoed credential leaves no prefix behind
