"""The authenticated safe opened into bags: plain and password-encrypted safes, the bags and their
attributes, and what a key, secret or certificate bag holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from keystore_tool.errors import FormatError, PasswordError, Remedy, UnsupportedError
from keystore_tool.formats import _der, _pbe
from keystore_tool.formats._der import Tlv
from keystore_tool.formats._limits import KdfBudget
from keystore_tool.formats.pkcs12.keys import _KeyOpener
from keystore_tool.formats.pkcs12.oids import (
    OID_DATA,
    OID_ENCRYPTED_DATA,
    OID_FRIENDLY_NAME,
    OID_KEY_BAG,
    OID_LOCAL_KEY_ID,
    OID_SHROUDED_KEY_BAG,
    OID_TRUSTED_KEY_USAGE,
    OID_X509_CERT,
    SECRET_KEY_ALGORITHMS,
)
from keystore_tool.model import Keystore


@dataclass
class _Bag:
    bag_id: str
    value: Tlv  # the content of the bag's [0]
    attributes: list[bytes] = field(default_factory=list)
    friendly_name: str | None = None
    local_key_id: bytes | None = None
    trusted: bool = False
    raw: bytes = b""  # the whole SafeBag, for bags kept verbatim


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


def _decrypt(
    algid: bytes, ciphertext: bytes, password: str | None, budget: KdfBudget, what: str
) -> bytes:
    if password is None:
        raise PasswordError(
            f"the store holds encrypted {what}", password="store", remedy=Remedy.STORE_PASSWORD
        )
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
