"""PEM armour: the one writer (:func:`armour`) and the reader that splits a file into its
blocks.

PEM armour is split here with ``binascii`` rather than by cryptography, so a 144-certificate
bundle costs a regular-expression pass and a base64 decode per block.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from keystore_tool.errors import FormatError

CERTIFICATE_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"})
PKCS7_LABELS = frozenset({"PKCS7", "PKCS #7 SIGNED DATA", "CMS"})
KEY_LABELS = frozenset(
    {
        "PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "DSA PRIVATE KEY",
    }
)
CSR_LABELS = frozenset({"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"})

_BEGIN_RE = re.compile(rb"-----BEGIN ([^\r\n-]{1,64})-----[ \t]*\r?\n")
_END_TEMPLATE = "-----END {}-----"
_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/=\s]")

# Labels whose content is one DER value: its header says how long the block can be.
_DER_LABELS = CERTIFICATE_LABELS | PKCS7_LABELS | KEY_LABELS | CSR_LABELS
_SHORT_BLOCK = 64 * 1024
# The text before a block that is kept for its Bag Attributes (openssl prints a few lines).
_PREAMBLE_KEPT = 16 * 1024


@dataclass(frozen=True)
class PemBlock:
    """One armoured block: its label, the decoded bytes, RFC 1421 headers (legacy encrypted
    keys carry ``Proc-Type``/``DEK-Info``), and the text between the previous block and this
    one (where ``openssl pkcs12`` puts its ``Bag Attributes``)."""

    label: str
    der: bytes
    headers: dict[str, str] = field(default_factory=dict)
    preamble: str = ""
    text: bytes = b""  # the armoured block itself, BEGIN to END line


def armour(label: str, der: bytes) -> bytes:
    """One PEM block: base64 in 64-character lines between BEGIN/END lines."""
    import base64

    body = base64.b64encode(der)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return b"".join(
        [
            f"-----BEGIN {label}-----\n".encode(),
            b"\n".join(lines),
            b"\n",
            f"-----END {label}-----\n".encode(),
        ]
    )


def has_pem_armour(data: bytes) -> bool:
    """Whether ``data`` holds a PEM BEGIN line (and is read as PEM, not DER)."""
    return b"-----BEGIN " in data


def pem_blocks(data: bytes, source: str) -> list[PemBlock]:
    """Every armoured block of ``data`` in file order."""
    return list(iter_pem_blocks(data, source))


def iter_pem_blocks(data: bytes, source: str) -> Iterator[PemBlock]:
    """The armoured blocks of ``data`` one at a time, in file order. Each is checked before the
    next is looked for, so the first invalid one ends the read: an empty block, bad base64,
    or a DER block longer than its own header says is refused without touching the rest."""
    pos = 0
    while True:
        match = _BEGIN_RE.search(data, pos)
        if match is None:
            return
        label = match.group(1).decode("ascii", "replace").strip()
        end_line = _END_TEMPLATE.format(label).encode("ascii", "replace")
        end = _end_of_block(data, match.end(), label, end_line, source)
        headers, body = _split_headers(data[match.end() : end], label, source)
        der = _decoded(body, label, source)
        preamble = data[max(pos, match.start() - _PREAMBLE_KEPT) : match.start()]
        block_end = end + len(end_line)
        yield PemBlock(
            label,
            der,
            headers,
            preamble.decode("utf-8", "replace"),
            data[match.start() : block_end],
        )
        pos = block_end


def _end_of_block(data: bytes, start: int, label: str, end_line: bytes, source: str) -> int:
    """Where the END line of the block whose content begins at ``start`` is."""
    # Most blocks end within a few kilobytes; only a longer one is measured against the
    # length its DER header declares, so junk is not searched to the end of the file.
    end = data.find(end_line, start, start + _SHORT_BLOCK)
    if end >= 0:
        return end
    limit = _der_block_limit(data, start, label)
    end = data.find(end_line, start, len(data) if limit is None else limit)
    if end >= 0:
        return end
    if limit is not None and data.find(end_line, limit) >= 0:
        raise FormatError(
            f"{source}: the PEM block '{label}' is longer than its content says; "
            "the file is damaged"
        )
    raise FormatError(f"{source}: the PEM block '{label}' has no END line; the file is truncated")


def _split_headers(body: bytes, label: str, source: str) -> tuple[dict[str, str], bytes]:
    """RFC 1421 headers (``Name: value`` lines, then a blank line) and the base64 after them."""
    headers: dict[str, str] = {}
    if b":" not in body:
        return headers, body
    head, sep, rest = body.replace(b"\r\n", b"\n").partition(b"\n\n")
    if not sep:
        return headers, body
    for line in head.split(b"\n"):
        name, colon, value = line.partition(b":")
        if not colon:
            raise FormatError(f"{source}: the PEM block '{label}' has a malformed header")
        headers[name.decode("ascii", "replace").strip()] = value.decode("ascii", "replace").strip()
    return headers, rest


def _decoded(body: bytes, label: str, source: str) -> bytes:
    if _BASE64_JUNK.search(body):
        raise FormatError(f"{source}: the PEM block '{label}' is not valid base64")
    try:
        der = binascii.a2b_base64(body)
    except binascii.Error as exc:
        raise FormatError(f"{source}: the PEM block '{label}' is not valid base64 ({exc})") from exc
    if not der:
        raise FormatError(f"{source}: the PEM block '{label}' is empty")
    return der


def _der_block_limit(data: bytes, start: int, label: str) -> int | None:
    """Where the END line of a DER block starting at ``start`` must come by, from the length
    its DER header declares (base64 is 4/3 of it; line breaks and spacing are allowed double
    that); None when the block's length cannot be known from its first bytes."""
    if label not in _DER_LABELS:
        return None
    window = data[start : start + 128]
    head = window.translate(None, b" \t\r\n")[:8]
    if len(head) < 8 or b":" in window.split(b"\n", 1)[0]:
        return None  # short, or RFC 1421 headers (a legacy encrypted key is no plain DER)
    try:
        prefix = binascii.a2b_base64(head)
    except binascii.Error:
        return None
    if len(prefix) < 6 or prefix[0] != 0x30 or prefix[1] == 0x80:
        return None  # not a SEQUENCE (the base64 check refuses it), or BER indefinite length
    if prefix[1] < 0x80:
        total = 2 + prefix[1]
    else:
        octets = prefix[1] & 0x7F
        if octets > 4:
            return None
        total = 2 + octets + int.from_bytes(prefix[2 : 2 + octets], "big")
    return start + 2 * (total * 4 // 3 + 4) + 1024
