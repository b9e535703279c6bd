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

# Not `from typing import TYPE_CHECKING`: importing typing alone is a few ms of `ks --version`.
TYPE_CHECKING = False
# The public names are imported on first use (PEP 562): `ks --version` and every command pay
# only for the modules they touch, not for the whole library (README, "Performance").
if TYPE_CHECKING:
    from keystore_tool.certfiles import read_certificates, read_private_key
    from keystore_tool.errors import (
        ConflictError,
        FormatError,
        KdfWorkError,
        KeyMismatchError,
        KsError,
        NetworkError,
        NotFoundError,
        PasswordError,
        PinMismatchError,
        Remedy,
        StorageError,
        TargetError,
        UnpinnedError,
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
    from keystore_tool.ops.apply import ApplyReport, apply_spec, load_spec
    from keystore_tool.ops.bundle import BundleInputs, BundleResult, bundle_p12
    from keystore_tool.ops.check import CheckReport, check_stores
    from keystore_tool.ops.importing import ImportReport, import_certificates
    from keystore_tool.ops.keygen import Extensions, KeySpec, certreq, gencert, genkeypair
    from keystore_tool.ops.passwd import PasswdResult, change_password
    from keystore_tool.ops.update import Outcome, StoreChange, StoreTarget, update_store
    from keystore_tool.password import Password
    from keystore_tool.storage import dump_bytes, load_bytes, load_store, save_store
    from keystore_tool.truststores import TruststoreLocation, locate_truststore

__version__ = "0.1.0"

__all__ = [
    "ApplyReport",
    "BundleInputs",
    "BundleResult",
    "Certificate",
    "CertificateEntry",
    "CheckReport",
    "ConflictError",
    "DumpOptions",
    "Entry",
    "Extensions",
    "FormatError",
    "ImportReport",
    "KdfWorkError",
    "KeyMismatchError",
    "KeySpec",
    "Keystore",
    "KsError",
    "LoadOptions",
    "NetworkError",
    "NotFoundError",
    "Outcome",
    "PasswdResult",
    "Password",
    "PasswordError",
    "PinMismatchError",
    "PrivateKeyEntry",
    "Remedy",
    "SealedBlob",
    "SecretKeyEntry",
    "StorageError",
    "StoreChange",
    "StoreTarget",
    "TargetError",
    "TrustedCertificateEntry",
    "TruststoreLocation",
    "UnpinnedError",
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
    "locate_truststore",
    "read_certificates",
    "read_private_key",
    "save_store",
    "update_store",
]

_HOMES = {
    **dict.fromkeys(
        (
            "ConflictError",
            "FormatError",
            "KeyMismatchError",
            "KdfWorkError",
            "KsError",
            "NetworkError",
            "NotFoundError",
            "PasswordError",
            "PinMismatchError",
            "Remedy",
            "StorageError",
            "TargetError",
            "UnpinnedError",
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
    **dict.fromkeys(
        ("dump_bytes", "load_bytes", "load_store", "save_store"), "keystore_tool.storage"
    ),
    **dict.fromkeys(("read_certificates", "read_private_key"), "keystore_tool.certfiles"),
    **dict.fromkeys(("ApplyReport", "apply_spec", "load_spec"), "keystore_tool.ops.apply"),
    **dict.fromkeys(("BundleInputs", "BundleResult", "bundle_p12"), "keystore_tool.ops.bundle"),
    **dict.fromkeys(("CheckReport", "check_stores"), "keystore_tool.ops.check"),
    **dict.fromkeys(("ImportReport", "import_certificates"), "keystore_tool.ops.importing"),
    **dict.fromkeys(
        ("Extensions", "KeySpec", "certreq", "gencert", "genkeypair"), "keystore_tool.ops.keygen"
    ),
    **dict.fromkeys(("PasswdResult", "change_password"), "keystore_tool.ops.passwd"),
    **dict.fromkeys(("TruststoreLocation", "locate_truststore"), "keystore_tool.truststores"),
    **dict.fromkeys(
        ("Outcome", "StoreChange", "StoreTarget", "update_store"), "keystore_tool.ops.update"
    ),
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
