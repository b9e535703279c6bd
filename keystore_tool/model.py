"""The in-memory keystore model that every format reads into and writes from.

Entries hold certificates as DER (parsed by cryptography only when a command needs a field)
and private keys as PKCS#8 DER, so listing a 50,000-entry store never builds 50,000 X.509
objects. Each entry keeps the format attributes it was read with in ``attributes``: an
adapter puts there whatever it needs to write the entry back as it was (PKCS12 bag
attributes, a JKS timestamp), and every other layer passes it through untouched. An adapter
may also read an entry as a subclass of its kind that builds its fields on first access (JKS
trusted certificates do): code outside the adapters compares entries by ``kind``, never by
class.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from keystore_tool.errors import ConflictError, NotFoundError, Remedy, UsageError

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

    from keystore_tool.formats.protection import ReadInfo


def alias_key(alias: str) -> str:
    """The form under which Java compares aliases (case-insensitively, in every format)."""
    return alias.lower()


def colon_hex(digest: bytes) -> str:
    """``AB:CD:…``, the way keytool prints fingerprints."""
    return digest.hex(":").upper()


class Certificate:
    """An X.509 certificate kept as DER; parsed lazily, fingerprinted with hashlib."""

    __slots__ = ("_sha1", "_sha256", "_x509", "der")

    def __init__(self, der: bytes) -> None:
        self.der = bytes(der)
        _require_one_sequence(self.der)
        self._x509: x509.Certificate | None = None
        self._sha256: bytes | None = None
        self._sha1: bytes | None = None

    @classmethod
    def from_x509(cls, cert: x509.Certificate) -> Certificate:
        from cryptography.hazmat.primitives.serialization import Encoding

        made = cls(cert.public_bytes(Encoding.DER))
        made._x509 = cert
        return made

    @property
    def x509(self) -> x509.Certificate:
        """The parsed certificate; raises :class:`FormatError` for DER cryptography rejects."""
        if self._x509 is None:
            from cryptography import x509 as _x509

            from keystore_tool.errors import FormatError

            try:
                with warnings.catch_warnings():
                    # A country name longer than two letters (real CA certificates have them;
                    # keytool lists them) is a UserWarning in cryptography, not the user's
                    # business: it must not reach stderr with a source line.
                    warnings.filterwarnings("ignore", "Attribute's length", UserWarning)
                    parsed = _x509.load_der_x509_certificate(self.der)
                    # cryptography decodes the names on first access: a malformed one must
                    # fail here as FormatError, not later as a ValueError in whichever
                    # command reads it.
                    parsed.subject  # noqa: B018
                    parsed.issuer  # noqa: B018
                    parsed.version  # noqa: B018 - InvalidVersion is no ValueError
                self._x509 = parsed
            except (ValueError, _x509.InvalidVersion) as exc:
                detail = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
                raise FormatError(
                    f"a certificate in the input is not valid X.509 ({detail})"
                ) from exc
        return self._x509

    @property
    def sha256(self) -> bytes:
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.der).digest()
        return self._sha256

    @property
    def sha1(self) -> bytes:
        if self._sha1 is None:
            self._sha1 = hashlib.sha1(self.der).digest()
        return self._sha1

    @property
    def sha256_hex(self) -> str:
        return colon_hex(self.sha256)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Certificate) and other.der == self.der

    def __hash__(self) -> int:
        return hash(self.sha256)

    def __repr__(self) -> str:
        return f"Certificate(sha256={self.sha256.hex()[:16]}…)"


def _require_one_sequence(der: bytes) -> None:
    """Refuses, in microseconds, bytes that are not one DER SEQUENCE: a certificate
    cryptography cannot parse is still kept (keytool lists it), but a blob that is not even
    shaped like one makes the input corrupt rather than an entry."""
    from keystore_tool.errors import FormatError
    from keystore_tool.formats import _der

    try:
        top = _der.read(der, 0, len(der), "certificate")
    except FormatError as exc:
        raise FormatError(f"a certificate in the input is not DER ({exc})") from exc
    if top.tag != _der.SEQUENCE or top.end != len(der):
        raise FormatError("a certificate in the input is not DER (not one SEQUENCE)")


@dataclass(frozen=True)
class SealedBlob:
    """Key material kept exactly as a format stored it, because nobody could (or had to)
    decrypt it: a JKS key under its own password, a JCEKS sealed secret key. Only the format
    named here can write it back."""

    format: str
    data: bytes

    def __repr__(self) -> str:
        return f"SealedBlob(format={self.format!r}, {len(self.data)} bytes)"


@dataclass(kw_only=True, eq=False)
class Entry:
    """What every entry has: an alias, a creation date, and the attributes it was read with."""

    kind: ClassVar[str] = ""

    alias: str
    created: datetime | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def folded_alias(self) -> str:
        """The alias as Java compares it; the key of :class:`Keystore`'s index."""
        return alias_key(self.alias)

    def certificates(self) -> list[Certificate]:
        return []

    def same_content(self, other: Entry) -> bool:
        """True when both entries hold the same material (aliases and attributes aside)."""
        # By kind, not class: a format may read an entry as a subclass of its kind.
        return self.kind == other.kind and self._content() == other._content()

    def _content(self) -> tuple[object, ...]:
        return ()


@dataclass(kw_only=True, eq=False)
class TrustedCertificateEntry(Entry):
    """A certificate Java trusts as an anchor (keytool's ``trustedCertEntry``)."""

    kind: ClassVar[str] = "trusted-cert"
    certificate: Certificate

    def certificates(self) -> list[Certificate]:
        return [self.certificate]

    def _content(self) -> tuple[object, ...]:
        return (self.certificate.der,)


@dataclass(kw_only=True, eq=False)
class CertificateEntry(Entry):
    """A PKCS12 certificate bag that belongs to no key and lacks Java's trusted-key-usage
    attribute: Java does not see it, but a rewrite must not drop it."""

    kind: ClassVar[str] = "certificate"
    certificate: Certificate

    def certificates(self) -> list[Certificate]:
        return [self.certificate]

    def _content(self) -> tuple[object, ...]:
        return (self.certificate.der,)


@dataclass(kw_only=True, eq=False)
class PrivateKeyEntry(Entry):
    """A private key with its certificate chain, leaf first.

    ``private_key`` is the key as unencrypted PKCS#8 DER. It is ``None`` only when the key was
    left encrypted in ``sealed`` (a JKS/JCEKS key under a password nobody gave us).
    """

    kind: ClassVar[str] = "private-key"
    # True for an entry a format reads encrypted and opens only when ``private_key`` is first
    # read (PKCS12's shrouded key bags): listing it must not ask for the key.
    opens_on_use: ClassVar[bool] = False
    chain: list[Certificate]
    private_key: bytes | None = None
    sealed: SealedBlob | None = None

    def __post_init__(self) -> None:
        if self.private_key is None and self.sealed is None:
            raise ValueError("a private-key entry needs the key or its sealed form")

    def certificates(self) -> list[Certificate]:
        return list(self.chain)

    def known_key(self) -> bytes | None:
        """The PKCS#8 key if it is at hand without decrypting anything (``list`` asks this;
        ``private_key`` may decrypt)."""
        return self.private_key

    @property
    def leaf(self) -> Certificate | None:
        return self.chain[0] if self.chain else None

    def load_private_key(self) -> PrivateKeyTypes:
        from cryptography.hazmat.primitives.serialization import load_der_private_key

        from keystore_tool.errors import FormatError, PasswordError

        if self.private_key is None:
            raise PasswordError(
                f"the key of entry '{self.alias}' is protected by its own password",
                remedy=Remedy.ENTRY_PASSWORD,
                alias=self.alias,
                password="entry",
            )
        try:
            return load_der_private_key(self.private_key, password=None)
        except (ValueError, TypeError) as exc:
            raise FormatError(f"the private key of entry '{self.alias}' is unreadable") from exc

    def _content(self) -> tuple[object, ...]:
        key: object = self.private_key if self.private_key is not None else self.sealed
        return (key, tuple(c.der for c in self.chain))


@dataclass(kw_only=True, eq=False)
class SecretKeyEntry(Entry):
    """A symmetric key (keytool ``-genseckey``/``-importpass``).

    ``algorithm`` is the Java algorithm name (``AES``, ``HmacSHA256``, ``PBEWithMD5AndDES``…)
    or the OID a PKCS12 secret bag names; ``key`` is the raw key bytes when known.
    """

    kind: ClassVar[str] = "secret-key"
    algorithm: str | None = None
    key: bytes | None = None
    sealed: SealedBlob | None = None

    def __post_init__(self) -> None:
        if self.key is None and self.sealed is None:
            raise ValueError("a secret-key entry needs the key or its sealed form")

    @property
    def key_size(self) -> int | None:
        return len(self.key) * 8 if self.key is not None else None

    def _content(self) -> tuple[object, ...]:
        return (self.algorithm, self.key if self.key is not None else self.sealed)

    def __repr__(self) -> str:
        return f"SecretKeyEntry(alias={self.alias!r}, algorithm={self.algorithm!r})"


AnyEntry = TrustedCertificateEntry | CertificateEntry | PrivateKeyEntry | SecretKeyEntry


class StoreWarning(str):
    """What a reader wants its caller told about a file, as text, with a ``code`` a program
    tests instead of matching the text (``"alias-collision"``, ``"unencrypted-keys"``).

    A ``str``, so that code printing or joining warnings keeps working.
    """

    code: str

    def __new__(cls, text: str, code: str = "note") -> StoreWarning:
        warning = super().__new__(cls, text)
        warning.code = code
        return warning


class Keystore:
    """Entries by alias, compared case-insensitively, in the order they were added.

    ``read_info`` is what the format's reader learned about the file (protection, MAC,
    whether it is password-less, key encodings), typed, for commands such as ``doctor`` that
    never look at bytes. ``properties`` belongs to the format that read the store: its private
    round-trip state (bags it does not model, its own version numbers), read by no one else.
    ``warnings`` collects what the reader wants the user told, as ``StoreWarning``s with a code
    (an integrity check it could not make, a certificate bag Java will not see).
    """

    def __init__(self, entries: Iterable[Entry] = (), *, storetype: str | None = None) -> None:
        self.storetype = storetype
        self.properties: dict[str, Any] = {}
        # None for a store built in memory.
        self.read_info: ReadInfo | None = None
        self.warnings: list[str] = []  # StoreWarning where the reader gave a code
        self._entries: dict[str, Entry] = {}
        self._by_sha256: dict[bytes, list[str]] | None = None
        for entry in entries:
            self.add(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self._entries.values()))

    def __contains__(self, alias: object) -> bool:
        return isinstance(alias, str) and alias_key(alias) in self._entries

    def __repr__(self) -> str:
        return f"Keystore(storetype={self.storetype!r}, {len(self)} entries)"

    @property
    def entries(self) -> list[Entry]:
        return list(self._entries.values())

    def sorted_entries(self) -> list[Entry]:
        """In the order keytool lists them: by alias."""
        return sorted(self._entries.values(), key=lambda e: e.folded_alias)

    def get(self, alias: str) -> Entry | None:
        return self._entries.get(alias_key(alias))

    def __getitem__(self, alias: str) -> Entry:
        entry = self.get(alias)
        if entry is None:
            raise NotFoundError(f"no entry with alias '{alias}' in the store; 'ks list' shows them")
        return entry

    def add(self, entry: Entry, *, replace: bool = False) -> Entry | None:
        """Adds ``entry``; returns the entry it replaced. Without ``replace`` an existing alias
        is a :class:`ConflictError`."""
        if not entry.alias:
            raise UsageError("an alias must not be empty")
        key = entry.folded_alias
        old = self._entries.get(key)
        if old is not None and not replace:
            # The same content is still a conflict (the caller asked to add, not to keep), but
            # the message must not claim a difference.
            what = "the same" if old.same_content(entry) else "different"
            raise ConflictError(
                f"alias '{entry.alias}' already exists with {what} content",
                remedy=Remedy.REPLACE,
                alias=entry.alias,
            )
        if old is not None:
            self._unindex(old)
        self._entries[key] = entry
        self._index(entry)
        return old

    def add_loaded(self, entries: list[Entry]) -> None:
        """Adds the entries a format read, in one step; an alias that is already here or
        repeats among them is a :class:`ConflictError` that leaves the store as it was."""
        # alias_key inlined: this runs once for each of a 50,000-entry store's entries.
        added = {entry.alias.lower(): entry for entry in entries}
        if len(added) != len(entries) or not added.keys().isdisjoint(self._entries):
            seen = set(self._entries)
            for entry in entries:
                if entry.folded_alias in seen:
                    raise ConflictError(f"alias '{entry.alias}' is used twice")
                seen.add(entry.folded_alias)
        if "" in added:
            raise UsageError("an alias must not be empty")
        self._entries.update(added)
        if self._by_sha256 is not None:
            for entry in added.values():
                self._index(entry)

    def remove(self, alias: str) -> Entry:
        entry = self[alias]
        del self._entries[entry.folded_alias]
        self._unindex(entry)
        return entry

    def rename(self, alias: str, new_alias: str) -> Entry:
        entry = self[alias]
        if alias_key(new_alias) != entry.folded_alias and new_alias in self:
            raise ConflictError(f"alias '{new_alias}' already exists; delete it first")
        del self._entries[entry.folded_alias]
        self._unindex(entry)
        entry.alias = new_alias
        self._entries[entry.folded_alias] = entry
        self._index(entry)
        return entry

    def holds_keys(self) -> bool:
        """True when an entry holds a private or secret key (the file must then be 0600)."""
        kinds = {type(entry) for entry in self._entries.values()}
        return any(issubclass(kind, PrivateKeyEntry | SecretKeyEntry) for kind in kinds)

    def aliases_holding(self, certificate: Certificate) -> list[str]:
        """Aliases whose entry's first certificate is ``certificate`` (a dictionary look-up)."""
        if self._by_sha256 is None:
            self._by_sha256 = {}
            for entry in self._entries.values():
                self._index(entry)
        return list(self._by_sha256.get(certificate.sha256, ()))

    def _index(self, entry: Entry) -> None:
        if self._by_sha256 is None:
            return
        certs = entry.certificates()
        if certs:
            self._by_sha256.setdefault(certs[0].sha256, []).append(entry.folded_alias)

    def _unindex(self, entry: Entry) -> None:
        if self._by_sha256 is None:
            return
        certs = entry.certificates()
        if certs:
            keys = self._by_sha256.get(certs[0].sha256, [])
            if entry.folded_alias in keys:
                keys.remove(entry.folded_alias)
