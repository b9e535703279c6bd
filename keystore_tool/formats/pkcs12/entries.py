"""Bags become entries, with the aliases Java would give them and the warnings about what Java will
not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from keystore_tool.errors import FormatError, PasswordError
from keystore_tool.formats import _der, _pbe
from keystore_tool.formats._der import Tlv
from keystore_tool.formats._limits import KdfBudget
from keystore_tool.formats.pkcs12.attributes import ATTR_BAG_AS_READ
from keystore_tool.formats.pkcs12.chains import _CertBag, _Issuers, _LeafIndex
from keystore_tool.formats.pkcs12.keys import ShroudedKeyEntry
from keystore_tool.formats.pkcs12.oids import (
    OID_CERT_BAG,
    OID_KEY_BAG,
    OID_SECRET_BAG,
    OID_SHROUDED_KEY_BAG,
)
from keystore_tool.formats.pkcs12.safes import _Bag, _cert_of, _known_scheme, _Reader
from keystore_tool.model import (
    Certificate,
    CertificateEntry,
    Entry,
    Keystore,
    PrivateKeyEntry,
    SealedBlob,
    SecretKeyEntry,
    StoreWarning,
    TrustedCertificateEntry,
)


def _created_from(local_key_id: bytes | None) -> datetime | None:
    """Java keeps an entry's creation time in its localKeyId as "Time <epoch millis>"."""
    if not local_key_id or not local_key_id.startswith(b"Time "):
        return None
    try:
        millis = int(local_key_id[5:].decode("ascii"))
        return datetime.fromtimestamp(millis / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _shrouded_entry(
    reader: _Reader,
    data: bytes,
    epki: Tlv,
    alias: str,
    created: datetime | None,
    attributes: dict[str, Any],
) -> ShroudedKeyEntry:
    epki_der = _der.raw(data, epki)
    parts = _der.sequence_items(data, epki, "encrypted private key", 2)
    algid = _der.raw(data, parts[0])
    # Absurd iteration counts are refused now, before any work, as if the key were opened;
    # the load's own budget is not charged, since listing derives nothing for the key (it is
    # charged when the key is opened).
    _pbe.charge(
        algid, KdfBudget(reader.budget.limit), f"encryption of the private keys ('{alias}')"
    )
    if reader.key_pbe is None:
        reader.key_pbe = _pbe.describe(algid)
        reader.key_scheme = _known_scheme(algid)
    entry = ShroudedKeyEntry(
        alias=alias,
        chain=[],
        sealed=SealedBlob("pkcs12", epki_der),
        created=created,
        attributes=attributes,
    )
    entry._opener = reader.opener
    entry._tried = False
    return entry


class _Aliases:
    """Hands out unique aliases: friendlyNames as given, Java's counter for unnamed bags."""

    def __init__(self, friendly_names: set[str]) -> None:
        self.friendly_names = friendly_names
        self.counter = 0
        self.taken: set[str] = set()
        self.renamed: list[str] = []
        # Per alias (folded), the suffix to try next: 20,000 bags named alike cost 20,000
        # steps, not 200 million.
        self.next_suffix: dict[str, int] = {}

    def reserve(self, alias: str) -> str:
        unique = alias
        if unique.lower() in self.taken:
            folded = alias.lower()
            n = self.next_suffix.get(folded, 2)
            unique = f"{alias}-{n}"
            while unique.lower() in self.taken:
                n += 1
                unique = f"{alias}-{n}"
            self.next_suffix[folded] = n + 1
            self.renamed.append(f"'{alias}' → '{unique}'")
        self.taken.add(unique.lower())
        return unique

    def unfriendly(self) -> str:
        while True:
            self.counter += 1
            candidate = str(self.counter)
            if candidate not in self.taken and candidate not in self.friendly_names:
                return candidate


def _trusted_attributes(bag: _Bag, alias: str, der: bytes) -> dict[str, object]:
    kept = list(bag.attributes)
    attributes: dict[str, object] = {"pkcs12.attributes": kept}
    if bag.friendly_name == alias:
        attributes[ATTR_BAG_AS_READ] = (alias, der, kept, bag.raw)
    return attributes


@dataclass
class _Collected:
    """What the bags of one file become on a first pass, in file order: entries that need
    nothing more, key entries still waiting for their chains, certificate bags (each may be a
    chain's or a loose certificate), and what is kept as read or reported."""

    aliases: _Aliases
    ordered: list[tuple[int, Entry]] = field(default_factory=list)  # (bag position, entry)
    keys: list[tuple[int, PrivateKeyEntry, bytes | None]] = field(default_factory=list)
    cert_bags: list[_CertBag] = field(default_factory=list)
    unknown: list[bytes] = field(default_factory=list)  # SafeBags kept verbatim
    unreadable: list[str] = field(default_factory=list)
    unencrypted_keys: list[str] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)
    private_key_count: int = 0

    def alias_for(self, bag: _Bag) -> str:
        """The bag's friendlyName made unique, or Java's next counter when it has none."""
        return self.aliases.reserve(bag.friendly_name or self.aliases.unfriendly())


def _build_entries(reader: _Reader, keystore: Keystore) -> None:
    # Generated aliases avoid every friendlyName in the file, wherever it comes.
    collected = _Collected(
        _Aliases({b.friendly_name.lower() for b, _, _ in reader.bags if b.friendly_name})
    )
    for position, (bag, data, index) in enumerate(reader.bags):
        _collect(collected, reader, position, bag, data, index)
    used = _attach_chains(collected, keystore)
    _collect_loose_certificates(collected, used)
    collected.ordered.sort(key=lambda pair: pair[0])
    for _, entry in collected.ordered:
        keystore.add(entry)
    keystore.warnings.extend(_warnings(collected))
    if collected.unknown:
        keystore.properties["pkcs12.unknown_bags"] = collected.unknown


def _collect(
    collected: _Collected, reader: _Reader, position: int, bag: _Bag, data: bytes, index: int
) -> None:
    if bag.bag_id in (OID_KEY_BAG, OID_SHROUDED_KEY_BAG):
        _collect_key(collected, reader, position, bag, data)
    elif bag.bag_id == OID_SECRET_BAG:
        _collect_secret(collected, reader, position, bag, data)
    elif bag.bag_id == OID_CERT_BAG:
        _collect_certificate(collected, position, bag, data, index)
    else:
        collected.unknown.append(bag.raw)


def _collect_key(
    collected: _Collected, reader: _Reader, position: int, bag: _Bag, data: bytes
) -> None:
    collected.private_key_count += 1
    key_id = bag.local_key_id
    if key_id is None and collected.private_key_count == 1:
        key_id = b"01"  # Java's rule for a single key without localKeyId
    alias = collected.alias_for(bag)
    attributes: dict[str, Any] = {"pkcs12.attributes": list(bag.attributes)}
    created = _created_from(bag.local_key_id)
    entry: PrivateKeyEntry
    if bag.bag_id == OID_KEY_BAG:
        # Java skips unencrypted key bags; kept so, and written back so.
        attributes["pkcs12.unencrypted_key_bag"] = True
        entry = PrivateKeyEntry(
            alias=alias,
            chain=[],
            private_key=_der.raw(data, bag.value),
            created=created,
            attributes=attributes,
        )
        collected.unencrypted_keys.append(alias)
    else:
        entry = _shrouded_entry(reader, data, bag.value, alias, created, attributes)
    collected.keys.append((position, entry, key_id))


def _collect_secret(
    collected: _Collected, reader: _Reader, position: int, bag: _Bag, data: bytes
) -> None:
    try:
        secret = reader.secret(bag, data)
    except PasswordError:
        # Its own password (keytool lists it all the same): kept sealed as read.
        sealed = SecretKeyEntry(
            alias=collected.alias_for(bag),
            sealed=SealedBlob("pkcs12", _der.raw(data, bag.value)),
            created=_created_from(bag.local_key_id),
            attributes={"pkcs12.attributes": list(bag.attributes)},
        )
        collected.ordered.append((position, sealed))
        return
    if secret is None:
        collected.unknown.append(bag.raw)
        return
    algorithm, key, algid = secret
    entry = SecretKeyEntry(
        alias=collected.alias_for(bag),
        algorithm=algorithm,
        key=key,
        created=_created_from(bag.local_key_id),
        attributes={"pkcs12.attributes": list(bag.attributes), "pkcs12.secret_algid": algid},
    )
    collected.ordered.append((position, entry))


def _collect_certificate(
    collected: _Collected, position: int, bag: _Bag, data: bytes, index: int
) -> None:
    try:
        der = _cert_of(bag, data)
        certificate = Certificate(der) if der is not None else None
    except FormatError as exc:
        # One unreadable bag does not make the store unreadable: it is kept as it is and
        # reported; the rest is listed.
        collected.unreadable.append(f"{bag.friendly_name or f'bag {position + 1}'} ({exc})")
        collected.unknown.append(bag.raw)
        return
    if der is None or certificate is None:
        collected.unknown.append(bag.raw)
        return
    key_id = bag.local_key_id
    if key_id is None and collected.private_key_count == 1 and index == 0:
        key_id = b"01"
    alias_or_none = bag.friendly_name
    if bag.trusted:
        alias_or_none = collected.alias_for(bag)
        trusted = TrustedCertificateEntry(
            alias=alias_or_none,
            certificate=certificate,
            attributes=_trusted_attributes(bag, alias_or_none, der),
        )
        collected.ordered.append((position, trusted))
    collected.cert_bags.append(_CertBag(certificate, bag, alias_or_none, key_id, position))


def _attach_chains(collected: _Collected, keystore: Keystore) -> set[bytes]:
    """Gives each key entry its chain; returns the certificates some chain took. Java writes a
    chain certificate again (named by its subject) even when it is another entry's leaf, so
    this goes by content, not by bag."""
    used: set[bytes] = set()
    issuers = _Issuers(collected.cert_bags)
    leaves = _LeafIndex([c for c in collected.cert_bags if not c.bag.trusted])
    for position, entry, key_id in collected.keys:
        leaf = leaves.match(entry.alias, key_id)
        chain: list[_CertBag] = []
        if leaf is not None:
            entry.attributes["pkcs12.cert_attributes"] = list(leaf.bag.attributes)
            chain = issuers.chain_from(leaf)
        else:
            keystore.warnings.append(
                StoreWarning(
                    f"private key '{entry.alias}' has no certificate in the store; "
                    "Java will not see it",
                    "key-without-certificate",
                )
            )
        entry.chain = [c.certificate for c in chain]
        used.update(c.certificate.der for c in chain)
        collected.ordered.append((position, entry))
    return used


def _collect_loose_certificates(collected: _Collected, used: set[bytes]) -> None:
    """Certificate bags neither trusted nor in a key's chain become ``certificate`` entries."""
    for cert_bag in collected.cert_bags:
        if cert_bag.bag.trusted or cert_bag.certificate.der in used:
            continue
        attributes: dict[str, Any] = {"pkcs12.attributes": list(cert_bag.bag.attributes)}
        if cert_bag.alias:
            alias = collected.aliases.reserve(cert_bag.alias)
        else:
            alias = collected.aliases.reserve("cert-" + cert_bag.certificate.sha256.hex()[:16])
            attributes["pkcs12.generated_alias"] = alias
        entry = CertificateEntry(
            alias=alias, certificate=cert_bag.certificate, attributes=attributes
        )
        collected.ordered.append((cert_bag.position, entry))
        collected.loose.append(alias)


def _some(items: list[str], limit: int, separator: str = ", ") -> str:
    """The first ``limit`` items, then " …" when there are more."""
    return separator.join(items[:limit]) + (" …" if len(items) > limit else "")


def _some_and_more(items: list[str], limit: int = 5) -> str:
    """The first ``limit`` items, then how many more (one line for 10,000 of them)."""
    more = f" and {len(items) - limit:,} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _warnings(collected: _Collected) -> list[StoreWarning]:
    """One warning per kind of thing Java will not see or ks changed, each with its code."""
    warnings: list[StoreWarning] = []
    if collected.loose:
        shown = _some([f"'{a}'" for a in collected.loose], 5)
        warnings.append(
            StoreWarning(
                f"{len(collected.loose)} certificate(s) ({shown}) are neither trusted nor part "
                "of a key's chain; Java will not see them (re-import them as trusted "
                "certificates)",
                "loose-certificates",
            )
        )
    if collected.unencrypted_keys:
        shown = _some_and_more([f"'{a}'" for a in collected.unencrypted_keys])
        warnings.append(
            StoreWarning(
                f"[java-ignores-key-bag] the key of {shown} is in an unencrypted key bag, "
                "which Java skips: Java does not see it (ks keeps it as it is)",
                "unencrypted-keys",
            )
        )
    if collected.aliases.renamed:
        shown = _some_and_more(collected.aliases.renamed)
        warnings.append(
            StoreWarning(
                f"aliases used twice in the file were made unique: {shown}", "alias-collision"
            )
        )
    if collected.unreadable:
        shown = _some(collected.unreadable, 3, "; ")
        warnings.append(
            StoreWarning(
                f"[unreadable-bag] {len(collected.unreadable)} certificate bag(s) cannot be "
                f"read and are kept as they are: {shown}",
                "unreadable-bag",
            )
        )
    return warnings
