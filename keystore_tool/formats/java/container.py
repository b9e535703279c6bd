"""The binary layout shared by JKS and JCEKS: ``magic, version, count, entries…, SHA-1
digest`` as Java's ``DataOutputStream`` writes it (big-endian, aliases in modified UTF-8).

We parse and write it in one linear pass of our own rather than through pyjks: pyjks costs
70-100 ms to import and its writer is quadratic, and a 144-entry truststore must list in
milliseconds. Entries come back as they lie in the file (:class:`RawEntry`), keytool's
trusted certificates as :class:`StoredTrustedCertificate`, which stays its bytes until used.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from keystore_tool.errors import FormatError, PasswordError
from keystore_tool.formats.java.datainput import Reader
from keystore_tool.formats.java.mutf8 import decode_modified_utf8, java_chars, write_utf
from keystore_tool.formats.java.serialization import skip_java_object_stream
from keystore_tool.model import Certificate, TrustedCertificateEntry

if TYPE_CHECKING:
    from keystore_tool.password import Password

JKS_MAGIC = 0xFEEDFEED
JCEKS_MAGIC = 0xCECECECE
TAG_PRIVATE_KEY = 1
TAG_TRUSTED_CERT = 2
TAG_SECRET_KEY = 3
DIGEST_SIZE = 20
X509 = "X.509"

# Entry attributes that let a rewrite reproduce what was read.
ATTR_TIMESTAMP = "jks.timestamp_ms"
ATTR_CERT_TYPES = "jks.cert_types"

_INT = struct.Struct(">i")
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


def pre_keyed_digest(password: Password) -> hashlib._Hash:
    """The SHA-1 that checks a JKS/JCEKS file: keyed with the password and Java's salt phrase."""
    digest = hashlib.sha1()
    digest.update(java_chars(password))
    digest.update(b"Mighty Aphrodite")
    return digest


def created_at(stamp: int) -> datetime | None:
    """An entry's date from its milliseconds since 1970; None when no datetime holds it."""
    try:
        return _EPOCH + timedelta(milliseconds=stamp)
    except OverflowError:
        return None


def stamp_of(created: datetime) -> int:
    """Milliseconds since 1970 of ``created`` (a naive datetime counts as UTC)."""
    aware = created if created.tzinfo else created.replace(tzinfo=UTC)
    return (aware - _EPOCH) // timedelta(milliseconds=1)


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
            return created_at(stamp)
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
    """A parsed container: its magic and version, its entries in file order, whether the digest was checked, and how many bytes followed it."""

    magic: int
    version: int
    entries: list[RawEntry | StoredTrustedCertificate]
    verified: bool
    trailing: int = 0


def parse_store(data: bytes, password: Password | None) -> RawStore:
    """Parses the container and checks its digest (when a password is given)."""
    reader = Reader(data)
    magic, version, count = _read_header(reader)
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
    verified = password is not None and _check_digest(data, body_end, stored_digest, password)
    return RawStore(magic, version, entries, verified, trailing=reader.remaining())


def _read_header(reader: Reader) -> tuple[int, int, int]:
    """(magic, version, entry count), each checked."""
    magic = reader.int32("the header") & 0xFFFFFFFF
    if magic not in (JKS_MAGIC, JCEKS_MAGIC):
        raise FormatError("the file is not a JKS or JCEKS store (wrong magic number)")
    version = reader.int32("the header")
    if version not in (1, 2):
        raise FormatError(f"unsupported JKS/JCEKS version {version}; only 1 and 2 exist")
    count = reader.int32("the entry count")
    if count < 0 or count * _MIN_ENTRY > reader.remaining():
        raise FormatError(f"the store is corrupt: it claims {count} entries, more than it holds")
    return magic, version, count


def _check_digest(data: bytes, body_end: int, stored: bytes, password: Password) -> bool:
    """True when the keyed digest of the bytes before ``body_end`` is ``stored``."""
    digest = pre_keyed_digest(password)
    digest.update(memoryview(data)[:body_end])
    if digest.digest() != stored:
        raise PasswordError("wrong password or the store's integrity check failed")
    return True


def _read_entry(reader: Reader, magic: int, typed: bool) -> RawEntry:
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
    return with_digest([header(magic, len(entries)), *map(encode_entry, entries)], password)


def header(magic: int, count: int) -> bytes:
    """The container's first 12 bytes: magic, version 2, entry count."""
    return struct.pack(">IIi", magic, 2, count)


def with_digest(parts: list[bytes | memoryview], password: Password) -> bytes:
    """``parts`` joined and followed by their keyed digest, copying the bytes once."""
    digest = pre_keyed_digest(password)
    for part in parts:
        digest.update(part)
    parts.append(digest.digest())
    return b"".join(parts)


def encode_entry(entry: RawEntry) -> bytes:
    """One entry in the container's layout."""
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
