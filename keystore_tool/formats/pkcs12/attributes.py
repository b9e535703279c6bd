"""Bag attributes as written back: the ones read, with friendlyName, localKeyId and the trust mark
set as the entry now asks.
"""

from __future__ import annotations

from keystore_tool.formats import _der
from keystore_tool.formats.pkcs12.oids import (
    OID_ANY_EKU,
    OID_FRIENDLY_NAME,
    OID_LOCAL_KEY_ID,
    OID_TRUSTED_KEY_USAGE,
)


def _attr(oid: str, value: bytes) -> bytes:
    return _der.seq(_der.encode_oid(oid), _der.set_of([value]))


_TRUSTED_ATTR = _attr(OID_TRUSTED_KEY_USAGE, _der.encode_oid(OID_ANY_EKU))


def _attribute_oid(raw: bytes) -> str:
    top = _der.read(raw, 0, len(raw), "bag attribute")
    return _der.oid(raw, _der.read(raw, top.start, top.end, "bag attribute"), "bag attribute")


def _attributes(
    kept: object,
    friendly_name: str | None,
    local_key_id: bytes | None,
    trusted: bool,
) -> bytes:
    """The bag's SET OF Attribute: the ones it was read with, with friendlyName, localKeyId and
    the trust mark set as asked (``None`` drops them). localKeyId attributes the bag was read
    with stay, every one of them, while the id asked for is the one Java read (the last)."""
    out: list[bytes] = []
    kept_ids = _kept_local_key_ids(kept)
    keep_ids = local_key_id is not None and kept_ids[-1:] == [local_key_id]
    if isinstance(kept, list):
        for raw in kept:
            if not isinstance(raw, bytes):
                continue
            attr_oid = _attribute_oid(raw)
            if attr_oid == OID_LOCAL_KEY_ID and keep_ids:
                out.append(raw)
                continue
            if attr_oid in (OID_FRIENDLY_NAME, OID_LOCAL_KEY_ID, OID_TRUSTED_KEY_USAGE):
                continue
            out.append(raw)
    if friendly_name is not None:
        out.append(_attr(OID_FRIENDLY_NAME, _der.bmp(friendly_name)))
    if local_key_id is not None and not keep_ids:
        out.append(_attr(OID_LOCAL_KEY_ID, _der.octet_string(local_key_id)))
    if trusted:
        trusted_raw = _kept_attribute(kept, OID_TRUSTED_KEY_USAGE) or _TRUSTED_ATTR
        out.append(trusted_raw)
    return _der.set_of(out) if out else b""


def _kept_attribute(kept: object, oid: str) -> bytes | None:
    if isinstance(kept, list):
        for raw in kept:
            if isinstance(raw, bytes) and _attribute_oid(raw) == oid:
                return raw
    return None


def _kept_local_key_id(kept: object) -> bytes | None:
    """The localKeyId Java reads from the attributes (the last one, when there are two)."""
    ids = _kept_local_key_ids(kept)
    return ids[-1] if ids else None


def _kept_local_key_ids(kept: object) -> list[bytes]:
    ids: list[bytes] = []
    if not isinstance(kept, list):
        return ids
    for raw in kept:
        if not isinstance(raw, bytes) or _attribute_oid(raw) != OID_LOCAL_KEY_ID:
            continue
        top = _der.read(raw, 0, len(raw))
        parts = _der.children(raw, top.start, top.end)
        values = _der.children(raw, parts[1].start, parts[1].end)
        if values:
            ids.append(_der.octets(raw, values[0], "localKeyId"))
    return ids


# A trusted certificate's bag as it was read, with what it was read as: (alias, certificate
# DER, the attribute list, the SafeBag's bytes). An entry whose alias, certificate and attribute
# list are still those is written back byte for byte (and a 50,000-certificate store is not
# re-encoded to add one).
ATTR_BAG_AS_READ = "pkcs12.bag_as_read"
