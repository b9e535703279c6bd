"""Java's trust rules as pure functions: would a JVM trust this chain for this host?

The judgement follows Java's own code (``sun.security.validator.PKIXValidator``,
``TrustStoreUtil``, ``sun.security.util.HostnameChecker``), not a browser's:

* anchors are the certificate entries of the truststore and the first certificate of each of
  its key entries; a presented certificate is trusted when it *is* an anchor (same DER, or same
  subject and public key), so an intermediate in the truststore anchors the chain, and a
  trusted leaf needs nothing more;
* otherwise the path is built from the leaf through the presented certificates to a
  certificate an anchor signed; every certificate on the path but the anchor must be within
  its validity dates, CA certificates must say they are CAs (basic constraints) and, when they
  carry a key usage, that they may sign certificates (``keyCertSign``); MD2/MD5 signatures and
  RSA keys below 1024 bits are refused (``jdk.certpath.disabledAlgorithms``; its SHA-1 rule
  is ``jdkCA``-only: it spares a private truststore's chains, so SHA-1 links are checked);
* the host name is checked after the path (HTTPS endpoint identification): an IP literal needs
  an IP address SAN; a DNS name is matched against the DNS SANs (``*`` in the left-most label
  only), and only when the certificate has no DNS SAN at all against the most specific CN —
  Java still does that CN fallback, and the verdict must be the JVM's.

Nothing here reads a file or opens a socket: the caller brings the certificates.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from keystore_tool.errors import Remedy
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry

if TYPE_CHECKING:
    from cryptography import x509

# Signature hashes in Java's jdk.certpath.disabledAlgorithms for every chain.
DISABLED_SIGNATURE_HASHES = ("md2", "md5")
MINIMUM_RSA_BITS = 1024


@dataclass(frozen=True)
class Refusal:
    """Why Java would not trust, in the library's words; ``remedy`` is what would help.

    ``remedy_aside``: the remedy reads as an aside in parentheses after the message rather
    than as a clause after a semicolon.
    """

    message: str
    remedy: Remedy | None = None
    remedy_aside: bool = False

    def text(self, advice: Callable[[Remedy], str] | None = None) -> str:
        """The whole sentence; ``advice`` words the remedy (default: the library's words)."""
        if self.remedy is None:
            return self.message
        words = advice(self.remedy) if advice is not None else self.remedy.value
        return f"{self.message} ({words})" if self.remedy_aside else f"{self.message}; {words}"

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class PathResult:
    """The path Java builds: leaf first, the anchor excluded; ``refusal`` when it fails."""

    path: list[Certificate]
    anchor: Certificate | None
    refusal: Refusal | None

    @property
    def reason(self) -> str | None:
        """The refusal in the library's words."""
        return None if self.refusal is None else self.refusal.text()


# --- trust anchors -------------------------------------------------------------------------


def java_anchors(keystore: Keystore) -> list[Certificate]:
    """The certificates Java's trust manager takes from a truststore (``TrustStoreUtil``)."""
    anchors: list[Certificate] = []
    seen: set[bytes] = set()
    for entry in keystore:
        cert: Certificate | None = None
        if isinstance(entry, TrustedCertificateEntry):
            cert = entry.certificate
        elif isinstance(entry, PrivateKeyEntry) and entry.chain:
            cert = entry.chain[0]
        if cert is not None and cert.sha256 not in seen:
            seen.add(cert.sha256)
            anchors.append(cert)
    return anchors


def display_name(cert: Certificate) -> str:
    """The subject as Java users read it, or the fingerprint of a certificate without one."""
    return cert.x509.subject.rfc4514_string() or f"SHA-256 {cert.sha256_hex}"


def _public_key_der(cert: Certificate) -> bytes | None:
    from keystore_tool.x509util import public_key_der

    return public_key_der(cert)


def _signature_hash(cert: Certificate) -> str | None:
    algorithm = cert.x509.signature_hash_algorithm
    return None if algorithm is None else algorithm.name


def _signed_by(cert: Certificate, issuer: Certificate) -> bool:
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

    try:
        cert.x509.verify_directly_issued_by(issuer.x509)
    except (ValueError, UnsupportedAlgorithm):
        # cryptography verifies no SHA-1 certificate signature, which Java still accepts
        # below a truststore's own CAs.
        return _signature_hash(cert) == "sha1" and _signed_with_sha1(cert, issuer)
    except (TypeError, InvalidSignature):
        return False
    return True


def _signed_with_sha1(cert: Certificate, issuer: Certificate) -> bool:
    """The SHA-1 signature of ``cert`` checked with ``issuer``'s RSA, EC or DSA key."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa

    parsed = cert.x509
    if parsed.issuer != issuer.x509.subject:
        return False
    try:
        key = issuer.x509.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(
                parsed.signature, parsed.tbs_certificate_bytes, padding.PKCS1v15(), hashes.SHA1()
            )
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(parsed.signature, parsed.tbs_certificate_bytes, ec.ECDSA(hashes.SHA1()))
        elif isinstance(key, dsa.DSAPublicKey):
            key.verify(parsed.signature, parsed.tbs_certificate_bytes, hashes.SHA1())
        else:
            return False
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _issued_by(cert: Certificate, issuer: Certificate) -> bool:
    """Whether ``issuer`` is the next link above ``cert``. A signature in a hash Java refuses
    cannot be checked here (cryptography will not verify MD5), so the names link it and the
    refusal names the hash rather than claiming that no anchor exists."""
    if cert.x509.issuer != issuer.x509.subject:
        return False
    return _signature_hash(cert) in DISABLED_SIGNATURE_HASHES or _signed_by(cert, issuer)


class _Anchors:
    """The truststore's anchors, looked up as Java's validator does."""

    def __init__(self, anchors: Iterable[Certificate]) -> None:
        self.by_der: dict[bytes, Certificate] = {}
        self.by_subject: dict[x509.Name, list[Certificate]] = {}
        for anchor in anchors:
            self.by_der[anchor.der] = anchor
            self.by_subject.setdefault(anchor.x509.subject, []).append(anchor)

    def matching(self, cert: Certificate) -> Certificate | None:
        """The anchor that *is* ``cert``: the same DER, or the same subject and public key."""
        if cert.der in self.by_der:
            return self.by_der[cert.der]
        key = _public_key_der(cert)
        if key is None:
            return None
        return next(
            (c for c in self.by_subject.get(cert.x509.subject, []) if _public_key_der(c) == key),
            None,
        )

    def issuer_of(self, cert: Certificate) -> Certificate | None:
        """The anchor that signed ``cert``."""
        return next(
            (a for a in self.by_subject.get(cert.x509.issuer, []) if _issued_by(cert, a)), None
        )


# --- the certification path ------------------------------------------------------------------


def build_path(
    chain: list[Certificate], anchors: list[Certificate], *, now: datetime | None = None
) -> PathResult:
    """The certification path Java would accept for the presented ``chain`` (leaf first), or
    the refusal; ``now`` is the time of the check (default: the present)."""
    from keystore_tool.certfiles import quiet_legacy_warnings

    with quiet_legacy_warnings():
        return _build_path(chain, anchors, now or datetime.now(UTC))


def _build_path(chain: list[Certificate], anchors: list[Certificate], now: datetime) -> PathResult:
    if not anchors:
        return PathResult(
            [],
            None,
            Refusal(
                "the truststore holds no trusted certificate (Java fails with 'the "
                "trustAnchors parameter must be non-empty')"
            ),
        )
    index = _Anchors(anchors)
    # A presented certificate that is itself trusted ends the path there.
    for position, cert in enumerate(chain):
        trusted = index.matching(cert)
        if trusted is not None:
            path = chain[:position]
            return PathResult(path, trusted, check_links(path, trusted, now=now))
    path, anchor = _walk_to_anchor(chain, index)
    if anchor is not None:
        return PathResult(path, anchor, check_links(path, anchor, now=now))
    top = path[-1]
    return PathResult(
        path,
        None,
        Refusal(
            "the truststore holds no certificate that anchors the server's chain: it ends at "
            f"'{display_name(top)}', issued by '{top.x509.issuer.rfc4514_string()}', which the "
            "truststore lacks",
            Remedy.IMPORT_FROM_SERVER,
            remedy_aside=True,
        ),
    )


def _walk_to_anchor(
    chain: list[Certificate], index: _Anchors
) -> tuple[list[Certificate], Certificate | None]:
    """From the leaf up through the presented certificates (in any order) until an anchor
    signed the current one: (the path, that anchor), or (the path as far as it goes, None)."""
    path = [chain[0]]
    unused = list(chain[1:])
    while True:
        current = path[-1]
        anchor = index.issuer_of(current)
        if anchor is not None:
            return path, anchor
        step = next((c for c in unused if _issued_by(current, c)), None)
        if step is None:
            return path, None
        unused.remove(step)
        path.append(step)


def check_links(
    path: list[Certificate], anchor: Certificate, *, now: datetime | None = None
) -> Refusal | None:
    """Algorithms, signatures, validity and CA flags along ``path`` (leaf first, ``anchor``
    above it); the anchor itself is not judged. A hash Java refuses is named before the
    signature, which cannot be checked in it."""
    moment = now or datetime.now(UTC)
    for position, cert in enumerate(path):
        signer = path[position + 1] if position + 1 < len(path) else anchor
        refusal = (
            _hash_refusal(cert)
            or _signature_refusal(cert, signer)
            or _validity_refusal(cert, moment)
            or _key_size_refusal(cert)
            or (_ca_refusal(cert) if position > 0 else None)
        )
        if refusal is not None:
            return refusal
    return None


def _hash_refusal(cert: Certificate) -> Refusal | None:
    algorithm = _signature_hash(cert)
    if algorithm not in DISABLED_SIGNATURE_HASHES:
        return None
    return Refusal(
        f"the certificate '{display_name(cert)}' is signed with {str(algorithm).upper()}, "
        "which Java refuses"
    )


def _key_size_refusal(cert: Certificate) -> Refusal | None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    with contextlib.suppress(ValueError):
        key = cert.x509.public_key()
        if isinstance(key, rsa.RSAPublicKey) and key.key_size < MINIMUM_RSA_BITS:
            return Refusal(
                f"the certificate '{display_name(cert)}' has a {key.key_size}-bit RSA key, "
                "which Java refuses"
            )
    return None


def _signature_refusal(cert: Certificate, signer: Certificate) -> Refusal | None:
    if _signed_by(cert, signer):
        return None
    return Refusal(f"the signature of '{display_name(cert)}' does not verify with its issuer's key")


def _validity_refusal(cert: Certificate, now: datetime) -> Refusal | None:
    parsed = cert.x509
    if parsed.not_valid_after_utc < now:
        return Refusal(
            f"the certificate '{display_name(cert)}' expired on "
            f"{parsed.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC"
        )
    if parsed.not_valid_before_utc > now:
        return Refusal(
            f"the certificate '{display_name(cert)}' is not valid before "
            f"{parsed.not_valid_before_utc:%Y-%m-%d %H:%M:%S} UTC"
        )
    return None


def _ca_refusal(cert: Certificate) -> Refusal | None:
    """A certificate that signs another must be a CA (``ConstraintsChecker``) and, if it has
    a key usage, one with ``keyCertSign`` (``KeyChecker``)."""
    from cryptography import x509

    extensions = cert.x509.extensions
    try:
        is_ca = extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        return Refusal(
            f"'{display_name(cert)}' signs another certificate but is not a CA certificate"
        )
    try:
        may_sign = extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    except x509.ExtensionNotFound:
        may_sign = True
    if not may_sign:
        return Refusal(
            f"'{display_name(cert)}' signs another certificate but its key usage lacks keyCertSign"
        )
    return None


# --- host name -------------------------------------------------------------------------------


def is_ip_literal(text: str) -> bool:
    """Whether ``text`` is an IPv4 or IPv6 address (then only an IP address SAN can match)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def wildcard_matches(name: str, template: str) -> bool:
    """Java's ``HostnameChecker.isMatched`` for TLS: ``*`` in the left-most label only (it may
    stand for part of that label, ``f*.example.com``), never for a label of its own beyond
    it, never a bare ``*`` or a wildcard without a dot after it; case and a final dot do not
    count."""
    name, template = name.lower().rstrip("."), template.lower().rstrip(".")
    if template in ("*", "*.") or ("*" in template and "." not in template[template.rfind("*") :]):
        return False
    if "*" in template.partition(".")[2]:
        return False
    name_first, _, name_rest = name.partition(".")
    template_first, _, template_rest = template.partition(".")
    if name_rest != template_rest:
        return False
    if "*" not in template_first:
        return name_first == template_first
    import fnmatch

    pattern = template_first.replace("[", "[[]").replace("?", "[?]")
    return fnmatch.fnmatchcase(name_first, pattern)


def _subject_alternative_names(leaf: Certificate) -> tuple[list[str], list[str]]:
    from cryptography import x509

    try:
        sans = leaf.x509.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [], []
    dns = sans.get_values_for_type(x509.DNSName)
    return dns, [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)]


def _most_specific_cn(leaf: Certificate) -> str | None:
    from cryptography.x509.oid import NameOID

    cns = leaf.x509.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not cns:
        return None
    value = cns[-1].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def hostname_problem(host: str, leaf: Certificate) -> Refusal | None:
    """Why Java's HTTPS endpoint identification refuses ``leaf`` for ``host``, or ``None``."""
    from keystore_tool.certfiles import quiet_legacy_warnings

    with quiet_legacy_warnings():
        return _hostname_problem(host, leaf)


def _hostname_problem(host: str, leaf: Certificate) -> Refusal | None:
    dns, ips = _subject_alternative_names(leaf)
    named = ", ".join([*(f"DNS:{d}" for d in dns), *(f"IP:{i}" for i in ips)]) or "no names"
    if is_ip_literal(host):
        wanted = ipaddress.ip_address(host)
        if any(ipaddress.ip_address(ip) == wanted for ip in ips):
            return None
        return Refusal(
            f"the server certificate does not name the IP address {host} (it names {named}); "
            "connect by a name it carries, or reissue it with that IP address SAN"
        )
    if any(wildcard_matches(host, d) for d in dns):
        return None
    if not dns:
        cn = _most_specific_cn(leaf)
        if cn is not None:
            if wildcard_matches(host, cn):
                return None
            named = f"only the common name {cn}"
    return Refusal(
        f"the server certificate does not name the host '{host}' (it names {named}); connect "
        "by a name it carries, or reissue it with a matching DNS SAN"
    )
