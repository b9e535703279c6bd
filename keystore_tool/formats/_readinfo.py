"""What the readers of JKS, JCEKS, BouncyCastle's stores and PEM tell about a file: the
:class:`~keystore_tool.formats.protection.ReadInfo` record, and the codes of their warnings
(:class:`~keystore_tool.model.StoreWarning`), which a program tests instead of the text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from keystore_tool.model import PrivateKeyEntry, StoreWarning

if TYPE_CHECKING:
    from keystore_tool.formats.protection import ReadInfo
    from keystore_tool.model import Keystore

# The store's integrity check (digest, MAC) could not be made: no password was given.
INTEGRITY_UNCHECKED = "integrity-unchecked"
# The store is signed, and the signature cannot be checked without the signer's key.
SIGNATURE_UNCHECKED = "signature-unchecked"
# Bytes after the end of the store were ignored (a rewrite drops them).
TRAILING_BYTES = "trailing-bytes"
# Two entries share an alias; the reader kept the last, as Java and BouncyCastle do.
ALIAS_COLLISION = "alias-collision"
# An entry holds key bytes no one can decode; it is listed but cannot be converted.
OPAQUE_KEY = "opaque-key"
# An entry of a kind no keystore model holds was left out.
ENTRY_LEFT_OUT = "entry-left-out"


def warn(keystore: Keystore, text: str, code: str) -> None:
    """Tells the caller of the reader ``text``, with its ``code``."""
    keystore.warnings.append(StoreWarning(text, code))


def read_info_of(
    keystore: Keystore, storetype: str, *, integrity_checked: bool, passwordless: bool = False
) -> ReadInfo:
    """The record of a read: what was checked, and each decrypted key's algorithm and form."""
    from keystore_tool.formats.protection import ReadInfo, key_form

    return ReadInfo(
        storetype=storetype,
        integrity_checked=integrity_checked,
        passwordless=passwordless,
        key_forms=tuple(
            key_form(e.alias, e.private_key)
            for e in keystore.entries
            if isinstance(e, PrivateKeyEntry) and e.private_key is not None
        ),
    )
