"""Resolving a password from its three sources (CLI.md): VALUE, -env VAR, -file PATH."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from keystore_tool.errors import NotFoundError, StorageError, UsageError
from keystore_tool.password import Password


def resolve(
    option: str,
    value: str | None,
    env: str | None,
    file: Path | None,
    *,
    prompt: str | None = None,
) -> Password | None:
    """The password named by at most one of ``--X``, ``--X-env``, ``--X-file``.

    With none given, a terminal user is asked (when ``prompt`` is set); otherwise the answer is
    ``None`` and the caller decides whether it can do without.
    """
    given = [
        name
        for name, v in ((option, value), (f"{option}-env", env), (f"{option}-file", file))
        if v is not None
    ]
    if len(given) > 1:
        raise UsageError(f"give the password once: {' and '.join(given)} conflict")
    if value is not None:
        return Password(value)
    if env is not None:
        secret = os.environ.get(env)
        if secret is None:
            raise UsageError(f"environment variable {env} named by {option}-env is not set")
        return Password(secret)
    if file is not None:
        return Password(_first_line(file, f"{option}-file"))
    if prompt is not None and sys.stdin.isatty():
        import getpass

        answer = getpass.getpass(f"{prompt}: ")
        return Password(answer) if answer else None
    return None


def _first_line(path: Path, option: str) -> str:
    try:
        with path.open("r", encoding="utf-8") as handle:
            line = handle.readline()
    except FileNotFoundError as exc:
        raise NotFoundError(f"password file not found: {path} (from {option})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise StorageError(f"cannot read the password file {path} (from {option})") from exc
    return line.rstrip("\r\n")
