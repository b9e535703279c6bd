"""Twofish (Schneier et al., 1998) in CBC mode: what BouncyCastle's UBER keystore is encrypted
with ("PBEWithSHAAndTwofish-CBC").

No library on the project's machines has Twofish (cryptography, pycryptodomex), and the PyPI
bindings that do need a C or Rust build on every machine for a cipher only one read-only
format uses. The cipher is small; this module follows the paper's definitions (q0/q1 from
their 4-bit tables, the MDS and RS matrices over GF(2^8)) with the key-dependent S-boxes and
MDS multiply folded into four 256-entry tables per key. It is tested against the paper's
known-answer vectors and against UBER stores BouncyCastle writes.
"""

from __future__ import annotations

import struct

_MASK = 0xFFFFFFFF
_WORDS = struct.Struct("<4I")

# The 4-bit permutations t0..t3 that build q0 and q1 (the paper, section 4.3.5).
_Q_TABLES = (
    (
        (0x8, 0x1, 0x7, 0xD, 0x6, 0xF, 0x3, 0x2, 0x0, 0xB, 0x5, 0x9, 0xE, 0xC, 0xA, 0x4),
        (0xE, 0xC, 0xB, 0x8, 0x1, 0x2, 0x3, 0x5, 0xF, 0x4, 0xA, 0x6, 0x7, 0x0, 0x9, 0xD),
        (0xB, 0xA, 0x5, 0xE, 0x6, 0xD, 0x9, 0x0, 0xC, 0x8, 0xF, 0x3, 0x2, 0x4, 0x7, 0x1),
        (0xD, 0x7, 0xF, 0x4, 0x1, 0x2, 0x6, 0xE, 0x9, 0xB, 0x3, 0x0, 0x8, 0x5, 0xC, 0xA),
    ),
    (
        (0x2, 0x8, 0xB, 0xD, 0xF, 0x7, 0x6, 0xE, 0x3, 0x1, 0x9, 0x4, 0x0, 0xA, 0xC, 0x5),
        (0x1, 0xE, 0x2, 0xB, 0x4, 0xC, 0x3, 0x7, 0x6, 0xD, 0xA, 0x5, 0xF, 0x9, 0x0, 0x8),
        (0x4, 0xC, 0x7, 0x5, 0x1, 0x6, 0x9, 0xA, 0x0, 0xE, 0xD, 0x8, 0x2, 0xB, 0x3, 0xF),
        (0xB, 0x9, 0x5, 0x1, 0xC, 0x3, 0xD, 0xE, 0x6, 0x4, 0x7, 0xF, 0x2, 0x0, 0x8, 0xA),
    ),
)

_MDS = (
    (0x01, 0xEF, 0x5B, 0x5B),
    (0x5B, 0xEF, 0xEF, 0x01),
    (0xEF, 0x5B, 0x01, 0xEF),
    (0xEF, 0x01, 0xEF, 0x5B),
)
_MDS_POLY = 0x169  # x^8 + x^6 + x^5 + x^3 + 1
_RS = (
    (0x01, 0xA4, 0x55, 0x87, 0x5A, 0x58, 0xDB, 0x9E),
    (0xA4, 0x56, 0x82, 0xF3, 0x1E, 0xC6, 0x68, 0xE5),
    (0x02, 0xA1, 0xFC, 0xC1, 0x47, 0xAE, 0x3D, 0x19),
    (0xA4, 0x55, 0x87, 0x5A, 0x58, 0xDB, 0x9E, 0x03),
)
_RS_POLY = 0x14D  # x^8 + x^6 + x^3 + x^2 + 1
_RHO = 0x01010101


def _ror4(x: int) -> int:
    return ((x >> 1) | (x << 3)) & 0xF


def _q(tables: tuple[tuple[int, ...], ...], x: int) -> int:
    t0, t1, t2, t3 = tables
    a0, b0 = x >> 4, x & 0xF
    a1, b1 = a0 ^ b0, a0 ^ _ror4(b0) ^ ((8 * a0) & 0xF)
    a2, b2 = t0[a1], t1[b1]
    a3, b3 = a2 ^ b2, a2 ^ _ror4(b2) ^ ((8 * a2) & 0xF)
    return (t3[b3] << 4) | t2[a3]


Q0 = tuple(_q(_Q_TABLES[0], x) for x in range(256))
Q1 = tuple(_q(_Q_TABLES[1], x) for x in range(256))


def _gf_mul(a: int, b: int, poly: int) -> int:
    result = 0
    while b:
        if b & 1:
            result ^= a
        a <<= 1
        if a & 0x100:
            a ^= poly
        b >>= 1
    return result


# Which q each byte passes through at each stage of h, outermost (L0) stage last.
_H_K4 = (Q1, Q0, Q0, Q1)
_H_K3 = (Q1, Q1, Q0, Q0)
_H_L1 = (Q0, Q1, Q0, Q1)
_H_L0 = (Q0, Q0, Q1, Q1)
_H_OUT = (Q1, Q0, Q1, Q0)


def _h_byte(index: int, x: int, words: list[int]) -> int:
    """Byte ``index`` of h's S-box stage for input byte ``x`` and key words ``words``."""
    shift = 8 * index
    k = len(words)
    if k == 4:
        x = _H_K4[index][x] ^ ((words[3] >> shift) & 0xFF)
    if k >= 3:
        x = _H_K3[index][x] ^ ((words[2] >> shift) & 0xFF)
    x = _H_L1[index][x] ^ ((words[1] >> shift) & 0xFF)
    x = _H_L0[index][x] ^ ((words[0] >> shift) & 0xFF)
    return _H_OUT[index][x]


def _mds_column(index: int, y: int) -> int:
    return sum(_gf_mul(_MDS[row][index], y, _MDS_POLY) << (8 * row) for row in range(4))


def _h(x: int, words: list[int]) -> int:
    out = 0
    for index in range(4):
        out ^= _mds_column(index, _h_byte(index, (x >> (8 * index)) & 0xFF, words))
    return out


def _rol(x: int, n: int) -> int:
    return ((x << n) | (x >> (32 - n))) & _MASK


class Twofish:
    """One key's schedule: 40 subkeys and the four g tables."""

    block_size = 16

    def __init__(self, key: bytes) -> None:
        if len(key) not in (16, 24, 32):
            raise ValueError("a Twofish key is 128, 192 or 256 bits")
        k = len(key) // 8
        m = list(struct.unpack(f"<{2 * k}I", key))
        even, odd = m[0::2], m[1::2]
        s_words = []
        for i in range(k):
            chunk = key[8 * i : 8 * i + 8]
            s = 0
            for row in range(4):
                value = 0
                for col in range(8):
                    value ^= _gf_mul(_RS[row][col], chunk[col], _RS_POLY)
                s |= value << (8 * row)
            s_words.append(s)
        s_words.reverse()  # g uses (S_{k-1}, …, S_0)
        subkeys = []
        for i in range(20):
            a = _h(2 * i * _RHO, even)
            b = _rol(_h((2 * i + 1) * _RHO, odd), 8)
            subkeys.append((a + b) & _MASK)
            subkeys.append(_rol((a + 2 * b) & _MASK, 9))
        self._k = subkeys
        self._g = [
            [_mds_column(index, _h_byte(index, x, s_words)) for x in range(256)]
            for index in range(4)
        ]

    def _g_of(self, x: int) -> int:
        g0, g1, g2, g3 = self._g
        return g0[x & 0xFF] ^ g1[(x >> 8) & 0xFF] ^ g2[(x >> 16) & 0xFF] ^ g3[x >> 24]

    def encrypt_block(self, block: bytes) -> bytes:
        k = self._k
        r0, r1, r2, r3 = (w ^ k[i] for i, w in enumerate(_WORDS.unpack(block)))
        for r in range(16):
            t0 = self._g_of(r0)
            t1 = self._g_of(_rol(r1, 8))
            f0 = (t0 + t1 + k[2 * r + 8]) & _MASK
            f1 = (t0 + 2 * t1 + k[2 * r + 9]) & _MASK
            r2, r3, r0, r1 = r0, r1, _rol(r2 ^ f0, 31), _rol(r3, 1) ^ f1
        return _WORDS.pack(r2 ^ k[4], r3 ^ k[5], r0 ^ k[6], r1 ^ k[7])

    def decrypt_block(self, block: bytes) -> bytes:
        k = self._k
        c0, c1, c2, c3 = _WORDS.unpack(block)
        r0, r1, r2, r3 = c2 ^ k[6], c3 ^ k[7], c0 ^ k[4], c1 ^ k[5]
        for r in range(15, -1, -1):
            # (r0, r1, r2, r3) is the state after round r; undo it.
            t0 = self._g_of(r2)
            t1 = self._g_of(_rol(r3, 8))
            f0 = (t0 + t1 + k[2 * r + 8]) & _MASK
            f1 = (t0 + 2 * t1 + k[2 * r + 9]) & _MASK
            r0, r1, r2, r3 = r2, r3, _rol(r0, 1) ^ f0, _rol(r1 ^ f1, 31)
        return _WORDS.pack(r0 ^ k[0], r1 ^ k[1], r2 ^ k[2], r3 ^ k[3])


def cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Raw CBC decryption (no padding removed); ``data`` is a whole number of blocks."""
    if len(iv) != 16 or len(data) % 16:
        raise ValueError("Twofish-CBC needs a 16-byte IV and whole 16-byte blocks")
    cipher = Twofish(key)
    out = bytearray()
    previous = iv
    for start in range(0, len(data), 16):
        block = data[start : start + 16]
        plain = cipher.decrypt_block(block)
        out += bytes(p ^ c for p, c in zip(plain, previous, strict=True))
        previous = block
    return bytes(out)
