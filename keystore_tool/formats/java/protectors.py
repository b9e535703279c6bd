"""The key protectors of JKS and JCEKS, from the OpenJDK sources, and the
EncryptedPrivateKeyInfo that carries a protected key.

* JKS (``sun.security.provider.KeyProtector``, OID 1.3.6.1.4.1.42.2.17.1.1): the data is
  ``salt(20) || key XOR stream || SHA1(pw || key)``, the stream being iterated SHA-1 over the
  UTF-16BE password and the previous block.
* JCEKS (``com.sun.crypto.provider.KeyProtector``, OID 1.3.6.1.4.1.42.2.19.1): Sun's
  PBEWithMD5AndTripleDES (``PBES1Core.deriveCipherKey``): each 4-byte half of the 8-byte salt
  is hashed with the ASCII password ``iterations`` times with MD5; the two digests give the
  24-byte 3DES key and the 8-byte IV. JCEKS also reads JKS-protected keys.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from keystore_tool.errors import FormatError, UsageError
from keystore_tool.formats import _der
from keystore_tool.formats._limits import MAX_ITERATIONS, KdfBudget
from keystore_tool.formats.java.mutf8 import java_chars

if TYPE_CHECKING:
    from keystore_tool.password import Password

# What keytool's JCE key protector writes (KeyProtector.DEFAULT_ITERATION_COUNT, JDK 17 and 25).
JCEKS_DEFAULT_ITERATIONS = 200_000

# DER of the AlgorithmIdentifier OIDs (tag, length, value).
_JKS_PROTECTOR_OID = bytes.fromhex("060a2b060104012a02110101")
_JCE_PROTECTOR_OID = bytes.fromhex("06092b060104012a021301")
PROTECTOR_JKS = "jks-key-protector"
PROTECTOR_JCE = "jce-pbe-md5-3des"

DIGEST_SIZE = 20  # SHA-1's: the JKS protector's salt, stream blocks and check


@dataclass(frozen=True, slots=True)
class ProtectedKey:
    """An EncryptedPrivateKeyInfo split into what the protectors need."""

    protector: str
    data: bytes
    salt: bytes = b""
    iterations: int = 0


def parse_protected_key(blob: bytes) -> ProtectedKey:
    """The protector, data and PBE parameters of a key entry's EncryptedPrivateKeyInfo."""
    what = "protected key"
    top = _der.read(blob, 0, len(blob), what)
    if top.tag != _der.SEQUENCE:
        raise FormatError("a protected key is not an EncryptedPrivateKeyInfo")
    algorithm = _der.read(blob, top.start, top.end, what)
    if algorithm.tag != _der.SEQUENCE:
        raise FormatError("a protected key has no algorithm identifier")
    # The protector OIDs are compared encoded, tag and length included.
    oid_end = _der.read(blob, algorithm.start, algorithm.end, what).end
    oid = blob[algorithm.start : oid_end]
    encrypted = _der.read(blob, algorithm.end, top.end, what)
    if encrypted.tag != _der.OCTET_STRING:
        raise FormatError("a protected key has no encrypted data")
    data = _der.content(blob, encrypted)
    if oid == _JKS_PROTECTOR_OID:
        if len(data) < 2 * DIGEST_SIZE:
            raise FormatError("a JKS-protected key is too short")
        return ProtectedKey(PROTECTOR_JKS, data)
    if oid == _JCE_PROTECTOR_OID:
        salt, iterations = parse_pbe_params(blob[oid_end : algorithm.end])
        return ProtectedKey(PROTECTOR_JCE, data, salt, iterations)
    raise FormatError("a key in the store uses an unknown protection algorithm")


def parse_pbe_params(params: bytes) -> tuple[bytes, int]:
    """PBEParameter ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER }."""
    what = "PBE parameter"
    top = _der.read(params, 0, len(params), what)
    if top.tag != _der.SEQUENCE:
        raise FormatError("a protected key has invalid PBE parameters")
    salt = _der.read(params, top.start, top.end, what)
    if salt.tag != _der.OCTET_STRING or salt.end - salt.start != 8:
        raise FormatError("a protected key has an invalid PBE salt (8 bytes expected)")
    count = _der.read(params, salt.end, top.end, what)
    if count.tag != _der.INTEGER or not 0 < count.end - count.start <= 5:
        raise FormatError("a protected key has an invalid PBE iteration count")
    return _der.content(params, salt), _der.integer(params, count, what)


def _pbe_params(salt: bytes, iterations: int) -> bytes:
    return _der.seq(_der.octet_string(salt), _der.encode_integer(iterations))


def _xor(data: bytes, stream: bytes) -> bytes:
    n = len(data)
    mixed = int.from_bytes(data, "big") ^ int.from_bytes(stream[:n], "big")
    return mixed.to_bytes(n, "big")


def _jks_stream(salt: bytes, password: bytes, length: int) -> bytes:
    blocks: list[bytes] = []
    block = salt
    for _ in range((length + DIGEST_SIZE - 1) // DIGEST_SIZE):
        block = hashlib.sha1(password + block).digest()
        blocks.append(block)
    return b"".join(blocks)


def jks_unprotect(data: bytes, password: Password) -> bytes | None:
    """The PKCS#8 key, or None when ``password`` is not the one it was protected with."""
    pw = java_chars(password)
    salt, encrypted, check = data[:DIGEST_SIZE], data[DIGEST_SIZE:-DIGEST_SIZE], data[-DIGEST_SIZE:]
    key = _xor(encrypted, _jks_stream(salt, pw, len(encrypted)))
    if hashlib.sha1(pw + key).digest() != check:
        return None
    return key


def jks_protect(pkcs8: bytes, password: Password) -> bytes:
    """The PKCS#8 key as the JKS key protector writes it (an EncryptedPrivateKeyInfo)."""
    pw = java_chars(password)
    salt = os.urandom(DIGEST_SIZE)
    data = salt + _xor(pkcs8, _jks_stream(salt, pw, len(pkcs8)))
    data += hashlib.sha1(pw + pkcs8).digest()
    alg = _der.seq(_JKS_PROTECTOR_OID, _der.DER_NULL)
    return _der.seq(alg, _der.octet_string(data))


def jce_password(password: Password) -> bytes | None:
    """The password as PBEKey takes it: printable ASCII only, else None."""
    text = password.reveal()
    if all(" " <= ch <= "~" for ch in text):
        return text.encode("ascii")
    return None


def _jce_key_iv(password: bytes, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    halves = [salt[:4], salt[4:]]
    if halves[0] == halves[1]:
        # PBES1Core's "invert the first half" loop has a typo (salt[3-1]); this is what it does.
        s = halves[0]
        halves[0] = bytes((s[3], s[0], s[1], s[3]))
    md5 = hashlib.md5
    derived = []
    for half in halves:
        block = half
        for _ in range(iterations):
            block = md5(block + password).digest()
        derived.append(block)
    both = derived[0] + derived[1]
    return both[:24], both[24:]


def _tdes(key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

    cipher = Cipher(TripleDES(key), modes.CBC(iv))
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(data) + op.finalize()


def jce_pbe_decrypt(
    data: bytes, password: Password, salt: bytes, iterations: int, budget: KdfBudget, what: str
) -> bytes | None:
    """Decrypts Sun's PBEWithMD5AndTripleDES; None when the password does not fit."""
    budget.charge(iterations, what, outputs=2)  # two MD5 chains, one per salt half
    pw = jce_password(password)
    if pw is None or not data or len(data) % 8:
        return None
    key, iv = _jce_key_iv(pw, salt, iterations)
    padded = _tdes(key, iv, data, encrypt=False)
    pad = padded[-1]
    if not 1 <= pad <= 8 or padded[-pad:] != bytes((pad,)) * pad:
        return None
    return padded[:-pad]


def jce_pbe_encrypt(plain: bytes, password: Password, iterations: int) -> tuple[bytes, bytes]:
    """(PBE parameters, ciphertext) of ``plain`` under Sun's PBEWithMD5AndTripleDES and a
    fresh 8-byte salt; the password must be printable ASCII, as Java's PBE demands."""
    pw = jce_password(password)
    if pw is None:
        raise UsageError(
            "a JCEKS key password must be printable ASCII (Java's PBE refuses other characters)"
        )
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise UsageError(f"the iteration count must be between 1 and {MAX_ITERATIONS:,}")
    salt = os.urandom(8)
    key, iv = _jce_key_iv(pw, salt, iterations)
    pad = 8 - len(plain) % 8
    encrypted = _tdes(key, iv, plain + bytes((pad,)) * pad, encrypt=True)
    return _pbe_params(salt, iterations), encrypted


def jce_protect(pkcs8: bytes, password: Password, iterations: int) -> bytes:
    """The PKCS#8 key as the JCEKS key protector writes it (an EncryptedPrivateKeyInfo)."""
    params, encrypted = jce_pbe_encrypt(pkcs8, password, iterations)
    alg = _der.seq(_JCE_PROTECTOR_OID, params)
    return _der.seq(alg, _der.octet_string(encrypted))


def unprotect(protected: ProtectedKey, password: Password, budget: KdfBudget) -> bytes | None:
    """The PKCS#8 key under either protector, or None when ``password`` does not open it."""
    if protected.protector == PROTECTOR_JKS:
        key = jks_unprotect(protected.data, password)
    else:
        key = jce_pbe_decrypt(
            protected.data, password, protected.salt, protected.iterations, budget, "JCEKS key"
        )
    return key if key is not None and _looks_like_pkcs8(key) else None


def _looks_like_pkcs8(key: bytes) -> bool:
    """A wrong password that happens to leave valid padding still leaves no DER SEQUENCE."""
    try:
        top = _der.read(key, 0, len(key), "decrypted key")
    except FormatError:
        return False
    return top.tag == _der.SEQUENCE and top.end == len(key)
