"""JCEKS, the SunJCE keystore (magic CECECECE): private keys under PBEWithMD5AndTripleDES
(or the JKS protector), trusted certificates, and secret keys as serialized SealedObjects.

Secret keys are written only as they were read: ks does not produce Java serialization for a
new one, so ``can_hold`` refuses a secret key that has no JCEKS sealed form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from keystore_tool.formats import _javastore

if TYPE_CHECKING:
    from keystore_tool.formats import DumpOptions, LoadOptions
    from keystore_tool.model import Entry, Keystore
    from keystore_tool.password import Password

FORMAT = "jceks"


def load(data: bytes, password: Password | None, options: LoadOptions) -> Keystore:
    return _javastore.load_store(data, password, options, FORMAT)


def dump(keystore: Keystore, password: Password | None, options: DumpOptions) -> bytes:
    return _javastore.dump_store(keystore, password, options, FORMAT)


def can_hold(entry: Entry) -> bool:
    return _javastore.can_hold(entry, FORMAT)
