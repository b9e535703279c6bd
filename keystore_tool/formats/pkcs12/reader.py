"""Reading a PKCS12 file: the PFX, its MAC, the safes, the entries, and what was learned about the
file (:class:`ReadInfo`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keystore_tool.errors import FormatError
from keystore_tool.formats import _pbe
from keystore_tool.formats._limits import KdfBudget
from keystore_tool.formats.pkcs12.entries import _build_entries
from keystore_tool.formats.pkcs12.pfx import _check_mac, _parse_pfx, _Pfx
from keystore_tool.formats.pkcs12.safes import _Reader
from keystore_tool.model import Keystore, PrivateKeyEntry, StoreWarning

if TYPE_CHECKING:
    from keystore_tool.formats import LoadOptions
    from keystore_tool.formats.protection import Mac, Pbe, ReadInfo
    from keystore_tool.password import Password


def load(data: bytes, password: Password | None, options: LoadOptions) -> Keystore:
    """Reads a PKCS12 keystore. ``password`` None reads a password-less store (or one whose
    MAC is keyed by the empty password)."""
    entry_password = options.entry_password.reveal() if options.entry_password else None
    try:
        return _load(data, password, entry_password, options.max_kdf_work)
    except (IndexError, ValueError, UnicodeDecodeError, OverflowError) as exc:
        raise FormatError(f"the PKCS12 file is corrupt ({type(exc).__name__})") from exc


def _load(
    data: bytes, password: Password | None, entry_password: str | None, max_kdf_work: int | None
) -> Keystore:
    budget = KdfBudget(max_kdf_work)
    pfx = _parse_pfx(data)
    keystore = Keystore(storetype="pkcs12")
    if pfx.mac_digest is not None:
        text: str | None = _check_mac(pfx, password, budget)
        keystore.properties["pkcs12.mac"] = (
            {
                "digest": pfx.mac_digest,
                "iterations": pfx.mac_iterations,
            }
            if pfx.pbmac1 is None
            else {
                "digest": "pbmac1",
                "iterations": pfx.pbmac1.iterations,
                "hmac": pfx.pbmac1.hmac,
                "prf": pfx.pbmac1.prf,
                "key_length": pfx.pbmac1.key_length,
            }
        )
    else:
        text = password.reveal() if password is not None else None
        keystore.properties["pkcs12.mac"] = None
        if password is not None:
            keystore.warnings.append(
                StoreWarning(
                    "the store has no integrity check (MAC); its content could not be verified",
                    "no-integrity-check",
                )
            )
    reader = _Reader(text, budget, keystore, entry_password)
    reader.read_auth_safe(pfx.auth_safe)
    _build_entries(reader, keystore)
    keystore.properties["pkcs12.cert_pbe"] = reader.cert_pbe
    keystore.properties["pkcs12.key_pbe"] = reader.key_pbe
    # Format-neutral facts the write path asks for (ops.update): a store read without MAC or
    # encryption may be written back password-less, and a store Java 8 could read stays so.
    schemes = [s for s in (reader.cert_pbe, reader.key_pbe) if s]
    keystore.properties["passwordless"] = pfx.mac_digest is None and not schemes
    legacy = any(not s.startswith("PBES2") for s in schemes)
    keystore.properties["profile"] = "legacy" if legacy else "default"
    keystore.read_info = _read_info(pfx, reader, keystore)
    return keystore


_PBES1_KINDS: dict[str, Pbe] = {
    _pbe.PBE_SHA1_3DES: "pbe-3des",
    _pbe.PBE_SHA1_2DES: "pbe-2des",
    _pbe.PBE_SHA1_RC2_128: "pbe-rc2-128",
    _pbe.PBE_SHA1_RC2_40: "pbe-rc2-40",
    # ks reads RC4 but does not write it: a rewrite keeps the store as legacy-readable with
    # the RC2 of the same key size.
    _pbe.PBE_SHA1_RC4_128: "pbe-rc2-128",
    _pbe.PBE_SHA1_RC4_40: "pbe-rc2-40",
}


def _pbe_kind(scheme: _pbe.PbeScheme | None) -> Pbe | None:
    if scheme is None:
        return None
    if scheme.kind == "pbes1":
        return _PBES1_KINDS[scheme.pbes1_oid]
    if scheme.prf == "sha256" and scheme.cipher == "aes-256-cbc":
        return "pbes2-aes256"
    return "pbes2"


def _read_info(pfx: _Pfx, reader: _Reader, keystore: Keystore) -> ReadInfo:
    from keystore_tool.formats.protection import ReadInfo, key_form

    cert_pbe = _pbe_kind(reader.cert_scheme)
    if cert_pbe is None and reader.plain_cert_safe and reader.cert_pbe is None:
        cert_pbe = "none"
    mac: Mac = "none" if pfx.mac_digest is None else _MAC_KINDS.get(pfx.mac_digest, "hmac-sha1")
    schemes = [s for s in (reader.cert_scheme, reader.key_scheme) if s is not None]
    return ReadInfo(
        storetype="pkcs12",
        cert_pbe=cert_pbe,
        key_pbe=_pbe_kind(reader.key_scheme),
        mac=mac,
        mac_iterations=(
            pfx.pbmac1.iterations
            if pfx.pbmac1 is not None
            else pfx.mac_iterations
            if pfx.mac_digest is not None
            else None
        ),
        pbe_iterations=max((s.iterations for s in schemes), default=None),
        passwordless=pfx.mac_digest is None and reader.cert_pbe is None and reader.key_pbe is None,
        integrity_checked=pfx.mac_digest is not None,
        key_forms=tuple(
            key_form(e.alias, key)
            for e in keystore.entries
            # known_key: the form of keys nobody opened is not known; reading the store must
            # not decrypt them (they may have their own passwords).
            if isinstance(e, PrivateKeyEntry) and (key := e.known_key()) is not None
        ),
    )


_MAC_KINDS: dict[str, Mac] = {
    "pbmac1": "pbmac1",
    "sha1": "hmac-sha1",
    "sha224": "hmac-sha224",
    "sha256": "hmac-sha256",
    "sha384": "hmac-sha384",
    "sha512": "hmac-sha512",
}
