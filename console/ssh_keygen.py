"""Signing with the user's own SSH key through `ssh-keygen -Y sign`, from a key file or the ssh-agent,
without ever waiting on a passphrase prompt.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

NAMESPACE = "golive-record"
SIGN_TIMEOUT = 30.0  # an agent may ask its user to confirm; a key file answers at once
_QUICK_TIMEOUT = 10.0


class SigningError(Exception):
    """Signing cannot go ahead; the message is one line saying what to do."""


@dataclass(frozen=True)
class KeyIdentity:
    """What ``ssh-keygen -lf`` says about a key: its fingerprint and comment ("" when it has none)."""

    path: Path
    fingerprint: str
    comment: str


def _environment() -> dict[str, str]:
    """The caller's environment minus every way ssh-keygen could ask for a passphrase.

    With no controlling terminal (start_new_session) it cannot open /dev/tty, and with no askpass program it
    cannot pop one up, so an encrypted key that no agent holds fails at once instead of hanging.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("SSH_ASKPASS", "DISPLAY", "WAYLAND_DISPLAY")}
    env["SSH_ASKPASS_REQUIRE"] = "never"
    return env


def _run(argv: list[str], data: bytes, timeout: float, what: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            argv,
            input=data,
            capture_output=True,
            env=_environment(),
            start_new_session=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise SigningError(f"{argv[0]} not found: install OpenSSH (Debian package openssh-client)") from None
    except subprocess.TimeoutExpired:
        raise SigningError(f"{argv[0]} did not answer within {timeout:g}s while {what}") from None
    except OSError as exc:
        raise SigningError(f"cannot run {argv[0]}: {exc.strerror}") from None


def _last_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else "no message"


def describe_key(key: Path) -> KeyIdentity:
    """Fingerprint and comment of ``key`` (a private or public key file), without touching its secret half.

    Raises SigningError if the file is missing or is not a key.
    """
    key = Path(key)
    if not key.exists():
        raise SigningError(f"key {key} not found: pass --key PATH or set GOLIVE_SIGNING_KEY")
    done = _run(["ssh-keygen", "-l", "-f", str(key)], b"", _QUICK_TIMEOUT, f"reading key {key}")
    out = done.stdout.decode("utf-8", "replace").strip().splitlines()
    if done.returncode != 0 or not out:
        raise SigningError(f"key {key} is not an SSH key: {_last_line(done.stderr)}")
    # "256 SHA256:abc… comment with spaces (ED25519)"
    parts = out[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].startswith("SHA256:"):
        raise SigningError(f"key {key}: unexpected ssh-keygen -l output")
    rest = parts[2] if len(parts) > 2 else ""
    comment = rest.rsplit(" (", 1)[0].strip() if rest.endswith(")") else rest.strip()
    if comment == "no comment":
        comment = ""
    return KeyIdentity(path=key, fingerprint=parts[1], comment=comment)


def sign_message(key: Path, message: bytes, timeout: float | None = None) -> str:
    """The armored SSH signature of ``message`` in the golive-record namespace, made by ``key``.

    ``key`` is a private key file, or a public key file whose private half the ssh-agent at SSH_AUTH_SOCK
    holds. Raises SigningError: key missing, passphrase-protected with no agent holding it, ssh-keygen missing,
    agent refusal, timeout.
    """
    key = Path(key)
    if not key.exists():
        raise SigningError(f"key {key} not found: pass --key PATH or set GOLIVE_SIGNING_KEY")
    timeout = SIGN_TIMEOUT if timeout is None else timeout
    # The message goes on stdin and the signature comes back on stdout: no temporary files to leak or clean.
    done = _run(["ssh-keygen", "-Y", "sign", "-n", NAMESPACE, "-f", str(key)], message, timeout, f"signing with {key}")
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode == 0 and b"-----BEGIN SSH SIGNATURE-----" in done.stdout:
        return done.stdout.decode("ascii").strip()
    if "passphrase" in stderr.lower():
        raise SigningError(f"key {key} is passphrase-protected and no ssh-agent holds it: ssh-add it first")
    if "No such file" in stderr or "Couldn't load" in stderr:
        raise SigningError(f"key {key} cannot be used: {_last_line(done.stderr)}")
    raise SigningError(f"ssh-keygen could not sign with {key}: {_last_line(done.stderr)}")


def agent_first_key() -> str | None:
    """The first public key line the ssh-agent at SSH_AUTH_SOCK holds, or None (no agent, no keys, no ssh-add)."""
    if not os.environ.get("SSH_AUTH_SOCK"):
        return None
    try:
        done = _run(["ssh-add", "-L"], b"", _QUICK_TIMEOUT, "asking the ssh-agent for its keys")
    except SigningError:
        return None
    lines = [ln for ln in done.stdout.decode("utf-8", "replace").splitlines() if ln.strip()]
    if done.returncode != 0 or not lines or " " not in lines[0]:
        return None
    return lines[0].strip()


@contextlib.contextmanager
def signing_key(key: Path | str | None) -> Iterator[Path]:
    """The key file to sign with: ``key``; else $GOLIVE_SIGNING_KEY; else the agent's first key (written to a
    temporary .pub file for the duration); else ~/.ssh/id_ed25519.
    """
    if key:
        yield Path(key).expanduser()
        return
    if os.environ.get("GOLIVE_SIGNING_KEY"):
        yield Path(os.environ["GOLIVE_SIGNING_KEY"]).expanduser()
        return
    line = agent_first_key()
    if line:
        with tempfile.TemporaryDirectory(prefix="golive-sign-") as folder:
            pub = Path(folder) / "agent-key.pub"
            pub.write_text(line + "\n", encoding="utf-8")
            yield pub
        return
    yield Path("~/.ssh/id_ed25519").expanduser()
