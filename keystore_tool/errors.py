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
    exit_code = 2


class PasswordError(KsError):
    exit_code = 3


class NotFoundError(KsError):
    exit_code = 4


class ConflictError(KsError):
    exit_code = 5


class FormatError(KsError):
    exit_code = 1


class UnsupportedError(KsError):
    exit_code = 1


class KeyMismatchError(KsError):
    exit_code = 1


class StorageError(KsError):
    exit_code = 1


class KsWarning(UserWarning):
    """Something the caller should know about a run that still succeeded."""
