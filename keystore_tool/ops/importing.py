"""``ks import``: add trusted certificates, idempotently (CLI.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keystore_tool.entries import add_trusted, distinct
from keystore_tool.errors import FormatError, KeyMismatchError
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry
from keystore_tool.ops.update import Outcome, StoreChange, StoreTarget, update_store

if TYPE_CHECKING:
    from keystore_tool.truststores import TruststoreLocation

__all__ = [
    "ImportReport",
    "Seeded",
    "import_certificates",
    "import_with_default_cas",
    "install_reply",
]


@dataclass
class ImportReport:
    keystore: str
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # An added alias → the alias that already held the same certificate (keytool asks first).
    duplicates: dict[str, str] = field(default_factory=dict)
    outcome: Outcome | None = None
    # Aliases a person could mistake for others (mixed scripts, lookalikes of a stored one).
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)

    def as_json(self) -> dict[str, object]:
        return {
            "keystore": self.keystore,
            "changed": self.changed,
            "added": self.added,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
        }


def import_certificates(
    target: StoreTarget,
    certificates: list[Certificate],
    *,
    alias: str | None = None,
    replace: bool = False,
) -> ImportReport:
    """Adds trusted certificates to the store (created when missing), idempotently, under its lock."""
    report = ImportReport(keystore=target.path)

    def change(store: StoreChange) -> tuple[None, bool]:
        keystore = store.keystore
        existing = keystore.get(alias) if alias is not None else None
        if isinstance(existing, PrivateKeyEntry):
            # keytool -importcert onto a key entry: the file is the CA's reply.
            install_reply(keystore, existing, certificates, report=report)
        else:
            add_trusted(keystore, certificates, alias=alias, replace=replace, report=report)
        return None, report.changed

    _, report.outcome = update_store(target, change, create=True)
    return report


def install_reply(
    keystore: Keystore,
    entry: PrivateKeyEntry,
    certificates: list[Certificate],
    *,
    report: ImportReport,
) -> None:
    """Replaces the key entry's chain with a CA reply (keytool ``-importcert`` onto a key
    entry): the reply's leaf must carry the entry's public key, and the chain must reach a
    self-signed root from the reply itself or from the store's trusted certificates."""
    from keystore_tool.x509util import order_chain, public_key_der

    certificates = distinct(certificates)
    if not certificates:
        raise FormatError("the reply holds no certificate")
    wanted_key = _entry_public_key(entry)
    leaves = [c for c in certificates if public_key_der(c) == wanted_key]
    if not leaves:
        raise KeyMismatchError(
            f"the reply does not certify the key of entry '{entry.alias}'; "
            "it was issued for another request"
        )
    leaf = leaves[0]
    others = [c for c in certificates if c != leaf]
    ordered = order_chain(leaf, others)
    if not ordered.complete:
        # As keytool does, finish the chain with the store's own trusted certificates.
        trusted = [e.certificate for e in keystore if isinstance(e, TrustedCertificateEntry)]
        ordered = order_chain(leaf, [*others, *trusted])
    if not ordered.complete:
        last = ordered.chain[-1].x509
        raise FormatError(
            f"the reply's chain ends at '{last.issuer.rfc4514_string()}', which neither the "
            "reply nor the store holds; add the CA certificates to the reply file"
        )
    if [c.der for c in ordered.chain] == [c.der for c in entry.chain]:
        report.unchanged.append(entry.alias)
        return
    from dataclasses import replace

    # A new entry object, so the store's fingerprint index sees the new leaf.
    keystore.add(
        replace(entry, chain=ordered.chain, attributes=dict(entry.attributes)), replace=True
    )
    report.replaced.append(entry.alias)


def _entry_public_key(entry: PrivateKeyEntry) -> bytes | None:
    """The entry's public key: from its key when decrypted, else from its current leaf (a
    JKS key under its own password keeps its sealed form and its public half)."""
    from keystore_tool.x509util import private_key_public_der, public_key_der

    if entry.private_key is not None:
        return private_key_public_der(entry.private_key)
    return public_key_der(entry.leaf) if entry.leaf is not None else None


@dataclass(frozen=True)
class Seeded:
    """The default truststore a new store was seeded from."""

    path: Path
    count: int

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "entries": self.count}


def import_with_default_cas(
    target: StoreTarget,
    certificates: list[Certificate],
    *,
    alias: str | None,
    replace: bool,
    java: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[ImportReport, Seeded | None]:
    """Importing with the default CAs: when the target store does not exist yet, create it
    holding every trusted certificate of the JVM's default truststore (as ``ks where`` finds
    it), then import ``certificates`` as an import from files would. An existing store is not seeded:
    provisioning runs again must not re-add CAs someone removed on purpose.

    Returns the import report and what was seeded (None when the store already existed).
    """
    from datetime import UTC, datetime

    from keystore_tool.storage import resolve_store_path
    from keystore_tool.truststores import load_default_truststore

    report = ImportReport(keystore=target.path)
    seeded: list[Seeded] = []
    source: tuple[TruststoreLocation, Keystore] | None = None
    if not resolve_store_path(target.path).exists():
        source = load_default_truststore(java, env)

    def change(store: StoreChange) -> tuple[None, bool]:
        keystore = store.keystore
        # Decided under the store's lock: another ks may have created it meanwhile.
        created_now = not resolve_store_path(target.path).exists()
        if created_now:
            location, defaults = (
                source if source is not None else load_default_truststore(java, env)
            )
            now = datetime.now(UTC)
            count = 0
            for entry in defaults.sorted_entries():
                # Java trusts certificate entries and the leaf of key entries (TrustStoreUtil).
                certs = entry.certificates()
                if not isinstance(entry, TrustedCertificateEntry | PrivateKeyEntry) or not certs:
                    continue
                keystore.add(
                    TrustedCertificateEntry(
                        alias=entry.alias, certificate=certs[0], created=entry.created or now
                    )
                )
                count += 1
            assert location.effective_path is not None
            seeded.append(Seeded(location.effective_path, count))
        add_trusted(keystore, certificates, alias=alias, replace=replace, report=report)
        return None, report.changed or created_now

    _, report.outcome = update_store(target, change, create=True)
    return report, (seeded[0] if seeded else None)
