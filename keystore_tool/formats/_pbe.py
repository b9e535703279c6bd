"""Password-based encryption and MACs of PKCS#12 (RFC 7292) and PKCS#5 v2 (RFC 8018).

Used by the PKCS12 adapter, and meant for any other reader of encrypted PKCS#8
(``EncryptedPrivateKeyInfo``): :func:`decrypt` takes an AlgorithmIdentifier's DER, the
ciphertext and the password; :func:`encrypt` takes a :class:`PbeScheme`. Every iteration count
is charged to a :class:`KdfBudget` before anything is derived, so a hostile file is refused in
microseconds instead of grinding for minutes.

Password encodings differ by scheme, as in Java and OpenSSL: the PKCS#12 KDF hashes the
password as a BMPString (UTF-16BE) with two zero bytes appended; PBKDF2 hashes its UTF-8 bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from keystore_tool.errors import FormatError, PasswordError, UnsupportedError
from keystore_tool.formats import _der
from keystore_tool.formats._limits import KdfBudget

if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hashes

# ---- object identifiers -----------------------------------------------------------------

PBE_SHA1_RC4_128 = "1.2.840.113549.1.12.1.1"
PBE_SHA1_RC4_40 = "1.2.840.113549.1.12.1.2"
PBE_SHA1_3DES = "1.2.840.113549.1.12.1.3"
PBE_SHA1_2DES = "1.2.840.113549.1.12.1.4"
PBE_SHA1_RC2_128 = "1.2.840.113549.1.12.1.5"
PBE_SHA1_RC2_40 = "1.2.840.113549.1.12.1.6"
PBES2 = "1.2.840.113549.1.5.13"
PBKDF2 = "1.2.840.113549.1.5.12"
SCRYPT = "1.3.6.1.4.1.11591.4.11"
# scrypt's cost parameter N beyond which decrypting takes more memory than a key file deserves.
MAX_SCRYPT_COST = 1 << 20

PBES1_NAMES = {
    PBE_SHA1_RC4_128: "pbeWithSHAAnd128BitRC4",
    PBE_SHA1_RC4_40: "pbeWithSHAAnd40BitRC4",
    PBE_SHA1_3DES: "pbeWithSHAAnd3-KeyTripleDES-CBC",
    PBE_SHA1_2DES: "pbeWithSHAAnd2-KeyTripleDES-CBC",
    PBE_SHA1_RC2_128: "pbeWithSHAAnd128BitRC2-CBC",
    PBE_SHA1_RC2_40: "pbeWithSHAAnd40BitRC2-CBC",
}
# key bytes, IV bytes, cipher family (RC4 is a stream cipher: no IV, no padding; read only)
_PBES1_CIPHERS: dict[str, tuple[int, int, str]] = {
    PBE_SHA1_RC4_128: (16, 0, "rc4"),
    PBE_SHA1_RC4_40: (5, 0, "rc4"),
    PBE_SHA1_3DES: (24, 8, "3des"),
    PBE_SHA1_2DES: (16, 8, "3des"),
    PBE_SHA1_RC2_128: (16, 8, "rc2"),
    PBE_SHA1_RC2_40: (5, 8, "rc2"),
}

# hmacWithSHA* PRF OIDs of PBKDF2
PRF_OIDS = {
    "sha1": "1.2.840.113549.2.7",
    "sha224": "1.2.840.113549.2.8",
    "sha256": "1.2.840.113549.2.9",
    "sha384": "1.2.840.113549.2.10",
    "sha512": "1.2.840.113549.2.11",
    "sha512_224": "1.2.840.113549.2.12",
    "sha512_256": "1.2.840.113549.2.13",
    "sha3_224": "2.16.840.1.101.3.4.2.13",
    "sha3_256": "2.16.840.1.101.3.4.2.14",
    "sha3_384": "2.16.840.1.101.3.4.2.15",
    "sha3_512": "2.16.840.1.101.3.4.2.16",
}
PRF_BY_OID = {v: k for k, v in PRF_OIDS.items()}

# PBES2 encryption schemes: OID -> (name, key bytes)
CIPHER_OIDS = {
    "aes-128-cbc": ("2.16.840.1.101.3.4.1.2", 16),
    "aes-192-cbc": ("2.16.840.1.101.3.4.1.22", 24),
    "aes-256-cbc": ("2.16.840.1.101.3.4.1.42", 32),
    "des-ede3-cbc": ("1.2.840.113549.3.7", 24),
    "des-cbc": ("1.3.14.3.2.7", 8),  # read only: OpenSSL 3 writes it with -legacy
}
CIPHER_BY_OID = {oid: (name, size) for name, (oid, size) in CIPHER_OIDS.items()}

# Digest OIDs of a PKCS#12 MacData
DIGEST_OIDS = {
    "sha1": "1.3.14.3.2.26",
    "sha224": "2.16.840.1.101.3.4.2.4",
    "sha256": "2.16.840.1.101.3.4.2.1",
    "sha384": "2.16.840.1.101.3.4.2.2",
    "sha512": "2.16.840.1.101.3.4.2.3",
    "sha512_224": "2.16.840.1.101.3.4.2.5",
    "sha512_256": "2.16.840.1.101.3.4.2.6",
}
DIGEST_BY_OID = {v: k for k, v in DIGEST_OIDS.items()}

# hash name -> (output bytes u, block bytes v) for the PKCS#12 KDF
_HASH_SIZES = {
    "sha1": (20, 64),
    "sha224": (28, 64),
    "sha256": (32, 64),
    "sha384": (48, 128),
    "sha512": (64, 128),
    "sha512_224": (28, 128),
    "sha512_256": (32, 128),
}

KDF_KEY = 1
KDF_IV = 2
KDF_MAC = 3


def bmp_password(password: str) -> bytes:
    """The PKCS#12 KDF's password encoding: BMPString plus a two-byte terminator."""
    return password.encode("utf-16-be") + b"\x00\x00"


def pkcs12_kdf(
    password_bmp: bytes, salt: bytes, purpose: int, iterations: int, length: int, digest: str
) -> bytes:
    """RFC 7292 appendix B.2. ``password_bmp`` is already encoded (see :func:`bmp_password`);
    the caller has charged ``iterations`` to a budget."""
    u, v = _HASH_SIZES[digest]

    def hash_new(data: bytes) -> hashlib._Hash:
        return hashlib.new(digest, data)

    d_block = bytes((purpose,)) * v

    def stretch(value: bytes) -> bytes:
        if not value:
            return b""
        count = v * ((len(value) + v - 1) // v)
        return (value * (count // len(value) + 1))[:count]

    i_blocks = bytearray(stretch(salt) + stretch(password_bmp))
    out: list[bytes] = []
    produced = 0
    mask = (1 << (8 * v)) - 1
    while produced < length:
        a = hash_new(d_block + i_blocks).digest()
        for _ in range(iterations - 1):
            a = hash_new(a).digest()
        out.append(a)
        produced += u
        if produced >= length:
            break
        b = int.from_bytes((a * (v // u + 1))[:v], "big") + 1
        for j in range(0, len(i_blocks), v):
            block = (int.from_bytes(i_blocks[j : j + v], "big") + b) & mask
            i_blocks[j : j + v] = block.to_bytes(v, "big")
    return b"".join(out)[:length]


def pbkdf2(password: str, salt: bytes, iterations: int, length: int, prf: str) -> bytes:
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    kdf = PBKDF2HMAC(algorithm=hash_algorithm(prf), length=length, salt=salt, iterations=iterations)
    return kdf.derive(password.encode("utf-8"))


def hash_algorithm(name: str) -> hashes.HashAlgorithm:
    """cryptography's hash for one of this module's digest names ("sha256", "sha3_512", …)."""
    from cryptography.hazmat.primitives import hashes

    algorithms: dict[str, hashes.HashAlgorithm] = {
        "sha1": hashes.SHA1(),
        "sha224": hashes.SHA224(),
        "sha256": hashes.SHA256(),
        "sha384": hashes.SHA384(),
        "sha512": hashes.SHA512(),
        "sha512_224": hashes.SHA512_224(),
        "sha512_256": hashes.SHA512_256(),
        "sha3_224": hashes.SHA3_224(),
        "sha3_256": hashes.SHA3_256(),
        "sha3_384": hashes.SHA3_384(),
        "sha3_512": hashes.SHA3_512(),
    }
    return algorithms[name]


# ---- ciphers ------------------------------------------------------------------------------


def _cbc(family: str, key: bytes, iv: bytes, data: bytes, encrypting: bool) -> bytes:
    if family == "rc2" and len(key) != 16:
        # cryptography's RC2 takes only 128-bit keys; the 40-bit variant (Java 8's and
        # OpenSSL 1.x's certificate encryption) comes from pycryptodomex, a pyjks dependency.
        from Cryptodome.Cipher import ARC2

        # The stubs omit effective_keylen, which RC2-40 needs (RFC 2268: effective bits 40).
        rc2 = ARC2.new(key, ARC2.MODE_CBC, iv=iv, effective_keylen=len(key) * 8)  # type: ignore[call-arg]
        return bytes(rc2.encrypt(data) if encrypting else rc2.decrypt(data))
    from cryptography.hazmat.primitives.ciphers import Cipher, CipherAlgorithm, modes

    algorithm: CipherAlgorithm
    if family == "aes":
        from cryptography.hazmat.primitives.ciphers.algorithms import AES

        algorithm = AES(key)
    elif family == "3des":
        from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES

        # Two-key 3DES repeats K1 as K3; single DES is 3DES with one key thrice.
        algorithm = TripleDES(
            key * 3 if len(key) == 8 else key + key[:8] if len(key) == 16 else key
        )
    else:
        from cryptography.hazmat.decrepit.ciphers.algorithms import RC2

        algorithm = RC2(key)
    cipher = Cipher(algorithm, modes.CBC(iv))
    ctx = cipher.encryptor() if encrypting else cipher.decryptor()
    return ctx.update(data) + ctx.finalize()


def _pad(data: bytes, block: int) -> bytes:
    n = block - len(data) % block
    return data + bytes((n,)) * n


def _unpad(data: bytes, block: int) -> bytes:
    if not data or len(data) % block:
        raise PasswordError(
            "cannot decrypt an entry: wrong password, or the encrypted data is damaged"
        )
    n = data[-1]
    if n < 1 or n > block or data[-n:] != bytes((n,)) * n:
        raise PasswordError(
            "cannot decrypt an entry: wrong password, or the encrypted data is damaged"
        )
    return data[:-n]


# ---- schemes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PbeScheme:
    """How to encrypt: ``pbes2`` with a PBKDF2 PRF and a cipher, or a PKCS#12 PBES1 OID."""

    kind: Literal["pbes2", "pbes1"]
    iterations: int
    prf: str = "sha256"  # pbes2
    cipher: str = "aes-256-cbc"  # pbes2
    pbes1_oid: str = PBE_SHA1_3DES  # pbes1
    salt_length: int = 20

    def describe(self) -> str:
        if self.kind == "pbes2":
            return _describe_pbes2(self.prf, self.cipher, self.iterations)
        return f"{PBES1_NAMES[self.pbes1_oid]}, {self.iterations} iterations"


def _describe_pbes2(prf: str, cipher: str, iterations: int) -> str:
    return f"PBES2 (PBKDF2-HMAC-{prf.upper()}, {cipher.upper()}), {iterations} iterations"


@dataclass(frozen=True)
class _ParsedPbe:
    kind: Literal["pbes2", "pbes1"]
    oid: str
    salt: bytes
    iterations: int
    prf: str = ""
    cipher: str = ""
    key_length: int = 0
    iv: bytes = b""


def _parse(algid: bytes, what: str) -> _ParsedPbe:
    top = _der.expect(algid, 0, len(algid), _der.SEQUENCE, what)
    items = _der.sequence_items(algid, top, what, 1)
    oid = _der.oid(algid, items[0], what)
    if oid not in _PBES1_CIPHERS and oid != PBES2:
        raise UnsupportedError(f"the {what} uses an unsupported encryption algorithm ({oid})")
    if len(items) < 2:
        raise FormatError(f"the {what} lacks its parameters")
    if oid == PBES2:
        return _parse_pbes2(algid, items[1], what)
    params = _der.sequence_items(algid, items[1], what, 2)
    salt = _der.octets(algid, params[0], what)
    iterations = _der.integer(algid, params[1], what)
    return _ParsedPbe("pbes1", oid, salt, iterations)


def _parse_pbes2(algid: bytes, parameters: _der.Tlv, what: str) -> _ParsedPbe:
    params = _der.sequence_items(algid, parameters, what, 2)
    kdf = _der.sequence_items(algid, params[0], what, 2)
    if _der.oid(algid, kdf[0], what) != PBKDF2:
        raise UnsupportedError(f"the {what} uses a key derivation other than PBKDF2")
    salt, iterations, prf, key_length = _parse_pbkdf2(algid, kdf[1], what)
    enc = _der.sequence_items(algid, params[1], what, 2)
    enc_oid = _der.oid(algid, enc[0], what)
    if enc_oid not in CIPHER_BY_OID:
        raise UnsupportedError(f"the {what} uses an unsupported cipher ({enc_oid})")
    cipher, size = CIPHER_BY_OID[enc_oid]
    iv = _der.octets(algid, enc[1], what)
    if len(iv) != (16 if cipher.startswith("aes") else 8):
        raise FormatError(f"the {what} has an IV of the wrong length")
    if key_length and key_length != size:
        raise FormatError(f"the {what} names a key length its cipher does not have")
    return _ParsedPbe("pbes2", PBES2, salt, iterations, prf, cipher, size, iv)


def _parse_pbkdf2(algid: bytes, parameters: _der.Tlv, what: str) -> tuple[bytes, int, str, int]:
    """(salt, iterations, PRF, key length or 0) of PBKDF2-params; the PRF defaults to SHA-1."""
    kdf_params = _der.sequence_items(algid, parameters, what, 2)
    salt = _der.octets(algid, kdf_params[0], what)
    iterations = _der.integer(algid, kdf_params[1], what)
    prf = "sha1"
    key_length = 0
    for extra in kdf_params[2:]:
        if extra.tag == _der.INTEGER:
            key_length = _der.integer(algid, extra, what)
        elif extra.tag == _der.SEQUENCE:
            prf_items = _der.sequence_items(algid, extra, what, 1)
            prf_oid = _der.oid(algid, prf_items[0], what)
            if prf_oid not in PRF_BY_OID:
                raise UnsupportedError(f"the {what} uses an unsupported PBKDF2 PRF ({prf_oid})")
            prf = PRF_BY_OID[prf_oid]
    return salt, iterations, prf, key_length


def scheme_of(algid: bytes, what: str = "encryption algorithm") -> PbeScheme:
    """The scheme an encryption AlgorithmIdentifier names, with its iteration count and salt
    length; :class:`UnsupportedError` for one this module cannot decrypt."""
    parsed = _parse(algid, what)
    if parsed.kind == "pbes2":
        return PbeScheme(
            "pbes2",
            parsed.iterations,
            prf=parsed.prf,
            cipher=parsed.cipher,
            salt_length=len(parsed.salt),
        )
    return PbeScheme("pbes1", parsed.iterations, pbes1_oid=parsed.oid, salt_length=len(parsed.salt))


def describe(algid: bytes) -> str:
    """A readable name of an encryption AlgorithmIdentifier (for ``info``/``doctor``)."""
    try:
        return scheme_of(algid).describe()
    except UnsupportedError as exc:
        return str(exc)


def charge(algid: bytes, budget: KdfBudget, what: str) -> None:
    """Charges the key-derivation work the encryption AlgorithmIdentifier ``algid`` asks for to
    ``budget``, refusing absurd counts before anything is derived. Covers every scheme an
    encrypted PKCS#8 key may use, including those only cryptography decrypts: PBES2 with
    PBKDF2 (its iteration count) or scrypt (its cost, bounded by memory rather than time), and
    the PBES1 schemes of PKCS#5 and PKCS#12 (their iteration count). A key derivation this
    does not know charges nothing; whoever decrypts it refuses it."""
    part = "PBE parameter"
    top = _der.read(algid, 0, len(algid), part)
    alg = _der.children(algid, top.start, top.end, part)
    if not alg or alg[0].tag != _der.OID:
        raise FormatError(f"{what} names no encryption algorithm")
    oid = _der.oid(algid, alg[0], part)
    if len(alg) < 2 or alg[1].tag != _der.SEQUENCE:
        raise FormatError(f"{what} lacks its encryption parameters")
    params = _der.children(algid, alg[1].start, alg[1].end, part)
    if oid == PBES2:
        _charge_pbes2(algid, params, budget, what)
    elif len(params) >= 2 and params[1].tag == _der.INTEGER:
        # PBES1 of PKCS#5 and PKCS#12: SEQUENCE { salt OCTET STRING, iterations INTEGER }.
        outputs = _pbes1_outputs(oid) if oid in _PBES1_CIPHERS else 1
        budget.charge(_der.integer(algid, params[1], part), what, outputs)


def _charge_pbes2(algid: bytes, params: list[_der.Tlv], budget: KdfBudget, what: str) -> None:
    part = "PBE parameter"
    if not params or params[0].tag != _der.SEQUENCE:
        raise FormatError(f"{what} has malformed PBES2 parameters")
    kdf = _der.children(algid, params[0].start, params[0].end, part)
    if len(kdf) < 2 or kdf[0].tag != _der.OID or kdf[1].tag != _der.SEQUENCE:
        raise FormatError(f"{what} has malformed key-derivation parameters")
    kdf_oid = _der.oid(algid, kdf[0], part)
    if kdf_oid not in (PBKDF2, SCRYPT):
        return
    # PBKDF2 and scrypt parameters both start SEQUENCE { salt, count-or-cost INTEGER, ... }.
    kdf_params = _der.children(algid, kdf[1].start, kdf[1].end, part)
    if len(kdf_params) < 2 or kdf_params[1].tag != _der.INTEGER:
        name = "PBKDF2" if kdf_oid == PBKDF2 else "scrypt"
        raise FormatError(f"{what} has malformed {name} parameters")
    count = _der.integer(algid, kdf_params[1], part)
    if kdf_oid == PBKDF2:
        budget.charge(count, what)
    elif not 2 <= count <= MAX_SCRYPT_COST:
        raise FormatError(f"{what} asks for an scrypt cost of {count:,}; refusing it")


def _pbes1_outputs(oid: str) -> int:
    """SHA-1 outputs the PKCS#12 KDF computes for a PBES1 scheme's key and IV."""
    key_len, iv_len, _ = _PBES1_CIPHERS[oid]
    return -(-key_len // 20) + -(-iv_len // 20)


def _pbkdf2_outputs(prf: str, key_length: int) -> int:
    return max(1, -(-key_length // hashlib.new(prf).digest_size))


def decrypt(
    algid: bytes,
    ciphertext: bytes,
    password: str,
    budget: KdfBudget | None = None,
    what: str = "encrypted data",
) -> bytes:
    """Decrypts ``ciphertext`` under the PBE scheme ``algid`` (AlgorithmIdentifier DER).
    A wrong password shows as :class:`PasswordError` (bad padding)."""
    parsed = _parse(algid, what)
    budget = budget or KdfBudget()
    if parsed.kind == "pbes1":
        key_len, iv_len, family = _PBES1_CIPHERS[parsed.oid]
        # OpenSSL encrypts "no password" with zero password bytes, not the BMP terminator;
        # Java retries the same way.
        candidates = [bmp_password(password)] + ([b""] if password == "" else [])
        budget.charge(parsed.iterations, what, len(candidates) * _pbes1_outputs(parsed.oid))
        if family == "rc4":
            return _rc4_decrypt(parsed, ciphertext, password, key_len)
        if not ciphertext or len(ciphertext) % 8:
            raise FormatError(f"the {what} has a length its cipher cannot have")
        for pw in candidates:
            key = pkcs12_kdf(pw, parsed.salt, KDF_KEY, parsed.iterations, key_len, "sha1")
            iv = pkcs12_kdf(pw, parsed.salt, KDF_IV, parsed.iterations, iv_len, "sha1")
            try:
                return _unpad(_cbc(family, key, iv, ciphertext, False), 8)
            except PasswordError:
                if pw is candidates[-1]:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover
    else:
        budget.charge(parsed.iterations, what, _pbkdf2_outputs(parsed.prf, parsed.key_length))
        key = pbkdf2(password, parsed.salt, parsed.iterations, parsed.key_length, parsed.prf)
        iv = parsed.iv
        family = "aes" if parsed.cipher.startswith("aes") else "3des"
        block = 16 if family == "aes" else 8
    if not ciphertext or len(ciphertext) % block:
        raise FormatError(f"the {what} has a length its cipher cannot have")
    return _unpad(_cbc(family, key, iv, ciphertext, False), block)


def _rc4_decrypt(parsed: _ParsedPbe, ciphertext: bytes, password: str, key_len: int) -> bytes:
    """PKCS#12's RC4 PBEs (OpenSSL still writes them with -legacy). A stream cipher has no
    padding to fail on, so a wrong password shows where the plaintext is parsed; a plaintext
    that is not a DER SEQUENCE is taken as one."""
    from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
    from cryptography.hazmat.primitives.ciphers import Cipher

    candidates = [bmp_password(password)] + ([b""] if password == "" else [])
    plain = b""
    for pw in candidates:
        key = pkcs12_kdf(pw, parsed.salt, KDF_KEY, parsed.iterations, key_len, "sha1")
        plain = Cipher(ARC4(key), mode=None).decryptor().update(ciphertext)
        try:
            top = _der.read(plain, 0, len(plain), "decrypted data")
        except FormatError:
            continue
        if top.tag == _der.SEQUENCE and top.end == len(plain):
            return plain
    raise PasswordError("cannot decrypt an entry: wrong password, or the encrypted data is damaged")


def encrypt(plaintext: bytes, password: str, scheme: PbeScheme) -> tuple[bytes, bytes]:
    """``(AlgorithmIdentifier DER, ciphertext)`` of ``plaintext`` under ``scheme``."""
    salt = os.urandom(scheme.salt_length)
    count = _der.encode_integer(scheme.iterations)
    if scheme.kind == "pbes1":
        key_len, iv_len, family = _PBES1_CIPHERS[scheme.pbes1_oid]
        if family == "rc4":
            raise UnsupportedError("ks reads the RC4 schemes but does not write them")
        pw = bmp_password(password)
        key = pkcs12_kdf(pw, salt, KDF_KEY, scheme.iterations, key_len, "sha1")
        iv = pkcs12_kdf(pw, salt, KDF_IV, scheme.iterations, iv_len, "sha1")
        algid = _der.algorithm_identifier(
            scheme.pbes1_oid, _der.seq(_der.octet_string(salt), count)
        )
        return algid, _cbc(family, key, iv, _pad(plaintext, 8), True)
    cipher_oid, key_len = CIPHER_OIDS[scheme.cipher]
    family = "aes" if scheme.cipher.startswith("aes") else "3des"
    block = 16 if family == "aes" else 8
    iv = os.urandom(block)
    key = pbkdf2(password, salt, scheme.iterations, key_len, scheme.prf)
    kdf = _der.algorithm_identifier(
        PBKDF2,
        _der.seq(
            _der.octet_string(salt),
            count,
            _der.algorithm_identifier(PRF_OIDS[scheme.prf]),
        ),
    )
    enc = _der.algorithm_identifier(cipher_oid, _der.octet_string(iv))
    algid = _der.algorithm_identifier(PBES2, _der.seq(kdf, enc))
    return algid, _cbc(family, key, iv, _pad(plaintext, block), True)


# ---- PKCS#12 MAC --------------------------------------------------------------------------


def pkcs12_mac(
    data: bytes, password_bmp: bytes, salt: bytes, iterations: int, digest: str
) -> bytes:
    """HMAC of ``data`` keyed by the PKCS#12 KDF (purpose 3), as Java and OpenSSL compute a
    PFX's MacData. The caller has charged ``iterations`` to a budget."""
    u, _ = _HASH_SIZES[digest]
    key = pkcs12_kdf(password_bmp, salt, KDF_MAC, iterations, u, digest)
    return hmac.new(key, data, digest).digest()


def hash_names() -> tuple[str, ...]:
    return tuple(_HASH_SIZES)
