"""keystore_tool: read, change and write JKS, JCEKS, PKCS12 and PEM keystores.

The library is usable without the CLI::

    from keystore_tool import Password, load_store

    store = load_store("truststore.p12", Password("changeit"))
    for entry in store.sorted_entries():
        print(entry.alias, entry.kind)
"""

from __future__ import annotations

from keystore_tool.errors import (
    ConflictError,
    FormatError,
    KeyMismatchError,
    KsError,
    NotFoundError,
    PasswordError,
    StorageError,
    UnsupportedError,
    UsageError,
)
from keystore_tool.formats import DumpOptions, LoadOptions, detect, get_format
from keystore_tool.model import (
    Certificate,
    CertificateEntry,
    Entry,
    Keystore,
    PrivateKeyEntry,
    SealedBlob,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.password import Password
from keystore_tool.storage import dump_bytes, load_bytes, load_store

__version__ = "0.1.0"

__all__ = [
    "Certificate",
    "CertificateEntry",
    "ConflictError",
    "DumpOptions",
    "Entry",
    "FormatError",
    "KeyMismatchError",
    "Keystore",
    "KsError",
    "LoadOptions",
    "NotFoundError",
    "Password",
    "PasswordError",
    "PrivateKeyEntry",
    "SealedBlob",
    "SecretKeyEntry",
    "StorageError",
    "TrustedCertificateEntry",
    "UnsupportedError",
    "UsageError",
    "__version__",
    "detect",
    "dump_bytes",
    "get_format",
    "load_bytes",
    "load_store",
]
