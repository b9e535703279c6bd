"""One exception tree for the whole library; each class carries the exit code of ``CLI.md``.

::

    KsError (1)                      any failure; the message is one line, safe to print
    ├── UsageError (2)               a request that lacks or contradicts an option
    ├── PasswordError (3)            wrong password, or the integrity check failed
    ├── NotFoundError (4)            an alias, or an input file
    ├── ConflictError (5)            the alias holds different content and replace was not asked
    ├── FormatError (1)              unreadable, corrupt, hostile or unknown input
    ├── UnsupportedError (1)         the target format cannot hold or write this entry
    ├── KeyMismatchError (1)         a private key that does not belong to the certificate
    └── StorageError (1)             the file system refused (permissions, lock timeout, disk full)

``KsWarning`` (a ``UserWarning``) is what the library says without failing, through Python's
``warnings`` (a file's owner that could not be kept); the CLI prints each as ``ks: warning:``.

Messages never contain a password. Third-party exceptions are translated once, where the
library calls them, with ``raise ... from exc``.
"""

from __future__ import annotations


class KsError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(KsError):
    """A request that lacks an option it needs or contradicts itself or the file (exit 2)."""

    exit_code = 2


class PasswordError(KsError):
    """A wrong password, or a store whose integrity check failed (exit 3)."""

    exit_code = 3


class NotFoundError(KsError):
    """An alias that is not in the store, or an input file that does not exist (exit 4)."""

    exit_code = 4


class ConflictError(KsError):
    """An alias that already holds different content, where replacing was not asked (exit 5)."""

    exit_code = 5


class FormatError(KsError):
    """Input that is not what it claims: unreadable, corrupt, hostile or of no known format."""

    exit_code = 1


class KeyInsteadOfCertificateError(FormatError):
    """A private key where certificates were expected; ``source`` names the input, so that the
    caller can say where a key belongs instead."""

    def __init__(self, source: str) -> None:
        super().__init__(f"{source} contains a private key, not a certificate")
        self.source = source


class UnsupportedError(KsError):
    """An entry or algorithm the target format cannot hold or write."""

    exit_code = 1


class KeyMismatchError(KsError):
    """A private key that does not belong to the certificate it was given with."""

    exit_code = 1


class StorageError(KsError):
    """The file system refused: permissions, a lock held too long, a full disk."""

    exit_code = 1


class KsWarning(UserWarning):
    """Something the caller should know about a run that still succeeded."""
