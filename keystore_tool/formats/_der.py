"""A small DER reader and writer for the structures keystores are made of.

Reading works on ``(data, start, end)`` windows instead of copies, so walking a 50,000-bag
PKCS12 touches each byte about once. Nothing here recurses: callers descend one level at a
time, so nesting is bounded by the structure they expect, and every length is checked against
the window it sits in. Errors are :class:`FormatError` with a one-line message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from keystore_tool.errors import FormatError, IndefiniteLength

INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
UTF8_STRING = 0x0C
BMP_STRING = 0x1E
SEQUENCE = 0x30
SET = 0x31
# Constructed OCTET STRING (BER only; some writers use it for encrypted content).
OCTET_STRING_CONSTRUCTED = 0x24


def context(number: int, *, constructed: bool = True) -> int:
    """The tag byte of ``[number]`` (low-tag form)."""
    return (0xA0 if constructed else 0x80) | number


class Tlv(NamedTuple):
    """One element: its tag byte, where its content starts and ends, and where it ended."""

    tag: int
    head: int  # the tag byte
    start: int  # first content byte
    end: int  # one past the last content byte


_new_tlv = tuple.__new__


def read(data: bytes, pos: int, end: int, what: str = "value") -> Tlv:
    """The element at ``pos``, which must end by ``end``."""
    # The fast path covers what keystores are made of (a 50,000-certificate PKCS12 reads a
    # million elements): low tag numbers and lengths below 65,536. Anything else, and every
    # error, goes the careful way.
    if pos + 4 <= end:
        tag = data[pos]
        first = data[pos + 1]
        if first < 0x80:
            start = pos + 2
            stop = start + first
        elif first == 0x81:
            start = pos + 3
            stop = start + data[pos + 2]
        elif first == 0x82:
            start = pos + 4
            stop = start + ((data[pos + 2] << 8) | data[pos + 3])
        else:
            return _read_carefully(data, pos, end, what)
        if stop <= end and tag & 0x1F != 0x1F:
            return _new_tlv(Tlv, (tag, pos, start, stop))
    return _read_carefully(data, pos, end, what)


def _read_carefully(data: bytes, pos: int, end: int, what: str) -> Tlv:
    if pos + 2 > end:
        raise FormatError(f"the file is truncated (a {what} is cut short)")
    head = pos
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise FormatError(f"the file uses an unsupported ASN.1 tag in a {what}")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise IndefiniteLength(
            f"the file uses BER indefinite lengths (in a {what}) where ks expects DER"
        )
    else:
        count = first & 0x7F
        if count > 4 or pos + count > end:
            raise FormatError(f"the file is truncated or corrupt (bad length of a {what})")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > end:
        raise FormatError(f"the file is truncated (a {what} runs past its end)")
    return Tlv(tag, head, pos, pos + length)


# BER input nests no deeper than this (a PKCS12 needs about a dozen levels; a certificate
# inside one about ten more).
MAX_BER_DEPTH = 48


def is_ber(data: bytes) -> bool:
    """True when ``data`` starts with a constructed element of indefinite length, as every
    element that NSS, Netscape and BouncyCastle write does."""
    return len(data) >= 2 and data[1] == 0x80 and bool(data[0] & 0x20)


def as_der(data: bytes, what: str = "value") -> bytes:
    """``data`` itself when it does not start BER-style, else :func:`to_der` of it."""
    return to_der(data, what) if is_ber(data) else data


def to_der(data: bytes, what: str = "value") -> bytes:
    """The BER element that fills ``data`` re-encoded with definite lengths, constructed
    OCTET STRINGs joined into primitive ones, and minimal length octets; the content of
    primitive elements is not looked into (an OCTET STRING that wraps BER stays BER, so a MAC
    over it still verifies). Bounded: nesting deeper than :data:`MAX_BER_DEPTH` is refused,
    and the work is linear in the input."""
    encoded, end = _ber_element(data, 0, len(data), 0, what)
    if end != len(data):
        raise FormatError(f"the file is not a valid keystore (data after the {what})")
    return encoded


def _ber_header(data: bytes, pos: int, end: int, what: str) -> tuple[int, int, int | None]:
    """(tag, first content byte, content length or None for indefinite)."""
    if pos + 2 > end:
        raise FormatError(f"the file is truncated (a {what} is cut short)")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise FormatError(f"the file uses an unsupported ASN.1 tag in a {what}")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        return tag, pos, first
    if first == 0x80:
        if not tag & 0x20:
            raise FormatError(f"the file is corrupt (a primitive {what} has no length)")
        return tag, pos, None
    count = first & 0x7F
    if count > 4 or pos + count > end:
        raise FormatError(f"the file is truncated or corrupt (bad length of a {what})")
    length = int.from_bytes(data[pos : pos + count], "big")
    pos += count
    if pos + length > end:
        raise FormatError(f"the file is truncated (a {what} runs past its end)")
    return tag, pos, length


def _ber_element(data: bytes, pos: int, end: int, depth: int, what: str) -> tuple[bytes, int]:
    """(the DER of the element at ``pos``, where it ended in ``data``)."""
    if depth > MAX_BER_DEPTH:
        raise FormatError(f"the file nests deeper than {MAX_BER_DEPTH} levels (in a {what})")
    tag, start, length = _ber_header(data, pos, end, what)
    if not tag & 0x20:
        assert length is not None
        return tlv(tag, data[start : start + length]), start + length
    stop = end if length is None else start + length
    parts, pos = _ber_children(data, start, stop, length is None, depth, what)
    if tag == OCTET_STRING_CONSTRUCTED:
        return tlv(OCTET_STRING, _joined_octets(parts, what)), pos
    return tlv(tag, b"".join(parts)), pos


def _ber_children(
    data: bytes, pos: int, stop: int, indefinite: bool, depth: int, what: str
) -> tuple[list[bytes], int]:
    """The DER of a constructed element's children from ``pos`` up to ``stop`` or, for an
    indefinite length, its end marker; and where they ended."""
    parts: list[bytes] = []
    while True:
        if indefinite:
            if pos + 2 <= stop and data[pos] == 0 and data[pos + 1] == 0:
                return parts, pos + 2
            if pos >= stop:
                raise FormatError(f"the file is truncated (a {what} lacks its end marker)")
        elif pos >= stop:
            return parts, pos
        part, pos = _ber_element(data, pos, stop, depth + 1, what)
        parts.append(part)


def _joined_octets(parts: list[bytes], what: str) -> bytes:
    """The content of a constructed OCTET STRING: its primitive pieces, joined."""
    pieces = []
    for part in parts:
        if part[0] != OCTET_STRING:
            raise FormatError(f"the file is not a valid keystore (a {what} is malformed)")
        pieces.append(part[1 + _length_size(part) :])
    return b"".join(pieces)


def _length_size(encoded: bytes) -> int:
    """How many length octets the DER element ``encoded`` (as :func:`tlv` builds it) has."""
    first = encoded[1]
    return 1 if first < 0x80 else 1 + (first & 0x7F)


def expect(data: bytes, pos: int, end: int, tag: int, what: str) -> Tlv:
    tlv = read(data, pos, end, what)
    if tlv.tag != tag:
        raise FormatError(
            f"the file is not a valid keystore ({what}: unexpected tag 0x{tlv.tag:02x})"
        )
    return tlv


def children(data: bytes, start: int, end: int, what: str = "value") -> list[Tlv]:
    """The elements laid out back to back in ``data[start:end]``."""
    items: list[Tlv] = []
    pos = start
    while pos < end:
        tlv = read(data, pos, end, what)
        items.append(tlv)
        pos = tlv.end
    return items


def sequence_items(data: bytes, tlv: Tlv, what: str, minimum: int = 0) -> list[Tlv]:
    if tlv.tag not in (SEQUENCE, SET):
        raise FormatError(f"the file is not a valid keystore ({what} is not a sequence)")
    items = children(data, tlv.start, tlv.end, what)
    if len(items) < minimum:
        raise FormatError(f"the file is not a valid keystore ({what} is incomplete)")
    return items


def sequence_tags(data: bytes, what: str = "value") -> list[int]:
    """The tags directly inside the SEQUENCE that starts ``data`` (trailing bytes aside): the
    shape that tells a certificate from a key without parsing either."""
    top = read(data, 0, len(data), what)
    if top.tag != SEQUENCE:
        raise FormatError(f"the data is not DER ({what} is not a SEQUENCE)")
    return [item.tag for item in children(data, top.start, top.end, what)]


def first_element(data: bytes, what: str = "value") -> bytes:
    """The first complete element of ``data``, without what trails it (an OpenSSL TRUSTED
    CERTIFICATE appends trust settings after the certificate)."""
    return raw(data, read(data, 0, len(data), what))


def raw(data: bytes, tlv: Tlv) -> bytes:
    """The whole encoding (tag, length, content) of ``tlv``."""
    return data[tlv.head : tlv.end]


def content(data: bytes, tlv: Tlv) -> bytes:
    return data[tlv.start : tlv.end]


def octets(data: bytes, tlv: Tlv, what: str) -> bytes:
    """An OCTET STRING's bytes; a BER constructed one is joined from its pieces."""
    if tlv.tag == OCTET_STRING:
        return data[tlv.start : tlv.end]
    if tlv.tag == OCTET_STRING_CONSTRUCTED:
        parts = []
        for piece in children(data, tlv.start, tlv.end, what):
            if piece.tag != OCTET_STRING:
                raise FormatError(f"the file is not a valid keystore ({what} is malformed)")
            parts.append(data[piece.start : piece.end])
        return b"".join(parts)
    raise FormatError(f"the file is not a valid keystore ({what} is not an OCTET STRING)")


def integer(data: bytes, tlv: Tlv, what: str) -> int:
    if tlv.tag != INTEGER or tlv.end == tlv.start:
        raise FormatError(f"the file is not a valid keystore ({what} is not an INTEGER)")
    if tlv.end - tlv.start > 16:
        raise FormatError(f"the file is not a valid keystore ({what} is absurdly large)")
    return int.from_bytes(data[tlv.start : tlv.end], "big", signed=True)


_OID_CACHE: dict[bytes, str] = {}


def oid(data: bytes, tlv: Tlv, what: str) -> str:
    """An OBJECT IDENTIFIER in dotted form."""
    if tlv.tag != OID or tlv.end == tlv.start:
        raise FormatError(f"the file is not a valid keystore ({what} is not an OID)")
    body = data[tlv.start : tlv.end]
    cached = _OID_CACHE.get(body)
    if cached is not None:
        return cached
    if len(body) > 64 or body[-1] & 0x80:
        raise FormatError(f"the file is not a valid keystore ({what} is a malformed OID)")
    arcs: list[int] = []
    value = 0
    for byte in body:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    dotted = ".".join(str(a) for a in head + arcs[1:])
    if len(_OID_CACHE) < 4096:
        _OID_CACHE[body] = dotted
    return dotted


def bmp_string(data: bytes, tlv: Tlv, what: str) -> str:
    if tlv.tag != BMP_STRING or (tlv.end - tlv.start) % 2:
        raise FormatError(f"the file is not a valid keystore ({what} is not a BMPString)")
    return data[tlv.start : tlv.end].decode("utf-16-be", errors="replace")


# ---- writing ---------------------------------------------------------------------------


def length_bytes(length: int) -> bytes:
    if length < 0x80:
        return bytes((length,))
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def tlv(tag: int, body: bytes) -> bytes:
    return bytes((tag,)) + length_bytes(len(body)) + body


def seq(*parts: bytes) -> bytes:
    body = b"".join(parts)
    return bytes((SEQUENCE,)) + length_bytes(len(body)) + body


def seq_of(parts: Iterable[bytes]) -> bytes:
    body = b"".join(parts)
    return bytes((SEQUENCE,)) + length_bytes(len(body)) + body


def set_of(parts: Iterable[bytes]) -> bytes:
    """A SET OF, its elements sorted as DER requires."""
    body = b"".join(sorted(parts))
    return bytes((SET,)) + length_bytes(len(body)) + body


def explicit(number: int, inner: bytes) -> bytes:
    return tlv(context(number), inner)


def octet_string(value: bytes) -> bytes:
    return tlv(OCTET_STRING, value)


def bmp(value: str) -> bytes:
    return tlv(BMP_STRING, value.encode("utf-16-be"))


def encode_integer(value: int) -> bytes:
    size = max(1, (value.bit_length() + 8) // 8)
    return tlv(INTEGER, value.to_bytes(size, "big", signed=True))


DER_NULL = b"\x05\x00"

_OID_ENCODED: dict[str, bytes] = {}


def encode_oid(dotted: str) -> bytes:
    cached = _OID_ENCODED.get(dotted)
    if cached is not None:
        return cached
    try:
        arcs = [int(a) for a in dotted.split(".")]
    except ValueError as exc:
        raise FormatError(f"'{dotted}' is not a dotted OID") from exc
    if len(arcs) < 2 or arcs[0] > 2 or any(a < 0 for a in arcs):
        raise FormatError(f"'{dotted}' is not a dotted OID")
    out = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    encoded = tlv(OID, bytes(out))
    _OID_ENCODED[dotted] = encoded
    return encoded


def algorithm_identifier(dotted: str, parameters: bytes | None = DER_NULL) -> bytes:
    return seq(encode_oid(dotted), parameters or b"")
