"""PKCS#12 (RFC 7292) as Java's ``PKCS12KeyStore`` reads and writes it, over our own DER codec.

Why not cryptography's ``load_pkcs12``: it keeps one private key and drops secret keys and bag
attributes, so a rewrite would lose entries. Here every bag becomes an entry or is kept
verbatim, and every bag attribute (friendlyName, localKeyId, Oracle's trusted-key-usage, and any
unknown one) is kept as raw DER in ``entry.attributes["pkcs12.attributes"]`` and written back.

How entries come out of bags, following Java:

* a key bag becomes a private-key entry; its chain is the certificate bag with the same
  localKeyId, then issuers found among all certificate bags by issuer/subject name (the
  authority/subject key identifiers break ties), until a self-issued certificate;
* a certificate bag with the trusted-key-usage attribute becomes a trusted-certificate entry;
* a secret bag (Java's: an encrypted PKCS#8 whose algorithm OID names the key's algorithm)
  becomes a secret-key entry;
* any other certificate bag becomes a ``certificate`` entry, which Java does not see (warned);
* any other bag is kept in ``keystore.properties["pkcs12.unknown_bags"]`` and written back.

A bag without a friendlyName gets the alias Java would give it: a counter ("1", "2", …) over
the unnamed key and trusted-certificate bags in file order; a certificate entry (which Java never
names) gets ``cert-`` plus the first 16 hex digits of its SHA-256. A generated alias that is
taken, or a friendlyName used twice, gets ``-2``, ``-3``… appended (Java would let the later
bag overwrite the earlier; ks keeps both and warns).
"""

from __future__ import annotations

import hmac
import os
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from keystore_tool.errors import FormatError, PasswordError, UnsupportedError, UsageError
from keystore_tool.formats import _der, _pbe
from keystore_tool.formats._der import Tlv
from keystore_tool.formats._limits import KdfBudget
from keystore_tool.model import (
    Certificate,
    CertificateEntry,
    Entry,
    Keystore,
    PrivateKeyEntry,
    SealedBlob,
    SecretKeyEntry,
    TrustedCertificateEntry,
)

if TYPE_CHECKING:
    from keystore_tool.formats import DumpOptions, LoadOptions
    from keystore_tool.formats.protection import Mac, Pbe, Protection, ReadInfo
    from keystore_tool.password import Password

OID_DATA = "1.2.840.113549.1.7.1"
OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
OID_SECRET_BAG = "1.2.840.113549.1.12.10.1.5"
OID_X509_CERT = "1.2.840.113549.1.9.22.1"
OID_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
OID_LOCAL_KEY_ID = "1.2.840.113549.1.9.21"
OID_TRUSTED_KEY_USAGE = "2.16.840.1.113894.746875.1.1"
OID_ANY_EKU = "2.5.29.37.0"
OID_SKI = "2.5.29.14"
OID_AKI = "2.5.29.35"

# Secret-key algorithm OIDs of Java's secret bags, and the names Java gives them.
SECRET_KEY_ALGORITHMS = {
    "2.16.840.1.101.3.4.1": "AES",
    "1.2.840.113549.2.7": "HmacSHA1",
    "1.2.840.113549.2.8": "HmacSHA224",
    "1.2.840.113549.2.9": "HmacSHA256",
    "1.2.840.113549.2.10": "HmacSHA384",
    "1.2.840.113549.2.11": "HmacSHA512",
    "1.2.840.113549.2.12": "HmacSHA512/224",
    "1.2.840.113549.2.13": "HmacSHA512/256",
    "1.2.840.113549.3.7": "DESede",
    # What JDK 17's PKCS12KeyStore writes (KnownOIDs), so listed after the names above: the
    # last OID of a name is the one ks writes.
    "1.3.14.3.2.17": "DESede",
    "1.2.840.113549.3.4": "ARCFOUR",
    "2.16.840.1.101.3.4.2.13": "HmacSHA3-224",
    "2.16.840.1.101.3.4.2.14": "HmacSHA3-256",
    "2.16.840.1.101.3.4.2.15": "HmacSHA3-384",
    "2.16.840.1.101.3.4.2.16": "HmacSHA3-512",
    "1.2.840.113549.1.5.12": "PBKDF2WithHmacSHA1",
    "1.3.14.3.2.7": "DES",
    "1.2.840.113549.3.2": "RC2",
    "1.2.840.113549.1.5.3": "PBEWithMD5AndDES",
    "1.2.840.113549.1.5.10": "PBEWithSHA1AndDES",
    "1.2.840.113549.1.12.1.1": "PBEWithSHA1AndRC4_128",
    "1.2.840.113549.1.12.1.2": "PBEWithSHA1AndRC4_40",
    "1.2.840.113549.1.12.1.3": "PBEWithSHA1AndDESede",
    "1.2.840.113549.1.12.1.5": "PBEWithSHA1AndRC2_128",
    "1.2.840.113549.1.12.1.6": "PBEWithSHA1AndRC2_40",
}
_SECRET_OIDS_BY_NAME = {name.lower(): oid for oid, name in SECRET_KEY_ALGORITHMS.items()}

# Java 8's defaults (and today's keystore.pkcs12.legacy): 50,000 PBE and 100,000 MAC iterations.
LEGACY_PBE_ITERATIONS = 50_000
LEGACY_MAC_ITERATIONS = 100_000
DEFAULT_ITERATIONS = 10_000
_SALT_LENGTH = 20
_MAX_CHAIN = 64
_PASSWORD_HINT = "give its password with --storepass, --storepass-env or --storepass-file"


# ---- reading -------------------------------------------------------------------------------


@dataclass
class _Bag:
    bag_id: str
    value: Tlv  # the content of the bag's [0]
    attributes: list[bytes] = field(default_factory=list)
    friendly_name: str | None = None
    local_key_id: bytes | None = None
    trusted: bool = False
    raw: bytes = b""  # the whole SafeBag, for bags kept verbatim


@dataclass
class _CertBag:
    certificate: Certificate
    bag: _Bag
    alias: str | None
    local_key_id: bytes | None
    position: int
    _names: tuple[bytes, bytes] | None = None

    def names(self) -> tuple[bytes, bytes]:
        """(issuer DER, subject DER), read from the TBSCertificate without parsing X.509."""
        if self._names is None:
            self._names = _issuer_and_subject(self.certificate.der)
        return self._names


def _issuer_and_subject(der: bytes) -> tuple[bytes, bytes]:
    what = "certificate"
    cert = _der.expect(der, 0, len(der), _der.SEQUENCE, what)
    tbs = _der.expect(der, cert.start, cert.end, _der.SEQUENCE, what)
    pos = tbs.start
    first = _der.read(der, pos, tbs.end, what)
    if first.tag == _der.context(0):
        pos = first.end
    fields: list[Tlv] = []
    while len(fields) < 5:  # serial, signature, issuer, validity, subject
        item = _der.read(der, pos, tbs.end, what)
        fields.append(item)
        pos = item.end
    return _der.raw(der, fields[2]), _der.raw(der, fields[4])


def _key_identifiers(der: bytes) -> tuple[bytes | None, bytes | None]:
    """(authority key id, subject key id) of a certificate, when it has them."""
    what = "certificate"
    try:
        cert = _der.expect(der, 0, len(der), _der.SEQUENCE, what)
        tbs = _der.expect(der, cert.start, cert.end, _der.SEQUENCE, what)
        aki = ski = None
        for item in _der.children(der, tbs.start, tbs.end, what):
            if item.tag != _der.context(3):
                continue
            exts = _der.expect(der, item.start, item.end, _der.SEQUENCE, what)
            for ext in _der.children(der, exts.start, exts.end, what):
                parts = _der.sequence_items(der, ext, what, 2)
                ext_oid = _der.oid(der, parts[0], what)
                value = _der.octets(der, parts[-1], what)
                if ext_oid == OID_SKI:
                    inner = _der.read(value, 0, len(value), what)
                    ski = _der.content(value, inner)
                elif ext_oid == OID_AKI:
                    seq = _der.read(value, 0, len(value), what)
                    for part in _der.children(value, seq.start, seq.end, what):
                        if part.tag == _der.context(0, constructed=False):
                            aki = _der.content(value, part)
        return aki, ski
    except FormatError:
        return None, None


def _parse_attributes(data: bytes, attr_set: Tlv, bag: _Bag) -> None:
    what = "bag attribute"
    for attr in _der.sequence_items(data, attr_set, what):
        parts = _der.sequence_items(data, attr, what, 2)
        attr_oid = _der.oid(data, parts[0], what)
        values = _der.sequence_items(data, parts[1], what)
        bag.attributes.append(_der.raw(data, attr))
        if not values:
            continue
        if attr_oid == OID_FRIENDLY_NAME:
            bag.friendly_name = _der.bmp_string(data, values[0], "friendlyName")
        elif attr_oid == OID_LOCAL_KEY_ID:
            bag.local_key_id = _der.octets(data, values[0], "localKeyId")
        elif attr_oid == OID_TRUSTED_KEY_USAGE:
            bag.trusted = True


def _parse_safe_contents(data: bytes) -> list[_Bag]:
    what = "safe contents"
    data = _der.as_der(data, what)
    top = _der.expect(data, 0, len(data), _der.SEQUENCE, what)
    if top.end != len(data):
        raise FormatError("the file is not a valid keystore (data after the safe contents)")
    bags: list[_Bag] = []
    for item in _der.children(data, top.start, top.end, what):
        parts = _der.sequence_items(data, item, "safe bag", 2)
        bag_id = _der.oid(data, parts[0], "safe bag")
        if parts[1].tag != _der.context(0):
            raise FormatError("the file is not a valid keystore (a safe bag lacks its value)")
        value = _der.read(data, parts[1].start, parts[1].end, "safe bag")
        bag = _Bag(bag_id, value, raw=_der.raw(data, item))
        if len(parts) > 2:
            _parse_attributes(data, parts[2], bag)
        bags.append(bag)
    return bags


@dataclass
class _Pfx:
    auth_safe: bytes  # the bytes the MAC covers
    mac_digest: str | None = None
    mac: bytes = b""
    mac_salt: bytes = b""
    mac_iterations: int = 1
    pbmac1: _pbe.Pbmac1 | None = None  # RFC 9579: mac_digest is then "pbmac1"


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
        if digest_oid == _pbe.PBMAC1:
            if len(algid) < 2:
                raise FormatError("the store's PBMAC1 integrity check lacks its parameters")
            pfx.pbmac1 = _pbe.parse_pbmac1(data, algid[1])
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
        computed = _pbe.pbmac1_mac(pfx.pbmac1, text, pfx.auth_safe)
        if hmac.compare_digest(computed, pfx.mac):
            return text
        if password is None:
            raise PasswordError(f"the store is password-protected; {_PASSWORD_HINT}")
        raise PasswordError("wrong password or the store's integrity check failed")
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
    if password is None:
        raise PasswordError(f"the store is password-protected; {_PASSWORD_HINT}")
    raise PasswordError("wrong password or the store's integrity check failed")


def _decrypt(
    algid: bytes, ciphertext: bytes, password: str | None, budget: KdfBudget, what: str
) -> bytes:
    if password is None:
        raise PasswordError(f"the store holds encrypted {what}; {_PASSWORD_HINT}")
    return _pbe.decrypt(algid, ciphertext, password, budget, f"encryption of the {what}")


class _Reader:
    def __init__(
        self,
        password: str | None,
        budget: KdfBudget,
        keystore: Keystore,
        entry_password: str | None = None,
    ) -> None:
        self.password = password
        self.opener = _KeyOpener(password, entry_password, budget)
        self.budget = budget
        self.keystore = keystore
        self.cert_pbe: str | None = None
        self.key_pbe: str | None = None
        self.cert_scheme: _pbe.PbeScheme | None = None
        self.key_scheme: _pbe.PbeScheme | None = None
        self.plain_cert_safe = False
        self.bags: list[tuple[_Bag, bytes, int]] = []  # bag, the data it indexes, index in safe

    def read_auth_safe(self, auth_safe: bytes) -> None:
        what = "authenticated safe"
        auth_safe = _der.as_der(auth_safe, what)
        top = _der.expect(auth_safe, 0, len(auth_safe), _der.SEQUENCE, what)
        for info in _der.children(auth_safe, top.start, top.end, what):
            parts = _der.sequence_items(auth_safe, info, what, 1)
            ctype = _der.oid(auth_safe, parts[0], what)
            if len(parts) < 2 or parts[1].tag != _der.context(0):
                raise FormatError("the file is not a valid keystore (a safe lacks its content)")
            inner = _der.read(auth_safe, parts[1].start, parts[1].end, what)
            if ctype == OID_DATA:
                safe = _der.octets(auth_safe, inner, what)
                self.plain_cert_safe = True
            elif ctype == OID_ENCRYPTED_DATA:
                safe = self._decrypt_safe(auth_safe, inner)
            else:
                raise UnsupportedError(
                    f"the store has a safe of an unsupported type ({ctype}); ks reads "
                    "password-encrypted and plain safes"
                )
            for index, bag in enumerate(_parse_safe_contents(safe)):
                self.bags.append((bag, safe, index))

    def _decrypt_safe(self, data: bytes, encrypted_data: Tlv) -> bytes:
        what = "encrypted certificates"
        parts = _der.sequence_items(data, encrypted_data, what, 2)
        eci = _der.sequence_items(data, parts[1], what, 2)
        algid = _der.raw(data, eci[1])
        if len(eci) < 3:
            return b"\x30\x00"
        if eci[2].tag == _der.context(0, constructed=False):
            ciphertext = _der.content(data, eci[2])
        elif eci[2].tag == _der.context(0):
            pieces = _der.children(data, eci[2].start, eci[2].end, what)
            ciphertext = b"".join(_der.octets(data, p, what) for p in pieces)
        else:
            raise FormatError("the file is not a valid keystore (encrypted safe is malformed)")
        if self.cert_pbe is None:
            self.cert_pbe = _pbe.describe(algid)
            self.cert_scheme = _known_scheme(algid)
        return _decrypt(algid, ciphertext, self.password, self.budget, "certificates")

    def private_key_info(self, bag: _Bag, data: bytes) -> bytes:
        """The PKCS#8 PrivateKeyInfo DER of a key bag, decrypted when shrouded."""
        if bag.bag_id == OID_KEY_BAG:
            return _der.raw(data, bag.value)
        return self._decrypt_epki(data, bag.value, "private keys")

    def _decrypt_epki(self, data: bytes, epki: Tlv, what: str) -> bytes:
        parts = _der.sequence_items(data, epki, "encrypted private key", 2)
        algid = _der.raw(data, parts[0])
        if self.key_pbe is None:
            self.key_pbe = _pbe.describe(algid)
            self.key_scheme = _known_scheme(algid)
        ciphertext = _der.octets(data, parts[1], "encrypted private key")
        try:
            decrypted = _decrypt(algid, ciphertext, self.password, self.budget, what)
        except PasswordError:
            if self.opener.entry_password is None:
                raise
            # A secret key under its own password (keytool's -keypass), as keys may be.
            decrypted = _decrypt(algid, ciphertext, self.opener.entry_password, self.budget, what)
        plain = _der.as_der(decrypted, what)
        _der.expect(plain, 0, len(plain), _der.SEQUENCE, "decrypted private key")
        return plain

    def secret(self, bag: _Bag, data: bytes) -> tuple[str, bytes, bytes] | None:
        """(algorithm, key bytes, AlgorithmIdentifier DER) of a Java secret bag, or None."""
        parts = _der.sequence_items(data, bag.value, "secret bag", 2)
        if _der.oid(data, parts[0], "secret bag") != OID_SHROUDED_KEY_BAG:
            return None
        if parts[1].tag != _der.context(0):
            raise FormatError("the file is not a valid keystore (a secret bag is malformed)")
        inner = _der.read(data, parts[1].start, parts[1].end, "secret bag")
        epki_der = _der.as_der(_der.octets(data, inner, "secret bag"), "secret bag")
        epki = _der.expect(epki_der, 0, len(epki_der), _der.SEQUENCE, "secret bag")
        plain = self._decrypt_epki(epki_der, epki, "secret keys")
        what = "decrypted secret key"
        pki = _der.expect(plain, 0, len(plain), _der.SEQUENCE, what)
        items = _der.sequence_items(plain, pki, what, 3)
        algid = _der.sequence_items(plain, items[1], what, 1)
        alg_oid = _der.oid(plain, algid[0], what)
        key = _der.octets(plain, items[2], what)
        return SECRET_KEY_ALGORITHMS.get(alg_oid, alg_oid), key, _der.raw(plain, items[1])


def _known_scheme(algid: bytes) -> _pbe.PbeScheme | None:
    try:
        return _pbe.scheme_of(algid)
    except (FormatError, UnsupportedError):
        return None  # decrypting it fails and says why


_PBES1_KINDS: dict[str, Pbe] = {
    _pbe.PBE_SHA1_3DES: "pbe-3des",
    _pbe.PBE_SHA1_2DES: "pbe-2des",
    _pbe.PBE_SHA1_RC2_128: "pbe-rc2-128",
    _pbe.PBE_SHA1_RC2_40: "pbe-rc2-40",
    # ks reads RC4 but does not write it: a rewrite keeps the store as legacy-readable with
    # the RC2 of the same key size.
    _pbe.PBE_SHA1_RC4_128: "pbe-rc2-128",
    _pbe.PBE_SHA1_RC4_40: "pbe-rc2-40",
}


def _pbe_kind(scheme: _pbe.PbeScheme | None) -> Pbe | None:
    if scheme is None:
        return None
    if scheme.kind == "pbes1":
        return _PBES1_KINDS[scheme.pbes1_oid]
    if scheme.prf == "sha256" and scheme.cipher == "aes-256-cbc":
        return "pbes2-aes256"
    return "pbes2"


def _read_info(pfx: _Pfx, reader: _Reader, keystore: Keystore) -> ReadInfo:
    from keystore_tool.formats.protection import ReadInfo, key_form

    cert_pbe = _pbe_kind(reader.cert_scheme)
    if cert_pbe is None and reader.plain_cert_safe and reader.cert_pbe is None:
        cert_pbe = "none"
    mac: Mac = "none" if pfx.mac_digest is None else _MAC_KINDS.get(pfx.mac_digest, "hmac-sha1")
    schemes = [s for s in (reader.cert_scheme, reader.key_scheme) if s is not None]
    return ReadInfo(
        storetype="pkcs12",
        cert_pbe=cert_pbe,
        key_pbe=_pbe_kind(reader.key_scheme),
        mac=mac,
        mac_iterations=(
            pfx.pbmac1.iterations
            if pfx.pbmac1 is not None
            else pfx.mac_iterations
            if pfx.mac_digest is not None
            else None
        ),
        pbe_iterations=max((s.iterations for s in schemes), default=None),
        passwordless=pfx.mac_digest is None and reader.cert_pbe is None and reader.key_pbe is None,
        integrity_checked=pfx.mac_digest is not None,
        key_forms=tuple(
            key_form(e.alias, key)
            for e in keystore.entries
            # known_key: the form of keys nobody opened is not known; reading the store must
            # not decrypt them (they may have their own passwords).
            if isinstance(e, PrivateKeyEntry) and (key := e.known_key()) is not None
        ),
    )


_MAC_KINDS: dict[str, Mac] = {
    "pbmac1": "pbmac1",
    "sha1": "hmac-sha1",
    "sha224": "hmac-sha224",
    "sha256": "hmac-sha256",
    "sha384": "hmac-sha384",
    "sha512": "hmac-sha512",
}


def _cert_of(bag: _Bag, data: bytes) -> bytes | None:
    """The DER of an x509Certificate cert bag; None for other certificate types."""
    parts = _der.sequence_items(data, bag.value, "certificate bag", 2)
    if _der.oid(data, parts[0], "certificate bag") != OID_X509_CERT:
        return None
    if parts[1].tag != _der.context(0):
        raise FormatError("the file is not a valid keystore (a certificate bag is malformed)")
    inner = _der.read(data, parts[1].start, parts[1].end, "certificate bag")
    der = _der.octets(data, inner, "certificate bag")
    if not der or der[0] != _der.SEQUENCE:
        raise FormatError(
            "the file is not a valid keystore (a certificate bag holds no certificate)"
        )
    return der


def _created_from(local_key_id: bytes | None) -> datetime | None:
    """Java keeps an entry's creation time in its localKeyId as "Time <epoch millis>"."""
    if not local_key_id or not local_key_id.startswith(b"Time "):
        return None
    try:
        millis = int(local_key_id[5:].decode("ascii"))
        return datetime.fromtimestamp(millis / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


class _KeyOpener:
    """What opens the shrouded key bags of one load, when a key is first asked for: the store
    password, then the key password given (keytool's -keypass)."""

    __slots__ = ("budget", "entry_password", "store_password")

    def __init__(
        self, store_password: str | None, entry_password: str | None, budget: KdfBudget
    ) -> None:
        self.store_password = store_password
        self.entry_password = entry_password
        # The load's own budget: the keys opened later share what the file may cost in all
        # (a file of many keys, each just under the budget, must not cost it many times over).
        self.budget = budget

    def open(self, epki: bytes, alias: str) -> bytes | None:
        """The PKCS#8 inside ``epki``, or None when no password at hand opens it."""
        top = _der.expect(epki, 0, len(epki), _der.SEQUENCE, "encrypted private key")
        parts = _der.sequence_items(epki, top, "encrypted private key", 2)
        algid = _der.raw(epki, parts[0])
        ciphertext = _der.octets(epki, parts[1], "encrypted private key")
        what = f"encryption of the key of '{alias}'"
        for candidate in (self.store_password, self.entry_password):
            if candidate is None:
                continue
            try:
                plain = _pbe.decrypt(algid, ciphertext, candidate, self.budget, what)
            except PasswordError:
                continue
            plain = _der.as_der(plain, "decrypted private key")
            _der.expect(plain, 0, len(plain), _der.SEQUENCE, "decrypted private key")
            return plain
        return None


class ShroudedKeyEntry(PrivateKeyEntry):
    """A PKCS12 key entry whose shrouded key bag stays encrypted until ``private_key`` is
    first read (``list``, ``show``, ``check`` never read it, so a store whose keys have their
    own passwords lists without them). ``sealed`` holds the EncryptedPrivateKeyInfo as read;
    while the key was not replaced and the store is written under the password it was read
    with, that is what is written back."""

    opens_on_use = True
    _opener: _KeyOpener | None
    _key: bytes | None
    _tried: bool
    replaced: bool

    def __post_init__(self) -> None:
        self._opener = None
        self._tried = False
        self.replaced = False
        super().__post_init__()

    @property
    def private_key(self) -> bytes | None:
        if self.__dict__.get("_key") is None and not self.__dict__.get("_tried", True):
            self._tried = True
            if self._opener is not None and self.sealed is not None:
                self._key = self._opener.open(self.sealed.data, self.alias)
        return self.__dict__.get("_key")

    @private_key.setter
    def private_key(self, value: bytes | None) -> None:
        if "_key" in self.__dict__:
            self.replaced = True
        self._key = value

    def known_key(self) -> bytes | None:
        return self.__dict__.get("_key")


def _shrouded_entry(
    reader: _Reader,
    data: bytes,
    epki: Tlv,
    alias: str,
    created: datetime | None,
    attributes: dict[str, Any],
) -> ShroudedKeyEntry:
    epki_der = _der.raw(data, epki)
    parts = _der.sequence_items(data, epki, "encrypted private key", 2)
    algid = _der.raw(data, parts[0])
    # Absurd iteration counts are refused now, before any work, as if the key were opened;
    # the load's own budget is not charged, since listing derives nothing for the key (it is
    # charged when the key is opened).
    _pbe.charge(
        algid, KdfBudget(reader.budget.limit), f"encryption of the private keys ('{alias}')"
    )
    if reader.key_pbe is None:
        reader.key_pbe = _pbe.describe(algid)
        reader.key_scheme = _known_scheme(algid)
    entry = ShroudedKeyEntry(
        alias=alias,
        chain=[],
        sealed=SealedBlob("pkcs12", epki_der),
        created=created,
        attributes=attributes,
    )
    entry._opener = reader.opener
    entry._tried = False
    return entry


class _Aliases:
    """Hands out unique aliases: friendlyNames as given, Java's counter for unnamed bags."""

    def __init__(self, friendly_names: set[str]) -> None:
        self.friendly_names = friendly_names
        self.counter = 0
        self.taken: set[str] = set()
        self.renamed: list[str] = []
        # Per alias (folded), the suffix to try next: 20,000 bags named alike cost 20,000
        # steps, not 200 million.
        self.next_suffix: dict[str, int] = {}

    def reserve(self, alias: str) -> str:
        unique = alias
        if unique.lower() in self.taken:
            folded = alias.lower()
            n = self.next_suffix.get(folded, 2)
            unique = f"{alias}-{n}"
            while unique.lower() in self.taken:
                n += 1
                unique = f"{alias}-{n}"
            self.next_suffix[folded] = n + 1
            self.renamed.append(f"'{alias}' → '{unique}'")
        self.taken.add(unique.lower())
        return unique

    def unfriendly(self) -> str:
        while True:
            self.counter += 1
            candidate = str(self.counter)
            if candidate not in self.taken and candidate not in self.friendly_names:
                return candidate


def _find_issuer(cert: _CertBag, by_subject: dict[bytes, list[_CertBag]]) -> _CertBag | None:
    issuer, _ = cert.names()
    candidates = by_subject.get(issuer)
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    aki, _ = _key_identifiers(cert.certificate.der)
    if aki is None:
        return candidates[0]
    fallback = None
    for candidate in candidates:
        _, ski = _key_identifiers(candidate.certificate.der)
        if ski is None:
            fallback = fallback or candidate
        elif ski == aki:
            return candidate
    return fallback


def load(data: bytes, password: Password | None, options: LoadOptions) -> Keystore:
    """Reads a PKCS12 keystore. ``password`` None reads a password-less store (or one whose
    MAC is keyed by the empty password)."""
    entry_password = options.entry_password.reveal() if options.entry_password else None
    try:
        return _load(data, password, entry_password, options.max_kdf_work)
    except (IndexError, ValueError, UnicodeDecodeError, OverflowError) as exc:
        raise FormatError(f"the PKCS12 file is corrupt ({type(exc).__name__})") from exc


def _load(
    data: bytes, password: Password | None, entry_password: str | None, max_kdf_work: int | None
) -> Keystore:
    budget = KdfBudget(max_kdf_work)
    pfx = _parse_pfx(data)
    keystore = Keystore(storetype="pkcs12")
    if pfx.mac_digest is not None:
        text: str | None = _check_mac(pfx, password, budget)
        keystore.properties["pkcs12.mac"] = (
            {
                "digest": pfx.mac_digest,
                "iterations": pfx.mac_iterations,
            }
            if pfx.pbmac1 is None
            else {
                "digest": "pbmac1",
                "iterations": pfx.pbmac1.iterations,
                "hmac": pfx.pbmac1.hmac,
                "prf": pfx.pbmac1.prf,
                "key_length": pfx.pbmac1.key_length,
            }
        )
    else:
        text = password.reveal() if password is not None else None
        keystore.properties["pkcs12.mac"] = None
        if password is not None:
            keystore.warnings.append(
                "the store has no integrity check (MAC); its content could not be verified"
            )
    reader = _Reader(text, budget, keystore, entry_password)
    reader.read_auth_safe(pfx.auth_safe)
    _build_entries(reader, keystore)
    keystore.properties["pkcs12.cert_pbe"] = reader.cert_pbe
    keystore.properties["pkcs12.key_pbe"] = reader.key_pbe
    # Format-neutral facts the write path asks for (ops.update): a store read without MAC or
    # encryption may be written back password-less, and a store Java 8 could read stays so.
    schemes = [s for s in (reader.cert_pbe, reader.key_pbe) if s]
    keystore.properties["passwordless"] = pfx.mac_digest is None and not schemes
    legacy = any(not s.startswith("PBES2") for s in schemes)
    keystore.properties["profile"] = "legacy" if legacy else "default"
    keystore.read_info = _read_info(pfx, reader, keystore)
    return keystore


def _build_entries(reader: _Reader, keystore: Keystore) -> None:
    # Generated aliases avoid every friendlyName in the file, wherever it comes.
    aliases = _Aliases({b.friendly_name.lower() for b, _, _ in reader.bags if b.friendly_name})
    ordered: list[tuple[int, Entry]] = []  # (bag position, entry) to keep the file's order
    keys: list[tuple[int, PrivateKeyEntry, bytes | None]] = []
    cert_bags: list[_CertBag] = []
    unknown: list[bytes] = []
    unreadable: list[str] = []
    private_key_count = 0
    unencrypted_keys: list[str] = []

    for position, (bag, data, index) in enumerate(reader.bags):
        if bag.bag_id in (OID_KEY_BAG, OID_SHROUDED_KEY_BAG):
            private_key_count += 1
            key_id = bag.local_key_id
            if key_id is None and private_key_count == 1:
                key_id = b"01"  # Java's rule for a single key without localKeyId
            alias = aliases.reserve(bag.friendly_name or aliases.unfriendly())
            attributes: dict[str, Any] = {"pkcs12.attributes": list(bag.attributes)}
            created = _created_from(bag.local_key_id)
            entry: PrivateKeyEntry
            if bag.bag_id == OID_KEY_BAG:
                # Java skips unencrypted key bags; kept so, and written back so.
                attributes["pkcs12.unencrypted_key_bag"] = True
                entry = PrivateKeyEntry(
                    alias=alias,
                    chain=[],
                    private_key=_der.raw(data, bag.value),
                    created=created,
                    attributes=attributes,
                )
                unencrypted_keys.append(alias)
            else:
                entry = _shrouded_entry(reader, data, bag.value, alias, created, attributes)
            keys.append((position, entry, key_id))
        elif bag.bag_id == OID_SECRET_BAG:
            try:
                secret = reader.secret(bag, data)
            except PasswordError:
                # Its own password (keytool lists it all the same): kept sealed as read.
                alias = aliases.reserve(bag.friendly_name or aliases.unfriendly())
                ordered.append(
                    (
                        position,
                        SecretKeyEntry(
                            alias=alias,
                            sealed=SealedBlob("pkcs12", _der.raw(data, bag.value)),
                            created=_created_from(bag.local_key_id),
                            attributes={"pkcs12.attributes": list(bag.attributes)},
                        ),
                    )
                )
                continue
            if secret is None:
                unknown.append(bag.raw)
                continue
            algorithm, key, algid = secret
            alias = aliases.reserve(bag.friendly_name or aliases.unfriendly())
            ordered.append(
                (
                    position,
                    SecretKeyEntry(
                        alias=alias,
                        algorithm=algorithm,
                        key=key,
                        created=_created_from(bag.local_key_id),
                        attributes={
                            "pkcs12.attributes": list(bag.attributes),
                            "pkcs12.secret_algid": algid,
                        },
                    ),
                )
            )
        elif bag.bag_id == OID_CERT_BAG:
            try:
                der = _cert_of(bag, data)
                certificate = Certificate(der) if der is not None else None
            except FormatError as exc:
                # One unreadable bag does not make the store unreadable: it is kept as it is
                # and reported; the rest is listed.
                unreadable.append(f"{bag.friendly_name or f'bag {position + 1}'} ({exc})")
                unknown.append(bag.raw)
                continue
            if der is None or certificate is None:
                unknown.append(bag.raw)
                continue
            key_id = bag.local_key_id
            if key_id is None and private_key_count == 1 and index == 0:
                key_id = b"01"
            alias_or_none = bag.friendly_name
            if bag.trusted:
                alias = aliases.reserve(alias_or_none or aliases.unfriendly())
                alias_or_none = alias
                ordered.append(
                    (
                        position,
                        TrustedCertificateEntry(
                            alias=alias,
                            certificate=certificate,
                            attributes=_trusted_attributes(bag, alias, der),
                        ),
                    )
                )
            cert_bags.append(_CertBag(certificate, bag, alias_or_none, key_id, position))
        else:
            unknown.append(bag.raw)

    # Certificates some key's chain took; Java writes a chain certificate again (named by its
    # subject) even when it is another entry's leaf, so this goes by content, not by bag.
    used: set[bytes] = set()
    by_subject: dict[bytes, list[_CertBag]] | None = None
    untrusted = [c for c in cert_bags if not c.bag.trusted]
    leaves = _LeafIndex(untrusted)
    for position, entry, key_id in keys:
        leaf = leaves.match(entry.alias, key_id)
        chain: list[_CertBag] = []
        if leaf is not None:
            entry.attributes["pkcs12.cert_attributes"] = list(leaf.bag.attributes)
            if by_subject is None:
                by_subject = {}
                for cert_bag in cert_bags:
                    by_subject.setdefault(cert_bag.names()[1], []).append(cert_bag)
            current: _CertBag | None = leaf
            seen: set[bytes] = set()
            while current is not None and len(chain) < _MAX_CHAIN:
                der = current.certificate.der
                if der in seen:
                    break
                seen.add(der)
                chain.append(current)
                issuer, subject = current.names()
                if issuer == subject:
                    break
                current = _find_issuer(current, by_subject)
        else:
            keystore.warnings.append(
                f"private key '{entry.alias}' has no certificate in the store; Java will not see it"
            )
        entry.chain = [c.certificate for c in chain]
        used.update(c.certificate.der for c in chain)
        ordered.append((position, entry))

    loose: list[str] = []
    for cert_bag in untrusted:
        if cert_bag.certificate.der in used:
            continue
        generated = None
        if cert_bag.alias:
            alias = aliases.reserve(cert_bag.alias)
        else:
            generated = aliases.reserve("cert-" + cert_bag.certificate.sha256.hex()[:16])
            alias = generated
        attributes = {"pkcs12.attributes": list(cert_bag.bag.attributes)}
        if generated is not None:
            attributes["pkcs12.generated_alias"] = generated
        ordered.append(
            (
                cert_bag.position,
                CertificateEntry(
                    alias=alias, certificate=cert_bag.certificate, attributes=attributes
                ),
            )
        )
        loose.append(alias)
    ordered.sort(key=lambda pair: pair[0])
    for _, entry_ in ordered:
        keystore.add(entry_)
    if loose:
        shown = ", ".join(f"'{a}'" for a in loose[:5]) + (" …" if len(loose) > 5 else "")
        keystore.warnings.append(
            f"{len(loose)} certificate(s) ({shown}) are neither trusted nor part of a key's "
            "chain; Java will not see them (re-import them as trusted certificates)"
        )
    if unencrypted_keys:
        # One line for them all: a file of 10,000 such keys must not print 10,000 warnings.
        shown = ", ".join(f"'{a}'" for a in unencrypted_keys[:5])
        more = f" and {len(unencrypted_keys) - 5:,} more" if len(unencrypted_keys) > 5 else ""
        keystore.warnings.append(
            f"[java-ignores-key-bag] the key of {shown}{more} is in an unencrypted key bag, "
            "which Java skips: Java does not see it (ks keeps it as it is)"
        )
    if aliases.renamed:
        shown = ", ".join(aliases.renamed[:5])
        more = f" and {len(aliases.renamed) - 5:,} more" if len(aliases.renamed) > 5 else ""
        keystore.warnings.append(f"aliases used twice in the file were made unique: {shown}{more}")
    if unreadable:
        shown = "; ".join(unreadable[:3]) + (" …" if len(unreadable) > 3 else "")
        keystore.warnings.append(
            f"[unreadable-bag] {len(unreadable)} certificate bag(s) cannot be read and are "
            f"kept as they are: {shown}"
        )
    if unknown:
        keystore.properties["pkcs12.unknown_bags"] = unknown


class _LeafIndex:
    """Java's findMatchedCertificate over dictionaries: 10,000 keys against 10,000 certificate
    bags cost 20,000 look-ups, not 100 million comparisons."""

    def __init__(self, untrusted: list[_CertBag]) -> None:
        self.by_key_id: dict[bytes, _CertBag] = {}  # the last bag with that localKeyId
        self.by_key_id_and_alias: dict[tuple[bytes, str], _CertBag] = {}
        self.by_alias: dict[str, _CertBag] = {}  # the first bag with that friendlyName
        for cert_bag in untrusted:
            folded = cert_bag.alias.lower() if cert_bag.alias else None
            if cert_bag.local_key_id is not None:
                self.by_key_id[cert_bag.local_key_id] = cert_bag
                if folded:
                    self.by_key_id_and_alias.setdefault((cert_bag.local_key_id, folded), cert_bag)
            if folded:
                self.by_alias.setdefault(folded, cert_bag)

    def match(self, alias: str, key_id: bytes | None) -> _CertBag | None:
        """localKeyId (and alias) first, else the alias alone."""
        folded = alias.lower()
        if key_id is not None and key_id in self.by_key_id:
            return self.by_key_id_and_alias.get((key_id, folded), self.by_key_id[key_id])
        return self.by_alias.get(folded)


# ---- writing -------------------------------------------------------------------------------


def can_hold(entry: Entry) -> bool:
    """Whether :func:`dump` can write ``entry``: keys must be available unencrypted, and a
    secret key's algorithm must have an OID."""
    if isinstance(entry, PrivateKeyEntry):
        # A shrouded key bag read from a PKCS12 can go back as it is (see ShroudedKeyEntry).
        return (
            entry.sealed is not None and entry.sealed.format == "pkcs12"
        ) or entry.private_key is not None
    if isinstance(entry, SecretKeyEntry):
        if entry.key is None:
            return entry.sealed is not None and entry.sealed.format == "pkcs12"
        return _secret_algid(entry) is not None
    return isinstance(entry, TrustedCertificateEntry | CertificateEntry)


def _secret_algid(entry: SecretKeyEntry) -> bytes | None:
    algorithm = entry.algorithm or ""
    kept = entry.attributes.get("pkcs12.secret_algid")
    if (
        isinstance(kept, bytes)
        and SECRET_KEY_ALGORITHMS.get(_algid_oid(kept), _algid_oid(kept)) == algorithm
    ):
        return kept
    oid = _SECRET_OIDS_BY_NAME.get(algorithm.lower())
    if oid is None and algorithm[:1].isdigit():
        try:
            return _der.algorithm_identifier(algorithm, None)
        except FormatError:
            return None
    if oid is None:
        return None
    return _der.algorithm_identifier(oid, None)


def _algid_oid(algid: bytes) -> str:
    top = _der.read(algid, 0, len(algid))
    return _der.oid(algid, _der.read(algid, top.start, top.end), "algorithm")


@dataclass(frozen=True)
class _Profile:
    key_scheme: _pbe.PbeScheme
    cert_scheme: _pbe.PbeScheme | None  # None: certificates in a plain safe
    mac_digest: str | None  # None: no MAC
    mac_iterations: int
    pbmac1: bool = False


def _profile(options: DumpOptions) -> _Profile:
    from keystore_tool.formats.protection import CURRENT_JDK, JAVA8_LEGACY

    count = options.iterations
    if count is not None and not 1 <= count <= 5_000_000:
        raise UsageError("the iteration count must be between 1 and 5,000,000")
    protection = options.protection
    if protection is None:
        if options.profile == "legacy" and options.mac_scheme == "pbmac1":
            raise UsageError(
                "PBMAC1 is read only by JDK 26+ and OpenSSL 3.4+; the legacy profile, made for "
                "older readers, cannot use it"
            )
        protection = JAVA8_LEGACY if options.profile == "legacy" else CURRENT_JDK
        if options.mac_scheme == "pbmac1":
            protection = replace(protection, mac="pbmac1")
    return _profile_of(protection, count or protection.iterations)


# The writer's choice of algorithms for each part, kept apart from the encoding. Iteration
# counts default per scheme, as Java's do.
_WRITABLE_PBES1 = {"pbe-3des": _pbe.PBE_SHA1_3DES, "pbe-rc2-40": _pbe.PBE_SHA1_RC2_40}
_WRITABLE_MAC_DIGESTS = {"hmac-sha256": "sha256", "hmac-sha1": "sha1", "pbmac1": "sha256"}


def _scheme(pbe: Pbe, count: int | None) -> _pbe.PbeScheme | None:
    if pbe == "none":
        return None
    if pbe == "pbes2-aes256":
        return _pbe.PbeScheme(
            "pbes2", count or DEFAULT_ITERATIONS, prf="sha256", cipher="aes-256-cbc"
        )
    if pbe in _WRITABLE_PBES1:
        return _pbe.PbeScheme(
            "pbes1", count or LEGACY_PBE_ITERATIONS, pbes1_oid=_WRITABLE_PBES1[pbe]
        )
    raise UnsupportedError(f"ks does not write PKCS12 encrypted with {pbe}")


def _profile_of(protection: Protection, count: int | None) -> _Profile:
    key_scheme = _scheme(protection.key_pbe, count)
    if key_scheme is None:
        # a key bag is always shrouded; "none" only describes a store that holds no key
        key_scheme = _scheme("pbes2-aes256", count)
        assert key_scheme is not None
    if protection.mac == "none":
        mac_digest, mac_count = None, 0
    elif protection.mac in _WRITABLE_MAC_DIGESTS:
        mac_digest = _WRITABLE_MAC_DIGESTS[protection.mac]
        legacy_mac = protection.mac == "hmac-sha1"
        mac_count = count or (LEGACY_MAC_ITERATIONS if legacy_mac else DEFAULT_ITERATIONS)
    else:
        raise UnsupportedError(f"ks does not write a PKCS12 integrity check with {protection.mac}")
    cert_scheme = _scheme(protection.cert_pbe, count)
    pbmac1 = protection.mac == "pbmac1"
    return _Profile(key_scheme, cert_scheme, mac_digest, mac_count, pbmac1)


def _attr(oid: str, value: bytes) -> bytes:
    return _der.seq(_der.encode_oid(oid), _der.set_of([value]))


_TRUSTED_ATTR = _attr(OID_TRUSTED_KEY_USAGE, _der.encode_oid(OID_ANY_EKU))


def _attribute_oid(raw: bytes) -> str:
    top = _der.read(raw, 0, len(raw), "bag attribute")
    return _der.oid(raw, _der.read(raw, top.start, top.end, "bag attribute"), "bag attribute")


def _attributes(
    kept: object,
    friendly_name: str | None,
    local_key_id: bytes | None,
    trusted: bool,
) -> bytes:
    """The bag's SET OF Attribute: the ones it was read with, with friendlyName, localKeyId and
    the trust mark set as asked (``None`` drops them). localKeyId attributes the bag was read
    with stay, every one of them, while the id asked for is the one Java read (the last)."""
    out: list[bytes] = []
    kept_ids = _kept_local_key_ids(kept)
    keep_ids = local_key_id is not None and kept_ids[-1:] == [local_key_id]
    if isinstance(kept, list):
        for raw in kept:
            if not isinstance(raw, bytes):
                continue
            attr_oid = _attribute_oid(raw)
            if attr_oid == OID_LOCAL_KEY_ID and keep_ids:
                out.append(raw)
                continue
            if attr_oid in (OID_FRIENDLY_NAME, OID_LOCAL_KEY_ID, OID_TRUSTED_KEY_USAGE):
                continue
            out.append(raw)
    if friendly_name is not None:
        out.append(_attr(OID_FRIENDLY_NAME, _der.bmp(friendly_name)))
    if local_key_id is not None and not keep_ids:
        out.append(_attr(OID_LOCAL_KEY_ID, _der.octet_string(local_key_id)))
    if trusted:
        trusted_raw = _kept_attribute(kept, OID_TRUSTED_KEY_USAGE) or _TRUSTED_ATTR
        out.append(trusted_raw)
    return _der.set_of(out) if out else b""


def _kept_attribute(kept: object, oid: str) -> bytes | None:
    if isinstance(kept, list):
        for raw in kept:
            if isinstance(raw, bytes) and _attribute_oid(raw) == oid:
                return raw
    return None


def _kept_local_key_id(kept: object) -> bytes | None:
    """The localKeyId Java reads from the attributes (the last one, when there are two)."""
    ids = _kept_local_key_ids(kept)
    return ids[-1] if ids else None


def _kept_local_key_ids(kept: object) -> list[bytes]:
    ids: list[bytes] = []
    if not isinstance(kept, list):
        return ids
    for raw in kept:
        if not isinstance(raw, bytes) or _attribute_oid(raw) != OID_LOCAL_KEY_ID:
            continue
        top = _der.read(raw, 0, len(raw))
        parts = _der.children(raw, top.start, top.end)
        values = _der.children(raw, parts[1].start, parts[1].end)
        if values:
            ids.append(_der.octets(raw, values[0], "localKeyId"))
    return ids


def _bag(bag_id: str, value: bytes, attributes: bytes) -> bytes:
    return _der.seq(_der.encode_oid(bag_id), _der.explicit(0, value), attributes)


_CERT_BAG_OID = _der.encode_oid(OID_CERT_BAG)
_X509_OID = _der.encode_oid(OID_X509_CERT)


# A trusted certificate's bag as it was read, with what it was read as: (alias, certificate
# DER, the attribute list, the SafeBag's bytes). An entry whose alias, certificate and attribute
# list are still those is written back byte for byte (and a 50,000-certificate store is not
# re-encoded to add one).
ATTR_BAG_AS_READ = "pkcs12.bag_as_read"


def _trusted_attributes(bag: _Bag, alias: str, der: bytes) -> dict[str, object]:
    kept = list(bag.attributes)
    attributes: dict[str, object] = {"pkcs12.attributes": kept}
    if bag.friendly_name == alias:
        attributes[ATTR_BAG_AS_READ] = (alias, der, kept, bag.raw)
    return attributes


def _cert_bag(der: bytes, attributes: bytes) -> bytes:
    inner = _der.seq(_X509_OID, _der.explicit(0, _der.octet_string(der)))
    return _der.seq(_CERT_BAG_OID, _der.explicit(0, inner), attributes)


class _LocalKeyIds:
    """Unique localKeyIds in Java's "Time <millis>" form, keeping ones an entry was read with."""

    def __init__(self) -> None:
        self.used: set[bytes] = set()
        self.clock = int(time.time() * 1000)

    def take(self, entry: Entry) -> bytes:
        kept = _kept_local_key_id(entry.attributes.get("pkcs12.attributes"))
        if kept is not None and kept not in self.used:
            self.used.add(kept)
            return kept
        millis = int(entry.created.timestamp() * 1000) if entry.created else self.clock
        while True:
            candidate = f"Time {millis}".encode("ascii")
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
            millis += 1


def dump(keystore: Keystore, password: Password | None, options: DumpOptions) -> bytes:
    """Writes ``keystore`` as Java does with ``options.profile``; ``password`` None writes a
    password-less truststore (no MAC, certificates unencrypted), like JDK 18+'s cacerts."""
    entries = keystore.entries
    if password is None and keystore.holds_keys():
        raise UsageError("the store holds keys, which PKCS12 must encrypt; give a store password")
    for entry in entries:
        if not can_hold(entry):
            raise UnsupportedError(
                f"entry '{entry.alias}' cannot be written to PKCS12 "
                "(its key is sealed under another password or its algorithm has no OID)"
            )
    profile = _profile(options)
    text = password.reveal() if password is not None else None
    key_ids = _LocalKeyIds()
    cert_bags: list[bytes] = []
    key_bags: list[bytes] = []
    chain_written: set[bytes] = set()

    for entry in entries:
        kept = entry.attributes.get("pkcs12.attributes")
        if isinstance(entry, PrivateKeyEntry):
            assert text is not None
            key_id = key_ids.take(entry)
            key_attributes = _attributes(kept, entry.alias, key_id, False)
            key_as_read = _key_bag_as_read(entry, keystore, text, options)
            if key_as_read is not None:
                key_bags.append(_bag(key_as_read[0], key_as_read[1], key_attributes))
            else:
                assert entry.private_key is not None
                algid, ciphertext = _pbe.encrypt(entry.private_key, text, profile.key_scheme)
                epki = _der.seq(algid, _der.octet_string(ciphertext))
                key_bags.append(_bag(OID_SHROUDED_KEY_BAG, epki, key_attributes))
            for position, certificate in enumerate(entry.chain):
                if position == 0:
                    leaf_kept = entry.attributes.get("pkcs12.cert_attributes")
                    attrs = _attributes(leaf_kept, entry.alias, key_id, False)
                    cert_bags.append(_cert_bag(certificate.der, attrs))
                elif certificate.der not in chain_written:
                    chain_written.add(certificate.der)
                    cert_bags.append(_cert_bag(certificate.der, b""))
        elif isinstance(entry, SecretKeyEntry) and entry.key is None:
            assert entry.sealed is not None  # can_hold: a secret bag read from a PKCS12
            key_id = key_ids.take(entry)
            key_bags.append(
                _bag(
                    OID_SECRET_BAG, entry.sealed.data, _attributes(kept, entry.alias, key_id, False)
                )
            )
        elif isinstance(entry, SecretKeyEntry):
            assert entry.key is not None and text is not None
            secret_algid = _secret_algid(entry)
            assert secret_algid is not None
            key_id = key_ids.take(entry)
            pki = _der.seq(_der.encode_integer(0), secret_algid, _der.octet_string(entry.key))
            algid, ciphertext = _pbe.encrypt(pki, text, profile.key_scheme)
            epki = _der.seq(algid, _der.octet_string(ciphertext))
            value = _der.seq(
                _der.encode_oid(OID_SHROUDED_KEY_BAG), _der.explicit(0, _der.octet_string(epki))
            )
            key_bags.append(
                _bag(OID_SECRET_BAG, value, _attributes(kept, entry.alias, key_id, False))
            )
        elif isinstance(entry, TrustedCertificateEntry):
            as_read = entry.attributes.get(ATTR_BAG_AS_READ)
            if (
                isinstance(as_read, tuple)
                and as_read[0] == entry.alias
                and as_read[1] == entry.certificate.der
                and as_read[2] is kept
            ):
                cert_bags.append(as_read[3])  # untouched: written back exactly as read
                continue
            attrs = _attributes(kept, entry.alias, None, True)
            cert_bags.append(_cert_bag(entry.certificate.der, attrs))
        elif isinstance(entry, CertificateEntry):
            name: str | None = entry.alias
            if entry.attributes.get("pkcs12.generated_alias") == entry.alias:
                name = None  # the file never named it; do not invent a friendlyName
            local_key_id = _kept_local_key_id(kept)
            attrs = _attributes(kept, name, local_key_id, False)
            cert_bags.append(_cert_bag(entry.certificate.der, attrs))
        else:  # pragma: no cover - the model has no other kinds
            raise UnsupportedError(f"entry '{entry.alias}' is of a kind PKCS12 cannot hold")

    unknown = keystore.properties.get("pkcs12.unknown_bags") or []
    cert_bags.extend(raw for raw in unknown if isinstance(raw, bytes))

    safes: list[bytes] = []
    if cert_bags:
        cert_safe = _der.seq_of(cert_bags)
        if text is None or profile.cert_scheme is None:
            safes.append(_data_content_info(cert_safe))
        else:
            algid, ciphertext = _pbe.encrypt(cert_safe, text, profile.cert_scheme)
            safes.append(_encrypted_content_info(algid, ciphertext))
    if key_bags:
        safes.append(_data_content_info(_der.seq_of(key_bags)))
    auth_safe = _der.seq_of(safes)
    parts = [_der.encode_integer(3), _data_content_info(auth_safe)]
    if text is not None and profile.pbmac1:
        parts.append(_pbmac1_mac_data(auth_safe, text, profile.mac_iterations))
    elif text is not None and profile.mac_digest is not None:
        salt = os.urandom(_SALT_LENGTH)
        mac = _pbe.pkcs12_mac(
            auth_safe, _pbe.bmp_password(text), salt, profile.mac_iterations, profile.mac_digest
        )
        digest_info = _der.seq(
            _der.algorithm_identifier(_pbe.DIGEST_OIDS[profile.mac_digest]),
            _der.octet_string(mac),
        )
        parts.append(
            _der.seq(
                digest_info,
                _der.octet_string(salt),
                _der.encode_integer(profile.mac_iterations),
            )
        )
    return _der.seq(*parts)


def _key_bag_as_read(
    entry: PrivateKeyEntry, keystore: Keystore, text: str, options: DumpOptions
) -> tuple[str, bytes] | None:
    """(bag type, bag value) to write ``entry``'s key bag back as it was read, or None to
    encrypt its key afresh. An unencrypted key bag (which Java skips) stays one; a shrouded
    one stays as read while the store keeps its password and protection, or when no password
    at hand opens it (its own password then stays its own)."""
    if entry.attributes.get("pkcs12.unencrypted_key_bag") and entry.private_key is not None:
        return OID_KEY_BAG, entry.private_key
    if not isinstance(entry, ShroudedKeyEntry) or entry.replaced or entry.sealed is None:
        return None
    opener = entry._opener
    same_protection = (
        opener is not None
        and opener.store_password is not None
        and hmac.compare_digest(opener.store_password.encode(), text.encode())
        and options.iterations is None
        and options.profile == keystore.properties.get("profile", "default")
        # A target may ask for another key encryption than the file has (e.g. 3DES for jdk8).
        and (
            options.protection is None
            or (
                keystore.read_info is not None
                and options.protection.key_pbe == keystore.read_info.key_pbe
            )
        )
    )
    if same_protection or entry.private_key is None:
        return OID_SHROUDED_KEY_BAG, entry.sealed.data
    return None


def _pbmac1_mac_data(auth_safe: bytes, text: str, iterations: int) -> bytes:
    """MacData with PBMAC1 (RFC 9579) as OpenSSL 3.4 and JDK 26 read it: HMAC-SHA256 keyed by
    PBKDF2-HMAC-SHA256 (32-byte key) over the UTF-8 password. MacData's own salt is unused by
    the scheme and iterations is left at its DEFAULT of 1."""
    params = _pbe.Pbmac1(os.urandom(_SALT_LENGTH), iterations, 32, "sha256", "sha256")
    mac = _pbe.pbmac1_mac(params, text, auth_safe)
    digest_info = _der.seq(_pbe.pbmac1_algorithm(params), _der.octet_string(mac))
    return _der.seq(digest_info, _der.octet_string(params.salt))


_DATA_OID = _der.encode_oid(OID_DATA)


def _data_content_info(content: bytes) -> bytes:
    return _der.seq(_DATA_OID, _der.explicit(0, _der.octet_string(content)))


def _encrypted_content_info(algid: bytes, ciphertext: bytes) -> bytes:
    encrypted_content_info = _der.seq(
        _DATA_OID, algid, _der.tlv(_der.context(0, constructed=False), ciphertext)
    )
    encrypted_data = _der.seq(_der.encode_integer(0), encrypted_content_info)
    return _der.seq(_der.encode_oid(OID_ENCRYPTED_DATA), _der.explicit(0, encrypted_data))
