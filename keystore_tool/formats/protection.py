"""How a store's parts are protected, as typed records: what to write (:class:`Protection`) and
what a reader learned about a file (:class:`ReadInfo`).

The names are the ones the compatibility model (``keystore_tool.compat``) reasons about, so
nothing outside ``formats/`` needs to know an OID or parse a description string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How a PKCS12 safe or key bag is encrypted. "pbes2-aes256" is the current JDKs' default
# (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC); "pbes2" any other PBES2 choice (all read alike by
# the runtimes ks knows); the "pbe-" ones are RFC 7292's PKCS#12 PBEs; "none" is no encryption.
Pbe = Literal[
    "pbes2-aes256",
    "pbes2",
    "pbe-3des",
    "pbe-2des",
    "pbe-rc2-128",
    "pbe-rc2-40",
    "none",
]
# How a PKCS12 store's integrity is checked: a MacData with this HMAC (the PKCS#12 KDF keys it),
# RFC 9579's PBMAC1, or no MAC at all.
Mac = Literal[
    "hmac-sha1",
    "hmac-sha224",
    "hmac-sha256",
    "hmac-sha384",
    "hmac-sha512",
    "pbmac1",
    "none",
]
# How a private key's PKCS#8 carries it: "standard" for every classic algorithm; ML-DSA and
# ML-KEM keys are a 32/64-byte "seed", the "expanded" key, or "both".
KeyEncoding = Literal["standard", "seed", "expanded", "both"]

WRITABLE_PBES: tuple[Pbe, ...] = ("pbes2-aes256", "pbe-3des", "pbe-rc2-40", "none")
WRITABLE_MACS: tuple[Mac, ...] = ("pbmac1", "hmac-sha256", "hmac-sha1", "none")


@dataclass(frozen=True)
class Protection:
    """What a PKCS12 writer uses for each part. ``iterations`` None takes each scheme's usual
    count (Java's: 10,000 for PBES2 and HMAC-SHA256, 50,000/100,000 for the legacy ones)."""

    cert_pbe: Pbe
    key_pbe: Pbe
    mac: Mac
    iterations: int | None = None

    def describe(self) -> str:
        return f"certificates {self.cert_pbe}, keys {self.key_pbe}, MAC {self.mac}"


# What a current JDK writes, and what Java 8 before 8u301 (keystore.pkcs12.legacy) writes.
CURRENT_JDK = Protection("pbes2-aes256", "pbes2-aes256", "hmac-sha256")
JAVA8_LEGACY = Protection("pbe-rc2-40", "pbe-3des", "hmac-sha1")
PASSWORDLESS = Protection("none", "none", "none")


@dataclass(frozen=True)
class KeyForm:
    """A private key's algorithm and PKCS#8 encoding, as the store holds it."""

    alias: str
    algorithm: str  # "RSA", "EC", "Ed25519", "ML-DSA-65", … or the OID when unknown
    encoding: KeyEncoding = "standard"


@dataclass(frozen=True)
class ReadInfo:
    """What a reader learned about a file beyond its entries.

    ``cert_pbe`` is None when the file has no certificate safe, ``key_pbe`` None when no key is
    encrypted; ``mac`` is "none" for a store without integrity check. For JKS/JCEKS only
    ``storetype``, ``integrity_checked`` and ``key_forms`` mean something.
    """

    storetype: str
    cert_pbe: Pbe | None = None
    key_pbe: Pbe | None = None
    mac: Mac = "none"
    mac_iterations: int | None = None
    pbe_iterations: int | None = None
    passwordless: bool = False
    integrity_checked: bool = False
    key_forms: tuple[KeyForm, ...] = ()

    @property
    def profile(self) -> Literal["legacy", "default"]:
        """ "legacy" when a part was encrypted with a PKCS#12 PBE (what Java 8 before 8u301
        writes), so that a rewrite keeps the store readable where it was; else "default"."""
        read = (self.cert_pbe, self.key_pbe)
        legacy = any(p is not None and p != "none" and not p.startswith("pbes2") for p in read)
        return "legacy" if legacy else "default"

    def kept_protection(self) -> Protection | None:
        """The protection a rewrite keeps, so that whoever read the file still can; None where
        there is nothing to keep (not PKCS12, or password-less: written without a password)."""
        if self.storetype != "pkcs12" or self.passwordless:
            return None
        read = [p for p in (self.cert_pbe, self.key_pbe) if p not in (None, "none")]
        legacy = any(not p.startswith("pbes2") for p in read)
        base = JAVA8_LEGACY if legacy else CURRENT_JDK
        return Protection(
            _kept(self.cert_pbe, base.cert_pbe),
            _kept(self.key_pbe if self.key_pbe != "none" else None, base.key_pbe),
            self.mac if self.mac in WRITABLE_MACS else base.mac,
        )


def _kept(pbe: Pbe | None, fallback: Pbe) -> Pbe:
    if pbe in WRITABLE_PBES:
        return pbe
    return "pbes2-aes256" if pbe == "pbes2" else fallback


_KEY_ALGORITHMS = {
    "1.2.840.113549.1.1.1": "RSA",
    "1.2.840.113549.1.1.10": "RSASSA-PSS",
    "1.2.840.10045.2.1": "EC",
    "1.2.840.10040.4.1": "DSA",
    "1.3.101.110": "X25519",
    "1.3.101.111": "X448",
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
    "2.16.840.1.101.3.4.3.17": "ML-DSA-44",
    "2.16.840.1.101.3.4.3.18": "ML-DSA-65",
    "2.16.840.1.101.3.4.3.19": "ML-DSA-87",
    "2.16.840.1.101.3.4.4.1": "ML-KEM-512",
    "2.16.840.1.101.3.4.4.2": "ML-KEM-768",
    "2.16.840.1.101.3.4.4.3": "ML-KEM-1024",
}


def key_form(alias: str, pkcs8: bytes) -> KeyForm:
    """The algorithm and encoding of a PKCS#8 PrivateKeyInfo; unparsable input reads as an
    unknown algorithm rather than failing (the reader has already accepted the entry)."""
    from keystore_tool.errors import KsError
    from keystore_tool.formats import _der

    try:
        top = _der.expect(pkcs8, 0, len(pkcs8), _der.SEQUENCE, "private key")
        items = _der.sequence_items(pkcs8, top, "private key", 3)
        algid = _der.sequence_items(pkcs8, items[1], "private key", 1)
        oid = _der.oid(pkcs8, algid[0], "private key")
        algorithm = _KEY_ALGORITHMS.get(oid, oid)
        if not algorithm.startswith(("ML-DSA", "ML-KEM")):
            return KeyForm(alias, algorithm)
        inner = _der.octets(pkcs8, items[2], "private key")
    except (KsError, IndexError, ValueError):
        return KeyForm(alias, "unknown")
    first = inner[:1]
    encoding: KeyEncoding
    if first == b"\x80":
        encoding = "seed"
    elif first == b"\x30":
        encoding = "both"
    else:
        encoding = "expanded"
    return KeyForm(alias, algorithm, encoding)
