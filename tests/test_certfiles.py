"""Reading certificate and key inputs: every encoding in, the right refusal for the wrong thing."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from keystore_tool.certfiles import read_certificates, read_private_key
from keystore_tool.cli.errors import message
from keystore_tool.errors import FormatError, PasswordError
from keystore_tool.password import Password
from tests.certs import Issued, issue

ROOT = issue("root", ca=True, key_kind="ec")
INTER = issue("inter", issuer=ROOT, ca=True, key_kind="ec")
LEAF = issue("leaf.example", issuer=INTER)


def ders(certs: list[Issued]) -> list[bytes]:
    return [c.der for c in certs]


def test_pem_bundle_keeps_file_order_and_ignores_text_between_blocks() -> None:
    data = (
        b"Bag Attributes\n    friendlyName: leaf\nsubject=CN = leaf.example\n"
        + LEAF.pem
        + b"Certificate:\n    Data:\n        Version: 3 (0x2)\n"
        + INTER.pem
        + b"\n\n"
        + ROOT.pem.replace(b"\n", b"\r\n")
    )
    certs = read_certificates(data, "bundle.pem")
    assert [c.der for c in certs] == ders([LEAF, INTER, ROOT])


def test_der_certificate() -> None:
    assert [c.der for c in read_certificates(LEAF.der, "leaf.der")] == [LEAF.der]


def test_x509_and_trusted_certificate_labels() -> None:
    body = LEAF.pem.split(b"\n", 1)[1].rsplit(b"-----END", 1)[0]
    x509_block = b"-----BEGIN X509 CERTIFICATE-----\n" + body + b"-----END X509 CERTIFICATE-----\n"
    assert [c.der for c in read_certificates(x509_block, "x")] == [LEAF.der]


@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_pkcs7_bundle(encoding: serialization.Encoding) -> None:
    data = pkcs7.serialize_certificates([LEAF.cert, INTER.cert], encoding)
    # cryptography writes the SET OF in DER order; openssl's order is checked in interop.
    assert sorted(c.der for c in read_certificates(data, "chain.p7b")) == sorted(
        ders([LEAF, INTER])
    )


def test_pkcs7_armoured_as_certificate() -> None:
    der = pkcs7.serialize_certificates([ROOT.cert], serialization.Encoding.DER)
    import base64

    armoured = (
        b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + b"-----END CERTIFICATE-----\n"
    )
    assert [c.der for c in read_certificates(armoured, "x")] == [ROOT.der]


def test_combined_certificate_and_key_file_yields_the_certificates() -> None:
    data = LEAF.key_pem() + LEAF.pem
    assert [c.der for c in read_certificates(data, "combined.pem")] == [LEAF.der]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"   \n", "is empty"),
        (LEAF.key_pem(), "contains a private key, not a certificate"),
        (LEAF.key_pkcs8_der(), "contains a private key, not a certificate"),
        (b"hello world, not a certificate", "neither PEM nor DER"),
        (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not a valid X.509"),
        (b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "not valid base64"),
        (b"-----BEGIN CERTIFICATE-----\nMIIB\n", "no END line"),
        (b"-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n", "holds no certificate"),
    ],
)
def test_refusals_name_the_source(data: bytes, message: str) -> None:
    with pytest.raises(FormatError) as info:
        read_certificates(data, "input.pem")
    assert message in str(info.value)
    assert "input.pem" in str(info.value)
    assert "\n" not in str(info.value)


def _csr() -> x509.CertificateSigningRequest:
    return (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "req")]))
        .sign(LEAF.key, hashes.SHA256())  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_csr_is_refused_with_advice(encoding: serialization.Encoding) -> None:
    with pytest.raises(
        FormatError,
        match="is a certificate signing request, not a certificate; have it signed first",
    ):
        read_certificates(_csr().public_bytes(encoding), "req.csr")


def test_truncated_der_is_refused_at_every_length() -> None:
    for length in range(0, len(LEAF.der) - 1, 37):
        with pytest.raises(FormatError):
            read_certificates(LEAF.der[:length] or b"\x00", "cut.der")


def test_the_system_ca_bundle_reads_whole() -> None:
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if not bundle.exists():
        pytest.skip("no system CA bundle")
    data = bundle.read_bytes()
    certs = read_certificates(data, "ca-certificates.crt")
    assert len(certs) == data.count(b"-----BEGIN CERTIFICATE-----")


# --------------------------------------------------------------------------- keys


def _pkcs8(issued: Issued) -> bytes:
    return issued.key_pkcs8_der()


@pytest.mark.parametrize(
    "fmt",
    [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL],
)
@pytest.mark.parametrize("issued", [LEAF, ROOT], ids=["rsa", "ec"])
def test_plain_keys_pem_and_der(issued: Issued, fmt: serialization.PrivateFormat) -> None:
    for encoding in (serialization.Encoding.PEM, serialization.Encoding.DER):
        data = issued.key.private_bytes(encoding, fmt, serialization.NoEncryption())
        assert read_private_key(data, "key", None) == _pkcs8(issued)


def test_ed25519_key() -> None:
    ed = issue("ed", key_kind="ed25519")
    assert read_private_key(ed.key_pem(), "k", None) == _pkcs8(ed)


def test_encrypted_pkcs8_with_and_without_password() -> None:
    data = LEAF.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"s3cret"),
    )
    assert read_private_key(data, "k.pem", Password("s3cret")) == _pkcs8(LEAF)
    with pytest.raises(PasswordError) as missing:
        read_private_key(data, "k.pem", None)
    assert "is encrypted; give its password with --key-pass" in message(missing.value)
    with pytest.raises(PasswordError, match=r"wrong password for the key in k.pem") as info:
        read_private_key(data, "k.pem", Password("nope"))
    assert "nope" not in str(info.value)
    assert info.value.exit_code == 3


def test_empty_password_is_a_password() -> None:
    from keystore_tool.formats.pem import encrypt_pkcs8

    der = encrypt_pkcs8(_pkcs8(ROOT), Password(""), 1000)
    assert read_private_key(der, "k.der", Password("")) == _pkcs8(ROOT)
    with pytest.raises(PasswordError):
        read_private_key(der, "k.der", None)


def test_absurd_iteration_count_is_refused_before_deriving(request: pytest.FixtureRequest) -> None:
    from keystore_tool.formats.pem import encrypt_pkcs8

    der = encrypt_pkcs8(_pkcs8(ROOT), Password("x"), 1000)
    assert read_private_key(_reencode_iterations(der, 1000), "k", Password("x")) == _pkcs8(ROOT)
    request.getfixturevalue("no_key_derivation")
    with pytest.raises(FormatError, match="above the limit"):
        read_private_key(_reencode_iterations(der, 50_000_000), "k", Password("x"))


def _reencode_iterations(der: bytes, iterations: int) -> bytes:
    """The same EncryptedPrivateKeyInfo with another PBKDF2 iteration count."""
    from pyasn1.codec.der import decoder, encoder
    from pyasn1.type import univ

    decoded, _ = decoder.decode(der)
    kdf_params = decoded[0][1][0][1]
    kdf_params[1] = univ.Integer(iterations)
    return bytes(encoder.encode(decoded))


def test_certificate_given_as_key_is_refused() -> None:
    for data in (LEAF.pem, LEAF.der):
        with pytest.raises(FormatError) as info:
            read_private_key(data, "cert.pem", None)
        assert "contains a certificate, not a private key; give it with --cert" in message(
            info.value
        )


@pytest.mark.parametrize(
    "data", [b"", b"garbage", b"-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n"]
)
def test_garbage_and_empty_keys_are_refused(data: bytes) -> None:
    with pytest.raises(FormatError):
        read_private_key(data, "k", None)


def test_two_keys_in_one_file_are_refused() -> None:
    with pytest.raises(FormatError, match="2 private keys"):
        read_private_key(LEAF.key_pem() + ROOT.key_pem(), "k", None)
