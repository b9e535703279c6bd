"""What each store of a spec must hold, read from its sources: certificate files and
directories, a server's chain (with its pin), the JVM's default CAs, keys with their chains,
and the passwords. No store is opened here.

The network and the JVM are reached through two seams, :data:`ServerChain` and
:data:`DefaultCas`, so that a caller (or a test) can hand in its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from keystore_tool.aliases import numbered_aliases
from keystore_tool.entries import BundleInputs, build_entry, distinct
from keystore_tool.errors import KsError, NotFoundError, UsageError
from keystore_tool.model import Certificate, PrivateKeyEntry, TrustedCertificateEntry, alias_key
from keystore_tool.ops.apply.spec import CertificateSource, KeySource, StoreSpec, pin_bytes
from keystore_tool.password import Password
from keystore_tool.storage import read_file

# What a certificate directory's files are named (others, a README, are not read).
CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")

# The network seam: how a server's chain and the JVM's default CAs are obtained.
ServerChain = Callable[[str], list[Certificate]]
DefaultCas = Callable[[str | None], list[tuple[str, Certificate]]]


@dataclass(frozen=True)
class WantedCertificate:
    """A certificate the store must trust, and the alias the spec gives it."""

    certificate: Certificate
    alias: str | None  # None: derived from the subject, as `ks import` does


@dataclass
class WantedStore:
    """Everything one store must hold, with its passwords read."""

    spec: StoreSpec
    password: Password | None
    current_password: Password | None
    certificates: list[WantedCertificate]
    keys: list[PrivateKeyEntry]
    warnings: list[str] = field(default_factory=list)

    def read_passwords(self) -> list[Password | None]:
        """The passwords the store may be under now, in the order they are tried."""
        passwords = [self.password]
        if self.spec.current_password is not None and self.current_password != self.password:
            passwords.append(self.current_password)
        return passwords


def fetch_server_chain(address: str) -> list[Certificate]:
    """The chain the server at ``address`` (HOST:PORT) presents, as ``ks fetch`` gets it."""
    from keystore_tool.ops.fetch import fetch

    return fetch(address).chain


def default_truststore(java: str | None) -> list[tuple[str, Certificate]]:
    """The trusted certificates of the default truststore of the JVM ``java`` (None: the one
    ``ks where`` finds), with their aliases."""
    from keystore_tool.truststores import load_default_truststore

    keystore = load_default_truststore(java)[1]
    return [
        (entry.alias, entry.certificate)
        for entry in keystore.sorted_entries()
        if isinstance(entry, TrustedCertificateEntry)
    ]


def gather(spec: StoreSpec, server_chain: ServerChain, default_cas: DefaultCas) -> WantedStore:
    """Everything the store must hold, read from its sources (no store is touched)."""
    wanted = WantedStore(
        spec=spec,
        password=spec.password.resolve(),
        current_password=spec.current_password.resolve() if spec.current_password else None,
        certificates=[],
        keys=[],
    )
    seen: set[bytes] = set()
    for source in spec.certificates:
        for item in _wanted_certificates(source, server_chain, default_cas):
            if item.certificate.sha256 not in seen:
                seen.add(item.certificate.sha256)
                wanted.certificates.append(item)
    aliases: dict[str, str] = {}
    for key_source in spec.keys:
        entry, warnings = _wanted_key(key_source)
        folded = alias_key(entry.alias)
        if folded in aliases:
            raise UsageError(
                f"{key_source.where} and {aliases[folded]} both want alias '{entry.alias}'"
            )
        aliases[folded] = key_source.where
        wanted.keys.append(entry)
        wanted.warnings.extend(warnings)
    return wanted


def _wanted_certificates(
    source: CertificateSource, server_chain: ServerChain, default_cas: DefaultCas
) -> list[WantedCertificate]:
    if source.default_cas:
        return [WantedCertificate(cert, alias) for alias, cert in default_cas(source.java)]
    if source.directory is not None:
        return [WantedCertificate(c, None) for c in _directory_certificates(source.directory)]
    if source.file is not None:
        found = distinct(_certificates_in(source.file))
        origin = str(source.file)
    else:
        assert source.server is not None
        found = server_chain(source.server)
        origin = f"the server {source.server}"
    if source.sha256 is not None:
        found = [_pinned(found, pin_bytes(source.sha256, source.where), origin)]
    if source.alias is None:
        return [WantedCertificate(c, None) for c in found]
    aliases = numbered_aliases(source.alias, len(found))
    return [WantedCertificate(c, a) for c, a in zip(found, aliases, strict=True)]


def _directory_certificates(directory: Path) -> list[Certificate]:
    if not directory.is_dir():
        raise NotFoundError(f"certificate directory not found: {directory}")
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() in CERT_SUFFIXES)
    return distinct([c for p in files for c in _certificates_in(p)])


def _pinned(found: list[Certificate], pin: bytes, origin: str) -> Certificate:
    """The first of ``found`` whose SHA-256 is ``pin``."""
    for certificate in found:
        if certificate.sha256 == pin:
            return certificate
    from keystore_tool.model import colon_hex

    raise KsError(
        f"{origin} holds no certificate with the pinned SHA-256 {colon_hex(pin)}; "
        "nothing was written (check the pin and the source)"
    )


def _certificates_in(path: Path) -> list[Certificate]:
    from keystore_tool.certfiles import read_certificates

    return read_certificates(read_file(path, "certificate"), str(path))


def _wanted_key(source: KeySource) -> tuple[PrivateKeyEntry, list[str]]:
    from keystore_tool.certfiles import read_private_key

    key_password = source.key_password.resolve() if source.key_password else None
    inputs = BundleInputs(
        certificates=_certificates_in(source.cert),
        private_key=read_private_key(read_file(source.key, "key"), str(source.key), key_password),
        chain=[c for path in source.chain for c in _certificates_in(path)],
    )
    return build_entry(inputs, source.alias, chain_name=f"the `chain` of {source.where}")
