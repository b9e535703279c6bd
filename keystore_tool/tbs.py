"""A minimal reader of an X.509 TBSCertificate, for certificates that are well-formed DER but
that cryptography refuses (JDK 17's DSA certificates carry a NULL in their signature algorithm
parameters; classic JDK test stores hold similar ones). keytool lists such certificates, so
``ks`` keeps them as entries and reads the fields it shows from here: serial, issuer, subject,
validity and the public key's algorithm. Nothing here verifies anything.

Names come out in RFC 4514 form as cryptography writes them (last RDN first, the short names
CN, O, OU, C, L, ST, STREET, DC, UID, other attribute types as dotted OIDs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from keystore_tool.errors import FormatError
from keystore_tool.formats import _der

_SHORT_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.6": "C",
    "2.5.4.9": "STREET",
    "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
}
_UTC_TIME = 0x17
_GENERALIZED_TIME = 0x18
_STRING_CODECS = {
    0x0C: "utf-8",  # UTF8String
    0x13: "latin-1",  # PrintableString
    0x14: "latin-1",  # TeletexString (T.61; Latin-1 is what readers use in practice)
    0x16: "latin-1",  # IA5String
    0x1A: "latin-1",  # VisibleString
    0x1C: "utf-32-be",  # UniversalString
    0x1E: "utf-16-be",  # BMPString
}


@dataclass(frozen=True)
class TbsFields:
    """The fields of a certificate's TBSCertificate that listing needs, read without cryptography."""

    serial: int
    issuer: str
    subject: str
    issuer_der: bytes
    subject_der: bytes
    not_before: datetime
    not_after: datetime
    spki: bytes  # the SubjectPublicKeyInfo DER


def read_tbs(der: bytes) -> TbsFields:
    """The fields of the certificate ``der``; :class:`FormatError` when it is not a
    Certificate SEQUENCE with the TBSCertificate fields in place."""
    what = "certificate"
    cert = _der.expect(der, 0, len(der), _der.SEQUENCE, what)
    if cert.end != len(der):
        raise FormatError("the certificate has data after its end")
    tbs = _der.expect(der, cert.start, cert.end, _der.SEQUENCE, what)
    items = _der.children(der, tbs.start, tbs.end, what)
    if items and items[0].tag == _der.context(0):
        items = items[1:]
    if len(items) < 6:
        raise FormatError("the certificate lacks fields of its TBSCertificate")
    serial_tlv, _signature, issuer, validity, subject, spki = items[:6]
    if serial_tlv.tag != _der.INTEGER or serial_tlv.end - serial_tlv.start > 64:
        raise FormatError("the certificate's serial number is not a sane INTEGER")
    serial = int.from_bytes(der[serial_tlv.start : serial_tlv.end], "big", signed=True)
    times = _der.sequence_items(der, validity, "certificate validity", 2)
    if spki.tag != _der.SEQUENCE:
        raise FormatError("the certificate's public key is malformed")
    return TbsFields(
        serial=serial,
        issuer=rfc4514(der, issuer),
        subject=rfc4514(der, subject),
        issuer_der=_der.raw(der, issuer),
        subject_der=_der.raw(der, subject),
        not_before=_time(der, times[0]),
        not_after=_time(der, times[1]),
        spki=_der.raw(der, spki),
    )


def _time(data: bytes, tlv: _der.Tlv) -> datetime:
    text = data[tlv.start : tlv.end].decode("ascii", "replace")
    try:
        if tlv.tag == _UTC_TIME:
            moment = datetime.strptime(text, "%y%m%d%H%M%SZ")
            # RFC 5280: two-digit years 50-99 are 19xx; strptime's pivot is 69.
            year = moment.year % 100
            moment = moment.replace(year=(1900 if year >= 50 else 2000) + year)
        elif tlv.tag == _GENERALIZED_TIME:
            moment = datetime.strptime(text, "%Y%m%d%H%M%SZ")
        else:
            raise FormatError("the certificate's validity is not a time")
    except ValueError as exc:
        raise FormatError(f"the certificate's validity is malformed ({text!r})") from exc
    return moment.replace(tzinfo=UTC)


def rfc4514(data: bytes, name: _der.Tlv) -> str:
    """A Name (SEQUENCE OF RelativeDistinguishedName) as RFC 4514 text."""
    what = "certificate name"
    rdns: list[str] = []
    for rdn in _der.sequence_items(data, name, what):
        parts = []
        for attribute in _der.sequence_items(data, rdn, what):
            type_tlv, value = _der.sequence_items(data, attribute, what, 2)[:2]
            attr_oid = _der.oid(data, type_tlv, what)
            key = _SHORT_NAMES.get(attr_oid, attr_oid)
            codec = _STRING_CODECS.get(value.tag)
            if codec is None:
                parts.append(f"{key}=#{_der.raw(data, value).hex()}")
            else:
                text = data[value.start : value.end].decode(codec, "replace")
                parts.append(f"{key}={_escape(text)}")
        rdns.append("+".join(parts))
    return ",".join(reversed(rdns))


def _escape(value: str) -> str:
    out = []
    for char in value:
        if char in ',+"\\<>;':
            out.append("\\" + char)
        elif char == "\x00":
            out.append("\\00")
        else:
            out.append(char)
    text = "".join(out)
    if text.startswith(("#", " ")):
        text = "\\" + text
    if text.endswith(" ") and not text.endswith("\\ "):
        text = text[:-1] + "\\ "
    return text
