"""keystore_tool: read, change and write JKS, JCEKS, PKCS12 and PEM keystores.

The library is usable without the CLI::

    from keystore_tool import Password, load_store

    store = load_store("truststore.p12", Password("changeit"))
    for entry in store.sorted_entries():
        print(entry.alias, entry.kind)

Reading and writing: :func:`load_store`, :func:`save_store` (whole file, locked, atomic),
:func:`update_store` (a locked read-modify-write). The use cases of the CLI are here too,
loaded when first used so that ``import keystore_tool`` stays cheap: :func:`import_certificates`,
:func:`bundle_p12`, :func:`genkeypair`, :func:`certreq`, :func:`gencert`,
:func:`change_password`, :func:`apply_spec` / :func:`load_spec`, :func:`check_stores`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
from keystore_tool.storage import dump_bytes, load_bytes, load_store, save_store

if TYPE_CHECKING:
    from keystore_tool.ops.apply import apply_spec, load_spec
    from keystore_tool.ops.bundle import BundleInputs, bundle_p12
    from keystore_tool.ops.check import check_stores
    from keystore_tool.ops.importing import import_certificates
    from keystore_tool.ops.keygen import Extensions, KeySpec, certreq, gencert, genkeypair
    from keystore_tool.ops.passwd import change_password
    from keystore_tool.ops.update import StoreTarget, update_store

# Operations by name → the module that defines them, imported on first use.
_LAZY = {
    "apply_spec": "keystore_tool.ops.apply",
    "load_spec": "keystore_tool.ops.apply",
    "BundleInputs": "keystore_tool.ops.bundle",
    "bundle_p12": "keystore_tool.ops.bundle",
    "check_stores": "keystore_tool.ops.check",
    "import_certificates": "keystore_tool.ops.importing",
    "Extensions": "keystore_tool.ops.keygen",
    "KeySpec": "keystore_tool.ops.keygen",
    "certreq": "keystore_tool.ops.keygen",
    "gencert": "keystore_tool.ops.keygen",
    "genkeypair": "keystore_tool.ops.keygen",
    "change_password": "keystore_tool.ops.passwd",
    "StoreTarget": "keystore_tool.ops.update",
    "update_store": "keystore_tool.ops.update",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'keystore_tool' has no attribute '{name}'")
    return getattr(importlib.import_module(module), name)


__version__ = "0.1.0"

__all__ = [
    "BundleInputs",
    "Certificate",
    "CertificateEntry",
    "ConflictError",
    "DumpOptions",
    "Entry",
    "Extensions",
    "FormatError",
    "KeyMismatchError",
    "KeySpec",
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
    "StoreTarget",
    "TrustedCertificateEntry",
    "UnsupportedError",
    "UsageError",
    "__version__",
    "apply_spec",
    "bundle_p12",
    "certreq",
    "change_password",
    "check_stores",
    "detect",
    "dump_bytes",
    "gencert",
    "genkeypair",
    "get_format",
    "import_certificates",
    "load_bytes",
    "load_spec",
    "load_store",
    "save_store",
    "update_store",
]
