"""A password that never shows itself in a repr, a log line or a traceback's locals, and the
one reader of the places a password comes from (a literal, an environment variable, the first
line of a file) that the command line and an ``apply`` spec share."""

from __future__ import annotations

import os
from dataclasses import dataclass

from keystore_tool.errors import NotFoundError, StorageError, UsageError


class Password:
    """Holds a secret; ``str()`` and ``repr()`` hide it, :meth:`reveal` gives it out.

    ``None`` (no password) and ``Password("")`` (the empty password) are different things:
    a password-less PKCS12 has no MAC at all, while the empty password still keys one.
    """

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def reveal(self) -> str:
        return self._secret

    def utf8(self) -> bytes:
        return self._secret.encode("utf-8")

    def __repr__(self) -> str:
        return "Password(***)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Password) and other._secret == self._secret

    def __hash__(self) -> int:
        return hash(("Password", self._secret))

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a Password is not picklable")


@dataclass(frozen=True)
class PasswordSource:
    """Where a password comes from: ``env`` (the variable ``reference``), ``file`` (the first
    line of the file ``reference``), ``value`` (``reference`` itself) or ``none`` (no
    password: a password-less store)."""

    kind: str
    reference: str = ""

    def resolve(self, named_by: str | None = None) -> Password | None:
        """The password, read now. ``named_by`` says who named the source (the caller's word
        for it, e.g. the option it came from); errors name it, and never show the secret."""
        if self.kind == "none":
            return None
        if self.kind == "value":
            return password_text(self.reference, named_by or "the value given")
        if self.kind == "env":
            return password_from_environment(self.reference, named_by)
        return password_from_file(self.reference, named_by)

    def __repr__(self) -> str:
        shown = "***" if self.kind == "value" else repr(self.reference)
        return f"PasswordSource({self.kind!r}, {shown})"


def password_text(secret: str, source: str) -> Password:
    """``secret`` as a password. Python hands over environment and argument bytes that are not
    UTF-8 as lone surrogates; such a password cannot be encoded the way any keystore format
    needs, so it is a usage error that names ``source`` and shows none of it."""
    try:
        secret.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(
            f"the password from {source} is not valid UTF-8 text; give it as UTF-8"
        ) from None  # the exception's own text would show one of its bytes
    return Password(secret)


def password_from_environment(variable: str, named_by: str | None = None) -> Password:
    """The password in the environment variable ``variable``."""
    secret = os.environ.get(variable)
    if secret is None:
        by = f" named by {named_by}" if named_by else ""
        raise UsageError(f"environment variable {variable}{by} is not set")
    source = f"{named_by} (variable {variable})" if named_by else f"environment variable {variable}"
    return password_text(secret, source)


def password_from_file(path: str | os.PathLike[str], named_by: str | None = None) -> Password:
    """The first line of the file ``path`` (without its line end), as UTF-8 text."""
    origin = f" (from {named_by})" if named_by else ""
    try:
        with open(path, "rb") as handle:
            raw = handle.readline()
    except FileNotFoundError as exc:
        raise NotFoundError(f"password file not found: {os.fspath(path)}{origin}") from exc
    except OSError as exc:
        raise StorageError(f"cannot read the password file {os.fspath(path)}{origin}") from exc
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(
            f"the password in {os.fspath(path)}{origin} is not valid UTF-8 text; save it as UTF-8"
        ) from None  # the exception's own text would show one of its bytes
    return Password(line.rstrip("\r\n"))
