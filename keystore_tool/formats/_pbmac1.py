"""PBMAC1 (RFC 9579, with its errata): a PFX's integrity check as an HMAC keyed by PBKDF2 over
the UTF-8 password, which JDK 26+ and OpenSSL 3.4+ read and write."""

from __future__ import annotations

from dataclasses import dataclass

from keystore_tool.errors import FormatError, UnsupportedError
from keystore_tool.formats import _der, _pbe

PBMAC1 = "1.2.840.113549.1.5.14"
# RFC 9579: keyLength is required; an HMAC key shorter than this is refused (it would make the
# MAC a guessable few bytes, and no real writer uses one).
PBMAC1_MIN_KEY_LENGTH = 20
PBMAC1_MAX_KEY_LENGTH = 64


@dataclass(frozen=True)
class Pbmac1:
    """A PBMAC1 MAC's parameters: PBKDF2 (salt, iterations, key length, PRF) and the HMAC."""

    salt: bytes
    iterations: int
    key_length: int
    prf: str
    hmac: str

    def describe(self) -> str:
        return (
            f"PBMAC1 (HMAC-{self.hmac.upper()}, PBKDF2-HMAC-{self.prf.upper()}), "
            f"{self.iterations} iterations"
        )


def parse_pbmac1(data: bytes, params: _der.Tlv) -> Pbmac1:
    """The PBMAC1-params at ``params`` of ``data``, checked: PBKDF2 only, a keyLength present
    and sane, known PRF and HMAC. The iteration count is not charged here."""
    what = "PBMAC1 parameters"
    items = _der.sequence_items(data, params, what, 2)
    kdf = _der.sequence_items(data, items[0], what, 2)
    if _der.oid(data, kdf[0], what) != _pbe.PBKDF2:
        raise UnsupportedError("the store's PBMAC1 integrity check uses a KDF other than PBKDF2")
    kdf_params = _der.sequence_items(data, kdf[1], what, 2)
    salt = _der.octets(data, kdf_params[0], what)
    iterations = _der.integer(data, kdf_params[1], what)
    key_length: int | None = None
    prf = "sha1"
    for extra in kdf_params[2:]:
        if extra.tag == _der.INTEGER:
            key_length = _der.integer(data, extra, what)
        elif extra.tag == _der.SEQUENCE:
            prf_oid = _der.oid(data, _der.sequence_items(data, extra, what, 1)[0], what)
            if prf_oid not in _pbe.PRF_BY_OID:
                raise UnsupportedError(f"the store's PBMAC1 uses an unsupported PRF ({prf_oid})")
            prf = _pbe.PRF_BY_OID[prf_oid]
    if key_length is None:
        raise FormatError("the store's PBMAC1 integrity check lacks its key length (RFC 9579)")
    if not PBMAC1_MIN_KEY_LENGTH <= key_length <= PBMAC1_MAX_KEY_LENGTH:
        raise FormatError(
            f"the store's PBMAC1 integrity check asks for a {key_length}-byte key; "
            f"refusing anything outside {PBMAC1_MIN_KEY_LENGTH}-{PBMAC1_MAX_KEY_LENGTH}"
        )
    scheme = _der.sequence_items(data, items[1], what, 1)
    hmac_oid = _der.oid(data, scheme[0], what)
    if hmac_oid not in _pbe.PRF_BY_OID:
        raise UnsupportedError(f"the store's PBMAC1 uses an unsupported MAC ({hmac_oid})")
    return Pbmac1(salt, iterations, key_length, prf, _pbe.PRF_BY_OID[hmac_oid])


def pbmac1_mac(params: Pbmac1, password: str, data: bytes) -> bytes:
    """HMAC of ``data`` keyed by PBKDF2 over the UTF-8 password (RFC 9579 with its errata).
    The caller has charged ``params.iterations`` to a budget."""
    from cryptography.hazmat.primitives import hmac as crypto_hmac

    key = _pbe.pbkdf2(password, params.salt, params.iterations, params.key_length, params.prf)
    mac = crypto_hmac.HMAC(key, _pbe.hash_algorithm(params.hmac))
    mac.update(data)
    return mac.finalize()


def pbmac1_algorithm(params: Pbmac1) -> bytes:
    """The MacData digestAlgorithm AlgorithmIdentifier DER for ``params``."""
    kdf = _der.algorithm_identifier(
        _pbe.PBKDF2,
        _der.seq(
            _der.octet_string(params.salt),
            _der.encode_integer(params.iterations),
            _der.encode_integer(params.key_length),
            _der.algorithm_identifier(_pbe.PRF_OIDS[params.prf]),
        ),
    )
    return _der.algorithm_identifier(
        PBMAC1, _der.seq(kdf, _der.algorithm_identifier(_pbe.PRF_OIDS[params.hmac]))
    )
