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
    new: bool = False,
) -> Password | None:
    """The password named by at most one of ``--X``, ``--X-env``, ``--X-file``.

    With none given, a terminal user is asked (when ``prompt`` is set); otherwise the answer is
    ``None`` and the caller decides whether it can do without. A ``new`` password (a store
    about to be created) is asked twice and must have at least 6 characters, as keytool asks:
    one typo would otherwise lock everyone out of the new store.
    """
    given = [
        name
        for name, v in ((option, value), (f"{option}-env", env), (f"{option}-file", file))
        if v is not None
    ]
    if len(given) > 1:
        raise UsageError(f"give the password once: {' and '.join(given)} conflict")
    if value is not None:
        return Password(_text(value, option))
    if env is not None:
        secret = os.environ.get(env)
        if secret is None:
            raise UsageError(f"environment variable {env} named by {option}-env is not set")
        return Password(_text(secret, f"{option}-env (variable {env})"))
    if file is not None:
        return Password(_first_line(file, f"{option}-file"))
    if prompt is not None and sys.stdin.isatty():
        import getpass

        if new:
            return Password(_ask_new(prompt))
        answer = getpass.getpass(f"{prompt}: ")
        return Password(answer) if answer else None
    return None


MIN_NEW_PASSWORD = 6  # keytool's minimum for a store password it is asked for
_ATTEMPTS = 3


def _ask_new(prompt: str) -> str:
    import getpass

    for _ in range(_ATTEMPTS):
        answer = getpass.getpass(f"{prompt} (new store): ")
        if len(answer) < MIN_NEW_PASSWORD:
            sys.stderr.write(
                f"The password is too short: it must have at least {MIN_NEW_PASSWORD} characters.\n"
            )
            continue
        if getpass.getpass("Re-enter the new password: ") == answer:
            return answer
        sys.stderr.write("They don't match; try again.\n")
    raise UsageError(f"no new password confirmed after {_ATTEMPTS} attempts; nothing was written")


def _text(secret: str, source: str) -> str:
    """The password as text. Python hands over environment and argument bytes that are not
    UTF-8 as lone surrogates; such a password cannot be encoded the way any keystore format
    needs, so it is a usage error that names where it came from and shows none of it."""
    try:
        secret.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(
            f"the password from {source} is not valid UTF-8 text; give it as UTF-8"
        ) from None  # the exception's own text would show one of its bytes
    return secret


def _first_line(path: Path, option: str) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.readline()
    except FileNotFoundError as exc:
        raise NotFoundError(f"password file not found: {path} (from {option})") from exc
    except OSError as exc:
        raise StorageError(f"cannot read the password file {path} (from {option})") from exc
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(
            f"the password in {path} (from {option}) is not valid UTF-8 text; save it as UTF-8"
        ) from None  # the exception's own text would show one of its bytes
    return line.rstrip("\r\n")
