"""A password that never shows itself in a repr, a log line or a traceback's locals."""

from __future__ import annotations


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
