"""Mutations of valid stores and inputs, as hypothesis strategies.

Blind mutations (bit flips, truncations, splices) exercise the first bytes a reader checks;
structure-aware ones reach deeper: DER length fields bumped in place, INTEGERs that look like
iteration counts replaced by 2^31-1 or 6,000,000 with every enclosing length re-encoded,
an element wrapped in thousands of nested SEQUENCEs, and JKS/JCEKS int32/uint16 length fields
(the entry count, certificate lengths, alias lengths) set to absurd values.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from hypothesis import strategies as st

HUGE_ITERATIONS = (2**31 - 1, 6_000_000)


@dataclass
class Node:
    """A DER element: its header offsets in the original bytes, and its children when
    constructed (parsed only while the content parses as back-to-back elements)."""

    tag: int
    head: int  # offset of the tag byte
    length_at: int  # offset of the first length byte
    start: int  # first content byte
    end: int
    children: list[Node]


def _read(data: bytes, pos: int, end: int) -> tuple[int, int, int] | None:
    if pos + 2 > end:
        return None
    first = data[pos + 1]
    at = pos + 2
    if first < 0x80:
        length = first
    elif first == 0x80 or first & 0x7F > 4:
        return None
    else:
        n = first & 0x7F
        if at + n > end:
            return None
        length = int.from_bytes(data[at : at + n], "big")
        at += n
    if at + length > end:
        return None
    return data[pos], at, at + length


def der_tree(data: bytes, max_depth: int = 40) -> list[Node]:
    """Every element reachable from offset 0 (and inside OCTET STRINGs that hold DER)."""
    roots: list[Node] = []
    # Explicit stack: (parent's list, start, end, depth).
    stack: list[tuple[list[Node], int, int, int]] = [(roots, 0, len(data), 0)]
    while stack:
        into, pos, end, depth = stack.pop()
        found: list[Node] = []
        while pos < end:
            read = _read(data, pos, end)
            if read is None:
                found = []
                break
            tag, start, stop = read
            found.append(Node(tag, pos, pos + 1, start, stop, []))
            pos = stop
        into.extend(found)
        if depth >= max_depth:
            continue
        for node in found:
            if node.tag & 0x20 or node.tag == 0x04:  # constructed, or OCTET STRING maybe DER
                stack.append((node.children, node.start, node.end, depth + 1))
    return roots


def flatten(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    stack = list(nodes)
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out


def _length_bytes(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def rebuild(data: bytes, nodes: list[Node], replace: dict[int, bytes]) -> bytes:
    """The DER of ``nodes`` with the elements whose head offset is in ``replace`` swapped for
    the given bytes, every enclosing length re-encoded. Bytes outside the parsed tree (a
    trailer) are kept."""

    def encode(node: Node) -> bytes:
        if node.head in replace:
            return replace[node.head]
        if not node.children:
            return data[node.head : node.end]
        inner = b"".join(encode(child) for child in node.children)
        return bytes([node.tag]) + _length_bytes(len(inner)) + inner

    body = b"".join(encode(node) for node in nodes)
    tail = data[nodes[-1].end :] if nodes else data
    return body + tail


def integer_der(value: int) -> bytes:
    body = value.to_bytes((value.bit_length() + 8) // 8, "big", signed=True)
    return b"\x02" + _length_bytes(len(body)) + body


def iteration_candidates(data: bytes, nodes: list[Node]) -> list[Node]:
    """INTEGERs whose value could be an iteration count (≥ 1000: PBE, PBKDF2, MAC)."""
    found = []
    for node in flatten(nodes):
        if node.tag == 0x02 and 0 < node.end - node.start <= 4:
            value = int.from_bytes(data[node.start : node.end], "big", signed=True)
            if value >= 1000:
                found.append(node)
    return found


@st.composite
def bit_flips(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(out) - 1))
        out[pos] ^= 1 << draw(st.integers(0, 7))
    return bytes(out)


@st.composite
def truncations(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data) - 1))]


@st.composite
def der_length_bumps(draw: st.DrawFn, data: bytes) -> bytes:
    nodes = flatten(der_tree(data))
    if not nodes:
        return draw(bit_flips(data))
    node = draw(st.sampled_from(nodes))
    length = node.end - node.start
    new = draw(
        st.sampled_from(
            [length + 1, length - 1, length * 2 + 1, 0, 0x7F, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]
        )
    )
    new = max(new, 0)
    old_header = data[node.length_at : node.start]
    width = len(old_header) - 1
    if width == 0 and new < 0x80:
        header = bytes([new])
    elif width > 0 and new < 1 << (8 * width):
        # Same width: only the length changes, the rest of the file stays put.
        header = bytes([0x80 | width]) + new.to_bytes(width, "big")
    else:
        header = _length_bytes(new)
    return data[: node.length_at] + header + data[node.start :]


@st.composite
def iteration_bumps(draw: st.DrawFn, data: bytes) -> bytes:
    roots = der_tree(data)
    candidates = iteration_candidates(data, roots)
    if not candidates:
        return draw(bit_flips(data))
    node = draw(st.sampled_from(candidates))
    value = draw(st.sampled_from(HUGE_ITERATIONS))
    return rebuild(data, roots, {node.head: integer_der(value)})


@st.composite
def nestings(draw: st.DrawFn, data: bytes) -> bytes:
    """An element replaced by (or wrapped in) a tower of SEQUENCEs."""
    roots = der_tree(data)
    nodes = flatten(roots)
    depth = draw(st.sampled_from([50, 1_000, 20_000]))
    if not nodes:
        return tower(b"\x05\x00", depth)
    node = draw(st.sampled_from(nodes))
    inner = data[node.head : node.end] if draw(st.booleans()) else b"\x05\x00"
    return rebuild(data, roots, {node.head: tower(inner, depth)})


def tower(inner: bytes, depth: int) -> bytes:
    """``inner`` inside ``depth`` SEQUENCEs, built in linear time."""
    headers = []
    size = len(inner)
    for _ in range(depth):
        header = b"\x30" + _length_bytes(size)
        headers.append(header)
        size += len(header)
    return b"".join(reversed(headers)) + inner


@st.composite
def java_length_bumps(draw: st.DrawFn, data: bytes) -> bytes:
    """JKS/JCEKS: an int32 or uint16 at a random offset (or the entry count at 8) set to an
    edge value; DataInputStream fields are not aligned, so any offset may be a field."""
    out = bytearray(data)
    pos = draw(st.one_of(st.just(8), st.integers(12, max(12, len(data) - 4))))
    if draw(st.booleans()):
        value = draw(st.sampled_from([0x7FFFFFFF, -1, 0, 0x10000, len(data)]))
        out[pos : pos + 4] = struct.pack(">i", value)
    else:
        out[pos : pos + 2] = struct.pack(">H", draw(st.sampled_from([0xFFFF, 0, 1])))
    return bytes(out[: len(data)])


@st.composite
def splices(draw: st.DrawFn, data: bytes, others: list[bytes]) -> bytes:
    other = draw(st.sampled_from(others))
    a = draw(st.integers(0, len(data)))
    b = draw(st.integers(0, len(other)))
    c = draw(st.integers(b, min(len(other), b + 4096)))
    keep_rest = draw(st.booleans())
    return data[:a] + other[b:c] + (data[a:] if keep_rest else data[a + (c - b) :])


def mutated(seeds: list[bytes], *, java: bool = False) -> st.SearchStrategy[bytes]:
    """One mutation (or two stacked) of one seed."""

    def one(data: bytes) -> st.SearchStrategy[bytes]:
        kinds: list[st.SearchStrategy[bytes]] = [
            bit_flips(data),
            truncations(data),
            der_length_bumps(data),
            iteration_bumps(data),
            nestings(data),
            splices(data, seeds),
        ]
        if java:
            kinds.append(java_length_bumps(data))
        return st.one_of(kinds)

    first = st.sampled_from(seeds).flatmap(one)
    return st.one_of(first, first.flatmap(lambda d: one(d) if d else st.just(d)))
