"""Between a JKS/JCEKS file and the model: which entries the file's records become (keys
opened when their password is known, kept sealed otherwise), and what a rewrite writes back
(untouched trusted certificates as the bytes they were read as)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from keystore_tool.errors import ConflictError, FormatError, Remedy, UnsupportedError, UsageError
from keystore_tool.formats._limits import MAX_ITERATIONS, KdfBudget
from keystore_tool.formats._readinfo import (
    ALIAS_COLLISION,
    INTEGRITY_UNCHECKED,
    TRAILING_BYTES,
    read_info_of,
    warn,
)
from keystore_tool.formats.java.container import (
    ATTR_CERT_TYPES,
    ATTR_TIMESTAMP,
    JCEKS_MAGIC,
    JKS_MAGIC,
    TAG_PRIVATE_KEY,
    TAG_SECRET_KEY,
    TAG_TRUSTED_CERT,
    X509,
    RawEntry,
    RawStore,
    StoredTrustedCertificate,
    created_at,
    encode_entry,
    header,
    parse_store,
    stamp_of,
    with_digest,
)
from keystore_tool.formats.java.protectors import (
    JCEKS_DEFAULT_ITERATIONS,
    PROTECTOR_JKS,
    jce_protect,
    jks_protect,
    parse_protected_key,
    unprotect,
)
from keystore_tool.formats.java.sealedkey import seal_secret_key, unseal_secret_key
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
    from keystore_tool.formats import DumpOptions, LoadOptions
    from keystore_tool.password import Password

# The sealed formats of a key entry (tag 1) that has no certificate chain.
CHAINLESS_JKS = "jks-key-entry"
CHAINLESS_JCE = "jceks-key-entry"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _timestamp_for(entry: Entry) -> int:
    stamp = entry.attributes.get(ATTR_TIMESTAMP)
    if isinstance(stamp, int) and (entry.created is None or entry.created == created_at(stamp)):
        return stamp
    if entry.created is not None:
        return stamp_of(entry.created)
    return _now_ms()


def load_store(data: bytes, password: Password | None, options: LoadOptions, fmt: str) -> Keystore:
    """``fmt`` is ``jks`` (JKS magic only) or ``jceks`` (either magic, as Java's JCEKS reads)."""
    raw = parse_store(data, password)
    if fmt == "jks" and raw.magic != JKS_MAGIC:
        raise FormatError(
            "this is a JCEKS store, not JKS",
            remedy=Remedy.READ_AS_STORETYPE,
            details={"storetype": "jceks"},
        )
    keystore = Keystore(storetype=fmt)
    _note_container(keystore, raw, fmt, password)
    opener = _EntryOpener(options.entry_password or password, KdfBudget(options.max_kdf_work))
    # A trusted certificate in keytool's layout is already an entry.
    entries = [opener.entry(item) if isinstance(item, RawEntry) else item for item in raw.entries]
    try:
        keystore.add_loaded(entries)
    except ConflictError:
        keystore.add_loaded(_last_of_each_alias(entries, keystore.warnings))
    keystore.properties[f"{fmt}.key_protectors"] = sorted(opener.protectors)
    if opener.iterations_seen:
        keystore.properties[f"{fmt}.iterations"] = max(opener.iterations_seen)
    if opener.undecrypted:
        keystore.properties[f"{fmt}.undecrypted_keys"] = opener.undecrypted
    keystore.read_info = read_info_of(keystore, fmt, integrity_checked=raw.verified)
    return keystore


def _note_container(keystore: Keystore, raw: RawStore, fmt: str, password: Password | None) -> None:
    """What the container says about the file, and what the user should be told of it."""
    keystore.properties[f"{fmt}.version"] = raw.version
    keystore.properties[f"{fmt}.magic"] = "JKS" if raw.magic == JKS_MAGIC else "JCEKS"
    keystore.properties[f"{fmt}.integrity_verified"] = raw.verified
    if password is None:
        warn(
            keystore,
            f"integrity of the {fmt.upper()} store not verified: no password given",
            INTEGRITY_UNCHECKED,
        )
    if raw.trailing:
        warn(
            keystore,
            f"{raw.trailing} bytes after the integrity digest were ignored and will not be kept",
            TRAILING_BYTES,
        )


class _EntryOpener:
    """Turns the file's key and secret-key records into entries, opening what
    ``key_password`` opens, and counts what it saw on the way."""

    def __init__(self, key_password: Password | None, budget: KdfBudget) -> None:
        self.key_password = key_password
        self.budget = budget
        self.protectors: set[str] = set()
        self.iterations_seen: list[int] = []
        self.undecrypted = 0

    def entry(self, item: RawEntry) -> Entry:
        """The model's entry for ``item``."""
        attributes: dict[str, Any] = {ATTR_TIMESTAMP: item.timestamp_ms}
        if any(cert_type != X509 for cert_type, _ in item.certs):
            attributes[ATTR_CERT_TYPES] = [cert_type for cert_type, _ in item.certs]
        created = created_at(item.timestamp_ms)
        if item.tag == TAG_TRUSTED_CERT:
            return TrustedCertificateEntry(
                alias=item.alias,
                created=created,
                attributes=attributes,
                certificate=Certificate(item.certs[0][1]),
            )
        if item.tag == TAG_PRIVATE_KEY and not item.certs:
            # A key entry without a chain (KeyStore.setKeyEntry with bytes and no chain): keytool
            # calls it a SecretKeyEntry, by the missing certificate, without decrypting it.
            self.undecrypted += 1
            return SecretKeyEntry(
                alias=item.alias,
                created=created,
                attributes=attributes,
                sealed=SealedBlob(_chainless_format(item.blob), item.blob),
            )
        if item.tag == TAG_PRIVATE_KEY:
            return self._private_key(item, created, attributes)
        return self._secret_key(item, created, attributes)

    def _private_key(
        self, item: RawEntry, created: datetime | None, attributes: dict[str, Any]
    ) -> PrivateKeyEntry:
        protected = parse_protected_key(item.blob)
        self.protectors.add(protected.protector)
        if protected.iterations:
            self.iterations_seen.append(protected.iterations)
        key = None
        if self.key_password is not None:
            key = unprotect(protected, self.key_password, self.budget)
        sealed = None
        if key is None:
            self.undecrypted += 1
            sealed_format = "jks" if protected.protector == PROTECTOR_JKS else "jceks"
            sealed = SealedBlob(sealed_format, item.blob)
        return PrivateKeyEntry(
            alias=item.alias,
            created=created,
            attributes=attributes,
            chain=[Certificate(der) for _, der in item.certs],
            private_key=key,
            sealed=sealed,
        )

    def _secret_key(
        self, item: RawEntry, created: datetime | None, attributes: dict[str, Any]
    ) -> SecretKeyEntry:
        algorithm = secret = None
        if self.key_password is not None:
            unsealed = unseal_secret_key(item.blob, self.key_password, self.budget)
            if unsealed is not None:
                algorithm, secret = unsealed
        if secret is None:
            self.undecrypted += 1
        return SecretKeyEntry(
            alias=item.alias,
            created=created,
            attributes=attributes,
            algorithm=algorithm,
            key=secret,
            sealed=SealedBlob("jceks", item.blob),
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
                StoreWarning(
                    f"alias '{entry.alias}' appears more than once{same}; Java reads the last "
                    "entry, and so does ks (a rewrite keeps only that one)",
                    ALIAS_COLLISION,
                )
            )
        last[entry.folded_alias] = entry
    return list(last.values())


def dump_store(
    keystore: Keystore, password: Password | None, options: DumpOptions, fmt: str
) -> bytes:
    """``keystore`` as a ``fmt`` (``jks`` or ``jceks``) file; untouched trusted certificates are copied as read."""
    if password is None:
        raise UsageError(
            f"a password is needed to write a {fmt.upper()} store",
            remedy=Remedy.GIVE_STORE_PASSWORD_TO_WRITE,
            password="store",
        )
    magic = JKS_MAGIC if fmt == "jks" else JCEKS_MAGIC
    key_password = options.entry_password or password
    iterations = options.iterations or JCEKS_DEFAULT_ITERATIONS
    entries = keystore.entries
    parts: list[bytes | memoryview] = [header(magic, len(entries))]
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
    return with_digest(parts, password)


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
                f"the key of entry '{entry.alias}' is still encrypted for another format",
                remedy=Remedy.ENTRY_PASSWORD_TO_CONVERT,
                alias=entry.alias,
                password="entry",
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
    """Whether a ``fmt`` file can hold ``entry`` as it is (a key sealed for another format cannot)."""
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
