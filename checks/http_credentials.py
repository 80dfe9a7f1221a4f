"""Credentials and TLS settings of an HTTP target, read from environment variables and files only."""

from __future__ import annotations

import base64
import os
import ssl
from typing import Any

from golive.checks.base import SourceError
from golive.console import redact


def read_credentials(where: str, target: Any | None) -> tuple[dict[str, str], tuple[str, ...]]:
    """Headers carrying the target's credentials, and the secret values to scrub from messages.

    Raises:
        SourceError: a named variable is unset or empty, a file unreadable, or a pair incomplete.
    """
    if target is None:
        return {}, ()
    headers: dict[str, str] = {}
    secrets: list[str] = []
    for header, var in (target.headers_env or {}).items():
        headers[header] = _secret_from(where, f"headers_env.{header}", var, None, None)
        secrets.append(headers[header])
    if target.bearer_token_env or target.bearer_token_file:
        token = _secret_from(
            where, "bearer_token_env", target.bearer_token_env, "bearer_token_file", target.bearer_token_file
        )
        headers["Authorization"] = f"Bearer {token}"
        secrets.append(token)
    if target.username is not None or target.password_env or target.password_file:
        if target.username is None:
            raise SourceError(f"{where}: password_env/password_file needs username")
        if not (target.password_env or target.password_file):
            raise SourceError(f"{where}: username needs password_env or password_file")
        password = _secret_from(where, "password_env", target.password_env, "password_file", target.password_file)
        pair = base64.b64encode(f"{target.username}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {pair}"
        secrets.extend([password, pair])
    redact.register(*secrets)
    # short values (a tenant id "7") would blank out unrelated text; only scrub real secrets
    # longest first, so a token inside a longer value does not leave that value half-replaced
    return headers, tuple(sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True))


def _secret_from(where: str, env_field: str, env: str | None, file_field: str | None, path: str | None) -> str:
    """A credential from the variable ``env`` or the file ``path``; errors name the field, never the value."""
    if env:
        value = os.environ.get(env)
        if not value:
            raise SourceError(f"{where}: {env_field} names {env}, which is {'empty' if value == '' else 'not set'}")
        return value
    try:
        with open(path or "", encoding="utf-8") as fh:
            value = fh.read().strip()
    except OSError as exc:
        raise SourceError(f"{where}: {file_field} {path}: cannot read ({exc.strerror or type(exc).__name__})") from None
    if not value:
        raise SourceError(f"{where}: {file_field} {path} is empty")
    return value


def ssl_context(where: str, target: Any | None) -> ssl.SSLContext:
    """The client TLS context: the target's CA file, or the system store; no verification only when asked."""
    ca_file = getattr(target, "ca_file", None)
    try:
        ctx = ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__
        raise SourceError(f"{where}: ca_file {ca_file}: cannot load ({reason})") from None
    if not ca_file and not ctx.cert_store_stats().get("x509_ca"):
        try:
            import certifi  # a container without a system store still verifies public servers

            ctx.load_verify_locations(certifi.where())
        except ImportError:
            pass
    if getattr(target, "insecure_skip_verify", False):
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
