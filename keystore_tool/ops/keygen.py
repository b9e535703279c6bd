"""keytool's key verbs: ``genkeypair`` (a key and its self-signed certificate), ``certreq``
(a PKCS#10 request from a key entry) and ``gencert`` (a key entry signing a request, as a small
CA). Names, SANs and extensions are spelled as keytool users know them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from keystore_tool.errors import ConflictError, FormatError, Remedy, UsageError
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry
from keystore_tool.ops.update import Outcome, StoreChange, StoreTarget, update_store
from keystore_tool.x509names import parse_dname, parse_sans, san_text

__all__ = [
    "Extensions",
    "GenKeyResult",
    "IssuedCertificate",
    "KeySpec",
    "build_certificate",
    "certreq",
    "gencert",
    "generate_private_key",
    "genkeypair",
    "key_entry",
    "read_csr",
    "signature_hash",
]

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.types import (
        CertificateIssuerPrivateKeyTypes,
        PrivateKeyTypes,
    )

RSA_SIZES = (2048, 3072, 4096)
EC_SIZES = (256, 384, 521)
KEY_ALGORITHMS = ("rsa", "ec", "ed25519")

# keytool's -ext KeyUsage names (lower-cased), each mapped to cryptography's KeyUsage field.
_KEY_USAGES = {
    "digitalsignature": "digital_signature",
    "nonrepudiation": "content_commitment",
    "contentcommitment": "content_commitment",
    "keyencipherment": "key_encipherment",
    "dataencipherment": "data_encipherment",
    "keyagreement": "key_agreement",
    "keycertsign": "key_cert_sign",
    "crlsign": "crl_sign",
    "encipheronly": "encipher_only",
    "decipheronly": "decipher_only",
}
_EXT_KEY_USAGES = {
    "serverauth": "1.3.6.1.5.5.7.3.1",
    "clientauth": "1.3.6.1.5.5.7.3.2",
    "codesigning": "1.3.6.1.5.5.7.3.3",
    "emailprotection": "1.3.6.1.5.5.7.3.4",
    "timestamping": "1.3.6.1.5.5.7.3.8",
    "ocspsigning": "1.3.6.1.5.5.7.3.9",
    "anyextendedkeyusage": "2.5.29.37.0",
}
MAX_VALIDITY_DAYS = 100 * 366


@dataclass(frozen=True)
class Extensions:
    """What a new certificate says about its use: SANs (``dns:…``, ``ip:…``, ``email:…``,
    ``uri:…``), key usage and extended key usage names, and whether it is a CA."""

    sans: tuple[str, ...] = ()
    key_usage: tuple[str, ...] = ()
    ext_key_usage: tuple[str, ...] = ()
    ca: bool = False


@dataclass(frozen=True)
class KeySpec:
    """``algorithm`` is ``rsa``, ``ec`` or ``ed25519``; ``size`` RSA bits or the EC curve's
    bits (256, 384, 521); ``None`` takes the default (RSA 3072, EC P-256, as current keytool)."""

    algorithm: str = "rsa"
    size: int | None = None


@dataclass
class GenKeyResult:
    keystore: str
    alias: str
    entry: PrivateKeyEntry
    outcome: Outcome | None = None

    def as_json(self) -> dict[str, object]:
        """The JSON document of ``ks genkeypair``: the store and the new entry."""
        from keystore_tool.x509util import describe_entry

        return {"keystore": self.keystore, "entry": describe_entry(self.entry)}


@dataclass
class IssuedCertificate:
    """A certificate signed by ``gencert`` followed by its issuer's chain (a CA reply)."""

    certificate: Certificate
    chain: list[Certificate] = field(default_factory=list)

    def pem(self) -> bytes:
        from keystore_tool.certfiles import armour

        return b"".join(armour("CERTIFICATE", c.der) for c in [self.certificate, *self.chain])


def generate_private_key(spec: KeySpec) -> CertificateIssuerPrivateKeyTypes:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    algorithm = spec.algorithm.lower()
    if algorithm == "rsa":
        size = spec.size or 3072
        if size not in RSA_SIZES:
            raise UsageError(f"RSA key size {size} is not offered; choose 2048, 3072 or 4096")
        return rsa.generate_private_key(public_exponent=65537, key_size=size)
    if algorithm == "ec":
        size = spec.size or 256
        curves = {256: ec.SECP256R1(), 384: ec.SECP384R1(), 521: ec.SECP521R1()}
        if size not in curves:
            raise UsageError(f"EC key size {size} is not offered; choose 256, 384 or 521")
        return ec.generate_private_key(curves[size])
    if algorithm == "ed25519":
        if spec.size not in (None, 255):
            raise UsageError("Ed25519 keys have one size", remedy=Remedy.DROP_KEY_SIZE)
        return ed25519.Ed25519PrivateKey.generate()
    raise UsageError(f"unknown key algorithm '{spec.algorithm}'; choose rsa, ec or ed25519")


def signature_hash(key: PrivateKeyTypes) -> hashes.HashAlgorithm | None:
    """The digest keytool pairs with the key: SHA-384 for RSA ≥ 3072 and P-384, SHA-512 for
    P-521, none for EdDSA."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        return None
    if isinstance(key, rsa.RSAPrivateKey):
        return hashes.SHA384() if key.key_size >= 3072 else hashes.SHA256()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if key.curve.key_size >= 521:
            return hashes.SHA512()
        return hashes.SHA384() if key.curve.key_size >= 384 else hashes.SHA256()
    return hashes.SHA256()


def _key_usage(names: Sequence[str], ca: bool) -> x509.KeyUsage | None:
    from cryptography import x509

    flags = dict.fromkeys(set(_KEY_USAGES.values()), False)
    for name in names:
        attr = _KEY_USAGES.get(name.replace("_", "").replace("-", "").lower())
        if attr is None:
            known = ", ".join(sorted({"digitalSignature", "keyEncipherment", "keyCertSign"}))
            raise UsageError(f"key usage '{name}' is unknown; names are keytool's ({known}, …)")
        flags[attr] = True
    if ca:
        flags["key_cert_sign"] = flags["crl_sign"] = True
    if not any(flags.values()):
        return None
    return x509.KeyUsage(**flags)


def _ext_key_usage(names: Sequence[str]) -> x509.ExtendedKeyUsage | None:
    from cryptography import x509

    oids = []
    for name in names:
        dotted = _EXT_KEY_USAGES.get(name.lower(), name)
        try:
            oids.append(x509.ObjectIdentifier(dotted))
        except ValueError as exc:
            raise UsageError(
                f"extended key usage '{name}' is unknown; use serverAuth, clientAuth, "
                "codeSigning, emailProtection, timeStamping, OCSPSigning or an OID"
            ) from exc
    return x509.ExtendedKeyUsage(oids) if oids else None


def _validity(days: int) -> tuple[datetime, datetime]:
    if not 1 <= days <= MAX_VALIDITY_DAYS:
        raise UsageError(
            f"{days} is out of range; give 1 to {MAX_VALIDITY_DAYS} days", parameter="validity_days"
        )
    start = datetime.now(UTC).replace(microsecond=0)
    return start, start + timedelta(days=days)


def build_certificate(
    *,
    subject: x509.Name,
    public_key: object,
    issuer: x509.Name,
    signer: CertificateIssuerPrivateKeyTypes,
    validity_days: int,
    extensions: Extensions,
    issuer_certificate: x509.Certificate | None = None,
) -> Certificate:
    """A v3 certificate with keytool's default extensions (SKI; AKI when issued by another
    key) and the requested ones."""
    from cryptography import x509

    start, end = _validity(validity_days)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public_key),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if issuer_certificate is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer_certificate.public_key()  # type: ignore[arg-type]
            ),
            critical=False,
        )
    if extensions.ca:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
    if extensions.sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(parse_sans(extensions.sans)), critical=False
        )
    usage = _key_usage(extensions.key_usage, extensions.ca)
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    extended = _ext_key_usage(extensions.ext_key_usage)
    if extended is not None:
        builder = builder.add_extension(extended, critical=False)
    return Certificate.from_x509(builder.sign(signer, signature_hash(signer)))  # type: ignore[arg-type]


def genkeypair(
    target: StoreTarget,
    alias: str,
    *,
    dname: str,
    key: KeySpec = KeySpec(),
    validity_days: int = 90,
    extensions: Extensions = Extensions(),
) -> GenKeyResult:
    """A new key pair with a self-signed certificate, added as ``alias`` (the store is created
    when missing). An existing alias is a :class:`ConflictError`, as in keytool."""
    from keystore_tool.certfiles import pkcs8_der

    subject = parse_dname(dname)
    # Everything the user typed is checked before the (slow) key generation.
    parse_sans(extensions.sans)
    _key_usage(extensions.key_usage, extensions.ca)
    _ext_key_usage(extensions.ext_key_usage)
    _validity(validity_days)
    private_key = generate_private_key(key)
    certificate = build_certificate(
        subject=subject,
        public_key=private_key.public_key(),
        issuer=subject,
        signer=private_key,
        validity_days=validity_days,
        extensions=extensions,
    )
    entry = PrivateKeyEntry(
        alias=alias,
        chain=[certificate],
        private_key=pkcs8_der(private_key, "the new key"),
        created=datetime.now(UTC),
    )

    def change(store: StoreChange) -> tuple[None, bool]:
        keystore = store.keystore
        if alias in keystore:
            raise ConflictError(
                f"alias '{alias}' already exists", remedy=Remedy.DELETE_OR_OTHER_ALIAS, alias=alias
            )
        keystore.add(entry)
        return None, True

    result = GenKeyResult(target.path, alias, entry)
    _, result.outcome = update_store(target, change, create=True)
    return result


def key_entry(keystore: Keystore, alias: str) -> PrivateKeyEntry:
    entry = keystore[alias]
    if not isinstance(entry, PrivateKeyEntry):
        raise UsageError(f"entry '{entry.alias}' is a {entry.kind}, not a private-key entry")
    return entry


def certreq(entry: PrivateKeyEntry, *, dname: str | None = None, sans: Sequence[str] = ()) -> bytes:
    """A PEM PKCS#10 request signed by the entry's key; subject and SANs are the leaf
    certificate's unless ``dname``/``sans`` say otherwise."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    signer = entry.load_private_key()
    leaf = entry.leaf
    subject = parse_dname(dname) if dname else (leaf.x509.subject if leaf else None)
    if subject is None:
        raise UsageError(
            f"entry '{entry.alias}' has no certificate",
            remedy=Remedy.GIVE_SUBJECT,
            alias=entry.alias,
        )
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(parse_sans(sans)), critical=False
        )
    elif leaf is not None:
        try:
            existing = leaf.x509.extensions.get_extension_for_class(x509.SubjectAlternativeName)
            builder = builder.add_extension(existing.value, critical=existing.critical)
        except x509.ExtensionNotFound:
            pass
    csr = builder.sign(signer, signature_hash(signer))  # type: ignore[arg-type]
    return csr.public_bytes(Encoding.PEM)


def read_csr(data: bytes, source: str) -> x509.CertificateSigningRequest:
    from cryptography import x509

    from keystore_tool.certfiles import CSR_LABELS, has_pem_armour, pem_blocks

    der = data
    if has_pem_armour(data):
        blocks = [b for b in pem_blocks(data, source) if b.label in CSR_LABELS]
        if len(blocks) != 1:
            raise FormatError(f"{source} holds no certificate request (or several)")
        der = blocks[0].der
    try:
        csr = x509.load_der_x509_csr(der)
        valid = csr.is_signature_valid
    except ValueError as exc:
        raise FormatError(f"{source} is not a PKCS#10 certificate request ({exc})") from exc
    if not valid:
        raise FormatError(f"the signature of the request in {source} is wrong; it was altered")
    return csr


def gencert(
    issuer: PrivateKeyEntry,
    csr: x509.CertificateSigningRequest,
    *,
    validity_days: int = 90,
    extensions: Extensions = Extensions(),
    dname: str | None = None,
) -> IssuedCertificate:
    """Signs ``csr`` with the issuer entry's key. SANs come from ``extensions`` or else from
    the request; nothing else the requester asked for is copied (a CA decides the rest)."""
    from dataclasses import replace

    from cryptography import x509

    signer = issuer.load_private_key()
    if issuer.leaf is None:
        raise UsageError(f"entry '{issuer.alias}' has no certificate to sign with")
    issuer_cert = issuer.leaf.x509
    wanted = extensions
    if not wanted.sans:
        try:
            requested = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
            wanted = replace(wanted, sans=tuple(san_text(n) for n in requested.value))
        except x509.ExtensionNotFound:
            pass
    certificate = build_certificate(
        subject=parse_dname(dname) if dname else csr.subject,
        public_key=csr.public_key(),
        issuer=issuer_cert.subject,
        signer=signer,  # type: ignore[arg-type]
        validity_days=validity_days,
        extensions=wanted,
        issuer_certificate=issuer_cert,
    )
    return IssuedCertificate(certificate, list(issuer.chain))
