"""Resolving a password from its three options (CLI.md): ``--X VALUE``, ``--X-env VAR``,
``--X-file PATH``, read by :mod:`keystore_tool.password` (the reader an apply spec shares), or
asked at a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

from keystore_tool.errors import UsageError
from keystore_tool.password import (
    Password,
    password_from_environment,
    password_from_file,
    password_text,
)


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
        return password_text(value, option)
    if env is not None:
        return password_from_environment(env, f"{option}-env")
    if file is not None:
        return password_from_file(file, f"{option}-file")
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
