"""A reader of what Java's ``DataOutputStream`` writes: big-endian integers, length-prefixed
byte strings and modified UTF-8, each read checked against the end of the data."""

from __future__ import annotations

import struct

from keystore_tool.errors import FormatError
from keystore_tool.formats.java.mutf8 import decode_modified_utf8

_INT = struct.Struct(">i")
_LONG = struct.Struct(">q")
_USHORT = struct.Struct(">H")


class Reader:
    """A position in ``data``; every read says what it reads, for the error when it runs out."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > len(self.data):
            raise FormatError(f"the store is truncated or corrupt ({what} runs past the end)")

    def u8(self, what: str) -> int:
        self.need(1, what)
        value = self.data[self.pos]
        self.pos += 1
        return value

    def int32(self, what: str) -> int:
        self.need(4, what)
        (value,) = _INT.unpack_from(self.data, self.pos)
        self.pos += 4
        return int(value)

    def uint16(self, what: str) -> int:
        self.need(2, what)
        (value,) = _USHORT.unpack_from(self.data, self.pos)
        self.pos += 2
        return int(value)

    def int64(self, what: str) -> int:
        self.need(8, what)
        (value,) = _LONG.unpack_from(self.data, self.pos)
        self.pos += 8
        return int(value)

    def take(self, n: int, what: str) -> bytes:
        self.need(n, what)
        start = self.pos
        self.pos += n
        return self.data[start : self.pos]

    def utf(self, what: str) -> str:
        return decode_modified_utf8(self.take(self.uint16(what), what))

    def sized(self, what: str) -> bytes:
        length = self.int32(what)
        if length < 0:
            raise FormatError(f"the store is corrupt (negative length of {what})")
        return self.take(length, what)
