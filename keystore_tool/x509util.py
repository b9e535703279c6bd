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
    """``base`` if free, else ``base-2``, ``base-3``… (the first free one)."""
    if not taken(base):
        return base
    n = 2
    while taken(f"{base}-{n}"):
        n += 1
    return f"{base}-{n}"


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
    unique: list[Certificate] = []
    seen = {leaf.der}
    for cert in others:
        if cert.der not in seen:
            seen.add(cert.der)
            unique.append(cert)
    by_subject: dict[x509.Name, list[int]] = {}
    for index, cert in enumerate(unique):
        by_subject.setdefault(cert.x509.subject, []).append(index)

    chain = [leaf]
    used: set[int] = set()
    current = leaf
    complete = False
    while True:
        if is_self_signed(current):
            complete = True
            break
        candidates = [i for i in by_subject.get(current.x509.issuer, []) if i not in used]
        if not candidates:
            break
        _, wanted = _key_ids(current.x509)
        chosen = candidates[0]
        if wanted is not None:
            for i in candidates:
                if _key_ids(unique[i].x509)[0] == wanted:
                    chosen = i
                    break
        used.add(chosen)
        current = unique[chosen]
        chain.append(current)
    leftovers = [cert for i, cert in enumerate(unique) if i not in used]
    return OrderedChain(chain, leftovers, complete)


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
