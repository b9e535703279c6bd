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
from keystore_tool.formats import _der
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


# Public-key algorithm OIDs and the names keytool gives them, with the size keytool shows for
# algorithms whose size is fixed (None: keytool shows none).
_FIXED_KEY_ALGORITHMS: dict[str, tuple[str, int | None]] = {
    "1.3.101.112": ("Ed25519", 255),
    "1.3.101.113": ("Ed448", 448),
    "1.3.101.110": ("X25519", 255),
    "1.3.101.111": ("X448", 448),
    "2.16.840.1.101.3.4.3.17": ("ML-DSA-44", None),
    "2.16.840.1.101.3.4.3.18": ("ML-DSA-65", None),
    "2.16.840.1.101.3.4.3.19": ("ML-DSA-87", None),
    "2.16.840.1.101.3.4.4.1": ("ML-KEM-512", None),
    "2.16.840.1.101.3.4.4.2": ("ML-KEM-768", None),
    "2.16.840.1.101.3.4.4.3": ("ML-KEM-1024", None),
}
_RSA = "1.2.840.113549.1.1.1"
_RSASSA_PSS = "1.2.840.113549.1.1.10"
_EC = "1.2.840.10045.2.1"
_DSA = "1.2.840.10040.4.1"
# Named curves: OID -> (name as keytool prints it, field size in bits).
EC_CURVES: dict[str, tuple[str, int]] = {
    "1.2.840.10045.3.1.1": ("secp192r1", 192),
    "1.3.132.0.33": ("secp224r1", 224),
    "1.2.840.10045.3.1.7": ("secp256r1", 256),
    "1.3.132.0.34": ("secp384r1", 384),
    "1.3.132.0.35": ("secp521r1", 521),
    "1.3.132.0.10": ("secp256k1", 256),
    "1.3.132.0.1": ("sect163k1", 163),
    "1.3.132.0.15": ("sect163r2", 163),
    "1.3.132.0.24": ("sect193r1", 193),
    "1.3.132.0.25": ("sect193r2", 193),
    "1.3.132.0.26": ("sect233k1", 233),
    "1.3.132.0.27": ("sect233r1", 233),
    "1.3.132.0.16": ("sect283k1", 283),
    "1.3.132.0.17": ("sect283r1", 283),
    "1.3.132.0.36": ("sect409k1", 409),
    "1.3.132.0.37": ("sect409r1", 409),
    "1.3.132.0.38": ("sect571k1", 571),
    "1.3.132.0.39": ("sect571r1", 571),
    "1.3.36.3.3.2.8.1.1.1": ("brainpoolP160r1", 160),
    "1.3.36.3.3.2.8.1.1.3": ("brainpoolP192r1", 192),
    "1.3.36.3.3.2.8.1.1.5": ("brainpoolP224r1", 224),
    "1.3.36.3.3.2.8.1.1.7": ("brainpoolP256r1", 256),
    "1.3.36.3.3.2.8.1.1.9": ("brainpoolP320r1", 320),
    "1.3.36.3.3.2.8.1.1.11": ("brainpoolP384r1", 384),
    "1.3.36.3.3.2.8.1.1.13": ("brainpoolP512r1", 512),
}


def spki_algorithm(spki: bytes) -> tuple[str, int | None]:
    """The algorithm of a SubjectPublicKeyInfo as keytool names it, and the size keytool
    shows (RSA and RSASSA-PSS modulus bits, DSA prime bits, the EC curve's field bits, 255/448
    for the Edwards and Montgomery curves, none for ML-DSA/ML-KEM), read from the DER alone:
    a key cryptography does not support (sect193r1, GOST, post-quantum) is still named."""
    what = "public key"
    top = _der.expect(spki, 0, len(spki), _der.SEQUENCE, what)
    algorithm, key_bits = _der.sequence_items(spki, top, what, 2)[:2]
    alg_items = _der.sequence_items(spki, algorithm, what, 1)
    alg_oid = _der.oid(spki, alg_items[0], what)
    params = alg_items[1] if len(alg_items) > 1 else None
    fixed = _FIXED_KEY_ALGORITHMS.get(alg_oid)
    if fixed is not None:
        return fixed
    if alg_oid in (_RSA, _RSASSA_PSS):
        name = "RSA" if alg_oid == _RSA else "RSASSA-PSS"
        if key_bits.tag != _der.BIT_STRING or key_bits.end - key_bits.start < 2:
            return name, None
        body = spki[key_bits.start + 1 : key_bits.end]
        rsa_key = _der.expect(body, 0, len(body), _der.SEQUENCE, what)
        modulus = _der.read(body, rsa_key.start, rsa_key.end, what)
        return name, _unsigned_bits(body, modulus)
    if alg_oid == _EC:
        if params is not None and params.tag == _der.OID:
            curve = EC_CURVES.get(_der.oid(spki, params, what))
            if curve is not None:
                return "EC", curve[1]
        return "EC", None
    if alg_oid == _DSA:
        if params is not None and params.tag == _der.SEQUENCE:
            prime = _der.sequence_items(spki, params, what, 1)[0]
            return "DSA", _unsigned_bits(spki, prime)
        return "DSA", None
    return alg_oid, None


def ec_curve_name(spki: bytes) -> str | None:
    """The named curve of an EC SubjectPublicKeyInfo (``secp521r1``), as keytool prints it."""
    what = "public key"
    try:
        top = _der.expect(spki, 0, len(spki), _der.SEQUENCE, what)
        alg_items = _der.sequence_items(spki, _der.read(spki, top.start, top.end, what), what, 1)
        if len(alg_items) < 2 or alg_items[1].tag != _der.OID:
            return None
        curve = EC_CURVES.get(_der.oid(spki, alg_items[1], what))
    except FormatError:
        return None
    return curve[0] if curve else None


def _unsigned_bits(data: bytes, tlv: _der.Tlv) -> int | None:
    if tlv.tag != _der.INTEGER:
        return None
    return int.from_bytes(data[tlv.start : tlv.end], "big").bit_length()


def key_algorithm(cert: Certificate) -> tuple[str, int | None]:
    """The certificate's public-key algorithm as keytool names it, with its size (see
    :func:`spki_algorithm`)."""
    return spki_algorithm(_spki(cert))


def _spki(cert: Certificate) -> bytes:
    from keystore_tool.tbs import read_tbs

    return read_tbs(cert.der).spki


# ML-DSA and ML-KEM private keys (RFC 9881, RFC 9935): the PKCS#8 privateKey holds the seed
# ([0] IMPLICIT OCTET STRING), the expanded key (OCTET STRING), or both (SEQUENCE). JDK 24
# wrote the expanded key bare (the drafts' form); later JDKs write the seed.
_SEED_KEYS = {name for name, _ in _FIXED_KEY_ALGORITHMS.values() if name.startswith("ML-")}


def key_encoding(pkcs8: bytes) -> str | None:
    """``seed``, ``expanded`` or ``both`` for an ML-DSA/ML-KEM PKCS#8 key; None for others
    (or a key ks cannot read this far)."""
    what = "private key"
    try:
        top = _der.expect(pkcs8, 0, len(pkcs8), _der.SEQUENCE, what)
        items = _der.sequence_items(pkcs8, top, what, 3)
        alg = _der.sequence_items(pkcs8, items[1], what, 1)
        name = _FIXED_KEY_ALGORITHMS.get(_der.oid(pkcs8, alg[0], what), ("", None))[0]
        if name not in _SEED_KEYS:
            return None
        inner = _der.octets(pkcs8, items[2], what)
    except FormatError:
        return None
    if not inner:
        return None
    tag = inner[0]
    if tag == 0x80:
        return "seed"
    if tag == _der.SEQUENCE:
        return "both"
    return "expanded"  # an OCTET STRING of it, or (JDK 24) the bare bytes


def _lax_note(cert: Certificate) -> str | None:
    """Why cryptography refuses ``cert`` (None when it parses it)."""
    from keystore_tool.certfiles import quiet_legacy_warnings

    try:
        with quiet_legacy_warnings():
            cert.x509  # noqa: B018 - parsing is the question
    except FormatError as exc:
        return f"{exc}; ks read its fields with its own reader, as keytool does"
    return None


@dataclass(frozen=True)
class CertificateFields:
    """What ``list``, ``show``, ``check`` and ``doctor`` show of a certificate; ``warning``
    says why cryptography refused it when the fields come from our own reader."""

    subject: str
    issuer: str
    serial: int
    not_before: datetime
    not_after: datetime
    spki: bytes
    warning: str | None = None


def certificate_fields(cert: Certificate) -> CertificateFields:
    """The fields of ``cert``: from cryptography, or, for a certificate that is DER but that
    cryptography refuses, from its TBSCertificate (with a ``warning``). One that is not even a
    certificate SEQUENCE is a :class:`FormatError`."""
    from keystore_tool.certfiles import quiet_legacy_warnings
    from keystore_tool.tbs import read_tbs

    fields = read_tbs(cert.der)
    note = _lax_note(cert)
    if note is not None:
        return CertificateFields(
            fields.subject,
            fields.issuer,
            fields.serial,
            fields.not_before,
            fields.not_after,
            fields.spki,
            note,
        )
    with quiet_legacy_warnings():
        parsed = cert.x509
        return CertificateFields(
            parsed.subject.rfc4514_string(),
            parsed.issuer.rfc4514_string(),
            parsed.serial_number,
            parsed.not_valid_before_utc,
            parsed.not_valid_after_utc,
            fields.spki,
        )


def describe_certificate(cert: Certificate) -> dict[str, Any]:
    """The certificate fields of the entry JSON (``CLI.md``), see :func:`certificate_fields`."""
    fields = certificate_fields(cert)
    algorithm, size = spki_algorithm(fields.spki)
    described: dict[str, Any] = {
        "sha256": cert.sha256_hex,
        "sha1": colon_hex(cert.sha1),
        "subject": fields.subject,
        "issuer": fields.issuer,
        # Java's BigInteger.toString(16), as keytool prints "Serial number:".
        "serial": format(fields.serial, "x"),
        "not_before": _utc(fields.not_before),
        "not_after": _utc(fields.not_after),
        "key_algorithm": algorithm,
        "key_size": size,
    }
    if fields.warning is not None:
        described["warning"] = fields.warning
    return described


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
        chain = [describe_certificate(c) for c in certs]
        described["chain"] = [
            {key: c[key] for key in ("sha256", "subject", "issuer", "not_after")} for c in chain
        ]
        known = entry.known_key()  # never decrypts: list and show need no key password
        if known is not None:
            encoding = key_encoding(known)
            if encoding is not None:
                described["key_encoding"] = encoding
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
        """``base``, or ``base-N`` with the first N from 2 up that is free; taken from now on."""
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
    """The one chain orderer of the library: the leaf-first chain from ``others`` by issuer
    name (and AKI/SKI where present), duplicates (same DER) dropped; the rest are leftovers.

    The tie-break, at each step from the current certificate to its issuer: a candidate
    whose subject is the issuer name *and* whose SKI is the AKI sought comes first; failing
    that, any candidate with that subject; among equals, the first in the order ``others``
    gives (file order), skipping certificates already in the chain. The walk stops at a
    self-signed certificate (``complete``), when no issuer is found, or after
    :data:`MAX_CHAIN_LENGTH` certificates."""
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
    """Certificates as concatenated ``CERTIFICATE`` PEM blocks, in the order given: the one
    writer of certificate PEM (armour from :func:`keystore_tool.certfiles.armour`); encode
    the text as ASCII for bytes."""
    from keystore_tool.certfiles import armour

    return b"".join(armour("CERTIFICATE", cert.der) for cert in certificates).decode("ascii")
