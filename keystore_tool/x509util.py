"""Helpers over certificates and private keys: the entry JSON of ``CLI.md``, derived aliases,
chain ordering, and whether a key belongs to a certificate.

Fingerprints come from :class:`~keystore_tool.model.Certificate` (hashlib); everything else
parses the certificate with cryptography, imported when first needed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from keystore_tool.errors import FormatError
from keystore_tool.model import (
    Certificate,
    Entry,
    PrivateKeyEntry,
    SecretKeyEntry,
    colon_hex,
)

if TYPE_CHECKING:
    from cryptography import x509


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def key_algorithm(cert: Certificate) -> tuple[str, int | None]:
    """The public key's algorithm as Java names it, and its size in bits as keytool reports it
    (RSA modulus bits, the EC curve's bits, 255 for Ed25519, 456 for Ed448)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    parsed = cert.x509
    try:
        public = parsed.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return parsed.public_key_algorithm_oid.dotted_string, None
    if isinstance(public, rsa.RSAPublicKey):
        return "RSA", public.key_size
    if isinstance(public, ec.EllipticCurvePublicKey):
        return "EC", public.curve.key_size
    if isinstance(public, ed25519.Ed25519PublicKey):
        return "Ed25519", 255
    if isinstance(public, ed448.Ed448PublicKey):
        return "Ed448", 456
    if isinstance(public, dsa.DSAPublicKey):
        return "DSA", public.key_size
    return parsed.public_key_algorithm_oid.dotted_string, None


def describe_certificate(cert: Certificate) -> dict[str, Any]:
    """The certificate fields of the entry JSON (``CLI.md``)."""
    from keystore_tool.certfiles import quiet_legacy_warnings

    with quiet_legacy_warnings():
        parsed = cert.x509
        algorithm, size = key_algorithm(cert)
        return {
            "sha256": cert.sha256_hex,
            "sha1": colon_hex(cert.sha1),
            "subject": parsed.subject.rfc4514_string(),
            "issuer": parsed.issuer.rfc4514_string(),
            # Java's BigInteger.toString(16), as keytool prints "Serial number:".
            "serial": format(parsed.serial_number, "x"),
            "not_before": _utc(parsed.not_valid_before_utc),
            "not_after": _utc(parsed.not_valid_after_utc),
            "key_algorithm": algorithm,
            "key_size": size,
        }


def describe_entry(entry: Entry) -> dict[str, Any]:
    """One entry as the entry JSON object of ``CLI.md``."""
    described: dict[str, Any] = {"alias": entry.alias, "type": entry.kind}
    if isinstance(entry, SecretKeyEntry):
        described["algorithm"] = entry.algorithm
        described["key_size"] = entry.key_size
        return described
    certs = entry.certificates()
    if certs:
        described.update(describe_certificate(certs[0]))
    if isinstance(entry, PrivateKeyEntry):
        from keystore_tool.certfiles import quiet_legacy_warnings

        with quiet_legacy_warnings():
            described["chain"] = [
                {
                    "sha256": c.sha256_hex,
                    "subject": c.x509.subject.rfc4514_string(),
                    "issuer": c.x509.issuer.rfc4514_string(),
                    "not_after": _utc(c.x509.not_valid_after_utc),
                }
                for c in certs
            ]
    return described


def derived_alias(cert: Certificate) -> str:
    """The subject's common name lower-cased, else the first 8 hex digits of the SHA-256."""
    from cryptography.x509.oid import NameOID

    from keystore_tool.certfiles import quiet_legacy_warnings

    with quiet_legacy_warnings():
        names = cert.x509.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    # The last CN in DER order is the most specific one.
    for attribute in reversed(names):
        value = attribute.value
        text = value if isinstance(value, str) else value.decode("utf-8", "replace")
        text = " ".join(text.split()).lower()
        if text:
            return text
    return cert.sha256.hex()[:8]


def unique_alias(base: str, taken: Callable[[str], bool]) -> str:
    """``base`` if free, else ``base-2``, ``base-3``… (the first free one). For many aliases
    from one store, :class:`AliasAllocator` hands them out without probing again."""
    return AliasAllocator(taken).take(base)


class AliasAllocator:
    """Hands out ``base``, ``base-2``, ``base-3``… as :func:`unique_alias` does, remembering
    per base (compared as Java does, case-insensitively) where the last search stopped: 20,000
    certificates with one common name cost 20,000 look-ups, not 200 million. The caller adds
    each alias it takes to whatever ``taken`` consults before asking for the next."""

    __slots__ = ("_next", "_taken")

    def __init__(self, taken: Callable[[str], bool]) -> None:
        self._taken = taken
        self._next: dict[str, int] = {}

    def take(self, base: str) -> str:
        folded = base.lower()
        n = self._next.get(folded, 1)
        candidate = base if n == 1 else f"{base}-{n}"
        while self._taken(candidate):
            n += 1
            candidate = f"{base}-{n}"
        self._next[folded] = n + 1
        return candidate


@dataclass(frozen=True)
class OrderedChain:
    """A leaf-first chain, the certificates that belong to no chain of this leaf (in input
    order), and whether the chain ends at a self-signed root."""

    chain: list[Certificate]
    leftovers: list[Certificate]
    complete: bool


def _key_ids(cert: x509.Certificate) -> tuple[bytes | None, bytes | None]:
    """(subject key identifier, authority key identifier) when present and readable."""
    from cryptography import x509

    ski: bytes | None = None
    aki: bytes | None = None
    with contextlib.suppress(x509.ExtensionNotFound, ValueError):
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    with contextlib.suppress(x509.ExtensionNotFound, ValueError):
        aki = cert.extensions.get_extension_for_class(
            x509.AuthorityKeyIdentifier
        ).value.key_identifier
    return ski, aki


def is_self_signed(cert: Certificate) -> bool:
    """Issuer equals subject and, when both identifiers are present, AKI equals SKI."""
    parsed = cert.x509
    if parsed.subject != parsed.issuer:
        return False
    ski, aki = _key_ids(parsed)
    return ski is None or aki is None or ski == aki


def order_chain(leaf: Certificate, others: Iterable[Certificate]) -> OrderedChain:
    """Builds the leaf-first chain from ``others`` by issuer name (and AKI/SKI where present),
    dropping duplicates. Each step prefers a candidate whose SKI matches the AKI sought."""
    from keystore_tool.certfiles import quiet_legacy_warnings

    with quiet_legacy_warnings():
        return _order_chain(leaf, others)


def _order_chain(leaf: Certificate, others: Iterable[Certificate]) -> OrderedChain:
    index = ChainIndex(others)
    chain, complete = index.chain_of(leaf)
    in_chain = {cert.der for cert in chain}
    leftovers = [cert for cert in index.certificates if cert.der not in in_chain]
    return OrderedChain(chain, leftovers, complete)


# Longer than any real chain; bounds the walk when thousands of certificates share one name.
MAX_CHAIN_LENGTH = 64


class ChainIndex:
    """Certificates by subject (and by subject and key identifier), built once, so the chains
    of 10,000 keys are ordered from one pool in linear time. Call under
    :func:`~keystore_tool.certfiles.quiet_legacy_warnings`."""

    def __init__(self, pool: Iterable[Certificate]) -> None:
        self.certificates: list[Certificate] = []
        seen: set[bytes] = set()
        for cert in pool:
            if cert.der not in seen:
                seen.add(cert.der)
                self.certificates.append(cert)
        self._by_subject: dict[x509.Name, list[Certificate]] | None = None
        self._by_subject_key: dict[tuple[x509.Name, bytes], list[Certificate]] = {}

    def _index(self) -> dict[x509.Name, list[Certificate]]:
        if self._by_subject is None:
            self._by_subject = {}
            for cert in self.certificates:
                subject = cert.x509.subject
                self._by_subject.setdefault(subject, []).append(cert)
                ski = _key_ids(cert.x509)[0]
                if ski is not None:
                    self._by_subject_key.setdefault((subject, ski), []).append(cert)
        return self._by_subject

    def chain_of(self, leaf: Certificate) -> tuple[list[Certificate], bool]:
        """The leaf-first chain by issuer name, preferring at each step a candidate whose SKI
        is the AKI sought; and whether it ends at a self-signed root."""
        by_subject = self._index()
        chain = [leaf]
        used = {leaf.der}
        current = leaf
        while len(chain) < MAX_CHAIN_LENGTH:
            if is_self_signed(current):
                return chain, True
            issuer = current.x509.issuer
            _, wanted = _key_ids(current.x509)
            chosen = None
            if wanted is not None:
                chosen = _first_unused(self._by_subject_key.get((issuer, wanted), ()), used)
            if chosen is None:
                chosen = _first_unused(by_subject.get(issuer, ()), used)
            if chosen is None:
                return chain, False
            used.add(chosen.der)
            current = chosen
            chain.append(current)
        return chain, False


def _first_unused(candidates: Iterable[Certificate], used: set[bytes]) -> Certificate | None:
    # ``used`` holds at most MAX_CHAIN_LENGTH certificates: this skips no more than those.
    return next((cert for cert in candidates if cert.der not in used), None)


def public_key_der(cert: Certificate) -> bytes | None:
    """The certificate's SubjectPublicKeyInfo DER, or None for a key cryptography cannot read."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    try:
        return cert.x509.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    except (UnsupportedAlgorithm, ValueError):
        return None


def private_key_public_der(private_key_pkcs8_der: bytes) -> bytes:
    """The SubjectPublicKeyInfo DER of a PKCS#8 private key."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
        load_der_private_key,
    )

    try:
        key = load_der_private_key(private_key_pkcs8_der, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise FormatError("the private key is unreadable") from exc
    return key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def key_matches_certificate(private_key_pkcs8_der: bytes, cert: Certificate) -> bool:
    """True when the certificate carries the public half of this private key."""
    from keystore_tool.certfiles import quiet_legacy_warnings

    with quiet_legacy_warnings():
        cert_public = public_key_der(cert)
    return cert_public is not None and cert_public == private_key_public_der(private_key_pkcs8_der)


def certificate_for_key(
    private_key_pkcs8_der: bytes, certificates: Iterable[Certificate]
) -> Certificate | None:
    """The first certificate that carries the public half of this key: the key's public half
    is computed once, each certificate's once."""
    from keystore_tool.certfiles import quiet_legacy_warnings

    wanted = private_key_public_der(private_key_pkcs8_der)
    with quiet_legacy_warnings():
        return next((c for c in certificates if public_key_der(c) == wanted), None)


def certificates_pem(certificates: Iterable[Certificate]) -> str:
    """Certificates as concatenated PEM blocks."""
    from keystore_tool.certfiles import armour

    return b"".join(armour("CERTIFICATE", cert.der) for cert in certificates).decode("ascii")
