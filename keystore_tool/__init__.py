"""keystore_tool: read, change and write JKS, JCEKS, PKCS12 and PEM keystores.

The library is usable without the CLI::

    from keystore_tool import Password, load_store

    store = load_store("truststore.p12", Password("changeit"))
    for entry in store.sorted_entries():
        print(entry.alias, entry.kind)
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: importing typing alone is a few ms of `ks --version`.
TYPE_CHECKING = False
# The public names are imported on first use (PEP 562): `ks --version` and every command pay
# only for the modules they touch, not for the whole library (README, "Performance").
if TYPE_CHECKING:
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

_HOMES = {
    **dict.fromkeys(
        (
            "ConflictError",
            "FormatError",
            "KeyMismatchError",
            "KsError",
            "NotFoundError",
            "PasswordError",
            "StorageError",
            "UnsupportedError",
            "UsageError",
        ),
        "keystore_tool.errors",
    ),
    **dict.fromkeys(
        ("DumpOptions", "LoadOptions", "detect", "get_format"), "keystore_tool.formats"
    ),
    **dict.fromkeys(
        (
            "Certificate",
            "CertificateEntry",
            "Entry",
            "Keystore",
            "PrivateKeyEntry",
            "SealedBlob",
            "SecretKeyEntry",
            "TrustedCertificateEntry",
        ),
        "keystore_tool.model",
    ),
    "Password": "keystore_tool.password",
    **dict.fromkeys(("dump_bytes", "load_bytes", "load_store"), "keystore_tool.storage"),
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'keystore_tool' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
