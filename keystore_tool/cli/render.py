"""Human-readable text for entries, shared by list and show."""

from __future__ import annotations

from keystore_tool.model import Certificate, Entry, PrivateKeyEntry, SecretKeyEntry

_KEYTOOL_KIND = {
    "trusted-cert": "trustedCertEntry",
    "private-key": "PrivateKeyEntry",
    "secret-key": "SecretKeyEntry",
    "certificate": "certificate (not visible to Java)",
}


def summary_lines(entry: Entry) -> list[str]:
    """keytool's short form: alias, date, kind, fingerprint. No certificate is parsed."""
    # keytool's English medium date, "MMM d, y": Dec 1, 2026 (no zero before the day).
    created = entry.created
    date = f"{created:%b} {created.day}, {created.year}, " if created else ""
    lines = [f"{entry.alias}, {date}{_KEYTOOL_KIND.get(entry.kind, entry.kind)},"]
    certs = entry.certificates()
    if certs:
        lines.append(f"Certificate fingerprint (SHA-256): {certs[0].sha256_hex}")
    elif isinstance(entry, SecretKeyEntry) and entry.algorithm:
        size = f", {entry.key_size} bits" if entry.key_size else ""
        lines.append(f"Secret key: {entry.algorithm}{size}")
    return lines


TABLE_HEADER = ["ALIAS", "TYPE", "CREATED", "SHA-256"]


def table_row(entry: Entry) -> list[str]:
    """``summary_lines`` as one row of a terminal table. No certificate is parsed."""
    certs = entry.certificates()
    if certs:
        what = certs[0].sha256_hex
    elif isinstance(entry, SecretKeyEntry) and entry.algorithm:
        what = f"{entry.algorithm}{f' {entry.key_size} bits' if entry.key_size else ''}"
    else:
        what = ""
    date = f"{entry.created:%Y-%m-%d}" if entry.created else "-"
    return [entry.alias, _KEYTOOL_KIND.get(entry.kind, entry.kind), date, what]


def certificate_lines(cert: Certificate, indent: str = "") -> list[str]:
    """A certificate as keytool's ``-list -v`` prints it, each line prefixed by ``indent``."""
    from keystore_tool.x509util import describe_certificate

    info = describe_certificate(cert)
    size = f" {info['key_size']}-bit" if info.get("key_size") else ""
    return [
        f"{indent}Owner: {info['subject']}",
        f"{indent}Issuer: {info['issuer']}",
        f"{indent}Serial number: {info['serial']}",
        f"{indent}Valid from: {info['not_before']} until: {info['not_after']}",
        f"{indent}SHA-256: {info['sha256']}",
        f"{indent}SHA-1: {info['sha1']}",
        f"{indent}Public key:{size} {info['key_algorithm']}",
    ] + ([f"{indent}Warning: {info['warning']}"] if "warning" in info else [])


def detail_lines(entry: Entry) -> list[str]:
    """An entry as keytool's ``-list -v`` prints it."""
    date = f"{entry.created:%Y-%m-%d %H:%M:%S UTC}" if entry.created else "not recorded"
    lines = [
        f"Alias name: {entry.alias}",
        f"Creation date: {date}",
        f"Entry type: {_KEYTOOL_KIND.get(entry.kind, entry.kind)}",
    ]
    if isinstance(entry, SecretKeyEntry):
        lines.append(f"Algorithm: {entry.algorithm or 'unknown'}")
        if entry.key_size:
            lines.append(f"Key size: {entry.key_size} bits")
        return lines
    certs = entry.certificates()
    if isinstance(entry, PrivateKeyEntry):
        if entry.known_key() is None and not entry.opens_on_use:
            lines.append("Key: protected by its own password (kept encrypted)")
        lines.append(f"Certificate chain length: {len(certs)}")
    for index, cert in enumerate(certs, start=1):
        if isinstance(entry, PrivateKeyEntry):
            lines.append(f"Certificate[{index}]:")
        lines.extend(certificate_lines(cert))
    return lines
