"""The binary layout shared by JKS and JCEKS, their key protectors, and the entry mapping.

Both formats are ``magic, version, count, entries…, SHA-1 digest`` written with Java's
``DataOutputStream`` (big-endian, aliases in modified UTF-8). We parse and write them in one
linear pass of our own rather than through pyjks: pyjks costs 70-100 ms to import and its
writer is quadratic, and a 144-entry truststore must list in milliseconds.

Key protection, from the OpenJDK sources:

* JKS (``sun.security.provider.KeyProtector``, OID 1.3.6.1.4.1.42.2.17.1.1): an
  EncryptedPrivateKeyInfo whose data is ``salt(20) || key XOR stream || SHA1(pw || key)``, the
  stream being iterated SHA-1 over the UTF-16BE password and the previous block.
* JCEKS (``com.sun.crypto.provider.KeyProtector``, OID 1.3.6.1.4.1.42.2.19.1): Sun's
  PBEWithMD5AndTripleDES (``PBES1Core.deriveCipherKey``): each 4-byte half of the 8-byte salt
  is hashed with the ASCII password ``iterations`` times with MD5; the two digests give the
  24-byte 3DES key and the 8-byte IV. JCEKS also reads JKS-protected keys.
* JCEKS secret keys are a Java-serialized ``SealedObject`` with no length prefix, so finding
  where one ends means walking the Java serialization stream; :class:`_JavaStreamReader` does
  that without recursion. New secret keys are sealed by :func:`seal_secret_key` in the exact
  layout JDK 17 and 25 write.
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from keystore_tool.errors import (
    ConflictError,
    FormatError,
    PasswordError,
    UnsupportedError,
    UsageError,
)
from keystore_tool.formats import _der
from keystore_tool.formats._limits import MAX_ITERATIONS, KdfBudget
from keystore_tool.model import (
    Certificate,
    Entry,
    Keystore,
    PrivateKeyEntry,
    SealedBlob,
    SecretKeyEntry,
    TrustedCertificateEntry,
)

if TYPE_CHECKING:
    from keystore_tool.formats import DumpOptions, LoadOptions
    from keystore_tool.formats.protection import ReadInfo
    from keystore_tool.password import Password

JKS_MAGIC = 0xFEEDFEED
JCEKS_MAGIC = 0xCECECECE
TAG_PRIVATE_KEY = 1
TAG_TRUSTED_CERT = 2
TAG_SECRET_KEY = 3
DIGEST_SIZE = 20
X509 = "X.509"

# What keytool's JCE key protector writes (KeyProtector.DEFAULT_ITERATION_COUNT, JDK 17 and 25).
JCEKS_DEFAULT_ITERATIONS = 200_000

# DER of the AlgorithmIdentifier OIDs (tag, length, value).
_JKS_PROTECTOR_OID = bytes.fromhex("060a2b060104012a02110101")
_JCE_PROTECTOR_OID = bytes.fromhex("06092b060104012a021301")
PROTECTOR_JKS = "jks-key-protector"
PROTECTOR_JCE = "jce-pbe-md5-3des"
# The sealed formats of a key entry (tag 1) that has no certificate chain.
CHAINLESS_JKS = "jks-key-entry"
CHAINLESS_JCE = "jceks-key-entry"

# Entry attributes that let a rewrite reproduce what was read.
ATTR_TIMESTAMP = "jks.timestamp_ms"
ATTR_CERT_TYPES = "jks.cert_types"

_INT = struct.Struct(">i")
_UINT = struct.Struct(">I")
_LONG = struct.Struct(">q")
_USHORT = struct.Struct(">H")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TAG_AND_ALIAS_LENGTH = struct.Struct(">iH")
# After a trusted certificate's date: its type as keytool writes it, and the DER's length.
_TYPE_AND_LENGTH_AFTER_DATE = struct.Struct(">8x7si")
_X509_TYPE = b"\x00\x05X.509"  # writeUTF("X.509")
_T = TypeVar("_T")

# Smallest possible entry: tag(4) + alias length(2) + timestamp(8) + a 4-byte length/count.
_MIN_ENTRY = 18


# --------------------------------------------------------------------------------------------
# Modified UTF-8 (DataInput.readUTF / DataOutput.writeUTF)


def decode_modified_utf8(raw: bytes) -> str:
    """Java's ``readUTF`` decoding: NUL as C0 80 (or, as Java also reads it, a raw 0 byte),
    supplementary characters as two 3-byte surrogates; malformed input is a
    :class:`FormatError`."""
    if raw.isascii():
        return raw.decode("ascii")
    units: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        b = raw[i]
        if b < 0x80:  # a raw NUL too: DataInputStream.readUTF accepts it
            units.append(b)
            i += 1
        elif b & 0xE0 == 0xC0 and i + 1 < n and raw[i + 1] & 0xC0 == 0x80:
            units.append(((b & 0x1F) << 6) | (raw[i + 1] & 0x3F))
            i += 2
        elif (
            b & 0xF0 == 0xE0
            and i + 2 < n
            and raw[i + 1] & 0xC0 == 0x80
            and raw[i + 2] & 0xC0 == 0x80
        ):
            units.append(((b & 0x0F) << 12) | ((raw[i + 1] & 0x3F) << 6) | (raw[i + 2] & 0x3F))
            i += 3
        else:
            raise FormatError("an alias or name in the store is not valid modified UTF-8")
    # Pair the surrogates the way Java's String would; a lone one stays as it is.
    return b"".join(u.to_bytes(2, "big") for u in units).decode("utf-16-be", "surrogatepass")


def encode_modified_utf8(text: str) -> bytes:
    """Java's ``writeUTF`` encoding, without the length prefix."""
    if text.isascii() and "\x00" not in text:
        return text.encode("ascii")
    utf16 = text.encode("utf-16-be", "surrogatepass")
    out = bytearray()
    for (unit,) in struct.iter_unpack(">H", utf16):
        if 0 < unit < 0x80:
            out.append(unit)
        elif unit < 0x800:
            out += bytes((0xC0 | (unit >> 6), 0x80 | (unit & 0x3F)))
        else:
            out += bytes((0xE0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3F), 0x80 | (unit & 0x3F)))
    return bytes(out)


def write_utf(text: str) -> bytes:
    raw = encode_modified_utf8(text)
    if len(raw) > 0xFFFF:
        raise UnsupportedError(
            f"'{text[:40]}…' is too long for a JKS/JCEKS store (65535 bytes at most); shorten it"
        )
    return _USHORT.pack(len(raw)) + raw


def java_chars(password: Password) -> bytes:
    """The password as Java's ``char[]``: UTF-16BE code units."""
    return password.reveal().encode("utf-16-be", "surrogatepass")


def pre_keyed_digest(password: Password) -> hashlib._Hash:
    digest = hashlib.sha1()
    digest.update(java_chars(password))
    digest.update(b"Mighty Aphrodite")
    return digest


# --------------------------------------------------------------------------------------------
# The container


@dataclass(slots=True)
class RawEntry:
    """One entry as laid out in the file."""

    tag: int
    alias: str
    timestamp_ms: int
    # The protected private key (tag 1) or the serialized SealedObject (tag 3).
    blob: bytes = b""
    # (certificate type, encoding): the chain of a key, or the single trusted certificate.
    certs: list[tuple[str, bytes]] = field(default_factory=list)


class _ReadOnFirstUse(Generic[_T]):
    """A field of :class:`StoredTrustedCertificate`: built from the file's bytes when first
    read; assigning it marks the entry edited, so it is encoded afresh when written.

    The value lives in a plain attribute named ``_<field>`` (the class default is
    :data:`_UNREAD`), never through ``__dict__``: touching ``__dict__`` would make CPython
    build a dict for each of 50,000 entries."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = f"_{name}"

    @overload
    def __get__(self, entry: None, owner: type | None = None) -> _ReadOnFirstUse[_T]: ...

    @overload
    def __get__(self, entry: StoredTrustedCertificate, owner: type | None = None) -> _T: ...

    def __get__(
        self, entry: StoredTrustedCertificate | None, owner: type | None = None
    ) -> _T | _ReadOnFirstUse[_T]:
        if entry is None:
            return self
        value: _T = getattr(entry, self.slot)
        if value is _UNREAD:
            value = entry.read_field(self.name)
            setattr(entry, self.slot, value)
        return value

    def __set__(self, entry: StoredTrustedCertificate, value: _T) -> None:
        setattr(entry, self.slot, value)
        entry._edited = True


# What a StoredTrustedCertificate field holds until it is first read.
_UNREAD: Any = object()


class StoredTrustedCertificate(TrustedCertificateEntry):
    """A trusted-certificate entry that stays the bytes it was read from until it is used.

    Adding one certificate to a 50,000-entry truststore must not build 50,000 certificates,
    dates and attribute dicts only to encode them again: this entry keeps its alias and where
    it lies in the file, builds ``created``, ``attributes`` and ``certificate`` on first
    access, and while nothing about it changed it is written back as those bytes (with its
    unchanged neighbours, as one slice). To everything else it is a
    :class:`TrustedCertificateEntry`. Only entries in keytool's own layout (version 2,
    certificate type X.509) are read this way; the rest take the checked path.
    :func:`parse_store` makes them without ``__init__``: ``alias`` and ``_read`` are all
    they start with.
    """

    created = _ReadOnFirstUse[datetime | None]()
    attributes = _ReadOnFirstUse[dict[str, Any]]()
    certificate = _ReadOnFirstUse[Certificate]()
    _created: Any = _UNREAD
    _attributes: Any = _UNREAD
    _certificate: Any = _UNREAD
    _edited = False  # set by any assignment to a field, the dataclass constructor's included
    # (alias, file bytes, start, end) as read.
    _read: tuple[str, bytes, int, int]

    def read_field(self, name: str) -> Any:
        _, data, start, end = self._read
        (alias_length,) = _USHORT.unpack_from(data, start + 4)
        stamp_at = start + 6 + alias_length
        if name == "certificate":
            # After the date: the type "X.509" (2 + 5 bytes) and the length (4).
            return Certificate(data[stamp_at + 19 : end])
        (stamp,) = _LONG.unpack_from(data, stamp_at)
        if name == "created":
            return _created(stamp)
        return {ATTR_TIMESTAMP: stamp}

    def span(self) -> tuple[bytes, int, int] | None:
        """(file bytes, start, end) while writing those bytes back is what encoding the entry
        afresh would give; None once it was renamed or edited, or when its alias is not in the
        form JKS writes (lower case, NUL as C0 80)."""
        if self._edited:
            return None
        alias, data, start, end = self._read
        if (
            self.alias != alias
            or alias != alias.lower()
            or "\x00" in alias
            or (
                self._attributes is not _UNREAD
                and self._attributes != self.read_field("attributes")
            )
        ):
            return None
        return data, start, end


@dataclass(slots=True)
class RawStore:
    magic: int
    version: int
    entries: list[RawEntry | StoredTrustedCertificate]
    verified: bool
    trailing: int = 0


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > len(self.data):
            raise FormatError(f"the store is truncated or corrupt ({what} runs past the end)")

    def u8(self, what: str) -> int:
        self.need(1, what)
        value = self.data[self.pos]
        self.pos += 1
        return value

    def int32(self, what: str) -> int:
        self.need(4, what)
        (value,) = _INT.unpack_from(self.data, self.pos)
        self.pos += 4
        return int(value)

    def uint16(self, what: str) -> int:
        self.need(2, what)
        (value,) = _USHORT.unpack_from(self.data, self.pos)
        self.pos += 2
        return int(value)

    def int64(self, what: str) -> int:
        self.need(8, what)
        (value,) = _LONG.unpack_from(self.data, self.pos)
        self.pos += 8
        return int(value)

    def take(self, n: int, what: str) -> bytes:
        self.need(n, what)
        start = self.pos
        self.pos += n
        return self.data[start : self.pos]

    def utf(self, what: str) -> str:
        return decode_modified_utf8(self.take(self.uint16(what), what))

    def sized(self, what: str) -> bytes:
        length = self.int32(what)
        if length < 0:
            raise FormatError(f"the store is corrupt (negative length of {what})")
        return self.take(length, what)


def parse_store(data: bytes, password: Password | None) -> RawStore:
    """Parses the container and checks its digest (when a password is given)."""
    reader = _Reader(data)
    magic = reader.int32("the header") & 0xFFFFFFFF
    if magic not in (JKS_MAGIC, JCEKS_MAGIC):
        raise FormatError("the file is not a JKS or JCEKS store (wrong magic number)")
    version = reader.int32("the header")
    if version not in (1, 2):
        raise FormatError(f"unsupported JKS/JCEKS version {version}; only 1 and 2 exist")
    count = reader.int32("the entry count")
    if count < 0 or count * _MIN_ENTRY > reader.remaining():
        raise FormatError(f"the store is corrupt: it claims {count} entries, more than it holds")
    entries: list[RawEntry | StoredTrustedCertificate] = []
    append = entries.append
    typed = version == 2
    # The fast path below may only look at bytes before the digest.
    limit = len(data) - DIGEST_SIZE
    tag_and_alias_length = _TAG_AND_ALIAS_LENGTH.unpack_from
    type_and_length_after_date = _TYPE_AND_LENGTH_AFTER_DATE.unpack_from
    new_entry = object.__new__
    stored = StoredTrustedCertificate
    pos = reader.pos
    for _ in range(count):
        # keytool's trusted certificates, the bulk of any big store, are only delimited here
        # (this loop runs 50,000 times for a big truststore, hence the inlining); anything
        # else, or anything that does not fit, goes through the checked reader.
        if typed and pos + 6 <= limit:
            tag, alias_length = tag_and_alias_length(data, pos)
            alias_end = pos + 6 + alias_length
            if tag == TAG_TRUSTED_CERT and alias_end + 19 <= limit:
                cert_type, cert_length = type_and_length_after_date(data, alias_end)
                end = alias_end + 19 + cert_length
                if cert_type == _X509_TYPE and cert_length >= 0 and end <= limit:
                    raw_alias = data[pos + 6 : alias_end]
                    try:
                        alias = raw_alias.decode("ascii")
                    except UnicodeDecodeError:
                        alias = decode_modified_utf8(raw_alias)
                    entry = new_entry(stored)
                    entry.alias = alias
                    entry._read = (alias, data, pos, end)
                    append(entry)
                    pos = end
                    continue
        reader.pos = pos
        append(_read_entry(reader, magic, typed))
        pos = reader.pos
    body_end = pos
    reader.pos = pos
    stored_digest = reader.take(DIGEST_SIZE, "the integrity digest")
    verified = False
    if password is not None:
        digest = pre_keyed_digest(password)
        digest.update(memoryview(data)[:body_end])
        if digest.digest() != stored_digest:
            raise PasswordError("wrong password or the store's integrity check failed")
        verified = True
    return RawStore(magic, version, entries, verified, trailing=reader.remaining())


def _read_entry(reader: _Reader, magic: int, typed: bool) -> RawEntry:
    tag = reader.int32("an entry tag")
    alias = reader.utf("an alias")
    stamp = reader.int64("an entry date")
    if tag == TAG_TRUSTED_CERT:
        cert_type = reader.utf("a certificate type") if typed else X509
        return RawEntry(tag, alias, stamp, certs=[(cert_type, reader.sized("a certificate"))])
    if tag == TAG_PRIVATE_KEY:
        blob = reader.sized("a protected key")
        n_certs = reader.int32("a chain length")
        if n_certs < 0 or n_certs * 4 > reader.remaining():
            raise FormatError(
                f"the store is corrupt: entry '{alias}' claims {n_certs} certificates"
            )
        chain = []
        for _ in range(n_certs):
            cert_type = reader.utf("a certificate type") if typed else X509
            chain.append((cert_type, reader.sized("a certificate")))
        return RawEntry(tag, alias, stamp, blob=blob, certs=chain)
    if tag == TAG_SECRET_KEY and magic == JCEKS_MAGIC:
        start = reader.pos
        reader.pos = skip_java_object_stream(reader.data, start)
        return RawEntry(tag, alias, stamp, blob=reader.data[start : reader.pos])
    raise FormatError(f"the store is corrupt: unknown entry type {tag} for '{alias}'")


def serialize_store(magic: int, entries: list[RawEntry], password: Password) -> bytes:
    """The file: version 2, entries in the order given, and the keyed digest."""
    return _sealed([_header(magic, len(entries)), *map(encode_entry, entries)], password)


def _header(magic: int, count: int) -> bytes:
    return struct.pack(">IIi", magic, 2, count)


def _sealed(parts: list[bytes | memoryview], password: Password) -> bytes:
    """``parts`` joined and followed by their keyed digest, copying the bytes once."""
    digest = pre_keyed_digest(password)
    for part in parts:
        digest.update(part)
    parts.append(digest.digest())
    return b"".join(parts)


def encode_entry(entry: RawEntry) -> bytes:
    parts = [_INT.pack(entry.tag), write_utf(entry.alias), _LONG.pack(entry.timestamp_ms)]
    append = parts.append
    if entry.tag == TAG_TRUSTED_CERT:
        cert_type, der = entry.certs[0]
        append(write_utf(cert_type))
        append(_INT.pack(len(der)))
        append(der)
    elif entry.tag == TAG_PRIVATE_KEY:
        append(_INT.pack(len(entry.blob)))
        append(entry.blob)
        append(_INT.pack(len(entry.certs)))
        for cert_type, der in entry.certs:
            append(write_utf(cert_type))
            append(_INT.pack(len(der)))
            append(der)
    else:
        append(entry.blob)
    return b"".join(parts)


# --------------------------------------------------------------------------------------------
# EncryptedPrivateKeyInfo and PBE parameters of the key protectors


@dataclass(frozen=True, slots=True)
class ProtectedKey:
    """An EncryptedPrivateKeyInfo split into what the protectors need."""

    protector: str
    data: bytes
    salt: bytes = b""
    iterations: int = 0


def parse_protected_key(blob: bytes) -> ProtectedKey:
    what = "protected key"
    top = _der.read(blob, 0, len(blob), what)
    if top.tag != _der.SEQUENCE:
        raise FormatError("a protected key is not an EncryptedPrivateKeyInfo")
    algorithm = _der.read(blob, top.start, top.end, what)
    if algorithm.tag != _der.SEQUENCE:
        raise FormatError("a protected key has no algorithm identifier")
    # The protector OIDs are compared encoded, tag and length included.
    oid_end = _der.read(blob, algorithm.start, algorithm.end, what).end
    oid = blob[algorithm.start : oid_end]
    encrypted = _der.read(blob, algorithm.end, top.end, what)
    if encrypted.tag != _der.OCTET_STRING:
        raise FormatError("a protected key has no encrypted data")
    data = _der.content(blob, encrypted)
    if oid == _JKS_PROTECTOR_OID:
        if len(data) < 2 * DIGEST_SIZE:
            raise FormatError("a JKS-protected key is too short")
        return ProtectedKey(PROTECTOR_JKS, data)
    if oid == _JCE_PROTECTOR_OID:
        salt, iterations = parse_pbe_params(blob[oid_end : algorithm.end])
        return ProtectedKey(PROTECTOR_JCE, data, salt, iterations)
    raise FormatError("a key in the store uses an unknown protection algorithm")


def parse_pbe_params(params: bytes) -> tuple[bytes, int]:
    """PBEParameter ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER }."""
    what = "PBE parameter"
    top = _der.read(params, 0, len(params), what)
    if top.tag != _der.SEQUENCE:
        raise FormatError("a protected key has invalid PBE parameters")
    salt = _der.read(params, top.start, top.end, what)
    if salt.tag != _der.OCTET_STRING or salt.end - salt.start != 8:
        raise FormatError("a protected key has an invalid PBE salt (8 bytes expected)")
    count = _der.read(params, salt.end, top.end, what)
    if count.tag != _der.INTEGER or not 0 < count.end - count.start <= 5:
        raise FormatError("a protected key has an invalid PBE iteration count")
    return _der.content(params, salt), _der.integer(params, count, what)


def _pbe_params(salt: bytes, iterations: int) -> bytes:
    return _der.seq(_der.octet_string(salt), _der.encode_integer(iterations))


def _xor(data: bytes, stream: bytes) -> bytes:
    n = len(data)
    mixed = int.from_bytes(data, "big") ^ int.from_bytes(stream[:n], "big")
    return mixed.to_bytes(n, "big")


def _jks_stream(salt: bytes, password: bytes, length: int) -> bytes:
    blocks: list[bytes] = []
    block = salt
    for _ in range((length + DIGEST_SIZE - 1) // DIGEST_SIZE):
        block = hashlib.sha1(password + block).digest()
        blocks.append(block)
    return b"".join(blocks)


def jks_unprotect(data: bytes, password: Password) -> bytes | None:
    """The PKCS#8 key, or None when ``password`` is not the one it was protected with."""
    pw = java_chars(password)
    salt, encrypted, check = data[:DIGEST_SIZE], data[DIGEST_SIZE:-DIGEST_SIZE], data[-DIGEST_SIZE:]
    key = _xor(encrypted, _jks_stream(salt, pw, len(encrypted)))
    if hashlib.sha1(pw + key).digest() != check:
        return None
    return key


def jks_protect(pkcs8: bytes, password: Password) -> bytes:
    pw = java_chars(password)
    salt = os.urandom(DIGEST_SIZE)
    data = salt + _xor(pkcs8, _jks_stream(salt, pw, len(pkcs8)))
    data += hashlib.sha1(pw + pkcs8).digest()
    alg = _der.seq(_JKS_PROTECTOR_OID, _der.DER_NULL)
    return _der.seq(alg, _der.octet_string(data))


def jce_password(password: Password) -> bytes | None:
    """The password as PBEKey takes it: printable ASCII only, else None."""
    text = password.reveal()
    if all(" " <= ch <= "~" for ch in text):
        return text.encode("ascii")
    return None


def _jce_key_iv(password: bytes, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    halves = [salt[:4], salt[4:]]
    if halves[0] == halves[1]:
        # PBES1Core's "invert the first half" loop has a typo (salt[3-1]); this is what it does.
        s = halves[0]
        halves[0] = bytes((s[3], s[0], s[1], s[3]))
    md5 = hashlib.md5
    derived = []
    for half in halves:
        block = half
        for _ in range(iterations):
            block = md5(block + password).digest()
        derived.append(block)
    both = derived[0] + derived[1]
    return both[:24], both[24:]


def _tdes(key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

    cipher = Cipher(TripleDES(key), modes.CBC(iv))
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(data) + op.finalize()


def jce_pbe_decrypt(
    data: bytes, password: Password, salt: bytes, iterations: int, budget: KdfBudget, what: str
) -> bytes | None:
    """Decrypts Sun's PBEWithMD5AndTripleDES; None when the password does not fit."""
    budget.charge(iterations, what, outputs=2)  # two MD5 chains, one per salt half
    pw = jce_password(password)
    if pw is None or not data or len(data) % 8:
        return None
    key, iv = _jce_key_iv(pw, salt, iterations)
    padded = _tdes(key, iv, data, encrypt=False)
    pad = padded[-1]
    if not 1 <= pad <= 8 or padded[-pad:] != bytes((pad,)) * pad:
        return None
    return padded[:-pad]


def jce_protect(pkcs8: bytes, password: Password, iterations: int) -> bytes:
    pw = jce_password(password)
    if pw is None:
        raise UsageError(
            "a JCEKS key password must be printable ASCII (Java's PBE refuses other characters)"
        )
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise UsageError(f"the iteration count must be between 1 and {MAX_ITERATIONS:,}")
    salt = os.urandom(8)
    key, iv = _jce_key_iv(pw, salt, iterations)
    pad = 8 - len(pkcs8) % 8
    encrypted = _tdes(key, iv, pkcs8 + bytes((pad,)) * pad, encrypt=True)
    alg = _der.seq(_JCE_PROTECTOR_OID, _pbe_params(salt, iterations))
    return _der.seq(alg, _der.octet_string(encrypted))


def _looks_like_pkcs8(key: bytes) -> bool:
    """A wrong password that happens to leave valid padding still leaves no DER SEQUENCE."""
    try:
        top = _der.read(key, 0, len(key), "decrypted key")
    except FormatError:
        return False
    return top.tag == _der.SEQUENCE and top.end == len(key)


# --------------------------------------------------------------------------------------------
# Java serialization: enough to find where a SealedObject ends and read its fields

_TC_NULL, _TC_REFERENCE, _TC_CLASSDESC, _TC_OBJECT, _TC_STRING = 0x70, 0x71, 0x72, 0x73, 0x74
_TC_ARRAY, _TC_CLASS, _TC_BLOCKDATA, _TC_ENDBLOCKDATA, _TC_RESET = 0x75, 0x76, 0x77, 0x78, 0x79
_TC_BLOCKDATALONG, _TC_LONGSTRING, _TC_PROXYCLASSDESC, _TC_ENUM = 0x7A, 0x7C, 0x7D, 0x7E
_SC_WRITE_METHOD, _SC_SERIALIZABLE, _SC_EXTERNALIZABLE, _SC_BLOCK_DATA = 0x01, 0x02, 0x04, 0x08
_PRIMITIVE_SIZES = {"B": 1, "Z": 1, "C": 2, "S": 2, "I": 4, "F": 4, "J": 8, "D": 8}
_MAX_CLASS_DEPTH = 64


class _ClassDesc:
    __slots__ = ("fields", "flags", "name", "parent")

    def __init__(self, name: str) -> None:
        self.name = name
        self.flags = 0
        self.fields: list[tuple[str, str]] = []  # (type code, name)
        self.parent: _ClassDesc | None = None


class _JavaObject:
    __slots__ = ("desc", "fields")

    def __init__(self, desc: _ClassDesc) -> None:
        self.desc = desc
        self.fields: dict[str, Any] = {}


class _JavaStreamReader:
    """Reads one object from a Java serialization stream with an explicit stack.

    Values come back as Python values (str, bytes for byte[], :class:`_JavaObject`, a
    :class:`_ClassDesc`, None); other arrays are skipped. Only the stream grammar is
    interpreted: no class is looked up or instantiated.
    """

    def __init__(self, data: bytes, pos: int) -> None:
        self.r = _Reader(data)
        self.r.pos = pos
        self.handles: list[Any] = []
        self.last: Any = None

    def read(self) -> Any:
        r = self.r
        if r.take(4, "a serialized key") != b"\xac\xed\x00\x05":
            raise FormatError("a secret key entry is not a Java serialization stream")
        self.stack: list[Callable[[], None]] = [self._object]
        # Each step consumes at least one byte or pops work, so the data length bounds it.
        while self.stack:
            self.stack.pop()()
        return self.last

    # Steps push follow-up steps on self.stack; the value an object read produced is self.last.

    def _object(self) -> None:
        r = self.r
        tc = r.u8("a serialized object")
        push = self.stack.append
        if tc == _TC_NULL:
            self.last = None
        elif tc == _TC_REFERENCE:
            index = r.int32("a serialized reference") - 0x7E0000
            if not 0 <= index < len(self.handles):
                raise FormatError("a serialized key has a dangling reference")
            self.last = self.handles[index]
        elif tc == _TC_STRING:
            self.last = decode_modified_utf8(r.take(r.uint16("a string"), "a string"))
            self.handles.append(self.last)
        elif tc == _TC_LONGSTRING:
            self.last = decode_modified_utf8(r.take(r.int64("a string"), "a string"))
            self.handles.append(self.last)
        elif tc == _TC_CLASSDESC:
            desc = _ClassDesc(r.utf("a class name"))
            r.take(8, "a serialVersionUID")
            self.handles.append(desc)
            desc.flags = r.u8("class flags")
            for _ in range(r.uint16("a field count")):
                code = chr(r.u8("a field type"))
                name = r.utf("a field name")
                if code in "L[":
                    self._inline_string()
                elif code not in _PRIMITIVE_SIZES:
                    raise FormatError("a serialized key has an invalid field type")
                desc.fields.append((code, name))
            push(lambda: self._set_parent(desc))
            push(self._object)
            push(self._annotation)
        elif tc == _TC_PROXYCLASSDESC:
            desc = _ClassDesc("$Proxy")
            self.handles.append(desc)
            for _ in range(max(0, r.int32("proxy interfaces"))):
                r.utf("an interface name")
            push(lambda: self._set_parent(desc))
            push(self._object)
            push(self._annotation)
        elif tc == _TC_OBJECT:
            push(self._object_body)
            push(self._object)
        elif tc == _TC_ARRAY:
            push(self._array_body)
            push(self._object)
        elif tc == _TC_ENUM:
            push(self._enum_body)
            push(self._object)
        elif tc == _TC_CLASS:
            push(self._class_body)
            push(self._object)
        elif tc == _TC_RESET:
            self.handles.clear()
            push(self._object)
        else:
            raise FormatError(f"a serialized key has an unsupported element (0x{tc:02x})")

    def _inline_string(self) -> None:
        tc = self.r.u8("a field class name")
        if tc == _TC_STRING:
            self.handles.append(decode_modified_utf8(self.r.take(self.r.uint16("a"), "a string")))
        elif tc == _TC_REFERENCE:
            self.r.int32("a serialized reference")
        else:
            raise FormatError("a serialized key has an invalid field class name")

    def _set_parent(self, desc: _ClassDesc) -> None:
        parent = self.last
        if parent is not None and not isinstance(parent, _ClassDesc):
            raise FormatError("a serialized key has an invalid superclass")
        desc.parent = parent
        self.last = desc

    def _annotation(self) -> None:
        r = self.r
        r.need(1, "a class annotation")
        tc = r.data[r.pos]
        if tc == _TC_ENDBLOCKDATA:
            r.pos += 1
        elif tc == _TC_BLOCKDATA:
            r.pos += 1
            r.take(r.u8("block data"), "block data")
            self.stack.append(self._annotation)
        elif tc == _TC_BLOCKDATALONG:
            r.pos += 1
            r.take(r.int32("block data"), "block data")
            self.stack.append(self._annotation)
        else:
            self.stack.append(self._annotation)
            self.stack.append(self._object)

    def _desc_from_last(self) -> _ClassDesc:
        desc = self.last
        if not isinstance(desc, _ClassDesc):
            raise FormatError("a serialized key has an object without a class")
        return desc

    def _object_body(self) -> None:
        desc = self._desc_from_last()
        obj = _JavaObject(desc)
        self.handles.append(obj)
        lineage: list[_ClassDesc] = []
        walk: _ClassDesc | None = desc
        while walk is not None:
            if len(lineage) >= _MAX_CLASS_DEPTH:
                raise FormatError("a serialized key has a class hierarchy that is too deep")
            lineage.append(walk)
            walk = walk.parent
        push = self.stack.append
        push(lambda: setattr(self, "last", obj))
        # Superclass data comes first in the stream, so it is pushed last.
        for cls in lineage:
            if cls.flags & _SC_EXTERNALIZABLE:
                if not cls.flags & _SC_BLOCK_DATA:
                    raise FormatError("a serialized key uses an unsupported externalizable form")
                push(self._annotation)
                continue
            if cls.flags & _SC_WRITE_METHOD:
                push(self._annotation)
            push(self._field_step(obj, cls, 0))

    def _field_step(self, obj: _JavaObject, cls: _ClassDesc, index: int) -> Callable[[], None]:
        def step() -> None:
            r = self.r
            i = index
            while i < len(cls.fields):
                code, name = cls.fields[i]
                i += 1
                size = _PRIMITIVE_SIZES.get(code)
                if size is not None:
                    obj.fields[name] = r.take(size, "a field value")
                    continue
                self.stack.append(self._field_step(obj, cls, i))
                self.stack.append(self._store_field(obj, name))
                self.stack.append(self._object)
                return

        return step

    def _store_field(self, obj: _JavaObject, name: str) -> Callable[[], None]:
        def step() -> None:
            obj.fields[name] = self.last

        return step

    def _array_body(self) -> None:
        desc = self._desc_from_last()
        r = self.r
        length = r.int32("an array length")
        if length < 0 or len(desc.name) < 2 or desc.name[0] != "[":
            raise FormatError("a serialized key has an invalid array")
        code = desc.name[1]
        size = _PRIMITIVE_SIZES.get(code)
        if size is not None:
            value: Any = r.take(length * size, "an array")
            self.handles.append(value if code == "B" else None)
            self.last = value if code == "B" else None
            return
        self.handles.append(None)
        r.need(length, "an array")  # every element takes at least one byte

        def elements(left: int) -> Callable[[], None]:
            def step() -> None:
                if left:
                    self.stack.append(elements(left - 1))
                    self.stack.append(self._object)
                else:
                    self.last = None

            return step

        self.stack.append(elements(length))

    def _enum_body(self) -> None:
        self._desc_from_last()
        slot = len(self.handles)
        self.handles.append(None)

        def named() -> None:
            self.handles[slot] = self.last

        self.stack.append(named)
        self.stack.append(self._object)

    def _class_body(self) -> None:
        self.handles.append(self._desc_from_last())


def skip_java_object_stream(data: bytes, pos: int) -> int:
    """Where the serialized object starting at ``pos`` ends."""
    reader = _JavaStreamReader(data, pos)
    reader.read()
    return reader.r.pos


def read_java_object(data: bytes) -> Any:
    return _JavaStreamReader(data, 0).read()


# Java serialization of what JceKeyStore.engineSetKeyEntry stores: a SecretKeySpec, sealed in a
# SealedObjectForKeyProtector. The class descriptors and serialVersionUIDs are those of the
# JDK classes (the same bytes JDK 17 and 25 write); the layout follows the stream grammar.
_STREAM_HEADER = b"\xac\xed\x00\x05"
_BYTE_ARRAY_CLASS = (
    b"\x72" + b"\x00\x02[B" + bytes.fromhex("acf317f8060854e0") + b"\x02\x00\x00\x78\x70"
)


def _jstring(text: str) -> bytes:
    return b"\x74" + write_utf(text)


def _jbytes_new_class(data: bytes) -> bytes:
    return b"\x75" + _BYTE_ARRAY_CLASS + _INT.pack(len(data)) + data


def _secret_key_spec(algorithm: str, key: bytes) -> bytes:
    desc = (
        b"\x72"
        + write_utf("javax.crypto.spec.SecretKeySpec")
        + bytes.fromhex("5b470b66e230614d")
        + b"\x02\x00\x02"
        + b"L"
        + write_utf("algorithm")
        + _jstring("Ljava/lang/String;")
        + b"["
        + write_utf("key")
        + _jstring("[B")
        + b"\x78\x70"
    )
    return _STREAM_HEADER + b"\x73" + desc + _jstring(algorithm) + _jbytes_new_class(key)


def seal_secret_key(algorithm: str, key: bytes, password: Password, iterations: int) -> bytes:
    """A new JCEKS secret-key entry body, as keytool -genseckey writes it."""
    pw = jce_password(password)
    if pw is None:
        raise UsageError(
            "a JCEKS key password must be printable ASCII (Java's PBE refuses other characters)"
        )
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise UsageError(f"the iteration count must be between 1 and {MAX_ITERATIONS:,}")
    plain = _secret_key_spec(algorithm, key)
    salt = os.urandom(8)
    derived_key, iv = _jce_key_iv(pw, salt, iterations)
    pad = 8 - len(plain) % 8
    content = _tdes(derived_key, iv, plain + bytes((pad,)) * pad, encrypt=True)
    params = _pbe_params(salt, iterations)
    sealed_desc = (
        b"\x72"
        + write_utf("com.sun.crypto.provider.SealedObjectForKeyProtector")
        + bytes.fromhex("cd57ca59e730bb53")
        + b"\x02\x00\x00\x78"
        + b"\x72"
        + write_utf("javax.crypto.SealedObject")
        + bytes.fromhex("3e363da6c3b75470")
        + b"\x02\x00\x04"
        + b"["
        + write_utf("encodedParams")
        + _jstring("[B")
        + b"["
        + write_utf("encryptedContent")
        + b"\x71"
        + _INT.pack(0x7E0002)
        + b"L"
        + write_utf("paramsAlg")
        + _jstring("Ljava/lang/String;")
        + b"L"
        + write_utf("sealAlg")
        + b"\x71"
        + _INT.pack(0x7E0003)
        + b"\x78\x70"
    )
    # Handles: 0 and 1 the two class descriptors, 2 "[B", 3 "Ljava/lang/String;", 4 the
    # object, 5 the byte[] class descriptor that encryptedContent refers back to.
    return (
        _STREAM_HEADER
        + b"\x73"
        + sealed_desc
        + _jbytes_new_class(params)
        + b"\x75\x71"
        + _INT.pack(0x7E0005)
        + _INT.pack(len(content))
        + content
        + _jstring("PBEWithMD5AndTripleDES")
        + _jstring("PBEWithMD5AndTripleDES")
    )


def unseal_secret_key(
    sealed: bytes, password: Password, budget: KdfBudget
) -> tuple[str, bytes] | None:
    """(algorithm, raw key) of a JCEKS SealedObject, or None when the password does not fit."""
    obj = read_java_object(sealed)
    if not isinstance(obj, _JavaObject):
        raise FormatError("a JCEKS secret key entry is not a sealed object")
    fields = obj.fields
    seal_alg = fields.get("sealAlg")
    params = fields.get("encodedParams")
    content = fields.get("encryptedContent")
    if seal_alg != "PBEWithMD5AndTripleDES" or not isinstance(params, bytes):
        raise FormatError("a JCEKS secret key is sealed with an algorithm ks does not know")
    if not isinstance(content, bytes):
        raise FormatError("a JCEKS secret key has no sealed content")
    salt, iterations = parse_pbe_params(params)
    plain = jce_pbe_decrypt(content, password, salt, iterations, budget, "JCEKS secret key")
    if plain is None or not plain.startswith(b"\xac\xed\x00\x05"):
        return None
    try:
        key_obj = read_java_object(plain)
    except FormatError:
        return None
    if not isinstance(key_obj, _JavaObject):
        return None
    inner = key_obj.fields
    algorithm = inner.get("algorithm")
    raw = inner.get("key", inner.get("encoded"))  # SecretKeySpec, or a KeyRep substitute
    if not isinstance(algorithm, str) or not isinstance(raw, bytes):
        return None
    return algorithm, raw


# --------------------------------------------------------------------------------------------
# Mapping between the file and the model


def _created(stamp: int) -> datetime | None:
    try:
        return _EPOCH + timedelta(milliseconds=stamp)
    except OverflowError:
        return None


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _timestamp_for(entry: Entry) -> int:
    stamp = entry.attributes.get(ATTR_TIMESTAMP)
    if isinstance(stamp, int) and (entry.created is None or entry.created == _created(stamp)):
        return stamp
    if entry.created is not None:
        created = entry.created if entry.created.tzinfo else entry.created.replace(tzinfo=UTC)
        return (created - _EPOCH) // timedelta(milliseconds=1)
    return _now_ms()


def load_store(data: bytes, password: Password | None, options: LoadOptions, fmt: str) -> Keystore:
    """``fmt`` is ``jks`` (JKS magic only) or ``jceks`` (either magic, as Java's JCEKS reads)."""
    raw = parse_store(data, password)
    if fmt == "jks" and raw.magic != JKS_MAGIC:
        raise FormatError("this is a JCEKS store, not JKS; read it as --storetype jceks")
    keystore = Keystore(storetype=fmt)
    keystore.properties[f"{fmt}.version"] = raw.version
    keystore.properties[f"{fmt}.magic"] = "JKS" if raw.magic == JKS_MAGIC else "JCEKS"
    keystore.properties[f"{fmt}.integrity_verified"] = raw.verified
    if password is None:
        keystore.warnings.append(
            f"integrity of the {fmt.upper()} store not verified: no password given"
        )
    if raw.trailing:
        keystore.warnings.append(
            f"{raw.trailing} bytes after the integrity digest were ignored and will not be kept"
        )
    key_password = options.entry_password or password
    budget = KdfBudget(options.max_kdf_work)
    protectors: set[str] = set()
    iterations_seen: list[int] = []
    undecrypted = 0
    entries: list[Entry] = []
    append = entries.append
    for item in raw.entries:
        if not isinstance(item, RawEntry):
            append(item)  # a trusted certificate, already an entry
            continue
        created = _created(item.timestamp_ms)
        attributes: dict[str, Any] = {ATTR_TIMESTAMP: item.timestamp_ms}
        if any(cert_type != X509 for cert_type, _ in item.certs):
            attributes[ATTR_CERT_TYPES] = [cert_type for cert_type, _ in item.certs]
        entry: Entry
        if item.tag == TAG_TRUSTED_CERT:
            entry = TrustedCertificateEntry(
                alias=item.alias,
                created=created,
                attributes=attributes,
                certificate=Certificate(item.certs[0][1]),
            )
        elif item.tag == TAG_PRIVATE_KEY and not item.certs:
            # A key entry without a chain (KeyStore.setKeyEntry with bytes and no chain): keytool
            # calls it a SecretKeyEntry, by the missing certificate, without decrypting it.
            entry = SecretKeyEntry(
                alias=item.alias,
                created=created,
                attributes=attributes,
                sealed=SealedBlob(_chainless_format(item.blob), item.blob),
            )
            undecrypted += 1
        elif item.tag == TAG_PRIVATE_KEY:
            protected = parse_protected_key(item.blob)
            protectors.add(protected.protector)
            if protected.iterations:
                iterations_seen.append(protected.iterations)
            key = None
            if key_password is not None:
                key = _unprotect(protected, key_password, budget)
            sealed = None
            if key is None:
                undecrypted += 1
                sealed_format = "jks" if protected.protector == PROTECTOR_JKS else "jceks"
                sealed = SealedBlob(sealed_format, item.blob)
            entry = PrivateKeyEntry(
                alias=item.alias,
                created=created,
                attributes=attributes,
                chain=[Certificate(der) for _, der in item.certs],
                private_key=key,
                sealed=sealed,
            )
        else:
            algorithm = secret = None
            if key_password is not None:
                unsealed = unseal_secret_key(item.blob, key_password, budget)
                if unsealed is not None:
                    algorithm, secret = unsealed
            if secret is None:
                undecrypted += 1
            entry = SecretKeyEntry(
                alias=item.alias,
                created=created,
                attributes=attributes,
                algorithm=algorithm,
                key=secret,
                sealed=SealedBlob("jceks", item.blob),
            )
        append(entry)
    try:
        keystore.add_loaded(entries)
    except ConflictError:
        keystore.add_loaded(_last_of_each_alias(entries, keystore.warnings))
    keystore.properties[f"{fmt}.key_protectors"] = sorted(protectors)
    if iterations_seen:
        keystore.properties[f"{fmt}.iterations"] = max(iterations_seen)
    if undecrypted:
        keystore.properties[f"{fmt}.undecrypted_keys"] = undecrypted
    keystore.read_info = _read_info(fmt, raw.verified, keystore)
    return keystore


def _read_info(fmt: str, verified: bool, keystore: Keystore) -> ReadInfo:
    from keystore_tool.formats.protection import ReadInfo, key_form

    return ReadInfo(
        storetype=fmt,
        integrity_checked=verified,
        key_forms=tuple(
            key_form(e.alias, e.private_key)
            for e in keystore.entries
            if isinstance(e, PrivateKeyEntry) and e.private_key is not None
        ),
    )


def _chainless_format(blob: bytes) -> str:
    """The sealed form of a key entry without a chain: which key protector it claims."""
    protected = parse_protected_key(blob)
    if protected.iterations > MAX_ITERATIONS:
        # Not decrypted here, but bounded like every key: a decryption later must not stall.
        raise FormatError(
            f"the JCEKS key asks for {protected.iterations:,} iterations, above the limit of "
            f"{MAX_ITERATIONS:,} that Java also enforces; refusing the file"
        )
    return CHAINLESS_JKS if protected.protector == PROTECTOR_JKS else CHAINLESS_JCE


def _last_of_each_alias(entries: list[Entry], warnings: list[str]) -> list[Entry]:
    """Java's view of a store that repeats an alias (Java writes such files: its loader puts
    each entry in a table by alias, so the last one read is the one it keeps)."""
    last: dict[str, Entry] = {}
    for entry in entries:
        earlier = last.pop(entry.folded_alias, None)
        if earlier is not None:
            same = "" if earlier.alias == entry.alias else f" (as '{earlier.alias}')"
            warnings.append(
                f"alias '{entry.alias}' appears more than once{same}; Java reads the last "
                "entry, and so does ks (a rewrite keeps only that one)"
            )
        last[entry.folded_alias] = entry
    return list(last.values())


def _unprotect(protected: ProtectedKey, password: Password, budget: KdfBudget) -> bytes | None:
    if protected.protector == PROTECTOR_JKS:
        key = jks_unprotect(protected.data, password)
    else:
        key = jce_pbe_decrypt(
            protected.data, password, protected.salt, protected.iterations, budget, "JCEKS key"
        )
    return key if key is not None and _looks_like_pkcs8(key) else None


def dump_store(
    keystore: Keystore, password: Password | None, options: DumpOptions, fmt: str
) -> bytes:
    if password is None:
        raise UsageError(f"a password is needed to write a {fmt.upper()} store; give --storepass")
    magic = JKS_MAGIC if fmt == "jks" else JCEKS_MAGIC
    key_password = options.entry_password or password
    iterations = options.iterations or JCEKS_DEFAULT_ITERATIONS
    entries = keystore.entries
    parts: list[bytes | memoryview] = [_header(magic, len(entries))]
    append = parts.append
    # Untouched stored entries that followed each other in the file are copied as one slice.
    run_data: bytes | None = None
    run_start = run_end = 0
    for entry in entries:
        span = entry.span() if type(entry) is StoredTrustedCertificate else None
        if span is not None:
            data, start, end = span
            if data is run_data and start == run_end:
                run_end = end
                continue
            if run_data is not None:
                append(memoryview(run_data)[run_start:run_end])
            run_data, run_start, run_end = data, start, end
            continue
        if run_data is not None:
            append(memoryview(run_data)[run_start:run_end])
            run_data = None
        append(encode_entry(_raw_entry(entry, fmt, key_password, iterations)))
    if run_data is not None:
        append(memoryview(run_data)[run_start:run_end])
    return _sealed(parts, password)


def _raw_entry(entry: Entry, fmt: str, key_password: Password, iterations: int) -> RawEntry:
    alias = entry.alias.lower()
    stamp = _timestamp_for(entry)
    cert_types = entry.attributes.get(ATTR_CERT_TYPES)
    if isinstance(entry, TrustedCertificateEntry):
        cert_type = cert_types[0] if isinstance(cert_types, list) and cert_types else X509
        return RawEntry(TAG_TRUSTED_CERT, alias, stamp, certs=[(cert_type, entry.certificate.der)])
    if isinstance(entry, PrivateKeyEntry):
        if entry.private_key is not None:
            if fmt == "jks":
                blob = jks_protect(entry.private_key, key_password)
            else:
                blob = jce_protect(entry.private_key, key_password, iterations)
        elif entry.sealed is not None and sealed_fits(entry.sealed, fmt):
            blob = entry.sealed.data
        else:
            raise UnsupportedError(
                f"the key of entry '{entry.alias}' is still encrypted for another format; "
                "give its password with --entry-pass to convert it"
            )
        types = (
            cert_types
            if isinstance(cert_types, list) and len(cert_types) == len(entry.chain)
            else [X509] * len(entry.chain)
        )
        certs = [(t, c.der) for t, c in zip(types, entry.chain, strict=True)]
        return RawEntry(TAG_PRIVATE_KEY, alias, stamp, blob=blob, certs=certs)
    if (
        isinstance(entry, SecretKeyEntry)
        and entry.sealed is not None
        and entry.sealed.format in (CHAINLESS_JKS, CHAINLESS_JCE)
        and sealed_fits(entry.sealed, fmt)
    ):
        return RawEntry(TAG_PRIVATE_KEY, alias, stamp, blob=entry.sealed.data)
    if isinstance(entry, SecretKeyEntry) and fmt == "jceks":
        if entry.sealed is not None and entry.sealed.format == "jceks":
            sealed = entry.sealed.data
        elif entry.key is not None and entry.algorithm:
            sealed = seal_secret_key(entry.algorithm, entry.key, key_password, iterations)
        else:
            raise UnsupportedError(
                f"ks cannot write the new secret key '{entry.alias}' into a JCEKS store "
                "without its algorithm and key bytes; use a PKCS12 store for it"
            )
        return RawEntry(TAG_SECRET_KEY, alias, stamp, blob=sealed)
    raise UnsupportedError(
        f"a {fmt.upper()} store cannot hold the {entry.kind} entry '{entry.alias}'; "
        "use a PKCS12 store"
    )


def sealed_fits(sealed: SealedBlob, fmt: str) -> bool:
    """JKS reads only its own protector; JCEKS reads both (its KeyProtector accepts the JKS OID)."""
    if fmt == "jks":
        return sealed.format in ("jks", CHAINLESS_JKS)
    return sealed.format in ("jks", "jceks", CHAINLESS_JKS, CHAINLESS_JCE)


def can_hold(entry: Entry, fmt: str) -> bool:
    if isinstance(entry, TrustedCertificateEntry):
        return True
    if isinstance(entry, PrivateKeyEntry):
        return entry.private_key is not None or (
            entry.sealed is not None and sealed_fits(entry.sealed, fmt)
        )
    if isinstance(entry, SecretKeyEntry):
        if entry.sealed is not None and entry.sealed.format in (CHAINLESS_JKS, CHAINLESS_JCE):
            return sealed_fits(entry.sealed, fmt)
        if fmt != "jceks":
            return False
        if entry.sealed is not None and entry.sealed.format == "jceks":
            return True
        return entry.key is not None and bool(entry.algorithm)
    return False
