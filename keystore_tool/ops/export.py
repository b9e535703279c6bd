"""``ks export``: an entry's certificate(s), and on request its private key."""

from __future__ import annotations

from dataclasses import dataclass

from keystore_tool.errors import Remedy, UnsupportedError
from keystore_tool.model import Certificate, Entry, PrivateKeyEntry


@dataclass(frozen=True)
class Exported:
    data: bytes
    key_pem: bytes | None


def certificates_of(entry: Entry, *, chain: bool) -> list[Certificate]:
    certs = entry.certificates()
    if not certs:
        raise UnsupportedError(f"entry '{entry.alias}' is a {entry.kind} and holds no certificate")
    return certs if chain else certs[:1]


def encode_certificates(certs: list[Certificate], *, der: bool) -> bytes:
    if der:
        if len(certs) > 1:
            # DER holds exactly one certificate; a chain goes out as PEM.
            raise UnsupportedError("DER holds one certificate", remedy=Remedy.EXPORT_CHAIN_AS_PEM)
        return certs[0].der
    from keystore_tool.x509util import certificates_pem

    return certificates_pem(certs).encode("ascii")


def private_key_pem(entry: Entry) -> bytes:
    if not isinstance(entry, PrivateKeyEntry):
        raise UnsupportedError(
            f"entry '{entry.alias}' is a {entry.kind}; only key entries have a private key"
        )
    entry.load_private_key()  # raises PasswordError for a key under its own password
    assert entry.private_key is not None
    from keystore_tool.certfiles import armour

    return armour("PRIVATE KEY", entry.private_key)


def export_entry(entry: Entry, *, chain: bool, der: bool, key: bool) -> Exported:
    data = encode_certificates(certificates_of(entry, chain=chain), der=der)
    return Exported(data, private_key_pem(entry) if key else None)
