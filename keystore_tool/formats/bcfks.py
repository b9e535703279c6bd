"""BouncyCastle's FIPS keystore "BCFKS", read-only.

DER, from BouncyCastle's ``BcFKSKeyStoreSpi`` and ``org.bouncycastle.asn1.bc``::

    ObjectStore ::= SEQUENCE {
        storeData       EncryptedObjectStoreData,   -- SEQUENCE { PBES2 AlgorithmIdentifier,
                                                    --            OCTET STRING }
        integrityCheck  PbkdMacIntegrityCheck       -- SEQUENCE { macAlgorithm, pbkdAlgorithm,
                                                    --            mac OCTET STRING }
                      | [0] SignatureCheck }
    ObjectStoreData ::= SEQUENCE { version INTEGER, integrityAlgorithm AlgorithmIdentifier,
        creationDate GeneralizedTime, lastModifiedDate GeneralizedTime,
        objectDataSequence SEQUENCE OF ObjectData, comment UTF8String OPTIONAL }
    ObjectData ::= SEQUENCE { type INTEGER, identifier UTF8String, creationDate,
        lastModifiedDate GeneralizedTime, data OCTET STRING, comment UTF8String OPTIONAL }

Entry types: 0 certificate (its DER); 1 private key and 3 "protected" private key
(``SEQUENCE { EncryptedPrivateKeyInfo, SEQUENCE OF Certificate }``); 2 secret key and 4
"protected" secret key (``SEQUENCE { PBES2 AlgorithmIdentifier, OCTET STRING }`` around
``SEQUENCE { algorithm OID, key OCTET STRING }``).

Every key is PBES2: PBKDF2 with HMAC-SHA512 (or HMAC-SHA3-512) or scrypt, then AES-256-CCM or
AES-256 key wrap with padding (RFC 5649). The KDF's password is BC's PKCS#12 encoding of the
password followed by that of a purpose string ("STORE_ENCRYPTION", "INTEGRITY_CHECK",
"PRIVATE_KEY_ENCRYPTION", "SECRET_KEY_ENCRYPTION"). The MAC (HMAC-SHA512 or HMAC-SHA3-512) is
over the DER of ``storeData``. BC reads a store given no password with the empty password;
so does ks.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from keystore_tool.errors import FormatError, PasswordError
from keystore_tool.formats import _der, _pbe
from keystore_tool.formats._limits import KdfBudget
from keystore_tool.formats._readinfo import (
    ALIAS_COLLISION,
    ENTRY_LEFT_OUT,
    SIGNATURE_UNCHECKED,
    read_info_of,
    warn,
)
from keystore_tool.model import (
    Certificate,
    Entry,
    Keystore,
    PrivateKeyEntry,
    SealedBlob,
    SecretKeyEntry,
    StoreWarning,
    TrustedCertificateEntry,
)

if TYPE_CHECKING:
    from keystore_tool.formats import LoadOptions
    from keystore_tool.password import Password

FORMAT = "bcfks"

TYPE_CERTIFICATE = 0
TYPE_PRIVATE_KEY = 1
TYPE_SECRET_KEY = 2
TYPE_PROTECTED_PRIVATE_KEY = 3
TYPE_PROTECTED_SECRET_KEY = 4

_HMAC_SHA512 = "1.2.840.113549.2.11"
_HMAC_SHA3_512 = "2.16.840.1.101.3.4.2.16"
_MAC_DIGESTS = {_HMAC_SHA512: "sha512", _HMAC_SHA3_512: "sha3_512"}
_AES256_CCM = "2.16.840.1.101.3.4.1.47"
_AES256_KWP = "2.16.840.1.101.3.4.1.48"
_DEFAULT_KEY_LENGTH = 32
_MAX_KEY_LENGTH = 128
_MAX_SCRYPT_BLOCK = 32
_MAX_SCRYPT_PARALLEL = 16

# The secret-key algorithm OIDs BcFKSKeyStoreSpi writes, with the names Java gives them.
SECRET_KEY_ALGORITHMS = {
    "2.16.840.1.101.3.4.1": "AES",
    "1.3.14.3.2.17": "DESede",
    "1.2.840.113549.2.7": "HmacSHA1",
    "1.2.840.113549.2.8": "HmacSHA224",
    "1.2.840.113549.2.9": "HmacSHA256",
    "1.2.840.113549.2.10": "HmacSHA384",
    "1.2.840.113549.2.11": "HmacSHA512",
    "1.2.840.113549.2.12": "HmacSHA512/224",
    "1.2.840.113549.2.13": "HmacSHA512/256",
    "2.16.840.1.101.3.4.2.13": "HmacSHA3-224",
    "2.16.840.1.101.3.4.2.14": "HmacSHA3-256",
    "2.16.840.1.101.3.4.2.15": "HmacSHA3-384",
    "2.16.840.1.101.3.4.2.16": "HmacSHA3-512",
    "1.2.410.200004.1.4": "SEED",
    "1.2.392.200011.61.1.1.1.2": "Camellia",
    "1.2.392.200011.61.1.1.1.3": "Camellia",
    "1.2.392.200011.61.1.1.1.4": "Camellia",
    "1.2.410.200046.1.1.2": "ARIA",
    "1.2.410.200046.1.1.7": "ARIA",
    "1.2.410.200046.1.1.12": "ARIA",
}

_WRONG = "wrong password or the BCFKS store's integrity check failed"


def bc_password(text: str) -> bytes:
    """BC's ``PKCS12PasswordToBytes``: UTF-16BE and a 2-byte terminator; empty stays empty."""
    return _pbe.bmp_password(text) if text else b""


def _items(data: bytes, tlv: _der.Tlv, what: str, minimum: int) -> list[_der.Tlv]:
    items = _der.sequence_items(data, tlv, what, minimum)
    return items


def _oid_of(data: bytes, algid: _der.Tlv, what: str) -> tuple[str, list[_der.Tlv]]:
    parts = _items(data, algid, what, 1)
    return _der.oid(data, parts[0], what), parts[1:]


def _small_int(data: bytes, tlv: _der.Tlv, what: str, low: int, high: int) -> int:
    value = _der.integer(data, tlv, what)
    if not low <= value <= high:
        raise FormatError(f"the BCFKS store has an out-of-range {what} ({value:,})")
    return value


def derive_key(
    data: bytes,
    kdf: _der.Tlv,
    purpose: str,
    password: str,
    default_length: int,
    budget: KdfBudget,
) -> bytes:
    """BC's ``generateKey``: PBKDF2 (HMAC-SHA512 or HMAC-SHA3-512) or scrypt over the encoded
    password and purpose, every parameter bounded before any work."""
    what = "key derivation"
    kdf_oid, rest = _oid_of(data, kdf, what)
    if not rest or rest[0].tag != _der.SEQUENCE:
        raise FormatError("the BCFKS store has malformed key-derivation parameters")
    params = _items(data, rest[0], what, 2)
    salt = _der.octets(data, params[0], "salt")
    secret = bc_password(password) + bc_password(purpose)
    if kdf_oid == _pbe.PBKDF2:
        return _pbkdf2(data, params, secret, salt, purpose, default_length, budget)
    if kdf_oid == _pbe.SCRYPT:
        return _scrypt(data, params, secret, salt, default_length)
    raise FormatError(f"the BCFKS store uses a key derivation ks does not know ({kdf_oid})")


def _pbkdf2(
    data: bytes,
    params: list[_der.Tlv],
    secret: bytes,
    salt: bytes,
    purpose: str,
    default_length: int,
    budget: KdfBudget,
) -> bytes:
    """PBKDF2 with BC's PRFs (HMAC-SHA512, HMAC-SHA3-512), charged to ``budget`` first."""
    iterations = _der.integer(data, params[1], "iteration count")
    length = default_length
    prf = "sha1"
    for item in params[2:]:
        if item.tag == _der.INTEGER:
            length = _small_int(data, item, "key length", 1, _MAX_KEY_LENGTH)
        elif item.tag == _der.SEQUENCE:
            prf_oid, _ = _oid_of(data, item, "PRF")
            prf = _MAC_DIGESTS.get(prf_oid, prf_oid)
    if prf not in ("sha512", "sha3_512"):
        raise FormatError(f"the BCFKS store uses a PBKDF2 PRF BouncyCastle does not ({prf[:40]})")
    if length < 1:
        raise FormatError("the BCFKS store names no key length")
    # PBKDF2 runs its rounds once per 64-byte output block of SHA-512 / SHA3-512.
    budget.charge(
        iterations, f"BCFKS {purpose.lower().replace('_', ' ')}", outputs=-(-length // 64)
    )
    return hashlib.pbkdf2_hmac(prf, secret, salt, iterations, length)


def _scrypt(
    data: bytes, params: list[_der.Tlv], secret: bytes, salt: bytes, default_length: int
) -> bytes:
    """scrypt, every parameter bounded before any work."""
    if len(params) < 4:
        raise FormatError("the BCFKS store has malformed scrypt parameters")
    cost = _small_int(data, params[1], "scrypt cost", 2, _pbe.MAX_SCRYPT_COST)
    block = _small_int(data, params[2], "scrypt block size", 1, _MAX_SCRYPT_BLOCK)
    parallel = _small_int(data, params[3], "scrypt parallelism", 1, _MAX_SCRYPT_PARALLEL)
    length = default_length
    if len(params) > 4:
        length = _small_int(data, params[4], "key length", 1, _MAX_KEY_LENGTH)
    # BcFKSKeyStoreSpi passes the block size as scrypt's parallelism too; the store was
    # written so, whatever its parallelism field says.
    del parallel
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=length, n=cost, r=block, p=block).derive(secret)


def decrypt(
    data: bytes,
    algid: _der.Tlv,
    encrypted: bytes,
    purpose: str,
    password: str,
    budget: KdfBudget,
) -> bytes | None:
    """BC's ``decryptData``: PBES2 with AES-256-CCM or AES-256-KWP; None for a wrong key."""
    what = "encryption algorithm"
    oid, rest = _oid_of(data, algid, what)
    if oid != _pbe.PBES2 or not rest:
        raise FormatError("the BCFKS store uses a protection ks does not know (not PBES2)")
    pbes2 = _items(data, rest[0], "PBES2 parameters", 2)
    scheme_oid, scheme_rest = _oid_of(data, pbes2[1], "encryption scheme")
    if scheme_oid not in (_AES256_CCM, _AES256_KWP):
        raise FormatError(f"the BCFKS store uses a cipher ks does not know ({scheme_oid})")
    key = derive_key(data, pbes2[0], purpose, password, _DEFAULT_KEY_LENGTH, budget)
    if len(key) != 32:
        raise FormatError("the BCFKS store asks for an AES key that is not 256 bits")
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap_with_padding

    if scheme_oid == _AES256_KWP:
        try:
            return aes_key_unwrap_with_padding(key, encrypted)
        except (InvalidUnwrap, ValueError):
            return None
    from cryptography.hazmat.primitives.ciphers.aead import AESCCM

    if not scheme_rest:
        raise FormatError("the BCFKS store lacks its AES-CCM parameters")
    ccm = _items(data, scheme_rest[0], "CCM parameters", 1)
    nonce = _der.octets(data, ccm[0], "CCM nonce")
    tag_length = _small_int(data, ccm[1], "CCM tag length", 4, 16) if len(ccm) > 1 else 12
    try:
        return AESCCM(key, tag_length=tag_length).decrypt(nonce, encrypted, None)
    except (InvalidTag, ValueError):
        return None


def _time(data: bytes, tlv: _der.Tlv) -> datetime | None:
    text = data[tlv.start : tlv.end].decode("ascii", "replace").rstrip("Z")
    try:
        return datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _check_mac(
    data: bytes, check: _der.Tlv, store_data: _der.Tlv, password: str, budget: KdfBudget
) -> None:
    parts = _items(data, check, "integrity check", 3)
    mac_oid, _ = _oid_of(data, parts[0], "MAC algorithm")
    digest = _MAC_DIGESTS.get(mac_oid)
    if digest is None:
        raise FormatError(f"the BCFKS store uses a MAC ks does not know ({mac_oid})")
    key = derive_key(data, parts[1], "INTEGRITY_CHECK", password, -1, budget)
    stored = _der.octets(data, parts[2], "MAC")
    computed = hmac.new(key, data[store_data.head : store_data.end], digest).digest()
    if not hmac.compare_digest(computed, stored):
        raise PasswordError(_WRONG)


def load(data: bytes, password: Password | None, options: LoadOptions) -> Keystore:
    """Reads a BCFKS file (encrypted whole, so its password is needed)."""
    text = password.reveal() if password is not None else ""
    budget = KdfBudget(options.max_kdf_work)
    top = _der.expect(data, 0, len(data), _der.SEQUENCE, "BCFKS store")
    store = _items(data, top, "BCFKS store", 2)
    encrypted_store, check = store[0], store[1]
    keystore = Keystore(storetype=FORMAT)
    if check.tag == _der.SEQUENCE:
        try:
            _check_mac(data, check, encrypted_store, text, budget)
        except PasswordError:
            if password is None:
                raise PasswordError(
                    "the BCFKS store is encrypted whole: its password is needed to read it"
                ) from None
            raise
        checked = True
    else:
        # A store signed with a key: its signature needs the signer's public key, which the
        # store does not carry; BC too reads it only when handed that key.
        checked = False
        warn(
            keystore,
            "the BCFKS store is signed rather than MACed; its signature was not verified",
            SIGNATURE_UNCHECKED,
        )
    keystore.properties[f"{FORMAT}.integrity_verified"] = checked
    parts = _items(data, encrypted_store, "encrypted store data", 2)
    ciphertext = _der.octets(data, parts[1], "encrypted store data")
    plain = decrypt(data, parts[0], ciphertext, "STORE_ENCRYPTION", text, budget)
    if plain is None:
        raise PasswordError(_WRONG)
    entries = _entries(
        plain,
        options.entry_password.reveal() if options.entry_password else text,
        budget,
        keystore.warnings,
    )
    by_alias: dict[str, Entry] = {}
    for entry in entries:
        if entry.folded_alias in by_alias:
            warn(
                keystore,
                f"alias '{entry.alias}' appears more than once; BouncyCastle keeps the last",
                ALIAS_COLLISION,
            )
        by_alias[entry.folded_alias] = entry
    keystore.add_loaded(list(by_alias.values()))
    undecrypted = sum(
        1
        for entry in by_alias.values()
        if isinstance(entry, PrivateKeyEntry | SecretKeyEntry) and entry.sealed is not None
    )
    if undecrypted:
        keystore.properties[f"{FORMAT}.undecrypted_keys"] = undecrypted
    keystore.read_info = read_info_of(keystore, FORMAT, integrity_checked=checked)
    return keystore


def _entries(
    plain: bytes, key_password: str, budget: KdfBudget, warnings: list[str]
) -> list[Entry]:
    top = _der.expect(plain, 0, len(plain), _der.SEQUENCE, "store data")
    fields = _items(plain, top, "store data", 5)
    objects = _items(plain, fields[4], "object data sequence", 0)
    entries: list[Entry] = []
    for item in objects:
        obj = _items(plain, item, "object data", 5)
        kind = _der.integer(plain, obj[0], "object type")
        if obj[1].tag != 0x0C:
            raise FormatError("the BCFKS store is corrupt (an alias is not a UTF8String)")
        alias = plain[obj[1].start : obj[1].end].decode("utf-8", "replace")
        created = _time(plain, obj[3])  # BC reports the last-modified date as the creation date
        body = _der.octets(plain, obj[4], "object data")
        entry = _entry(kind, alias, created, body, key_password, budget, warnings)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(
    kind: int,
    alias: str,
    created: datetime | None,
    body: bytes,
    key_password: str,
    budget: KdfBudget,
    warnings: list[str],
) -> Entry | None:
    if kind == TYPE_CERTIFICATE:
        return TrustedCertificateEntry(alias=alias, created=created, certificate=Certificate(body))
    sealed = SealedBlob(FORMAT, body)
    if kind in (TYPE_PRIVATE_KEY, TYPE_PROTECTED_PRIVATE_KEY):
        top = _der.expect(body, 0, len(body), _der.SEQUENCE, "private key data")
        parts = _items(body, top, "private key data", 2)
        chain = [
            Certificate(_der.raw(body, cert))
            for cert in _items(body, parts[1], "certificate chain", 0)
        ]
        epki = _items(body, parts[0], "encrypted private key", 2)
        encrypted = _der.octets(body, epki[1], "encrypted private key")
        key = decrypt(body, epki[0], encrypted, "PRIVATE_KEY_ENCRYPTION", key_password, budget)
        return PrivateKeyEntry(
            alias=alias,
            created=created,
            chain=chain,
            private_key=key,
            sealed=None if key is not None else sealed,
        )
    if kind in (TYPE_SECRET_KEY, TYPE_PROTECTED_SECRET_KEY):
        top = _der.expect(body, 0, len(body), _der.SEQUENCE, "secret key data")
        parts = _items(body, top, "secret key data", 2)
        encrypted = _der.octets(body, parts[1], "encrypted secret key")
        plain = decrypt(body, parts[0], encrypted, "SECRET_KEY_ENCRYPTION", key_password, budget)
        if plain is None:
            return SecretKeyEntry(alias=alias, created=created, sealed=sealed)
        inner = _der.expect(plain, 0, len(plain), _der.SEQUENCE, "secret key")
        fields = _items(plain, inner, "secret key", 2)
        oid = _der.oid(plain, fields[0], "secret key algorithm")
        return SecretKeyEntry(
            alias=alias,
            created=created,
            algorithm=SECRET_KEY_ALGORITHMS.get(oid, oid),
            key=_der.octets(plain, fields[1], "secret key"),
        )
    warnings.append(
        StoreWarning(
            f"entry '{alias}' has an unknown BCFKS type {kind}; it is left out", ENTRY_LEFT_OUT
        )
    )
    return None
