"""JKS, Sun's original keystore (magic FEEDFEED): private keys under the JKS key protector
and trusted certificates. The codec lives in :mod:`keystore_tool.formats.java`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from keystore_tool.formats import java

if TYPE_CHECKING:
    from keystore_tool.formats import DumpOptions, LoadOptions
    from keystore_tool.model import Entry, Keystore
    from keystore_tool.password import Password

FORMAT = "jks"


def load(data: bytes, password: Password | None, options: LoadOptions) -> Keystore:
    """Reads a JKS file (a JCEKS one is refused, naming the type to read it as)."""
    return java.load_store(data, password, options, FORMAT)


def dump(keystore: Keystore, password: Password | None, options: DumpOptions) -> bytes:
    """Writes ``keystore`` as a JKS file; a password is needed."""
    return java.dump_store(keystore, password, options, FORMAT)


def can_hold(entry: Entry) -> bool:
    """Trusted certificates, and keys we hold decrypted or still under the JKS protector."""
    return java.can_hold(entry, FORMAT)
