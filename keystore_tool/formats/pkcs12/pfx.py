"""The PFX around the authenticated safe and its integrity check: a MacData keyed by the PKCS#12
KDF (RFC 7292) or by PBMAC1 (RFC 9579), read and written.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from keystore_tool.errors import FormatError, PasswordError, Remedy, UnsupportedError
from keystore_tool.formats import _der, _pbe, _pbmac1
from keystore_tool.formats._limits import KdfBudget
from keystore_tool.formats.pkcs12.oids import OID_DATA

if TYPE_CHECKING:
    from keystore_tool.password import Password


_SALT_LENGTH = 20


@dataclass
class _Pfx:
    auth_safe: bytes  # the bytes the MAC covers
    mac_digest: str | None = None
    mac: bytes = b""
    mac_salt: bytes = b""
    mac_iterations: int = 1
    pbmac1: _pbmac1.Pbmac1 | None = None  # RFC 9579: mac_digest is then "pbmac1"


def _parse_pfx(data: bytes) -> _Pfx:
    what = "PKCS12 header"
    # NSS, Netscape and BouncyCastle write BER; it is read as the DER it stands for. Each
    # OCTET STRING that wraps more structure is normalised where it is opened (below), so
    # the MAC is checked over the bytes as written.
    data = _der.as_der(data, what)
    top = _der.expect(data, 0, len(data), _der.SEQUENCE, what)
    if top.end != len(data):
        raise FormatError("the file has data after the PKCS12 structure; it is damaged")
    items = _der.sequence_items(data, top, what, 2)
    if _der.integer(data, items[0], "PKCS12 version") != 3:
        raise FormatError("the file is not a PKCS12 version 3 keystore")
    content_info = _der.sequence_items(data, items[1], "authenticated safe", 2)
    ctype = _der.oid(data, content_info[0], "authenticated safe")
    if ctype != OID_DATA:
        raise UnsupportedError(
            "the PKCS12 file uses public-key integrity (signedData), which ks does not read"
        )
    if content_info[1].tag != _der.context(0):
        raise FormatError("the file is not a valid keystore (authenticated safe lacks content)")
    inner = _der.read(data, content_info[1].start, content_info[1].end, "authenticated safe")
    pfx = _Pfx(_der.octets(data, inner, "authenticated safe"))
    if len(items) > 2:
        mac_data = _der.sequence_items(data, items[2], "MAC", 2)
        digest_info = _der.sequence_items(data, mac_data[0], "MAC", 2)
        algid = _der.sequence_items(data, digest_info[0], "MAC", 1)
        digest_oid = _der.oid(data, algid[0], "MAC algorithm")
        if digest_oid == _pbmac1.PBMAC1:
            if len(algid) < 2:
                raise FormatError("the store's PBMAC1 integrity check lacks its parameters")
            pfx.pbmac1 = _pbmac1.parse_pbmac1(data, algid[1])
            pfx.mac_digest = "pbmac1"
        elif digest_oid not in _pbe.DIGEST_BY_OID:
            raise UnsupportedError(
                f"the store's integrity check uses an unsupported algorithm ({digest_oid})"
            )
        else:
            pfx.mac_digest = _pbe.DIGEST_BY_OID[digest_oid]
        pfx.mac = _der.octets(data, digest_info[1], "MAC")
        pfx.mac_salt = _der.octets(data, mac_data[1], "MAC salt")
        if len(mac_data) > 2:
            pfx.mac_iterations = _der.integer(data, mac_data[2], "MAC iteration count")
    return pfx


def _check_mac(pfx: _Pfx, password: Password | None, budget: KdfBudget) -> str:
    """The password (as text) that keys the MAC; raises :class:`PasswordError` otherwise."""
    assert pfx.mac_digest is not None
    text = password.reveal() if password is not None else ""
    if pfx.pbmac1 is not None:
        # RFC 9579: MacData's own salt and iterations are not used; PBKDF2's are.
        budget.charge(pfx.pbmac1.iterations, "integrity check (PBMAC1)")
        computed = _pbmac1.pbmac1_mac(pfx.pbmac1, text, pfx.auth_safe)
        if hmac.compare_digest(computed, pfx.mac):
            return text
        raise _mac_refused(password)
    budget.charge(pfx.mac_iterations, "integrity check (MAC)")
    candidates = [_pbe.bmp_password(text)]
    if text == "":
        # OpenSSL keys a MAC made without a password with no bytes at all; Java retries so too.
        candidates.append(b"")
    budget.charge(pfx.mac_iterations, "integrity check (MAC)", len(candidates))
    for candidate in candidates:
        computed = _pbe.pkcs12_mac(
            pfx.auth_safe, candidate, pfx.mac_salt, pfx.mac_iterations, pfx.mac_digest
        )
        if hmac.compare_digest(computed, pfx.mac):
            return text
    raise _mac_refused(password)


def _mac_refused(password: Password | None) -> PasswordError:
    """Why the MAC did not verify: no password was given, or the one given is not the store's
    (or the file was changed)."""
    if password is None:
        return PasswordError(
            "the store is password-protected", password="store", remedy=Remedy.STORE_PASSWORD
        )
    return PasswordError("wrong password or the store's integrity check failed", password="store")


def _pbmac1_mac_data(auth_safe: bytes, text: str, iterations: int) -> bytes:
    """MacData with PBMAC1 (RFC 9579) as OpenSSL 3.4 and JDK 26 read it: HMAC-SHA256 keyed by
    PBKDF2-HMAC-SHA256 (32-byte key) over the UTF-8 password. MacData's own salt is unused by
    the scheme and iterations is left at its DEFAULT of 1."""
    params = _pbmac1.Pbmac1(os.urandom(_SALT_LENGTH), iterations, 32, "sha256", "sha256")
    mac = _pbmac1.pbmac1_mac(params, text, auth_safe)
    digest_info = _der.seq(_pbmac1.pbmac1_algorithm(params), _der.octet_string(mac))
    return _der.seq(digest_info, _der.octet_string(params.salt))


def _hmac_mac_data(auth_safe: bytes, text: str, digest: str, iterations: int) -> bytes:
    """MacData of RFC 7292: an HMAC keyed by the PKCS#12 KDF over the BMP password."""
    salt = os.urandom(_SALT_LENGTH)
    mac = _pbe.pkcs12_mac(auth_safe, _pbe.bmp_password(text), salt, iterations, digest)
    digest_info = _der.seq(
        _der.algorithm_identifier(_pbe.DIGEST_OIDS[digest]), _der.octet_string(mac)
    )
    return _der.seq(digest_info, _der.octet_string(salt), _der.encode_integer(iterations))
