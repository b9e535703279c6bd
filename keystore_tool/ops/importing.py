"""``ks import``: add trusted certificates, idempotently (CLI.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from keystore_tool.errors import ConflictError
from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
from keystore_tool.ops.update import Outcome, StoreTarget, update_store


@dataclass
class ImportReport:
    keystore: str
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    outcome: Outcome | None = None

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
    from keystore_tool.x509util import derived_alias, unique_alias

    now = datetime.now(UTC)
    certificates = distinct(certificates)
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
            entry = TrustedCertificateEntry(alias=target, certificate=cert, created=now)
            keystore.add(entry, replace=True)
            (report.replaced if existing is not None else report.added).append(target)
        return
    for cert in certificates:
        holders = [keystore[a] for a in keystore.aliases_holding(cert)]
        trusted = [e for e in holders if isinstance(e, TrustedCertificateEntry)]
        if trusted:
            report.unchanged.append(trusted[0].alias)
            continue
        target = unique_alias(derived_alias(cert), keystore.__contains__)
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
    report = ImportReport(keystore=target.path)

    def change(keystore: Keystore) -> tuple[None, bool]:
        add_trusted(keystore, certificates, alias=alias, replace=replace, report=report)
        return None, report.changed

    _, report.outcome = update_store(target, change, create=True)
    return report
