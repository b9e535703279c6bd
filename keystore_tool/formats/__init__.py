"""The registry of store formats: each registration says what its format is (name, module,
extensions, what it holds, whether ks writes it, whether writing needs a password and whether
a file may have none) and how to recognise it (``accepts``, a test of the file's first bytes);
detection asks the registrations in order. A new read-only format is one adapter module and
one registration here.

Each adapter module exposes::

    load(data: bytes, password: Password | None, options: LoadOptions) -> Keystore
    dump(keystore: Keystore, password: Password | None, options: DumpOptions) -> bytes
                                     # writable formats only
    can_hold(entry: Entry) -> bool   # optional: a finer check than the kinds registered here

Modules are imported only when a store of their format is met, so listing a JKS store never
pays for the PKCS12 machinery.
"""

from __future__ import annotations

import importlib
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Literal

from keystore_tool.errors import FormatError, UnsupportedError, UsageError
from keystore_tool.formats.protection import Protection

if TYPE_CHECKING:
    from keystore_tool.model import Entry, Keystore
    from keystore_tool.password import Password

Profile = Literal["default", "legacy"]
MacScheme = Literal["hmac", "pbmac1"]


@dataclass(frozen=True)
class LoadOptions:
    """What a reader may need beyond the store password."""

    # keytool's -keypass: the password of JKS/JCEKS key entries that have their own.
    entry_password: Password | None = None
    # Key-derivation rounds the file may ask for (see formats._limits); None: the default,
    # about one to two seconds of work. Raise it for a store of many strongly protected keys.
    max_kdf_work: int | None = None


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
    # PKCS12's integrity check: "hmac" (RFC 7292, what every reader takes) or "pbmac1" (RFC
    # 9579, which only JDK 26+ and OpenSSL 3.4+ read); iterations as the profile's MAC's.
    mac_scheme: MacScheme = "hmac"


@dataclass(frozen=True)
class StoreFormat:
    """One store format's registration: its capabilities as data, and its adapter module,
    imported when a store of the format is first read or written."""

    name: str
    module_name: str
    extensions: tuple[str, ...]
    holds: frozenset[str]  # entry kinds dump() can write
    # True when the file's first bytes (at most SNIFF_BYTES) are this format's.
    accepts: Callable[[bytes], bool]
    writable: bool = True  # False: read-only, dump() refuses
    # Writing needs a password (JKS/JCEKS: the file's digest is keyed with it).
    needs_password: bool = False
    # A file may be written without any password (a PKCS12 truststore, PEM without keys).
    may_be_passwordless: bool = False

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
            raise UnsupportedError(read_only_message(self.name))
        data: bytes = self.module.dump(keystore, password, options or DumpOptions())
        return data

    def can_hold(self, entry: Entry) -> bool:
        if not self.writable or entry.kind not in self.holds:
            return False
        finer = getattr(self.module, "can_hold", None)
        return finer is None or bool(finer(entry))


def read_only_message(name: str) -> str:
    """Why a read-only format is not written, and what to do instead."""
    return (
        f"ks reads {name.upper()} stores but does not change them; convert the store to "
        "pkcs12, jks or jceks and change the copy"
    )


def _looks_like_pkcs12(prefix: bytes) -> bool:
    """A SEQUENCE whose first element is INTEGER 3 (PFX version 3); its length may be BER's
    indefinite form (``30 80 02 01 03``), as NSS, Netscape and BouncyCastle write it."""
    if len(prefix) < 5 or prefix[0] != 0x30:
        return False
    first = prefix[1]
    if first <= 0x80:
        offset = 2
    else:
        n = first & 0x7F
        if n == 0 or n > 4:
            return False
        offset = 2 + n
    return prefix[offset : offset + 3] == b"\x02\x01\x03"


def _looks_like_jks(prefix: bytes) -> bool:
    return prefix[:4] == b"\xfe\xed\xfe\xed"


def _looks_like_jceks(prefix: bytes) -> bool:
    return prefix[:4] == b"\xce\xce\xce\xce"


def _looks_like_pem(prefix: bytes) -> bool:
    return b"-----BEGIN " in prefix


_INT = struct.Struct(">i")


def _bc_header_end(prefix: bytes) -> int | None:
    """Where the entries (BKS) or the ciphertext (UBER) start after BouncyCastle's
    ``version, salt length, salt, iteration count`` header; None when it is not one."""
    if len(prefix) < 12:
        return None
    version, salt_length = struct.unpack_from(">ii", prefix)
    if version not in (0, 1, 2) or not 0 < salt_length <= 256 or len(prefix) < 12 + salt_length:
        return None
    (iterations,) = _INT.unpack_from(prefix, 8 + salt_length)
    return 12 + salt_length if 0 < iterations <= 0x7FFFFFFF else None


def _looks_like_bks(prefix: bytes) -> bool:
    """The BC header followed by a plausible first entry (type 1-4, alias, date, chain length)
    or the end marker and the 20-byte HMAC of an empty store."""
    pos = _bc_header_end(prefix)
    if pos is None or len(prefix) <= pos:
        return False
    kind = prefix[pos]
    if kind == 0:
        return len(prefix) == pos + 21  # an empty store is shorter than the sniffed prefix
    if kind > 4 or len(prefix) < pos + 3:
        return False
    alias_end = pos + 3 + int.from_bytes(prefix[pos + 1 : pos + 3], "big")
    # UBER's header is BKS v1's, followed by ciphertext: a random first byte of 1-4 and a
    # random "alias length" are common (one UBER file in 70), random bytes that read as an
    # alias's text, a date and a chain length are not.
    if not _plausible_alias(prefix[pos + 3 : alias_end]):
        return False
    if len(prefix) < alias_end + 12:
        return len(prefix) >= SNIFF_BYTES  # a long alias: its text so far was plausible
    (date,) = struct.unpack_from(">q", prefix, alias_end)
    chain_length: int = _INT.unpack_from(prefix, alias_end + 8)[0]
    return 0 <= date < 1 << 44 and 0 <= chain_length <= 1024


def _plausible_alias(raw: bytes) -> bool:
    """Text as Java's writeUTF writes an alias (a cut-off last character allowed)."""
    try:
        text = raw.replace(b"\xc0\x80", b"?").decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(raw) - 3:
            return False
        text = raw[: exc.start].decode("utf-8")
    return all(ch >= " " and ch != "\x7f" for ch in text)


def _looks_like_uber(prefix: bytes) -> bool:
    """BC's header (version 1, a 20-byte salt, at most 65,536 iterations as BC enforces)
    followed by ciphertext: what is left when the entries do not look like BKS."""
    pos = _bc_header_end(prefix)
    if pos is None or prefix[:8] != b"\x00\x00\x00\x01\x00\x00\x00\x14":
        return False
    (iterations,) = _INT.unpack_from(prefix, pos - 4)
    return iterations <= 1024 << 6 and len(prefix) >= pos + 32 and not _looks_like_bks(prefix)


# SEQUENCE { SEQUENCE { SEQUENCE { OID id-PBES2 … } … } … }: an ObjectStore whose store data is
# encrypted (BcFKSKeyStoreSpi always writes it so).
_PBES2_OID = bytes.fromhex("06092a864886f70d01050d")


def _looks_like_bcfks(prefix: bytes) -> bool:
    pos = 0
    for _ in range(3):
        if len(prefix) < pos + 2 or prefix[pos] != 0x30:
            return False
        first = prefix[pos + 1]
        pos += 2 + (first & 0x7F if first >= 0x80 else 0)
    return prefix[pos : pos + len(_PBES2_OID)] == _PBES2_OID


# Order matters for detection: the binary formats with exact magic numbers are asked first,
# BKS before UBER (UBER is what remains of BC's header when no BKS entry follows), and PEM,
# which accepts any text with an armour line, last.
_CERTS_AND_KEYS = frozenset({"trusted-cert", "private-key"})
_NOTHING: frozenset[str] = frozenset()
REGISTRY: tuple[StoreFormat, ...] = (
    StoreFormat(
        "pkcs12",
        "keystore_tool.formats.pkcs12",
        (".p12", ".pfx", ".pkcs12"),
        _CERTS_AND_KEYS | {"secret-key", "certificate"},
        _looks_like_pkcs12,
        may_be_passwordless=True,
    ),
    StoreFormat(
        "jks",
        "keystore_tool.formats.jks",
        (".jks",),
        _CERTS_AND_KEYS,
        _looks_like_jks,
        needs_password=True,
    ),
    # JCEKS holds secret keys, but writes only those it read (see jceks.can_hold).
    StoreFormat(
        "jceks",
        "keystore_tool.formats.jceks",
        (".jceks",),
        _CERTS_AND_KEYS | {"secret-key"},
        _looks_like_jceks,
        needs_password=True,
    ),
    # BouncyCastle's stores are read, never written: see the README's "read-only formats".
    StoreFormat(
        "bks", "keystore_tool.formats.bks", (".bks",), _NOTHING, _looks_like_bks, writable=False
    ),
    StoreFormat(
        "uber",
        "keystore_tool.formats.uber",
        (".uber", ".ubr"),
        _NOTHING,
        _looks_like_uber,
        writable=False,
    ),
    StoreFormat(
        "bcfks",
        "keystore_tool.formats.bcfks",
        (".bcfks",),
        _NOTHING,
        _looks_like_bcfks,
        writable=False,
    ),
    StoreFormat(
        "pem",
        "keystore_tool.formats.pem",
        (".pem", ".crt"),
        _CERTS_AND_KEYS,
        _looks_like_pem,
        may_be_passwordless=True,
    ),
)

_BY_NAME = {fmt.name: fmt for fmt in REGISTRY}

# Enough for every magic number and for PEM's armour after a "Bag Attributes" preamble.
SNIFF_BYTES = 4096


def get_format(name: str) -> StoreFormat:
    """The registered format named name (case-insensitive); an unknown name is a UsageError."""
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
        if fmt.accepts(prefix):
            return fmt
    names = ", ".join(fmt.name.upper() for fmt in REGISTRY)
    raise FormatError(f"the file is not a keystore ks can read (not {names}); check the path")


def format_for_new_file(path: str, storetype: str | None) -> StoreFormat:
    """A new file's type: the one named, else its extension's, else PKCS12 (CLI.md)."""
    if storetype:
        return get_format(storetype)
    lower = path.lower()
    for fmt in REGISTRY:
        if any(lower.endswith(ext) for ext in fmt.extensions):
            return fmt
    return _BY_NAME["pkcs12"]
