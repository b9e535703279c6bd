"""The writer's choice of algorithms for each part (key bags, certificate safe, MAC), from a
profile or a :class:`Protection`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from keystore_tool.errors import UnsupportedError, UsageError
from keystore_tool.formats import _pbe

if TYPE_CHECKING:
    from keystore_tool.formats import DumpOptions
    from keystore_tool.formats.protection import Pbe, Protection


# Java 8's defaults (and today's keystore.pkcs12.legacy): 50,000 PBE and 100,000 MAC iterations.
LEGACY_PBE_ITERATIONS = 50_000
LEGACY_MAC_ITERATIONS = 100_000
DEFAULT_ITERATIONS = 10_000


@dataclass(frozen=True)
class _Profile:
    key_scheme: _pbe.PbeScheme
    cert_scheme: _pbe.PbeScheme | None  # None: certificates in a plain safe
    mac_digest: str | None  # None: no MAC
    mac_iterations: int
    pbmac1: bool = False


def _profile(options: DumpOptions) -> _Profile:
    from keystore_tool.formats.protection import CURRENT_JDK, JAVA8_LEGACY

    count = options.iterations
    if count is not None and not 1 <= count <= 5_000_000:
        raise UsageError("the iteration count must be between 1 and 5,000,000")
    protection = options.protection
    if protection is None:
        if options.profile == "legacy" and options.mac_scheme == "pbmac1":
            raise UsageError(
                "PBMAC1 is read only by JDK 26+ and OpenSSL 3.4+; the legacy profile, made for "
                "older readers, cannot use it"
            )
        protection = JAVA8_LEGACY if options.profile == "legacy" else CURRENT_JDK
        if options.mac_scheme == "pbmac1":
            protection = replace(protection, mac="pbmac1")
    return _profile_of(protection, count or protection.iterations)


# The writer's choice of algorithms for each part, kept apart from the encoding. Iteration
# counts default per scheme, as Java's do.
_WRITABLE_PBES1 = {"pbe-3des": _pbe.PBE_SHA1_3DES, "pbe-rc2-40": _pbe.PBE_SHA1_RC2_40}
_WRITABLE_MAC_DIGESTS = {"hmac-sha256": "sha256", "hmac-sha1": "sha1", "pbmac1": "sha256"}


def _scheme(pbe: Pbe, count: int | None) -> _pbe.PbeScheme | None:
    if pbe == "none":
        return None
    if pbe == "pbes2-aes256":
        return _pbe.PbeScheme(
            "pbes2", count or DEFAULT_ITERATIONS, prf="sha256", cipher="aes-256-cbc"
        )
    if pbe in _WRITABLE_PBES1:
        return _pbe.PbeScheme(
            "pbes1", count or LEGACY_PBE_ITERATIONS, pbes1_oid=_WRITABLE_PBES1[pbe]
        )
    raise UnsupportedError(f"ks does not write PKCS12 encrypted with {pbe}")


def _profile_of(protection: Protection, count: int | None) -> _Profile:
    key_scheme = _scheme(protection.key_pbe, count)
    if key_scheme is None:
        # a key bag is always shrouded; "none" only describes a store that holds no key
        key_scheme = _scheme("pbes2-aes256", count)
        assert key_scheme is not None
    if protection.mac == "none":
        mac_digest, mac_count = None, 0
    elif protection.mac in _WRITABLE_MAC_DIGESTS:
        mac_digest = _WRITABLE_MAC_DIGESTS[protection.mac]
        legacy_mac = protection.mac == "hmac-sha1"
        mac_count = count or (LEGACY_MAC_ITERATIONS if legacy_mac else DEFAULT_ITERATIONS)
    else:
        raise UnsupportedError(f"ks does not write a PKCS12 integrity check with {protection.mac}")
    cert_scheme = _scheme(protection.cert_pbe, count)
    pbmac1 = protection.mac == "pbmac1"
    return _Profile(key_scheme, cert_scheme, mac_digest, mac_count, pbmac1)
