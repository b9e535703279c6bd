"""Certificate chains as Java builds them from certificate bags: the leaf by localKeyId or alias,
then issuers by name, key identifiers breaking ties.
"""

from __future__ import annotations

from dataclasses import dataclass

from keystore_tool.errors import FormatError
from keystore_tool.formats import _der
from keystore_tool.formats._der import Tlv
from keystore_tool.formats.pkcs12.oids import OID_AKI, OID_SKI
from keystore_tool.formats.pkcs12.safes import _Bag
from keystore_tool.model import Certificate

_MAX_CHAIN = 64


@dataclass
class _CertBag:
    certificate: Certificate
    bag: _Bag
    alias: str | None
    local_key_id: bytes | None
    position: int
    _names: tuple[bytes, bytes] | None = None

    def names(self) -> tuple[bytes, bytes]:
        """(issuer DER, subject DER), read from the TBSCertificate without parsing X.509."""
        if self._names is None:
            self._names = _issuer_and_subject(self.certificate.der)
        return self._names


def _issuer_and_subject(der: bytes) -> tuple[bytes, bytes]:
    what = "certificate"
    cert = _der.expect(der, 0, len(der), _der.SEQUENCE, what)
    tbs = _der.expect(der, cert.start, cert.end, _der.SEQUENCE, what)
    pos = tbs.start
    first = _der.read(der, pos, tbs.end, what)
    if first.tag == _der.context(0):
        pos = first.end
    fields: list[Tlv] = []
    while len(fields) < 5:  # serial, signature, issuer, validity, subject
        item = _der.read(der, pos, tbs.end, what)
        fields.append(item)
        pos = item.end
    return _der.raw(der, fields[2]), _der.raw(der, fields[4])


def _key_identifiers(der: bytes) -> tuple[bytes | None, bytes | None]:
    """(authority key id, subject key id) of a certificate, when it has them."""
    what = "certificate"
    try:
        cert = _der.expect(der, 0, len(der), _der.SEQUENCE, what)
        tbs = _der.expect(der, cert.start, cert.end, _der.SEQUENCE, what)
        aki = ski = None
        for item in _der.children(der, tbs.start, tbs.end, what):
            if item.tag != _der.context(3):
                continue
            exts = _der.expect(der, item.start, item.end, _der.SEQUENCE, what)
            for ext in _der.children(der, exts.start, exts.end, what):
                parts = _der.sequence_items(der, ext, what, 2)
                ext_oid = _der.oid(der, parts[0], what)
                value = _der.octets(der, parts[-1], what)
                if ext_oid == OID_SKI:
                    inner = _der.read(value, 0, len(value), what)
                    ski = _der.content(value, inner)
                elif ext_oid == OID_AKI:
                    seq = _der.read(value, 0, len(value), what)
                    for part in _der.children(value, seq.start, seq.end, what):
                        if part.tag == _der.context(0, constructed=False):
                            aki = _der.content(value, part)
        return aki, ski
    except FormatError:
        return None, None


def _find_issuer(cert: _CertBag, by_subject: dict[bytes, list[_CertBag]]) -> _CertBag | None:
    issuer, _ = cert.names()
    candidates = by_subject.get(issuer)
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    aki, _ = _key_identifiers(cert.certificate.der)
    if aki is None:
        return candidates[0]
    fallback = None
    for candidate in candidates:
        _, ski = _key_identifiers(candidate.certificate.der)
        if ski is None:
            fallback = fallback or candidate
        elif ski == aki:
            return candidate
    return fallback


class _LeafIndex:
    """Java's findMatchedCertificate over dictionaries: 10,000 keys against 10,000 certificate
    bags cost 20,000 look-ups, not 100 million comparisons."""

    def __init__(self, untrusted: list[_CertBag]) -> None:
        self.by_key_id: dict[bytes, _CertBag] = {}  # the last bag with that localKeyId
        self.by_key_id_and_alias: dict[tuple[bytes, str], _CertBag] = {}
        self.by_alias: dict[str, _CertBag] = {}  # the first bag with that friendlyName
        for cert_bag in untrusted:
            folded = cert_bag.alias.lower() if cert_bag.alias else None
            if cert_bag.local_key_id is not None:
                self.by_key_id[cert_bag.local_key_id] = cert_bag
                if folded:
                    self.by_key_id_and_alias.setdefault((cert_bag.local_key_id, folded), cert_bag)
            if folded:
                self.by_alias.setdefault(folded, cert_bag)

    def match(self, alias: str, key_id: bytes | None) -> _CertBag | None:
        """localKeyId (and alias) first, else the alias alone."""
        folded = alias.lower()
        if key_id is not None and key_id in self.by_key_id:
            return self.by_key_id_and_alias.get((key_id, folded), self.by_key_id[key_id])
        return self.by_alias.get(folded)


class _Issuers:
    """The certificate bags by subject, indexed only when a key first asks for its chain (a
    truststore of 50,000 certificates and no key never reads their names)."""

    def __init__(self, cert_bags: list[_CertBag]) -> None:
        self.cert_bags = cert_bags
        self._by_subject: dict[bytes, list[_CertBag]] | None = None

    def by_subject(self) -> dict[bytes, list[_CertBag]]:
        if self._by_subject is None:
            self._by_subject = {}
            for cert_bag in self.cert_bags:
                self._by_subject.setdefault(cert_bag.names()[1], []).append(cert_bag)
        return self._by_subject

    def chain_from(self, leaf: _CertBag) -> list[_CertBag]:
        """``leaf`` and its issuers up to a self-issued certificate, a loop, or ``_MAX_CHAIN``."""
        by_subject = self.by_subject()
        chain: list[_CertBag] = []
        seen: set[bytes] = set()
        current: _CertBag | None = leaf
        while current is not None and len(chain) < _MAX_CHAIN:
            der = current.certificate.der
            if der in seen:
                break
            seen.add(der)
            chain.append(current)
            issuer, subject = current.names()
            if issuer == subject:
                break
            current = _find_issuer(current, by_subject)
        return chain
