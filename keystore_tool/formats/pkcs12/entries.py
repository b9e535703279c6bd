"""Bags become entries, with the aliases Java would give them and the warnings about what Java will
not see.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from keystore_tool.errors import FormatError, PasswordError
from keystore_tool.formats import _der, _pbe
from keystore_tool.formats._der import Tlv
from keystore_tool.formats._limits import KdfBudget
from keystore_tool.formats.pkcs12.attributes import ATTR_BAG_AS_READ
from keystore_tool.formats.pkcs12.chains import _MAX_CHAIN, _CertBag, _find_issuer, _LeafIndex
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


def _build_entries(reader: _Reader, keystore: Keystore) -> None:
    # Generated aliases avoid every friendlyName in the file, wherever it comes.
    aliases = _Aliases({b.friendly_name.lower() for b, _, _ in reader.bags if b.friendly_name})
    ordered: list[tuple[int, Entry]] = []  # (bag position, entry) to keep the file's order
    keys: list[tuple[int, PrivateKeyEntry, bytes | None]] = []
    cert_bags: list[_CertBag] = []
    unknown: list[bytes] = []
    unreadable: list[str] = []
    private_key_count = 0
    unencrypted_keys: list[str] = []

    for position, (bag, data, index) in enumerate(reader.bags):
        if bag.bag_id in (OID_KEY_BAG, OID_SHROUDED_KEY_BAG):
            private_key_count += 1
            key_id = bag.local_key_id
            if key_id is None and private_key_count == 1:
                key_id = b"01"  # Java's rule for a single key without localKeyId
            alias = aliases.reserve(bag.friendly_name or aliases.unfriendly())
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
                unencrypted_keys.append(alias)
            else:
                entry = _shrouded_entry(reader, data, bag.value, alias, created, attributes)
            keys.append((position, entry, key_id))
        elif bag.bag_id == OID_SECRET_BAG:
            try:
                secret = reader.secret(bag, data)
            except PasswordError:
                # Its own password (keytool lists it all the same): kept sealed as read.
                alias = aliases.reserve(bag.friendly_name or aliases.unfriendly())
                ordered.append(
                    (
                        position,
                        SecretKeyEntry(
                            alias=alias,
                            sealed=SealedBlob("pkcs12", _der.raw(data, bag.value)),
                            created=_created_from(bag.local_key_id),
                            attributes={"pkcs12.attributes": list(bag.attributes)},
                        ),
                    )
                )
                continue
            if secret is None:
                unknown.append(bag.raw)
                continue
            algorithm, key, algid = secret
            alias = aliases.reserve(bag.friendly_name or aliases.unfriendly())
            ordered.append(
                (
                    position,
                    SecretKeyEntry(
                        alias=alias,
                        algorithm=algorithm,
                        key=key,
                        created=_created_from(bag.local_key_id),
                        attributes={
                            "pkcs12.attributes": list(bag.attributes),
                            "pkcs12.secret_algid": algid,
                        },
                    ),
                )
            )
        elif bag.bag_id == OID_CERT_BAG:
            try:
                der = _cert_of(bag, data)
                certificate = Certificate(der) if der is not None else None
            except FormatError as exc:
                # One unreadable bag does not make the store unreadable: it is kept as it is
                # and reported; the rest is listed.
                unreadable.append(f"{bag.friendly_name or f'bag {position + 1}'} ({exc})")
                unknown.append(bag.raw)
                continue
            if der is None or certificate is None:
                unknown.append(bag.raw)
                continue
            key_id = bag.local_key_id
            if key_id is None and private_key_count == 1 and index == 0:
                key_id = b"01"
            alias_or_none = bag.friendly_name
            if bag.trusted:
                alias = aliases.reserve(alias_or_none or aliases.unfriendly())
                alias_or_none = alias
                ordered.append(
                    (
                        position,
                        TrustedCertificateEntry(
                            alias=alias,
                            certificate=certificate,
                            attributes=_trusted_attributes(bag, alias, der),
                        ),
                    )
                )
            cert_bags.append(_CertBag(certificate, bag, alias_or_none, key_id, position))
        else:
            unknown.append(bag.raw)

    # Certificates some key's chain took; Java writes a chain certificate again (named by its
    # subject) even when it is another entry's leaf, so this goes by content, not by bag.
    used: set[bytes] = set()
    by_subject: dict[bytes, list[_CertBag]] | None = None
    untrusted = [c for c in cert_bags if not c.bag.trusted]
    leaves = _LeafIndex(untrusted)
    for position, entry, key_id in keys:
        leaf = leaves.match(entry.alias, key_id)
        chain: list[_CertBag] = []
        if leaf is not None:
            entry.attributes["pkcs12.cert_attributes"] = list(leaf.bag.attributes)
            if by_subject is None:
                by_subject = {}
                for cert_bag in cert_bags:
                    by_subject.setdefault(cert_bag.names()[1], []).append(cert_bag)
            current: _CertBag | None = leaf
            seen: set[bytes] = set()
            while current is not None and len(chain) < _MAX_CHAIN:
                der = current.certificate.der
                if der in seen:
                    break
                seen.add(der)
                chain.append(current)
                issuer, subject = current.names()
                if issuer == subject:
                    break
                current = _find_issuer(current, by_subject)
        else:
            keystore.warnings.append(
                f"private key '{entry.alias}' has no certificate in the store; Java will not see it"
            )
        entry.chain = [c.certificate for c in chain]
        used.update(c.certificate.der for c in chain)
        ordered.append((position, entry))

    loose: list[str] = []
    for cert_bag in untrusted:
        if cert_bag.certificate.der in used:
            continue
        generated = None
        if cert_bag.alias:
            alias = aliases.reserve(cert_bag.alias)
        else:
            generated = aliases.reserve("cert-" + cert_bag.certificate.sha256.hex()[:16])
            alias = generated
        attributes = {"pkcs12.attributes": list(cert_bag.bag.attributes)}
        if generated is not None:
            attributes["pkcs12.generated_alias"] = generated
        ordered.append(
            (
                cert_bag.position,
                CertificateEntry(
                    alias=alias, certificate=cert_bag.certificate, attributes=attributes
                ),
            )
        )
        loose.append(alias)
    ordered.sort(key=lambda pair: pair[0])
    for _, entry_ in ordered:
        keystore.add(entry_)
    if loose:
        shown = ", ".join(f"'{a}'" for a in loose[:5]) + (" …" if len(loose) > 5 else "")
        keystore.warnings.append(
            f"{len(loose)} certificate(s) ({shown}) are neither trusted nor part of a key's "
            "chain; Java will not see them (re-import them as trusted certificates)"
        )
    if unencrypted_keys:
        # One line for them all: a file of 10,000 such keys must not print 10,000 warnings.
        shown = ", ".join(f"'{a}'" for a in unencrypted_keys[:5])
        more = f" and {len(unencrypted_keys) - 5:,} more" if len(unencrypted_keys) > 5 else ""
        keystore.warnings.append(
            f"[java-ignores-key-bag] the key of {shown}{more} is in an unencrypted key bag, "
            "which Java skips: Java does not see it (ks keeps it as it is)"
        )
    if aliases.renamed:
        shown = ", ".join(aliases.renamed[:5])
        more = f" and {len(aliases.renamed) - 5:,} more" if len(aliases.renamed) > 5 else ""
        keystore.warnings.append(f"aliases used twice in the file were made unique: {shown}{more}")
    if unreadable:
        shown = "; ".join(unreadable[:3]) + (" …" if len(unreadable) > 3 else "")
        keystore.warnings.append(
            f"[unreadable-bag] {len(unreadable)} certificate bag(s) cannot be read and are "
            f"kept as they are: {shown}"
        )
    if unknown:
        keystore.properties["pkcs12.unknown_bags"] = unknown
