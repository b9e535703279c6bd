"""Java's modified UTF-8 (``DataInput.readUTF`` / ``DataOutput.writeUTF``) and ``char[]``
passwords: how JKS, JCEKS and BouncyCastle's stores spell aliases and key passwords."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from keystore_tool.errors import FormatError, UnsupportedError

if TYPE_CHECKING:
    from keystore_tool.password import Password

_USHORT = struct.Struct(">H")


def decode_modified_utf8(raw: bytes) -> str:
    """Java's ``readUTF`` decoding: NUL as C0 80 (or, as Java also reads it, a raw 0 byte),
    supplementary characters as two 3-byte surrogates; malformed input is a
    :class:`FormatError`."""
    if raw.isascii():
        return raw.decode("ascii")
    units: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        b = raw[i]
        if b < 0x80:  # a raw NUL too: DataInputStream.readUTF accepts it
            units.append(b)
            i += 1
        elif b & 0xE0 == 0xC0 and i + 1 < n and raw[i + 1] & 0xC0 == 0x80:
            units.append(((b & 0x1F) << 6) | (raw[i + 1] & 0x3F))
            i += 2
        elif (
            b & 0xF0 == 0xE0
            and i + 2 < n
            and raw[i + 1] & 0xC0 == 0x80
            and raw[i + 2] & 0xC0 == 0x80
        ):
            units.append(((b & 0x0F) << 12) | ((raw[i + 1] & 0x3F) << 6) | (raw[i + 2] & 0x3F))
            i += 3
        else:
            raise FormatError("an alias or name in the store is not valid modified UTF-8")
    # Pair the surrogates the way Java's String would; a lone one stays as it is.
    return b"".join(u.to_bytes(2, "big") for u in units).decode("utf-16-be", "surrogatepass")


def encode_modified_utf8(text: str) -> bytes:
    """Java's ``writeUTF`` encoding, without the length prefix."""
    if text.isascii() and "\x00" not in text:
        return text.encode("ascii")
    utf16 = text.encode("utf-16-be", "surrogatepass")
    out = bytearray()
    for (unit,) in struct.iter_unpack(">H", utf16):
        if 0 < unit < 0x80:
            out.append(unit)
        elif unit < 0x800:
            out += bytes((0xC0 | (unit >> 6), 0x80 | (unit & 0x3F)))
        else:
            out += bytes((0xE0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3F), 0x80 | (unit & 0x3F)))
    return bytes(out)


def write_utf(text: str) -> bytes:
    """``writeUTF``: the length-prefixed modified UTF-8 of ``text`` (65,535 bytes at most)."""
    raw = encode_modified_utf8(text)
    if len(raw) > 0xFFFF:
        raise UnsupportedError(
            f"'{text[:40]}…' is too long for a JKS/JCEKS store (65535 bytes at most); shorten it"
        )
    return _USHORT.pack(len(raw)) + raw


def java_chars(password: Password) -> bytes:
    """The password as Java's ``char[]``: UTF-16BE code units."""
    return password.reveal().encode("utf-16-be", "surrogatepass")
