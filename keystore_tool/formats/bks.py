"""BouncyCastle's "BKS" keystore (versions 1 and 2), read-only; also the entry layout UBER
encrypts (:mod:`keystore_tool.formats.uber`).

The layout, from BouncyCastle's ``BcKeyStoreSpi`` (big-endian, ``DataOutputStream``)::

    int version (1 or 2; 0 in the oldest stores), int salt length, salt, int iterations,
    entries: byte type, UTF alias, long date (ms), int chain length, chain certificates
             (UTF type, int length, DER), then by type:
             1 certificate  (UTF type, int length, DER)
             2 key          (an unencrypted key, written by BC releases of the 1990s)
             3 secret       (int length, bytes: opaque, "already protected" by the caller)
             4 sealed       (int length, bytes: int salt length, salt, int iterations, then the
                             key encrypted with PBEWithSHAAnd3-KeyTripleDES-CBC)
             a key is: byte kind (0 private, 1 public, 2 secret), UTF format ("PKCS#8",
             "X.509", "RAW"), UTF algorithm, int length, encoded key
    byte 0, then HMAC-SHA1 of the entries (version 2: a 20-byte key; version 1: a 2-byte key,
    BC's historical bits-for-bytes slip), the key from the PKCS#12 KDF (SHA-1, purpose 3).

BC checks the MAC only when a password is given, and keytool tells a private-key entry from a
secret-key entry by whether it has a certificate chain, without decrypting it; ks does both
the same way. A key ks cannot decrypt (no password, another key password, or opaque bytes) is
listed and kept sealed; converting it needs its password.
"""

from __future__ import annotations

import hmac
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from keystore_tool.errors import FormatError, PasswordError
from keystore_tool.formats import _pbe
from keystore_tool.formats._limits import KdfBudget
from keystore_tool.formats._readinfo import (
    ALIAS_COLLISION,
    ENTRY_LEFT_OUT,
    INTEGRITY_UNCHECKED,
    OPAQUE_KEY,
    TRAILING_BYTES,
    read_info_of,
    warn,
)
from keystore_tool.formats.java.mutf8 import decode_modified_utf8
from keystore_tool.model import (
    Certificate,
    Entry,
    Keystore,
    PrivateKeyEntry,
    SealedBlob,
    SecretKeyEntry,
    StoreWarning,
    TrustedCertificateEntry,
)

if TYPE_CHECKING:
    from keystore_tool.formats import LoadOptions
    from keystore_tool.password import Password

FORMAT = "bks"

TYPE_END = 0
TYPE_CERTIFICATE = 1
TYPE_KEY = 2
TYPE_SECRET = 3
TYPE_SEALED = 4

KEY_PRIVATE = 0
KEY_PUBLIC = 1
KEY_SECRET = 2

MAC_SIZE = 20
# BC writes 1,024-2,047 iterations, and its UBER reader refuses more than 65,536; ks holds every
# BC store to that bound, so a crafted file cannot ask for minutes of pure-Python KDF work.
MAX_BC_ITERATIONS = 1024 << 6
MAX_CHAIN = 1024
SEALED_FORMAT = "bks"
OPAQUE_FORMAT = "bks-opaque"  # a "secret" entry: bytes BC stores as given and never decodes

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class RawEntry:
    """One BKS entry as the file lays it out."""

    kind: int
    alias: str
    date_ms: int
    chain: list[bytes] = field(default_factory=list)
    certificate: bytes = b""  # a certificate entry's
    key: tuple[int, str, str, bytes] | None = None  # a plain key entry's (kind, format, alg, enc)
    blob: bytes = b""  # a secret or sealed entry's


class _Reader:
    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, pos: int, end: int) -> None:
        self.data, self.pos, self.end = data, pos, end

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > self.end:
            raise FormatError(f"the BouncyCastle store is truncated or corrupt ({what})")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self, what: str) -> int:
        return self.take(1, what)[0]

    def int32(self, what: str) -> int:
        value: int = struct.unpack(">i", self.take(4, what))[0]
        return value

    def int64(self, what: str) -> int:
        value: int = struct.unpack(">q", self.take(8, what))[0]
        return value

    def utf(self, what: str) -> str:
        length = int.from_bytes(self.take(2, what), "big")
        return decode_modified_utf8(self.take(length, what))

    def sized(self, what: str) -> bytes:
        return self.take(self.int32(what), what)


@dataclass(frozen=True, slots=True)
class Header:
    """BouncyCastle's store header: version, salt, iteration count, where the body starts."""

    version: int
    salt: bytes
    iterations: int
    body: int  # where the entries (or UBER's ciphertext) start


def read_header(data: bytes, what: str) -> Header:
    """The header of a BKS (or UBER) file, each field checked."""
    reader = _Reader(data, 0, len(data))
    version = reader.int32("the header")
    if version not in (0, 1, 2):
        raise FormatError(f"unsupported {what} version {version}; BouncyCastle writes 1 and 2")
    salt_length = reader.int32("the salt length")
    if not 0 < salt_length <= 1024:
        raise FormatError(f"the {what} store has an invalid salt length ({salt_length})")
    salt = reader.take(salt_length, "the salt")
    iterations = reader.int32("the iteration count")
    check_iterations(iterations, f"{what} store")
    return Header(version, salt, iterations, reader.pos)


def check_iterations(iterations: int, what: str) -> None:
    """Refuses an iteration count below 1 or above what BouncyCastle ever writes."""
    if not 0 < iterations <= MAX_BC_ITERATIONS:
        raise FormatError(
            f"the {what} asks for {iterations:,} iterations; BouncyCastle writes at most "
            f"{MAX_BC_ITERATIONS:,}, so the file is refused"
        )


def bc_password(password: Password | None) -> bytes:
    """BC's ``PKCS12PasswordToBytes``: UTF-16BE and a 2-byte terminator; empty stays empty."""
    text = password.reveal() if password is not None else ""
    return _pbe.bmp_password(text) if text else b""


def parse_entries(data: bytes, start: int, end: int) -> tuple[list[RawEntry], int]:
    """The entries from ``start`` up to the end marker; returns them and the marker's end."""
    reader = _Reader(data, start, end)
    entries: list[RawEntry] = []
    while True:
        kind = reader.u8("an entry type")
        if kind == TYPE_END:
            return entries, reader.pos
        alias = reader.utf("an alias")
        date_ms = reader.int64("an entry date")
        chain_length = reader.int32("a chain length")
        if not 0 <= chain_length <= MAX_CHAIN or chain_length * 6 > reader.end - reader.pos:
            raise FormatError(
                f"the BouncyCastle store is corrupt: entry '{alias}' claims {chain_length} "
                "certificates"
            )
        chain = [_certificate(reader, alias) for _ in range(chain_length)]
        entry = RawEntry(kind, alias, date_ms, chain)
        if kind == TYPE_CERTIFICATE:
            entry.certificate = _certificate(reader, alias)
        elif kind == TYPE_KEY:
            entry.key = _key(reader)
        elif kind in (TYPE_SECRET, TYPE_SEALED):
            entry.blob = reader.sized("a key")
        else:
            raise FormatError(
                f"the BouncyCastle store is corrupt: unknown entry type {kind} for '{alias}'"
            )
        entries.append(entry)


def _certificate(reader: _Reader, alias: str) -> bytes:
    cert_type = reader.utf("a certificate type")
    der = reader.sized("a certificate")
    if cert_type not in ("X.509", "X509"):
        raise FormatError(f"entry '{alias}' holds a {cert_type[:40]!r} certificate, not X.509")
    return der


def _key(reader: _Reader) -> tuple[int, str, str, bytes]:
    kind = reader.u8("a key type")
    key_format = reader.utf("a key format")
    algorithm = reader.utf("a key algorithm")
    return kind, key_format, algorithm, reader.sized("a key")


def check_mac(header: Header, data: bytes, body_end: int, password: Password) -> None:
    """Checks the store's HMAC over the entries; a mismatch is a wrong password."""
    stored = data[body_end : body_end + MAC_SIZE]
    if len(stored) != MAC_SIZE:
        raise FormatError("the BKS store is truncated (its integrity check is missing)")
    key_size = MAC_SIZE if header.version == 2 else MAC_SIZE // 8
    key = _pbe.pkcs12_kdf(
        bc_password(password), header.salt, _pbe.KDF_MAC, header.iterations, key_size, "sha1"
    )
    computed = hmac.new(key, memoryview(data)[header.body : body_end], "sha1").digest()
    if not hmac.compare_digest(computed, stored):
        raise PasswordError("wrong password or the store's integrity check failed")


def unseal(
    blob: bytes, password: Password, budget: KdfBudget
) -> tuple[int, str, str, bytes] | None:
    """A sealed entry's key, or None when ``password`` does not open it."""
    reader = _Reader(blob, 0, len(blob))
    salt = reader.sized("a sealed key's salt")
    iterations = reader.int32("a sealed key's iteration count")
    check_iterations(iterations, "sealed key")
    encrypted = blob[reader.pos :]
    if not encrypted or len(encrypted) % 8:
        raise FormatError("a sealed key in the BouncyCastle store is damaged")
    # Three SHA-1 outputs of ``iterations`` rounds: two for the 24-byte key, one for the IV.
    budget.charge(iterations, "sealed key", outputs=3)
    pw = bc_password(password)
    key = _pbe.pkcs12_kdf(pw, salt, _pbe.KDF_KEY, iterations, 24, "sha1")
    iv = _pbe.pkcs12_kdf(pw, salt, _pbe.KDF_IV, iterations, 8, "sha1")
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

    decryptor = Cipher(TripleDES(key), modes.CBC(iv)).decryptor()
    plain = decryptor.update(encrypted) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= 8 or plain[-pad:] != bytes((pad,)) * pad:
        return None
    try:
        return _key(_Reader(plain, 0, len(plain) - pad))
    except FormatError:
        return None  # a wrong password that happened to leave valid padding


def _created(date_ms: int) -> datetime | None:
    try:
        return _EPOCH + timedelta(milliseconds=date_ms)
    except OverflowError:
        return None


def build_keystore(
    raw: list[RawEntry],
    password: Password | None,
    options: LoadOptions,
    fmt: str,
    budget: KdfBudget,
) -> Keystore:
    """The model of BC entries, decrypting sealed keys with the key password when given."""
    keystore = Keystore(storetype=fmt)
    key_password = options.entry_password or password
    undecrypted = 0
    by_alias: dict[str, Entry] = {}
    for item in raw:
        entry = _entry(item, key_password, budget, keystore.warnings)
        if entry is None:
            continue
        if isinstance(entry, PrivateKeyEntry | SecretKeyEntry) and entry.sealed is not None:
            undecrypted += 1
        folded = entry.folded_alias
        if folded in by_alias:
            # BC keeps aliases in a Hashtable: a repeated alias replaces the earlier entry.
            warn(
                keystore,
                f"alias '{entry.alias}' appears more than once; BouncyCastle keeps the last",
                ALIAS_COLLISION,
            )
        by_alias[folded] = entry
    keystore.add_loaded(list(by_alias.values()))
    if undecrypted:
        keystore.properties[f"{fmt}.undecrypted_keys"] = undecrypted
    return keystore


def _entry(
    item: RawEntry, key_password: Password | None, budget: KdfBudget, warnings: list[str]
) -> Entry | None:
    created = _created(item.date_ms)
    attributes: dict[str, object] = {f"{FORMAT}.date_ms": item.date_ms}
    chain = [Certificate(der) for der in item.chain]
    if item.kind == TYPE_CERTIFICATE:
        return TrustedCertificateEntry(
            alias=item.alias,
            created=created,
            attributes=attributes,
            certificate=Certificate(item.certificate),
        )
    key = item.key
    sealed: SealedBlob | None = None
    if item.kind == TYPE_SEALED:
        sealed = SealedBlob(SEALED_FORMAT, item.blob)
        if key_password is not None and key_password.reveal():
            key = unseal(item.blob, key_password, budget)
    elif item.kind == TYPE_SECRET:
        sealed = SealedBlob(OPAQUE_FORMAT, item.blob)
        warnings.append(
            StoreWarning(
                f"entry '{item.alias}' holds opaque key bytes that BouncyCastle stores as given "
                "and cannot decode; it is listed but cannot be converted",
                OPAQUE_KEY,
            )
        )
    if key is not None:
        kind, key_format, algorithm, encoded = key
        if kind == KEY_PRIVATE and key_format in ("PKCS#8", "PKCS8"):
            return PrivateKeyEntry(
                alias=item.alias,
                created=created,
                attributes=attributes,
                chain=chain,
                private_key=encoded,
            )
        if kind == KEY_SECRET and key_format == "RAW":
            return SecretKeyEntry(
                alias=item.alias,
                created=created,
                attributes=attributes,
                algorithm=algorithm,
                key=encoded,
            )
        if sealed is None:
            warnings.append(
                StoreWarning(
                    f"entry '{item.alias}' holds a {algorithm[:40]} public key, which no other "
                    "keystore type can hold; it is left out",
                    ENTRY_LEFT_OUT,
                )
            )
            return None
    # Still sealed: keytool calls a key entry with a chain a PrivateKeyEntry, else a secret key.
    assert sealed is not None
    if chain:
        return PrivateKeyEntry(
            alias=item.alias, created=created, attributes=attributes, chain=chain, sealed=sealed
        )
    return SecretKeyEntry(alias=item.alias, created=created, attributes=attributes, sealed=sealed)


def load(data: bytes, password: Password | None, options: LoadOptions) -> Keystore:
    """Reads a BKS file; without a password its entries are listed unverified, keys sealed."""
    header = read_header(data, "BKS")
    body_end_limit = len(data) - MAC_SIZE
    if body_end_limit <= header.body:
        raise FormatError("the BKS store is truncated (no entries and no integrity check)")
    raw, body_end = parse_entries(data, header.body, body_end_limit)
    verified = bool(password is not None and password.reveal())
    budget = KdfBudget(options.max_kdf_work)
    if verified:
        assert password is not None
        budget.charge(header.iterations, "BKS store MAC")
        check_mac(header, data, body_end, password)
    keystore = build_keystore(raw, password, options, FORMAT, budget)
    keystore.properties[f"{FORMAT}.version"] = header.version
    keystore.properties[f"{FORMAT}.iterations"] = header.iterations
    keystore.properties[f"{FORMAT}.integrity_verified"] = verified
    if not verified:
        warn(
            keystore,
            "integrity of the BKS store not verified: no password given",
            INTEGRITY_UNCHECKED,
        )
    trailing = len(data) - body_end - MAC_SIZE
    if trailing:
        warn(keystore, f"{trailing} bytes after the integrity check were ignored", TRAILING_BYTES)
    keystore.read_info = read_info_of(keystore, FORMAT, integrity_checked=verified)
    return keystore
