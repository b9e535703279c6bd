"""Reading certificate inputs: PEM (one or many blocks), DER and PKCS#7, in file order.

cryptography is imported inside the functions that need it: only commands that read such
inputs pay for it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from keystore_tool.certfiles.armour import (
    CERTIFICATE_LABELS,
    CSR_LABELS,
    KEY_LABELS,
    PKCS7_LABELS,
    PemBlock,
    has_pem_armour,
    iter_pem_blocks,
)
from keystore_tool.errors import FormatError
from keystore_tool.formats import _der
from keystore_tool.model import Certificate

_OID_PKCS7_SIGNED_DATA = "1.2.840.113549.1.7.2"
_SIGNED_DATA_OID_DER = bytes.fromhex("06092a864886f70d010702")


def _refusal_for_key(source: str) -> FormatError:
    from keystore_tool.errors import KeyInsteadOfCertificateError

    return KeyInsteadOfCertificateError(source)


def _refusal_for_csr(source: str) -> FormatError:
    return FormatError(
        f"{source} is a certificate signing request, not a certificate; "
        "have it signed first and give the signed certificate"
    )


def _checked_certificate(der: bytes, source: str) -> Certificate:
    """A :class:`Certificate` whose DER cryptography accepted (parsing costs ~10 µs and
    caches the object for the fields a command reads next)."""
    try:
        cert = Certificate(der)
        _der.sequence_tags(der, "certificate")
        cert.x509  # noqa: B018 - parsing is the validation
    except FormatError as exc:
        raise FormatError(
            f"{source}: a CERTIFICATE block is not a valid X.509 certificate"
        ) from exc
    return cert


def _pkcs7_certificates(der: bytes, source: str) -> list[Certificate]:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    try:
        with warnings.catch_warnings():
            # openssl writes the certificate SET unsorted (BER); cryptography reads it but warns.
            warnings.filterwarnings("ignore", message="PKCS#7 certificates could not be parsed")
            loaded = pkcs7.load_der_pkcs7_certificates(_der.as_der(der, "PKCS#7 data"))
    except (ValueError, UnsupportedAlgorithm) as exc:
        # UnsupportedAlgorithm: a damaged ContentInfo that no longer says signedData.
        raise FormatError(f"{source}: the PKCS#7 data holds no readable certificates") from exc
    return [Certificate(c.public_bytes(Encoding.DER)) for c in loaded]


def _is_pkcs7(der: bytes) -> bool:
    """A ContentInfo of type signedData: SEQUENCE { OID 1.2.840.113549.1.7.2, [0] … }."""
    if _SIGNED_DATA_OID_DER not in der[:16]:
        return False  # the common case, a certificate, without parsing
    try:
        if _der.is_ber(der):  # as Windows and NSS write a .p7b: indefinite lengths
            if der[0] != _der.SEQUENCE:
                return False
            content_type = _der.read(der, 2, len(der), "PKCS#7 content type")
        else:
            top = _der.read(der, 0, len(der), "PKCS#7 ContentInfo")
            if top.tag != _der.SEQUENCE:
                return False
            content_type = _der.read(der, top.start, top.end, "PKCS#7 content type")
        return (
            content_type.tag == _der.OID
            and _der.oid(der, content_type, "PKCS#7 content type") == _OID_PKCS7_SIGNED_DATA
        )
    except FormatError:
        return False


_quiet_depth = 0


@contextmanager
def quiet_legacy_warnings() -> Iterator[None]:
    """Silences cryptography's deprecation notes on legacy certificates (negative serials in
    real CA bundles): the user can do nothing about them, and Java reads them fine. Nested
    uses cost nothing (a loop over 20,000 certificates enters it once per certificate)."""
    global _quiet_depth
    if _quiet_depth:
        yield
        return
    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        _quiet_depth += 1
        try:
            yield
        finally:
            _quiet_depth -= 1


def read_certificates(data: bytes, source: str) -> list[Certificate]:
    """The certificates in ``data`` (PEM with one or many blocks, DER, or PKCS#7), in file
    order. A file holding certificates and a key yields the certificates (a combined
    cert-and-key file); one holding only a key, a CSR, nothing, or garbage is refused."""
    if not data or data.isspace():  # no copy of a large file
        raise FormatError(f"{source} is empty; expected a certificate (PEM, DER or PKCS#7)")
    with quiet_legacy_warnings():
        if has_pem_armour(data):
            return _certificates_from_pem(data, source)
        return _certificates_from_der(data, source)


def block_certificates(block: PemBlock, source: str) -> list[Certificate]:
    """The certificates of one CERTIFICATE or PKCS7 block (some tools armour a .p7b as
    CERTIFICATE); empty for other labels. Call under :func:`quiet_legacy_warnings`."""
    if block.label in CERTIFICATE_LABELS:
        der = block.der
        if block.label == "TRUSTED CERTIFICATE":
            der = _der.first_element(der, "TRUSTED CERTIFICATE block")
        if _is_pkcs7(der):
            return _pkcs7_certificates(der, source)
        return [_checked_certificate(der, source)]
    if block.label in PKCS7_LABELS:
        return _pkcs7_certificates(block.der, source)
    return []


def _certificates_from_pem(data: bytes, source: str) -> list[Certificate]:
    certs: list[Certificate] = []
    labels: list[str] = []
    for block in iter_pem_blocks(data, source):
        labels.append(block.label)
        certs.extend(block_certificates(block, source))
    if certs:
        return certs
    if any(label in KEY_LABELS or label.endswith("PRIVATE KEY") for label in labels):
        raise _refusal_for_key(source)
    if any(label in CSR_LABELS for label in labels):
        raise _refusal_for_csr(source)
    if labels:
        found = ", ".join(sorted(set(labels)))
        raise FormatError(f"{source} holds no certificate (its PEM blocks are: {found})")
    raise FormatError(f"{source} holds no certificate")


def _certificates_from_der(data: bytes, source: str) -> list[Certificate]:
    der = data
    if _is_pkcs7(der):
        return _pkcs7_certificates(der, source)
    try:
        shape = _der.sequence_tags(_der.first_element(der, "certificate"), "certificate")
    except FormatError as exc:
        raise FormatError(
            f"{source} is neither PEM nor DER; expected a certificate (PEM, DER or PKCS#7)"
        ) from exc
    if shape[:1] == [0x30]:
        try:
            return [_checked_certificate(_der.first_element(der), source)]
        except FormatError:
            if _is_der_csr(der):
                raise _refusal_for_csr(source) from None
            if shape[:2] == [0x30, 0x04]:  # EncryptedPrivateKeyInfo
                raise _refusal_for_key(source) from None
            raise
    if shape[:1] == [0x02] and _is_der_private_key(der):
        raise _refusal_for_key(source)
    raise FormatError(f"{source} is DER but not a certificate; expected PEM, DER or PKCS#7")


def _is_der_csr(der: bytes) -> bool:
    from cryptography import x509

    try:
        x509.load_der_x509_csr(der)
    except ValueError:
        return False
    return True


def _is_der_private_key(der: bytes) -> bool:
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    try:
        load_der_private_key(der, password=None)
    except (ValueError, TypeError):
        return False
    except Exception:  # an unsupported algorithm is still a key
        return True
    return True
