"""Distinguished names and subject alternative names as keytool users spell them: ``-dname``
(``CN=a, OU=b, O=c, C=US``, with keytool's escapes and quotes) and ``dns:``/``ip:``/``email:``/
``uri:`` names, turned into cryptography's types and back."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from keystore_tool.errors import Remedy, UsageError

if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["parse_dname", "parse_sans", "san_text", "split_list"]


def split_list(values: Iterable[str]) -> tuple[str, ...]:
    """``["a,b", "c"]`` → ``("a", "b", "c")``: a list option may repeat and hold comma lists."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _split_unescaped(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` where it is neither escaped with ``\\`` nor quoted."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == '"':
            quoted = not quoted
            current.append(char)
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    out: list[str] = []
    escaped = False
    for char in value:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


def parse_dname(dname: str) -> x509.Name:
    """keytool's ``-dname`` (``CN=a, OU=b, O=c, L=d, ST=e, C=f``; spaces after commas,
    ``\\,`` escapes and quoted values allowed), in the order keytool writes it: the string's
    last attribute first in DER, as RFC 4514 reads a name."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    names = {
        "CN": NameOID.COMMON_NAME,
        "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
        "O": NameOID.ORGANIZATION_NAME,
        "L": NameOID.LOCALITY_NAME,
        "ST": NameOID.STATE_OR_PROVINCE_NAME,
        "S": NameOID.STATE_OR_PROVINCE_NAME,
        "C": NameOID.COUNTRY_NAME,
        "STREET": NameOID.STREET_ADDRESS,
        "DC": NameOID.DOMAIN_COMPONENT,
        "UID": NameOID.USER_ID,
        "T": NameOID.TITLE,
        "TITLE": NameOID.TITLE,
        "EMAILADDRESS": NameOID.EMAIL_ADDRESS,
        "EMAIL": NameOID.EMAIL_ADDRESS,
        "SERIALNUMBER": NameOID.SERIAL_NUMBER,
    }
    hint = "write it as 'CN=name, O=org, C=US'"
    if not dname.strip():
        raise UsageError(f"is empty; {hint}", parameter="dname")
    rdns: list[x509.RelativeDistinguishedName] = []
    for part in _split_unescaped(dname, ","):
        attributes = []
        for item in _split_unescaped(part, "+"):
            key, sep, value = item.partition("=")
            oid = names.get(key.strip().upper())
            if not sep or oid is None:
                raise UsageError(
                    f"part '{item.strip()}' is not NAME=value; {hint}", parameter="dname"
                )
            text = _unquote(value)
            if not text:
                raise UsageError(f"gives {key.strip()} an empty value; {hint}", parameter="dname")
            if oid == NameOID.COUNTRY_NAME and len(text) != 2:
                raise UsageError(f"C={text}: a country is two letters (C=US)", parameter="dname")
            try:
                attributes.append(x509.NameAttribute(oid, text))
            except ValueError as exc:
                raise UsageError(
                    f"{key.strip()}={text} is not allowed ({exc})", parameter="dname"
                ) from exc
        rdns.append(x509.RelativeDistinguishedName(attributes))
    return x509.Name(list(reversed(rdns)))


def parse_sans(sans: Sequence[str]) -> list[x509.GeneralName]:
    from cryptography import x509

    names: list[x509.GeneralName] = []
    for san in sans:
        kind, sep, value = san.partition(":")
        kind = kind.strip().lower()
        value = value.strip()
        if not sep or not value:
            raise UsageError(f"SAN '{san}' needs a kind: dns:NAME, ip:ADDRESS, email:, uri:")
        if kind == "dns":
            names.append(x509.DNSName(value))
        elif kind == "ip":
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(value)))
            except ValueError as exc:
                raise UsageError(f"SAN '{san}' is not an IP address") from exc
        elif kind == "email":
            names.append(x509.RFC822Name(value))
        elif kind == "uri":
            names.append(x509.UniformResourceIdentifier(value))
        else:
            raise UsageError(f"SAN kind '{kind}' is unknown; use dns:, ip:, email: or uri:")
    return names


def san_text(name: x509.GeneralName) -> str:
    """``name`` as :func:`parse_sans` reads it back."""
    from cryptography import x509

    if isinstance(name, x509.DNSName):
        return f"dns:{name.value}"
    if isinstance(name, x509.IPAddress):
        return f"ip:{name.value}"
    if isinstance(name, x509.RFC822Name):
        return f"email:{name.value}"
    if isinstance(name, x509.UniformResourceIdentifier):
        return f"uri:{name.value}"
    raise UsageError(f"the request asks for a SAN ks cannot copy ({name})", remedy=Remedy.GIVE_SAN)
