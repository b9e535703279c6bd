"""Java's trust rules (``keystore_tool.javatrust``), each proven on certificates minted here:
anchors, path building, validity, algorithm and CA constraints, host names with wildcards and
the CN fallback. Pure functions: no file, no socket, no JVM."""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.x509.oid import NameOID

from keystore_tool.errors import Remedy
from keystore_tool.javatrust import (
    Refusal,
    build_path,
    check_links,
    display_name,
    hostname_problem,
    is_ip_literal,
    java_anchors,
    wildcard_matches,
)
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry
from tests.certs import NOW, issue

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Minted:
    """A certificate and the key that signs what it issues."""

    def __init__(self, cert: x509.Certificate, key: CertificateIssuerPrivateKeyTypes) -> None:
        self.x509 = cert
        self.key = key
        self.cert = Certificate(cert.public_bytes(serialization.Encoding.DER))


_UNSET = object()


def mint(
    cn: str | None,
    issuer: Minted | None = None,
    *,
    ca: bool | None = False,
    cert_sign: bool | None = None,
    sans: list[str] | None = None,
    extra_cns: tuple[str, ...] = (),
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    algorithm: hashes.HashAlgorithm | None = None,
    public_key: CertificatePublicKeyTypes | None = None,
    key: CertificateIssuerPrivateKeyTypes | None = None,
) -> Minted:
    """``ca=None``: no basic constraints at all; ``cert_sign``: a key usage with (True) or
    without (False) keyCertSign, ``None`` none; ``algorithm`` MD5 is signed by hand."""
    own = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, c) for c in (*extra_cns, cn) if c]
    name = x509.Name(attributes)
    signer = issuer.key if issuer else own
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.x509.subject if issuer else name)
        .public_key(public_key or own.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=1))
        .not_valid_after(not_after or NOW + dt.timedelta(days=30))
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
    if cert_sign is not None:
        builder = builder.add_extension(_key_usage(cert_sign), critical=True)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(_names(sans)), False)
    if isinstance(algorithm, hashes.MD5 | hashes.SHA1):
        return Minted(_legacy_signed(builder, signer, algorithm), own)  # type: ignore[arg-type]
    return Minted(builder.sign(signer, algorithm or hashes.SHA256()), own)  # type: ignore[arg-type]


def _key_usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _names(sans: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for san in sans:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(san)))
        except ValueError:
            names.append(x509.DNSName(san))
    return names


# AlgorithmIdentifier DER of sha256WithRSAEncryption and its legacy siblings (same length).
_RSA_SIGNATURES = {
    "sha256": bytes.fromhex("300d06092a864886f70d01010b0500"),
    "md5": bytes.fromhex("300d06092a864886f70d0101040500"),
    "sha1": bytes.fromhex("300d06092a864886f70d0101050500"),
}


def _legacy_signed(
    builder: x509.CertificateBuilder, signer: rsa.RSAPrivateKey, algorithm: hashes.HashAlgorithm
) -> x509.Certificate:
    """cryptography refuses to sign with MD5 or SHA-1: sign with SHA-256, swap the algorithm
    identifiers, and sign the new to-be-signed part with the legacy hash by hand."""
    der = builder.sign(signer, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    assert der.count(_RSA_SIGNATURES["sha256"]) == 2
    swapped = der.replace(_RSA_SIGNATURES["sha256"], _RSA_SIGNATURES[algorithm.name])
    tbs = x509.load_der_x509_certificate(swapped).tbs_certificate_bytes
    signature = signer.sign(tbs, padding.PKCS1v15(), algorithm)
    return x509.load_der_x509_certificate(swapped[: -len(signature)] + signature)


def _small_rsa_public_key(bits: int) -> rsa.RSAPublicKey:
    """An RSA public key below what cryptography will generate (a modulus of two primes)."""

    def prime(size: int) -> int:
        while True:
            candidate = secrets.randbits(size) | (1 << (size - 1)) | 1
            if all(pow(a, candidate - 1, candidate) == 1 for a in (2, 3, 5, 7, 11, 13, 17)):
                return candidate

    return rsa.RSAPublicNumbers(65537, prime(bits // 2) * prime(bits // 2)).public_key()


@pytest.fixture(scope="module")
def root() -> Minted:
    return mint("Trust Root", ca=True, cert_sign=True)


@pytest.fixture(scope="module")
def inter(root: Minted) -> Minted:
    return mint("Trust Intermediate", root, ca=True, cert_sign=True)


@pytest.fixture(scope="module")
def leaf(inter: Minted) -> Minted:
    return mint("localhost", inter, sans=["localhost", "127.0.0.1"])


def certs(*minted: Minted) -> list[Certificate]:
    return [m.cert for m in minted]


# --- anchors -----------------------------------------------------------------------------------


def test_anchors_are_trusted_entries_and_the_leaf_of_each_key_entry_once() -> None:
    ca, other = issue("Anchor CA", ca=True), issue("Key Leaf")
    ca_cert, key_leaf = Certificate(ca.der), Certificate(other.der)
    store = Keystore(
        [
            TrustedCertificateEntry(alias="ca", certificate=ca_cert),
            PrivateKeyEntry(alias="k", chain=[key_leaf, ca_cert], private_key=b"\x30\x00"),
            TrustedCertificateEntry(alias="ca-again", certificate=ca_cert),
            PrivateKeyEntry(alias="bare", chain=[], private_key=b"\x30\x00"),
        ]
    )
    assert [c.der for c in java_anchors(store)] == [ca_cert.der, key_leaf.der]


def test_no_anchor_at_all_is_javas_empty_trust_anchors_error(leaf: Minted, inter: Minted) -> None:
    found = build_path(certs(leaf, inter), [])
    assert found.anchor is None and found.path == []
    assert found.reason == (
        "the truststore holds no trusted certificate (Java fails with 'the trustAnchors "
        "parameter must be non-empty')"
    )


# --- path building -----------------------------------------------------------------------------


def test_a_chain_to_a_root_anchor_is_trusted(leaf: Minted, inter: Minted, root: Minted) -> None:
    found = build_path(certs(leaf, inter), certs(root))
    assert found.refusal is None and found.reason is None
    assert [c.der for c in found.path] == [leaf.cert.der, inter.cert.der]
    assert found.anchor is not None and found.anchor.der == root.cert.der


def test_presented_certificates_are_linked_in_any_order(
    leaf: Minted, inter: Minted, root: Minted
) -> None:
    second = mint("Second Intermediate", inter, ca=True)
    deep = mint("deep.example", second, sans=["deep.example"])
    found = build_path(certs(deep, inter, second), certs(root))
    assert found.reason is None
    assert [c.der for c in found.path] == [deep.cert.der, second.cert.der, inter.cert.der]


def test_an_intermediate_in_the_truststore_anchors_the_chain(
    leaf: Minted, inter: Minted, root: Minted
) -> None:
    found = build_path(certs(leaf, inter, root), certs(inter))
    assert found.reason is None
    assert [c.der for c in found.path] == [leaf.cert.der]
    assert found.anchor is not None and found.anchor.der == inter.cert.der


def test_a_trusted_leaf_needs_nothing_more_not_even_validity(root: Minted) -> None:
    expired = mint("localhost", root, not_after=NOW - dt.timedelta(days=1))
    found = build_path(certs(expired), certs(expired))
    assert found.reason is None and found.path == []


def test_an_anchor_is_the_same_subject_and_key_even_in_other_der(
    leaf: Minted, inter: Minted, root: Minted
) -> None:
    reissued = mint("Trust Intermediate", root, ca=True, key=inter.key)
    assert reissued.cert.der != inter.cert.der
    found = build_path(certs(leaf, inter), certs(reissued))
    assert found.reason is None
    assert found.anchor is not None and found.anchor.der == reissued.cert.der


def test_same_subject_other_key_is_not_an_anchor(leaf: Minted, inter: Minted) -> None:
    impostor = mint("Trust Intermediate", ca=True)
    found = build_path(certs(leaf, inter), certs(impostor))
    assert found.anchor is None and found.refusal is not None


def test_an_intermediate_the_server_does_not_send_breaks_the_path(
    leaf: Minted, root: Minted
) -> None:
    found = build_path(certs(leaf), certs(root))
    assert found.anchor is None
    assert found.refusal == Refusal(
        "the truststore holds no certificate that anchors the server's chain: it ends at "
        "'CN=localhost', issued by 'CN=Trust Intermediate', which the truststore lacks",
        Remedy.IMPORT_FROM_SERVER,
        remedy_aside=True,
    )
    assert found.reason is not None and found.reason.endswith(
        "lacks (import that CA, or the server's root-most certificate)"
    )


def test_a_certificate_not_signed_by_its_named_issuer_does_not_link(
    inter: Minted, root: Minted
) -> None:
    forged_issuer = mint("Trust Intermediate", ca=True)
    forged = mint("localhost", forged_issuer)
    found = build_path(certs(forged, inter), certs(root))
    assert found.anchor is None and "it ends at 'CN=localhost'" in str(found.reason)


def test_a_bad_signature_below_a_presented_anchor_is_refused(inter: Minted) -> None:
    forged = mint("localhost", mint("Trust Intermediate", ca=True))
    found = build_path(certs(forged, inter), certs(inter))
    assert found.reason == "the signature of 'CN=localhost' does not verify with its issuer's key"


# --- validity ----------------------------------------------------------------------------------


def test_an_expired_leaf_is_refused_with_its_date(inter: Minted, root: Minted) -> None:
    end = NOW - dt.timedelta(days=2)
    expired = mint("localhost", inter, not_before=NOW - dt.timedelta(days=9), not_after=end)
    found = build_path(certs(expired, inter), certs(root))
    assert found.reason == f"the certificate 'CN=localhost' expired on {end:%Y-%m-%d %H:%M:%S} UTC"


def test_a_not_yet_valid_leaf_is_refused_with_its_date(inter: Minted, root: Minted) -> None:
    start = NOW + dt.timedelta(days=2)
    early = mint("localhost", inter, not_before=start, not_after=NOW + dt.timedelta(days=9))
    found = build_path(certs(early, inter), certs(root))
    assert found.reason == (
        f"the certificate 'CN=localhost' is not valid before {start:%Y-%m-%d %H:%M:%S} UTC"
    )


def test_an_expired_intermediate_is_refused(root: Minted) -> None:
    old = mint("Old Intermediate", root, ca=True, not_after=NOW - dt.timedelta(hours=1))
    below = mint("localhost", old)
    found = build_path(certs(below, old), certs(root))
    assert str(found.reason).startswith("the certificate 'CN=Old Intermediate' expired on ")


def test_an_expired_anchor_is_not_judged(leaf: Minted, inter: Minted) -> None:
    old_root = mint("Old Root", ca=True, not_after=NOW - dt.timedelta(days=1))
    below = mint("Young Intermediate", old_root, ca=True)
    young = mint("localhost", below)
    assert build_path(certs(young, below), certs(old_root)).reason is None


def test_the_moment_of_the_check_can_be_given(leaf: Minted, inter: Minted, root: Minted) -> None:
    later = NOW + dt.timedelta(days=400)
    assert "expired on" in str(build_path(certs(leaf, inter), certs(root), now=later).reason)
    assert check_links(certs(leaf, inter), root.cert, now=NOW) is None


# --- algorithms --------------------------------------------------------------------------------


def test_an_md5_signature_is_refused_for_its_hash(inter: Minted, root: Minted) -> None:
    md5 = mint("localhost", inter, algorithm=hashes.MD5())
    assert md5.x509.signature_hash_algorithm is not None
    assert md5.x509.signature_hash_algorithm.name == "md5"
    found = build_path(certs(md5, inter), certs(root))
    assert found.reason == "the certificate 'CN=localhost' is signed with MD5, which Java refuses"


def test_an_md5_signed_intermediate_is_refused_too(root: Minted) -> None:
    md5_inter = mint("MD5 Intermediate", root, ca=True, algorithm=hashes.MD5())
    below = mint("localhost", md5_inter)
    found = build_path(certs(below, md5_inter), certs(root))
    assert found.reason == (
        "the certificate 'CN=MD5 Intermediate' is signed with MD5, which Java refuses"
    )


def test_sha1_is_refused_only_for_the_jdks_own_cas_so_a_private_chain_passes(
    inter: Minted, root: Minted
) -> None:
    sha1 = mint("localhost", inter, algorithm=hashes.SHA1())
    sha1_inter = mint("SHA-1 Intermediate", root, ca=True, algorithm=hashes.SHA1())
    below = mint("localhost", sha1_inter)
    assert build_path(certs(sha1, inter), certs(root)).reason is None
    assert build_path(certs(below, sha1_inter), certs(root)).reason is None


def test_a_sha1_signature_still_has_to_verify(inter: Minted, root: Minted) -> None:
    forged = mint("localhost", mint("Trust Intermediate", ca=True), algorithm=hashes.SHA1())
    assert "does not verify" in str(build_path(certs(forged, inter), certs(inter)).reason)
    assert build_path(certs(forged, inter), certs(root)).anchor is None


def test_an_rsa_key_below_1024_bits_is_refused(inter: Minted, root: Minted) -> None:
    small = mint("localhost", inter, public_key=_small_rsa_public_key(512))
    bits = small.x509.public_key().key_size  # type: ignore[union-attr]
    assert bits < 1024
    found = build_path(certs(small, inter), certs(root))
    assert found.reason == (
        f"the certificate 'CN=localhost' has a {bits}-bit RSA key, which Java refuses"
    )


def test_a_1024_bit_rsa_key_is_accepted(inter: Minted, root: Minted) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    accepted = mint("localhost", inter, public_key=key.public_key())
    assert build_path(certs(accepted, inter), certs(root)).reason is None


# --- CA constraints ----------------------------------------------------------------------------


@pytest.mark.parametrize("ca", [False, None], ids=["ca-false", "no-basic-constraints"])
def test_an_issuer_that_is_not_a_ca_is_refused(root: Minted, ca: bool | None) -> None:
    not_ca = mint("Not A CA", root, ca=ca)
    below = mint("localhost", not_ca)
    found = build_path(certs(below, not_ca), certs(root))
    assert found.reason == "'CN=Not A CA' signs another certificate but is not a CA certificate"


def test_an_issuer_whose_key_usage_lacks_keycertsign_is_refused(root: Minted) -> None:
    no_sign = mint("No Sign CA", root, ca=True, cert_sign=False)
    below = mint("localhost", no_sign)
    found = build_path(certs(below, no_sign), certs(root))
    assert found.reason == (
        "'CN=No Sign CA' signs another certificate but its key usage lacks keyCertSign"
    )


def test_a_ca_without_key_usage_may_sign(root: Minted) -> None:
    plain_ca = mint("Plain CA", root, ca=True, cert_sign=None)
    below = mint("localhost", plain_ca)
    assert build_path(certs(below, plain_ca), certs(root)).reason is None


def test_the_anchor_need_not_be_a_ca() -> None:
    anchor = mint("Non-CA Anchor", ca=False)
    below = mint("localhost", anchor)
    assert build_path(certs(below), certs(anchor)).reason is None


# --- refusals ----------------------------------------------------------------------------------


def test_a_refusal_words_its_remedy_in_the_callers_words() -> None:
    semicolon = Refusal("no password", Remedy.TRUSTSTORE_PASSWORD)
    aside = Refusal("no CA", Remedy.IMPORT_FROM_SERVER, remedy_aside=True)
    assert str(semicolon) == "no password; give the truststore's password"
    assert semicolon.text(lambda r: "give --truststorepass") == "no password; give --truststorepass"
    assert aside.text(lambda r: r.name) == "no CA (IMPORT_FROM_SERVER)"
    assert Refusal("plain").text(lambda r: "unused") == "plain"


def test_a_certificate_without_subject_is_named_by_fingerprint(root: Minted) -> None:
    nameless = mint(None, root)
    assert display_name(nameless.cert) == f"SHA-256 {nameless.cert.sha256_hex}"


# --- host names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "template", "matches"),
    [
        ("apm.example.com", "apm.example.com", True),
        ("APM.Example.COM", "apm.example.com", True),
        ("apm.example.com.", "apm.example.com", True),
        ("apm.example.com", "*.example.com", True),
        ("a.b.example.com", "*.example.com", False),  # one label only
        ("example.com", "*.example.com", False),  # the wildcard is not the bare domain
        ("foo.example.com", "f*.example.com", True),  # part of the left-most label
        ("bar.example.com", "f*.example.com", False),
        ("foo.example.com", "*o.example.com", True),
        ("www.a.example.com", "www.*.example.com", False),  # not beyond the left-most label
        ("apm.example.com", "*", False),
        ("apm.", "*.", False),
        ("foo", "f*", False),  # a wildcard needs a dot after it
        ("example.com", "*.com", True),  # private CAs: Java checks public suffixes only for cacerts
        ("fxo.example.com", "f?o.example.com", False),  # ? and [ are no wildcards
        ("f?o.example.com", "f?o.example.com", True),
        ("f[a]o.example.com", "f[a]*.example.com", True),
        ("fao.example.com", "f[a]*.example.com", False),
    ],
)
def test_wildcards_follow_javas_hostname_checker(name: str, template: str, matches: bool) -> None:
    assert wildcard_matches(name, template) is matches


def _host(leaf: Minted, host: str) -> str | None:
    refusal = hostname_problem(host, leaf.cert)
    return None if refusal is None else refusal.text()


def test_a_dns_san_names_the_host(root: Minted) -> None:
    named = mint("ignored", root, sans=["apm.example.com", "*.apm.example.com"])
    assert _host(named, "apm.example.com") is None
    assert _host(named, "eu.apm.example.com") is None
    assert _host(named, "other.example.com") == (
        "the server certificate does not name the host 'other.example.com' (it names "
        "DNS:apm.example.com, DNS:*.apm.example.com); connect by a name it carries, or "
        "reissue it with a matching DNS SAN"
    )


def test_an_ip_literal_needs_an_ip_address_san(root: Minted) -> None:
    named = mint("127.0.0.1", root, sans=["localhost", "127.0.0.1", "::1"])
    assert _host(named, "127.0.0.1") is None
    assert _host(named, "0:0:0:0:0:0:0:1") is None  # the same address, spelled out
    assert _host(named, "10.0.0.1") == (
        "the server certificate does not name the IP address 10.0.0.1 (it names "
        "DNS:localhost, IP:127.0.0.1, IP:::1); connect by a name it carries, or reissue it "
        "with that IP address SAN"
    )


def test_an_ip_literal_never_falls_back_to_the_cn(root: Minted) -> None:
    cn_only = mint("127.0.0.1", root)
    assert "does not name the IP address 127.0.0.1 (it names no names)" in str(
        _host(cn_only, "127.0.0.1")
    )


def test_without_any_dns_san_java_falls_back_to_the_most_specific_cn(root: Minted) -> None:
    cn_only = mint("apm.example.com", root, extra_cns=("ignored.example.com",))
    assert _host(cn_only, "apm.example.com") is None
    assert _host(cn_only, "ignored.example.com") == (
        "the server certificate does not name the host 'ignored.example.com' (it names only "
        "the common name apm.example.com); connect by a name it carries, or reissue it with a "
        "matching DNS SAN"
    )


def test_the_cn_fallback_takes_wildcards_too(root: Minted) -> None:
    assert _host(mint("*.example.com", root), "apm.example.com") is None


def test_ip_sans_alone_leave_the_cn_fallback_for_dns_names(root: Minted) -> None:
    ip_only = mint("apm.example.com", root, sans=["10.1.2.3"])
    assert _host(ip_only, "apm.example.com") is None


def test_a_dns_san_disables_the_cn_fallback(root: Minted) -> None:
    both = mint("apm.example.com", root, sans=["other.example.com"])
    assert "(it names DNS:other.example.com)" in str(_host(both, "apm.example.com"))


def test_no_san_and_no_cn_names_nothing(root: Minted) -> None:
    assert "(it names no names)" in str(_host(mint(None, root), "apm.example.com"))


@pytest.mark.parametrize(
    ("text", "is_ip"), [("127.0.0.1", True), ("::1", True), ("localhost", False), ("1.2.3", False)]
)
def test_ip_literals_are_told_from_names(text: str, is_ip: bool) -> None:
    assert is_ip_literal(text) is is_ip
