"""``ks import``: add trusted certificates, idempotently (CLI.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from keystore_tool.errors import ConflictError, FormatError, KeyMismatchError
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry
from keystore_tool.ops.update import Outcome, StoreChange, StoreTarget, update_store


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


def distinct(certificates: list[Certificate]) -> list[Certificate]:
    """File order, each certificate once."""
    seen: set[bytes] = set()
    unique = []
    for cert in certificates:
        if cert.sha256 not in seen:
            seen.add(cert.sha256)
            unique.append(cert)
    return unique


def numbered_aliases(alias: str, count: int) -> list[str]:
    """``A``, ``A-2``, ``A-3``… for the certificates of one file, in file order."""
    return [alias if i == 0 else f"{alias}-{i + 1}" for i in range(count)]


def add_trusted(
    keystore: Keystore,
    certificates: list[Certificate],
    *,
    alias: str | None,
    replace: bool,
    report: ImportReport,
) -> None:
    """Adds each certificate as a trusted entry; the rules are CLI.md's ``ks import``."""
    from keystore_tool.aliases import Lookalikes
    from keystore_tool.x509util import AliasAllocator, derived_alias

    now = datetime.now(UTC)
    certificates = distinct(certificates)
    lookalikes = Lookalikes(e.alias for e in keystore)

    def warn_if_lookalike(new_alias: str) -> None:
        warning = lookalikes.warning(new_alias)
        if warning is not None and warning not in report.warnings:
            report.warnings.append(warning)
        lookalikes.add(new_alias)

    if alias is not None:
        targets = numbered_aliases(alias, len(certificates))
        # Check every alias before changing anything: a conflict leaves the store as it was.
        for cert, target in zip(certificates, targets, strict=True):
            existing = keystore.get(target)
            if existing is None or _holds_trusted(existing, cert) or replace:
                continue
            raise ConflictError(
                f"alias '{existing.alias}' already holds a different "
                f"{'certificate' if existing.certificates() else existing.kind}; "
                "use --replace to overwrite it, or choose another --alias"
            )
        for cert, target in zip(certificates, targets, strict=True):
            existing = keystore.get(target)
            if existing is not None and _holds_trusted(existing, cert):
                report.unchanged.append(existing.alias)
                continue
            held_as = [
                a
                for a in keystore.aliases_holding(cert)
                if a.lower() != target.lower() and _holds_trusted(keystore[a], cert)
            ]
            if held_as:
                report.duplicates[target] = held_as[0]
            entry = TrustedCertificateEntry(alias=target, certificate=cert, created=now)
            if existing is None:
                warn_if_lookalike(target)
            keystore.add(entry, replace=True)
            (report.replaced if existing is not None else report.added).append(target)
        return
    from keystore_tool.certfiles import quiet_legacy_warnings

    aliases = AliasAllocator(keystore.__contains__)
    with quiet_legacy_warnings():
        for cert in certificates:
            holders = [keystore[a] for a in keystore.aliases_holding(cert)]
            trusted = [e for e in holders if isinstance(e, TrustedCertificateEntry)]
            if trusted:
                report.unchanged.append(trusted[0].alias)
                continue
            target = aliases.take(derived_alias(cert))
            warn_if_lookalike(target)
            keystore.add(TrustedCertificateEntry(alias=target, certificate=cert, created=now))
            report.added.append(target)


def _holds_trusted(entry: object, cert: Certificate) -> bool:
    return isinstance(entry, TrustedCertificateEntry) and entry.certificate == cert


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
