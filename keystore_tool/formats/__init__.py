"""The registry of store formats, and the one place that looks at magic bytes.

Each adapter module exposes::

    load(data: bytes, password: Password | None, options: LoadOptions) -> Keystore
    dump(keystore: Keystore, password: Password | None, options: DumpOptions) -> bytes
    can_hold(entry: Entry) -> bool   # optional: a finer check than the kinds registered here

Modules are imported only when a store of their format is met, so listing a JKS store never
pays for the PKCS12 machinery.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Literal

from keystore_tool.errors import FormatError, UsageError
from keystore_tool.formats.protection import Protection

if TYPE_CHECKING:
    from keystore_tool.model import Entry, Keystore
    from keystore_tool.password import Password

Profile = Literal["default", "legacy"]


@dataclass(frozen=True)
class LoadOptions:
    """What a reader may need beyond the store password."""

    # keytool's -keypass: the password of JKS/JCEKS key entries that have their own.
    entry_password: Password | None = None


@dataclass(frozen=True)
class DumpOptions:
    """How to write: ``profile`` picks the encryption (``legacy`` for Java 8 before 8u301 and
    OpenSSL 1.x); ``protection``, when given, picks it part by part instead (what a list of
    target runtimes all read); ``entry_password`` protects new JKS/JCEKS key entries (store
    password when None); ``iterations`` overrides the KDF iteration count."""

    profile: Profile = "default"
    entry_password: Password | None = None
    iterations: int | None = None
    protection: Protection | None = None
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class StoreFormat:
    name: str
    module_name: str
    extensions: tuple[str, ...]
    holds: frozenset[str]  # entry kinds dump() can write
    writable: bool = True

    @property
    def module(self) -> ModuleType:
        return importlib.import_module(self.module_name)

    def load(
        self, data: bytes, password: Password | None, options: LoadOptions | None = None
    ) -> Keystore:
        keystore: Keystore = self.module.load(data, password, options or LoadOptions())
        keystore.storetype = self.name
        return keystore

    def dump(
        self, keystore: Keystore, password: Password | None, options: DumpOptions | None = None
    ) -> bytes:
        if not self.writable:
            raise UsageError(f"ks cannot write {self.name} stores; convert to pkcs12 instead")
        data: bytes = self.module.dump(keystore, password, options or DumpOptions())
        return data

    def can_hold(self, entry: Entry) -> bool:
        if not self.writable or entry.kind not in self.holds:
            return False
        finer = getattr(self.module, "can_hold", None)
        return finer is None or bool(finer(entry))


# Order matters for detection: the binary formats have exact magic numbers and are asked
# first; PEM accepts any text with an armour line, so it comes last.
_CERTS_AND_KEYS = frozenset({"trusted-cert", "private-key"})
REGISTRY: tuple[StoreFormat, ...] = (
    StoreFormat(
        "pkcs12",
        "keystore_tool.formats.pkcs12",
        (".p12", ".pfx", ".pkcs12"),
        _CERTS_AND_KEYS | {"secret-key", "certificate"},
    ),
    StoreFormat("jks", "keystore_tool.formats.jks", (".jks",), _CERTS_AND_KEYS),
    # JCEKS holds secret keys, but writes only those it read (see jceks.can_hold).
    StoreFormat(
        "jceks", "keystore_tool.formats.jceks", (".jceks",), _CERTS_AND_KEYS | {"secret-key"}
    ),
    StoreFormat("pem", "keystore_tool.formats.pem", (".pem", ".crt"), _CERTS_AND_KEYS),
)

_BY_NAME = {fmt.name: fmt for fmt in REGISTRY}

# Enough for every magic number and for PEM's armour after a "Bag Attributes" preamble.
SNIFF_BYTES = 4096


def get_format(name: str) -> StoreFormat:
    fmt = _BY_NAME.get(name.lower())
    if fmt is None:
        choices = ", ".join(_BY_NAME)
        raise UsageError(f"unknown store type '{name}'; choose one of {choices}")
    return fmt


def detect(data: bytes) -> StoreFormat:
    """The format of ``data``, judged by content alone."""
    if not data:
        raise FormatError("the file is empty; it is not a keystore")
    prefix = data[:SNIFF_BYTES]
    for fmt in REGISTRY:
        if _prefix_matches(fmt.name, prefix):
            return fmt
    raise FormatError(
        "the file is not a keystore ks can read (not PKCS12, JKS, JCEKS or PEM); check the path"
    )


def _prefix_matches(name: str, prefix: bytes) -> bool:
    if name == "pkcs12":
        return _looks_like_pkcs12(prefix)
    if name == "jks":
        return prefix[:4] == b"\xfe\xed\xfe\xed"
    if name == "jceks":
        return prefix[:4] == b"\xce\xce\xce\xce"
    if name == "pem":
        return b"-----BEGIN " in prefix
    return False


def _looks_like_pkcs12(prefix: bytes) -> bool:
    """A DER SEQUENCE whose first element is INTEGER 3 (PFX version 3)."""
    if len(prefix) < 5 or prefix[0] != 0x30:
        return False
    first = prefix[1]
    if first < 0x80:
        offset = 2
    else:
        n = first & 0x7F
        if n == 0 or n > 4:
            return False
        offset = 2 + n
    return prefix[offset : offset + 3] == b"\x02\x01\x03"


def format_for_new_file(path: str, storetype: str | None) -> StoreFormat:
    """A new file's type: ``--storetype``, else its extension, else PKCS12 (CLI.md)."""
    if storetype:
        return get_format(storetype)
    lower = path.lower()
    for fmt in REGISTRY:
        if any(lower.endswith(ext) for ext in fmt.extensions):
            return fmt
    return _BY_NAME["pkcs12"]
