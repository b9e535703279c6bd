"""Our minimal TBSCertificate reader agrees with cryptography on every certificate both read
(cryptography judges), and names ML-DSA/ML-KEM key encodings (RFC 9881/9935 forms)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from keystore_tool.errors import FormatError
from keystore_tool.formats import _der
from keystore_tool.tbs import read_tbs
from keystore_tool.x509util import key_encoding

NAMES = [
    [("CN", "plain")],
    [("C", "DE"), ("O", "Acme, Inc."), ("OU", "a+b"), ("CN", " #lead")],
    [("L", "Zürich"), ("ST", 'say "hi"'), ("CN", "trail ")],
]
_OIDS = {
    "CN": NameOID.COMMON_NAME,
    "C": NameOID.COUNTRY_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "L": NameOID.LOCALITY_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
}


@pytest.mark.parametrize("parts", NAMES)
def test_fields_match_cryptography(parts: list[tuple[str, str]]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(_OIDS[k], v) for k, v in parts])
    start = dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "issuer")]))
        .public_key(key.public_key())
        .serial_number(0x1234567890ABCDEF)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=40000))  # GeneralizedTime after 2049
        .sign(key, hashes.SHA256())
    )
    fields = read_tbs(cert.public_bytes(Encoding.DER))
    assert fields.subject == cert.subject.rfc4514_string()
    assert fields.issuer == cert.issuer.rfc4514_string()
    assert fields.serial == cert.serial_number
    assert fields.not_before == cert.not_valid_before_utc
    assert fields.not_after == cert.not_valid_after_utc


def test_a_sequence_that_is_no_certificate_is_refused() -> None:
    with pytest.raises(FormatError):
        read_tbs(_der.seq(_der.encode_integer(1)))


def _ml_dsa_pkcs8(private_key: bytes) -> bytes:
    return _der.seq(
        _der.encode_integer(0),
        _der.algorithm_identifier("2.16.840.1.101.3.4.3.18", None),
        _der.octet_string(private_key),
    )


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        (_der.tlv(0x80, bytes(32)), "seed"),
        (_der.octet_string(bytes(4032)), "expanded"),
        (_der.seq(_der.octet_string(bytes(32)), _der.octet_string(bytes(4032))), "both"),
        (bytes([7]) * 4032, "expanded"),  # JDK 24: the expanded key bare
    ],
)
def test_ml_dsa_private_key_encodings_are_named(inner: bytes, expected: str) -> None:
    assert key_encoding(_ml_dsa_pkcs8(inner)) == expected
