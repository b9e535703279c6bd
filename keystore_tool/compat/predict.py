"""Predicting a load: why a named target will not open a store, entry by entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from keystore_tool.formats.protection import (
    KeyForm,
    Mac,
    Pbe,
    ReadInfo,
)
from keystore_tool.model import Keystore, PrivateKeyEntry, SecretKeyEntry

if TYPE_CHECKING:
    pass

from keystore_tool.compat.targets import (
    _KEY_FAMILIES,
    Target,
    _key_family,
    reads,
)

# ---- predicting a load -----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a target will not load a file, and the entries it is about."""

    code: str
    message: str
    aliases: tuple[str, ...] = ()


def _pbe_name(pbe: Pbe) -> str:
    return {
        "pbes2-aes256": "PBES2 (AES-256, PBKDF2-HMAC-SHA256)",
        "pbes2": "PBES2",
        "pbe-3des": "pbeWithSHAAnd3-KeyTripleDES-CBC",
        "pbe-2des": "pbeWithSHAAnd2-KeyTripleDES-CBC",
        "pbe-rc2-128": "pbeWithSHAAnd128BitRC2-CBC",
        "pbe-rc2-40": "pbeWithSHAAnd40BitRC2-CBC",
        "none": "no encryption",
    }[pbe]


def _mac_name(mac: Mac) -> str:
    if mac == "none":
        return "no integrity check (MAC)"
    if mac == "pbmac1":
        return "a PBMAC1 integrity check"
    return f"an HMAC-{mac[5:].upper()} integrity check"


def _uses_password(info: ReadInfo) -> bool:
    encrypted = [p for p in (info.cert_pbe, info.key_pbe) if p not in (None, "none")]
    return info.mac != "none" or bool(encrypted)


def entry_problems(target: Target, keystore: Keystore, storetype: str) -> list[Problem]:
    """What ``target`` cannot hold whatever the protection: the store type, secret keys, key
    algorithms and encodings."""
    problems: list[Problem] = []
    if not reads(target, f"store:{storetype}"):
        problems.append(
            Problem(
                "store-type-unsupported",
                f"{target.runtime} has no {storetype.upper()} reader; it reads only PKCS12",
            )
        )
        return problems
    secrets = tuple(e.alias for e in keystore.sorted_entries() if isinstance(e, SecretKeyEntry))
    if secrets and not reads(target, "entry:secret-key"):
        problems.append(
            Problem(
                "secret-key-unsupported",
                f"{target.runtime} does not read secret-key entries from PKCS12",
                secrets,
            )
        )
    by_algorithm: dict[str, list[str]] = {}
    by_encoding: dict[tuple[str, str], list[str]] = {}
    for form in _key_forms(keystore):
        family = _key_family(form.algorithm)
        if family not in _KEY_FAMILIES:
            continue
        if not reads(target, f"key:{family}"):
            by_algorithm.setdefault(family, []).append(form.alias)
        elif form.encoding != "standard" and not reads(target, f"key-encoding:{form.encoding}"):
            by_encoding.setdefault((family, form.encoding), []).append(form.alias)
    for family, aliases in by_algorithm.items():
        problems.append(
            Problem(
                "key-algorithm-unsupported",
                f"{target.runtime} cannot use {family} keys",
                tuple(aliases),
            )
        )
    for (family, encoding), aliases in by_encoding.items():
        problems.append(
            Problem(
                "key-encoding-unsupported",
                f"{target.runtime} cannot read {family} private keys in the {encoding} encoding",
                tuple(aliases),
            )
        )
    return problems


def _key_forms(keystore: Keystore) -> list[KeyForm]:
    from keystore_tool.formats.protection import key_form

    info = keystore.read_info
    if info is not None and len(info.key_forms) == sum(
        1 for e in keystore.entries if isinstance(e, PrivateKeyEntry) and e.private_key
    ):
        return list(info.key_forms)
    return [
        key_form(e.alias, e.private_key)
        for e in keystore.sorted_entries()
        if isinstance(e, PrivateKeyEntry) and e.private_key is not None
    ]


def predict(target: Target, keystore: Keystore, password: str | None) -> list[Problem]:
    """Why ``target`` will not load ``keystore`` as it was read (empty: it loads it)."""
    storetype = keystore.storetype or "pkcs12"
    problems = entry_problems(target, keystore, storetype)
    info = keystore.read_info
    if storetype != "pkcs12" or info is None or (problems and problems[0].code.startswith("store")):
        return problems
    non_ascii = password is not None and not password.isascii() and _uses_password(info)
    if non_ascii and not reads(target, "password:non-ascii"):
        problems.append(
            Problem(
                "password-not-ascii",
                f"{target.runtime} cannot use a password that is not ASCII for a PKCS12 "
                "store's integrity check or encryption",
            )
        )
    unreadable = [
        f"{what} are encrypted with {_pbe_name(pbe)}"
        for what, pbe in (("certificates", info.cert_pbe), ("keys", info.key_pbe))
        if pbe is not None and not reads(target, f"pbe:{pbe}")
    ]
    if unreadable:
        problems.append(
            Problem(
                "encryption-unreadable",
                f"the store's {' and its '.join(unreadable)}, which {target.runtime} cannot "
                "decrypt",
            )
        )
    if not reads(target, f"mac:{info.mac}"):
        problems.append(
            Problem(
                "mac-unsupported",
                f"the store has {_mac_name(info.mac)}, which {target.runtime} does not accept",
            )
        )
    return problems
