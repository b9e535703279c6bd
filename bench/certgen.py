"""Many distinct, valid X.509 certificates, fast.

One Ed25519 key signs every certificate. The first certificate is built with cryptography's
CertificateBuilder; the rest reuse its TBSCertificate bytes with a fixed-width serial number and
common name substituted in place (same lengths, so no DER length changes), each signed afresh.
That costs one Ed25519 signature (~50 µs) per certificate instead of a builder run (~1 ms), and
the results are ordinary certificates that keytool and cryptography both accept.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

# 12 digits of serial and of CN: wide enough for a million certificates, never changing length.
_WIDTH = 12
_SERIAL_BASE = 0x7100_0000_0000_0000_0000_0000  # fixed top byte keeps the DER integer's length
_CN_PREFIX = "bench-"


def _der_length(data: bytes, pos: int) -> tuple[int, int]:
    """(length, offset of the content) of the TLV whose length octets start at ``pos``."""
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    n = first & 0x7F
    return int.from_bytes(data[pos + 1 : pos + 1 + n], "big"), pos + 1 + n


def _encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _sequence(content: bytes) -> bytes:
    return b"\x30" + _encode_length(len(content)) + content


def certificates(count: int, prefix: str = _CN_PREFIX) -> Iterator[bytes]:
    """``count`` distinct self-signed Ed25519 certificates as DER, CN ``<prefix><n:012d>``."""
    key = Ed25519PrivateKey.generate()
    marker_serial = _SERIAL_BASE
    marker_cn = f"{prefix}{'0' * _WIDTH}"
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, marker_cn)])
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    template = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(marker_serial)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, None)
    )
    der = template.public_bytes(Encoding.DER)
    # Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
    _, body = _der_length(der, 1)
    tbs_len, tbs_content = _der_length(der, body + 1)
    tbs = der[body : tbs_content + tbs_len]
    after_tbs = tbs_content + tbs_len
    algid_len, algid_content = _der_length(der, after_tbs + 1)
    algid = der[after_tbs : algid_content + algid_len]
    serial_bytes = marker_serial.to_bytes(12, "big")
    cn_bytes = marker_cn.encode()
    serial_at = tbs.index(serial_bytes)
    # The CN occurs twice (issuer and subject); both are replaced.
    first_cn = tbs.index(cn_bytes)
    second_cn = tbs.index(cn_bytes, first_cn + 1)
    pieces = (
        tbs[:serial_at],
        tbs[serial_at + 12 : first_cn],
        tbs[first_cn + len(cn_bytes) : second_cn],
        tbs[second_cn + len(cn_bytes) :],
    )
    for n in range(1, count + 1):
        serial = (marker_serial + n).to_bytes(12, "big")
        cn = f"{prefix}{n:0{_WIDTH}d}".encode()
        new_tbs = pieces[0] + serial + pieces[1] + cn + pieces[2] + cn + pieces[3]
        signature = key.sign(new_tbs)
        bit_string = b"\x03" + _encode_length(len(signature) + 1) + b"\x00" + signature
        yield _sequence(new_tbs + algid + bit_string)
