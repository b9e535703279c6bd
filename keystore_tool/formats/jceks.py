"""JCEKS, the SunJCE keystore (magic CECECECE): private keys under PBEWithMD5AndTripleDES
(or the JKS protector), trusted certificates, and secret keys as serialized SealedObjects.

A secret key read from a JCEKS store is written back as the exact bytes it was read as; a new
one (algorithm and key bytes known) is sealed the way keytool -genseckey seals it: a
SecretKeySpec serialized inside a SealedObjectForKeyProtector under PBEWithMD5AndTripleDES."""

from __future__ import annotations

from typing import TYPE_CHECKING

from keystore_tool.formats import java

if TYPE_CHECKING:
    from keystore_tool.formats import DumpOptions, LoadOptions
    from keystore_tool.model import Entry, Keystore
    from keystore_tool.password import Password

FORMAT = "jceks"


def load(data: bytes, password: Password | None, options: LoadOptions) -> Keystore:
    """Reads a JCEKS file, or a JKS one, as Java's JCEKS provider does."""
    return java.load_store(data, password, options, FORMAT)


def dump(keystore: Keystore, password: Password | None, options: DumpOptions) -> bytes:
    """Writes ``keystore`` as a JCEKS file; a password is needed."""
    return java.dump_store(keystore, password, options, FORMAT)


def can_hold(entry: Entry) -> bool:
    """Trusted certificates, keys held decrypted or sealed for JKS/JCEKS, and secret keys read from JCEKS or with their algorithm and bytes."""
    return java.can_hold(entry, FORMAT)
