"""One exception tree for the whole library; each class carries the exit code of ``CLI.md``.

::

    KsError (1)                      any failure; the message is one line, safe to print
    ├── UsageError (2)               a request that lacks or contradicts an option
    │   └── UnpinnedError (2)        a server's certificate with no pin and no trust-on-first-use
    ├── PasswordError (3)            wrong password, or the integrity check failed
    ├── NotFoundError (4)            an alias, or an input file
    ├── ConflictError (5)            the alias holds different content and replace was not asked
    ├── FormatError (1)              unreadable, corrupt, hostile or unknown input
    │   ├── KeyInsteadOfCertificateError   a private key where certificates were expected
    │   ├── KdfWorkError             more key-derivation work than the budget allows
    │   └── IndefiniteLength         BER where DER was read (the reader normalises and retries)
    ├── UnsupportedError (1)         the target format cannot hold or write this entry
    │   └── TargetError              no file satisfies every named target runtime
    ├── KeyMismatchError (1)         a private key that does not belong to the certificate
    ├── PinMismatchError (1)         a server presented another certificate than the one pinned
    ├── NetworkError (1)             connecting or the TLS handshake failed
    └── StorageError (1)             the file system refused (permissions, lock timeout, disk full)

``KsWarning`` (a ``UserWarning``) is what the library says without failing, through Python's
``warnings`` (a file's owner that could not be kept); the CLI prints each as ``ks: warning:``.

Messages never contain a password and never name a command-line option: an error says what
is wrong in the library's words and carries its context as data (the store, the alias, which
password, which parameter, a :class:`Remedy`). ``cli/errors.py`` renders that one line with
the option a user of ``ks`` types; ``str(exc)`` is the same line for a Python caller, in the
library's words. Third-party exceptions are translated once, where the library calls them,
with ``raise ... from exc``.
"""

from __future__ import annotations

import enum

# Not `from typing import TYPE_CHECKING`: the names below are for annotations only, and `ks
# --version` imports this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Self


class Remedy(enum.Enum):
    """What the caller can do about an error, in the library's words.

    The value may name fields of the error's ``details`` (``{storetype}``); ``cli/errors.py``
    holds the same remedy in command-line words.
    """

    STORE_PASSWORD = "give the store's password"
    NEW_STORE_PASSWORD = "give the new store password"
    ENTRY_PASSWORD = "give the entry's own password"
    KEY_PASSWORD = "give the key file's password"
    TRUSTSTORE_PASSWORD = "give the truststore's password"
    REPLACE = "ask to replace it"
    REPLACE_OR_OTHER_ALIAS = "ask to replace it, or choose another alias"
    OTHER_ALIAS = "choose another alias"
    DELETE_OR_OTHER_ALIAS = "delete it first or choose another alias"
    SKIP_UNSUPPORTED = "skip the entries the target cannot hold"
    GIVE_AS_CERTIFICATE = "give it as the certificate"
    GIVE_AS_KEY = "give it as the private key"
    GIVE_KEYSTORE = "give the keystore holding it"
    GIVE_SUBJECT = "give the subject's distinguished name"
    GIVE_SAN = "give the subject alternative names instead"
    GIVE_JAVA = "name a java executable, set JAVA_HOME, or put java on PATH"
    READ_AS_STORETYPE = "read it as a {storetype} store"
    DROP_STORETYPE = "name no store type, or name another file"
    RAISE_LOCK_TIMEOUT = "try again, or wait longer for the lock"
    RAISE_KDF_WORK = "if you trust the file, raise the key-derivation budget to {rounds}"
    IMPORT_FROM_SERVER = "import that CA, or the server's root-most certificate"
    PIN_OR_TRUST_ON_FIRST_USE = "pin its SHA-256 fingerprint, or trust it on first use"
    CHECK_KEY_PASSWORD = "check the key file's password"
    CHECK_STORE_PASSWORD = "check the store's password"
    GIVE_STORE_PASSWORD_TO_WRITE = "give a store password to write it"
    ENTRY_PASSWORD_TO_CONVERT = "give the entry's own password to convert it"
    ENTRY_PASSWORD_FOR_PEM = "give the entry's own password so it can be written as PEM"
    SKIP_OR_OTHER_STORETYPE = "skip what the target cannot hold, or choose another store type"
    WRITE_STORE_PASSWORD = "give the password to write the store with"
    EXPORT_CHAIN_AS_PEM = "export the chain as PEM"
    DROP_KEY_SIZE = "give no key size"
    ENTRY_PASSWORD_OR_SKIP = (
        "give the entry's own password, or skip the entries the target cannot hold"
    )
    PKCS12_OR_SKIP = "convert to pkcs12, or skip the entries the target cannot hold"
    GIVE_KEY_AS_KEY = "give the key as the private key"
    REPLACE_OR_OTHER_OUTPUT = "ask to replace it, or write to another file"
    BUNDLE_KEY_AND_CERTIFICATE = (
        "certificates only are imported: a key and its certificate make a key entry ({source})"
    )

    def phrase(self, details: Mapping[str, object]) -> str:
        return fill(self.value, details)


def fill(template: str, details: Mapping[str, object]) -> str:
    """``template`` with its ``{field}``s from ``details``; a missing one shows as ``<field>``."""
    return template.format_map(_Defaulting(details))


class _Defaulting(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return f"<{key}>"


class KsError(Exception):
    """Base of every error the library raises on purpose.

    ``message`` says what is wrong (one line, no option names). The context is data:
    ``store`` (the file concerned), ``alias``, ``password`` (which one: ``"store"``,
    ``"entry"``, ``"key"``, ``"truststore"``, ``"new store"``), ``parameter`` (the library
    parameter the error is about, e.g. ``"expires_within"``; the CLI shows it as the option),
    ``remedy`` and ``details`` (the fields a remedy's phrase names).
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        remedy: Remedy | None = None,
        parameter: str | None = None,
        store: str | None = None,
        alias: str | None = None,
        password: str | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy
        self.parameter = parameter
        self.store = store
        self.alias = alias
        self.password = password
        self.details: Mapping[str, object] = dict(details or {})

    def reworded(self, message: str) -> Self:
        """The same error, of the same class and context, saying ``message`` (a caller adding
        where it happened: ``exc.reworded(f"{where}: {exc.message}")``)."""
        copy = type(self).__new__(type(self), message)
        copy.__dict__.update(self.__dict__)
        copy.args = (message,)
        copy.message = message
        return copy

    def __str__(self) -> str:
        text = f"{self.parameter}: {self.message}" if self.parameter else self.message
        if self.remedy is not None:
            text = f"{text}; {self.remedy.phrase(self.details)}"
        return text


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


class KdfWorkError(FormatError):
    """The file asks for more key-derivation work than the budget allows; ``asked`` and
    ``budget`` are rounds, so that the caller can offer a budget that would open it."""

    def __init__(self, message: str, asked: int, budget: int) -> None:
        rounds = max(asked, budget * 2)
        super().__init__(message, remedy=Remedy.RAISE_KDF_WORK, details={"rounds": rounds})
        self.asked = asked
        self.budget = budget


class IndefiniteLength(FormatError):
    """A BER indefinite length met by the DER reader: the caller may normalise with
    ``formats._der.to_der`` and read again."""


class UnsupportedError(KsError):
    """An entry or algorithm the target format cannot hold or write."""

    exit_code = 1


class TargetError(UnsupportedError):
    """No file satisfies every named target (exit 1): names the target, the entry, the reason."""


class KeyMismatchError(KsError):
    """A private key that does not belong to the certificate it was given with."""

    exit_code = 1


class UnpinnedError(UsageError):
    """A server's certificate asked for non-interactively, with neither a pin nor trust on
    first use (exit 2)."""


class PinMismatchError(KsError):
    """The server presented another certificate than the one pinned (exit 1)."""


class NetworkError(KsError):
    """Connecting or the TLS handshake failed (exit 1); the message says which step."""


class StorageError(KsError):
    """The file system refused: permissions, a lock held too long, a full disk."""

    exit_code = 1


class KsWarning(UserWarning):
    """Something the caller should know about a run that still succeeded."""
