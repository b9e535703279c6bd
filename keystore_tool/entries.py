"""Entries made from certificate and key files, and trusted certificates added to a model:
the rules ``ks import``, ``ks bundle-p12``, ``ks apply`` and ``ks sync-os-trust`` share.

Pure model work: nothing here reads or writes a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from keystore_tool.errors import ConflictError, KeyMismatchError, Remedy, UsageError
from keystore_tool.model import (
    Certificate,
    Entry,
    Keystore,
    PrivateKeyEntry,
    TrustedCertificateEntry,
)

__all__ = ["BundleInputs", "TrustReport", "add_trusted", "build_entry", "distinct"]


def distinct(certificates: list[Certificate]) -> list[Certificate]:
    """File order, each certificate once."""
    seen: set[bytes] = set()
    unique = []
    for cert in certificates:
        if cert.sha256 not in seen:
            seen.add(cert.sha256)
            unique.append(cert)
    return unique


class TrustReport(Protocol):
    """Where :func:`add_trusted` says what it did (``ImportReport`` is one)."""

    added: list[str]
    replaced: list[str]
    unchanged: list[str]
    # An added alias → the alias that already held the same certificate (keytool asks first).
    duplicates: dict[str, str]
    warnings: list[str]


def add_trusted(
    keystore: Keystore,
    certificates: list[Certificate],
    *,
    alias: str | None,
    replace: bool,
    report: TrustReport,
) -> None:
    """Adds each certificate as a trusted entry; the rules are CLI.md's ``ks import``: under
    ``alias`` (``alias-2``… for the next ones), refused when one holds something else unless
    ``replace``; without ``alias``, once, under a name derived from its subject."""
    _Adding(keystore, report).run(distinct(certificates), alias, replace)


class _Adding:
    def __init__(self, keystore: Keystore, report: TrustReport) -> None:
        from keystore_tool.aliases import Lookalikes

        self.keystore = keystore
        self.report = report
        self.now = datetime.now(UTC)
        self.lookalikes = Lookalikes(e.alias for e in keystore)

    def run(self, certificates: list[Certificate], alias: str | None, replace: bool) -> None:
        if alias is None:
            self.derived(certificates)
            return
        from keystore_tool.aliases import numbered_aliases

        pairs = list(zip(certificates, numbered_aliases(alias, len(certificates)), strict=True))
        # Check every alias before changing anything: a conflict leaves the store as it was.
        if not replace:
            for cert, target in pairs:
                self.refuse_conflict(cert, target)
        for cert, target in pairs:
            self.named(cert, target)

    def refuse_conflict(self, cert: Certificate, target: str) -> None:
        existing = self.keystore.get(target)
        if existing is None or _holds_trusted(existing, cert):
            return
        what = "certificate" if existing.certificates() else existing.kind
        raise ConflictError(
            f"alias '{existing.alias}' already holds a different {what}",
            remedy=Remedy.REPLACE_OR_OTHER_ALIAS,
            alias=existing.alias,
        )

    def named(self, cert: Certificate, target: str) -> None:
        keystore, report = self.keystore, self.report
        existing = keystore.get(target)
        if existing is not None and _holds_trusted(existing, cert):
            report.unchanged.append(existing.alias)
            return
        held_as = [
            a
            for a in keystore.aliases_holding(cert)
            if a.lower() != target.lower() and _holds_trusted(keystore[a], cert)
        ]
        if held_as:
            report.duplicates[target] = held_as[0]
        if existing is None:
            self.warn_if_lookalike(target)
        keystore.add(
            TrustedCertificateEntry(alias=target, certificate=cert, created=self.now),
            replace=True,
        )
        (report.replaced if existing is not None else report.added).append(target)

    def derived(self, certificates: list[Certificate]) -> None:
        from keystore_tool.certfiles import quiet_legacy_warnings
        from keystore_tool.x509util import AliasAllocator, derived_alias

        keystore = self.keystore
        aliases = AliasAllocator(keystore.__contains__)
        with quiet_legacy_warnings():
            for cert in certificates:
                holders = [keystore[a] for a in keystore.aliases_holding(cert)]
                trusted = [e for e in holders if isinstance(e, TrustedCertificateEntry)]
                if trusted:
                    self.report.unchanged.append(trusted[0].alias)
                    continue
                target = aliases.take(derived_alias(cert))
                self.warn_if_lookalike(target)
                keystore.add(
                    TrustedCertificateEntry(alias=target, certificate=cert, created=self.now)
                )
                self.report.added.append(target)

    def warn_if_lookalike(self, new_alias: str) -> None:
        warning = self.lookalikes.warning(new_alias)
        if warning is not None and warning not in self.report.warnings:
            self.report.warnings.append(warning)
        self.lookalikes.add(new_alias)


def _holds_trusted(entry: Entry, cert: Certificate) -> bool:
    return isinstance(entry, TrustedCertificateEntry) and entry.certificate == cert


@dataclass(frozen=True)
class BundleInputs:
    """A certificate (maybe followed by its chain), its key, and more chain certificates."""

    certificates: list[Certificate]  # the leaf, maybe followed by its chain
    private_key: bytes  # PKCS#8 DER
    chain: list[Certificate] = field(default_factory=list)


def build_entry(
    inputs: BundleInputs, alias: str, *, chain_name: str = "the chain"
) -> tuple[PrivateKeyEntry, list[str]]:
    """The key entry with its chain ordered leaf first, and what the user should be told
    (``chain_name``: how to name where chain certificates come from)."""
    from keystore_tool.x509util import certificate_for_key, describe_certificate, order_chain

    if not inputs.certificates:
        raise UsageError("holds no certificate", parameter="cert")
    leaf = certificate_for_key(inputs.private_key, inputs.certificates)
    if leaf is None:
        subject = describe_certificate(inputs.certificates[0])["subject"]
        raise KeyMismatchError(
            f"the private key does not belong to the certificate ({subject}); "
            "give the key that was generated with this certificate's request"
        )
    extra_in_cert = [c for c in inputs.certificates if c != leaf]
    ordered = order_chain(leaf, [*extra_in_cert, *inputs.chain])
    warnings: list[str] = []
    if not ordered.complete:
        last = describe_certificate(ordered.chain[-1])
        warnings.append(
            f"the chain is incomplete: no certificate for the issuer '{last['issuer']}'; "
            f"add it to {chain_name} unless the server already knows it"
        )
    for cert in ordered.leftovers:
        warnings.append(
            f"ignored a certificate of {chain_name} that belongs to another chain: "
            f"{describe_certificate(cert)['subject']}"
        )
    now = datetime.now(UTC)
    warnings.extend(_validity_warnings(ordered.chain, now))
    entry = PrivateKeyEntry(
        alias=alias, chain=ordered.chain, private_key=inputs.private_key, created=now
    )
    return entry, warnings


def _validity_warnings(chain: list[Certificate], now: datetime) -> list[str]:
    from keystore_tool.x509util import describe_certificate

    warnings = []
    for cert in chain:
        parsed = cert.x509
        subject = describe_certificate(cert)["subject"]
        if parsed.not_valid_after_utc < now:
            warnings.append(
                f"the certificate '{subject}' expired on {parsed.not_valid_after_utc:%Y-%m-%d}"
            )
        elif parsed.not_valid_before_utc > now:
            warnings.append(
                f"the certificate '{subject}' is not valid before "
                f"{parsed.not_valid_before_utc:%Y-%m-%d}"
            )
    return warnings
