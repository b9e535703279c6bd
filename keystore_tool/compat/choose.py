"""Choosing what to write: the strongest protection every named target reads, and whether a
store's protection already satisfies them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from keystore_tool.errors import TargetError
from keystore_tool.formats.protection import (
    PASSWORDLESS,
    WRITABLE_MACS,
    Mac,
    Pbe,
    Protection,
)
from keystore_tool.model import Keystore, PrivateKeyEntry, SecretKeyEntry

if TYPE_CHECKING:
    from keystore_tool.formats import DumpOptions
    from keystore_tool.password import Password

from keystore_tool.compat.predict import (
    entry_problems,
)
from keystore_tool.compat.targets import (
    Target,
    reads,
)

# ---- choosing what to write ------------------------------------------------------------------

_Choice = TypeVar("_Choice", bound=str)

# Strongest first: PBMAC1 (PBKDF2-keyed HMAC-SHA256) before the PKCS#12-KDF-keyed HMACs.
KEY_PBE_ORDER: tuple[Pbe, ...] = ("pbes2-aes256", "pbe-3des")
CERT_PBE_ORDER: tuple[Pbe, ...] = ("pbes2-aes256", "pbe-3des", "pbe-rc2-40", "none")
MAC_ORDER: tuple[Mac, ...] = tuple(
    m for m in ("pbmac1", "hmac-sha256", "hmac-sha1", "none") if m in WRITABLE_MACS
)


def _strongest(
    targets: Sequence[Target], order: Sequence[_Choice], prefix: str, what: str
) -> _Choice:
    for choice in order:
        if all(reads(t, f"{prefix}:{choice}") for t in targets):
            return choice
    # name the first target that rules out each choice the others would take
    for target in targets:
        if not any(reads(target, f"{prefix}:{c}") for c in order):
            raise TargetError(f"{target} cannot read any {what} ks writes")
    lacking = ", ".join(
        f"{c} ({next(str(t) for t in targets if not reads(t, f'{prefix}:{c}'))} cannot read it)"
        for c in order
    )
    raise TargetError(f"no {what} is read by all of {', '.join(map(str, targets))}: {lacking}")


def choose_protection(
    targets: Sequence[Target], keystore: Keystore, storetype: str, password: str | None
) -> Protection | None:
    """The strongest protection every target reads for ``keystore`` written as ``storetype``
    with ``password`` (None for JKS/JCEKS, whose protection is fixed); raises
    :class:`TargetError` naming the target, the entry and the reason when there is none."""
    for target in targets:
        problems = entry_problems(target, keystore, storetype)
        if problems:
            first = problems[0]
            entries = ", ".join(f"'{a}'" for a in first.aliases)
            which = f" (entry {entries})" if entries else ""
            raise TargetError(f"{target} cannot load this store{which}: {first.message}")
    if storetype != "pkcs12":
        return None
    holds_keys = keystore.holds_keys()
    passwordless_readers = [
        t for t in targets if not (reads(t, "pbe:none") and reads(t, "mac:none"))
    ]
    if password is None:
        if passwordless_readers:
            raise TargetError(
                f"{passwordless_readers[0]} cannot load a store without a password "
                "(no integrity check): give the store a password"
            )
        return PASSWORDLESS
    no_unicode = [t for t in targets if not reads(t, "password:non-ascii")]
    if not password.isascii() and no_unicode:
        target = no_unicode[0]
        if holds_keys:
            keys = ", ".join(
                f"'{e.alias}'"
                for e in keystore.sorted_entries()
                if isinstance(e, PrivateKeyEntry | SecretKeyEntry)
            )
            raise TargetError(
                f"{target} cannot use a password that is not ASCII, and the store holds keys "
                f"(entry {keys}) that must be encrypted with it: choose an ASCII password"
            )
        if passwordless_readers:
            raise TargetError(
                f"{target} cannot use a password that is not ASCII, and "
                f"{passwordless_readers[0]} cannot load the store without one: choose an ASCII "
                "password"
            )
        # A truststore needs no secret: written without MAC and encryption, every target
        # loads it whatever password it is given.
        return PASSWORDLESS
    cert_pbe = _strongest(targets, CERT_PBE_ORDER, "pbe", "certificate encryption")
    key_pbe: Pbe = (
        _strongest(targets, KEY_PBE_ORDER, "pbe", "key encryption") if holds_keys else "none"
    )
    mac = _strongest(targets, MAC_ORDER, "mac", "integrity check")
    return Protection(cert_pbe, key_pbe, mac)


def target_options(
    targets: Sequence[Target],
    keystore: Keystore,
    storetype: str,
    password: Password | None,
    base: DumpOptions,
) -> DumpOptions:
    """``base`` with the protection every target reads; ``base`` itself without targets."""
    if not targets:
        return base
    text = password.reveal() if password is not None else None
    protection = choose_protection(targets, keystore, storetype, text)
    return replace(base, protection=protection)


def protection_satisfies(
    keystore: Keystore, targets: Sequence[Target], password: Password | None
) -> bool:
    """Whether ``keystore`` as read already has the protection ``targets`` call for with
    ``password`` (so that a rewrite would change nothing); raises :class:`TargetError` when
    no protection satisfies them."""
    text = password.reveal() if password is not None else None
    chosen = choose_protection(targets, keystore, keystore.storetype or "pkcs12", text)
    info = keystore.read_info
    if chosen is None or info is None:
        return True
    if info.passwordless:
        return chosen == PASSWORDLESS
    kept = info.kept_protection()
    if kept is not None and info.key_pbe in (None, "none"):
        # A file without key bags has no key protection to compare: the kept record's key
        # scheme is only a default for keys added later, and a store of certificates alone
        # would otherwise be rewritten on every apply.
        kept = replace(kept, key_pbe=chosen.key_pbe)
    return kept == chosen
