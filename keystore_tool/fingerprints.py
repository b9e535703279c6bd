"""SHA-256 certificate pins, parsed one way for every place that takes one (the fingerprint
``import`` expects of a server, an ``apply`` spec's ``sha256``)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s:]")
_HEX64 = re.compile(r"[0-9a-f]{64}")


def parse_sha256(text: str) -> bytes | None:
    """The 32 bytes of a SHA-256 fingerprint written ``AB:CD:…`` or as plain hex, in any case,
    with spaces allowed and an optional ``sha256=`` / ``SHA256:`` prefix; ``None`` when
    ``text`` is not one."""
    cleaned = _SEPARATORS.sub("", text).lower()
    if cleaned.startswith("sha256"):
        cleaned = cleaned.removeprefix("sha256").lstrip("=/")
    if not _HEX64.fullmatch(cleaned):
        return None
    return bytes.fromhex(cleaned)


NOT_A_PIN = "is not a SHA-256 fingerprint (64 hex digits, colons optional)"
