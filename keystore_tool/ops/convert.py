"""``ks convert``: every entry into a new store of another type (keytool -importkeystore)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from keystore_tool.errors import (
    ConflictError,
    FormatError,
    NotFoundError,
    PasswordError,
    Remedy,
    UnsupportedError,
    UsageError,
)
from keystore_tool.formats import DumpOptions, LoadOptions, Profile, StoreFormat, get_format
from keystore_tool.model import Entry, Keystore, PrivateKeyEntry, SecretKeyEntry
from keystore_tool.password import Password
from keystore_tool.storage import (
    DEFAULT_LOCK_TIMEOUT,
    read_file,
    resolve_store_path,
    write_new_file,
)

if TYPE_CHECKING:
    from keystore_tool.compat import Target


@dataclass
class ConvertResult:
    source: str
    out: str
    storetype: str
    copied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The JSON document of ``ks convert``."""
        return {
            "keystore": self.source,
            "out": self.out,
            "storetype": self.storetype,
            "copied": self.copied,
            "skipped": self.skipped,
        }


def plan_conversion(
    source: Keystore, target: StoreFormat, *, skip_unsupported: bool
) -> tuple[Keystore, list[str]]:
    """The target store's model: every entry the target format can hold; the others stop the
    conversion unless ``skip_unsupported``."""
    converted = Keystore(storetype=target.name)
    skipped: list[str] = []
    if not target.writable:
        raise UnsupportedError(
            f"ks does not write {target.name.upper()} stores; convert to pkcs12, jks or jceks"
        )
    for entry in source.sorted_entries():
        broken = _broken_link(entry) if target.name == "pkcs12" else None
        if broken is not None:
            if not skip_unsupported:
                raise UnsupportedError(
                    f"the chain of entry '{entry.alias}' does not chain by name ({broken}): "
                    "Java would read only its first certificate from a PKCS12 store, and "
                    "keytool -importkeystore refuses the entry; fix the chain, or leave the "
                    "entry out"
                )
            skipped.append(entry.alias)
            continue
        if target.can_hold(entry):
            converted.add(entry)
            continue
        if not skip_unsupported:
            raise UnsupportedError(
                f"{target.name} cannot hold entry '{entry.alias}' ({entry.kind}{_why(entry)})",
                remedy=_unsupported_remedy(entry, target),
                alias=entry.alias,
            )
        skipped.append(entry.alias)
    return converted, skipped


def _broken_link(entry: Entry) -> str | None:
    """Where a key's chain stops chaining by name, as PKCS12KeyStore.validateChain checks
    (certificate i's issuer must be certificate i+1's subject), or None when it chains."""
    if not isinstance(entry, PrivateKeyEntry) or len(entry.chain) < 2:
        return None
    for index, (cert, issuer) in enumerate(zip(entry.chain, entry.chain[1:], strict=False)):
        try:
            chained = cert.x509.issuer == issuer.x509.subject
        except FormatError:
            return None  # a certificate only Java parses: not ours to judge
        if not chained:
            return f"certificate {index + 1}'s issuer is not certificate {index + 2}'s subject"
    return None


def _locked(entry: Entry) -> bool:
    if isinstance(entry, PrivateKeyEntry):
        return entry.private_key is None
    return isinstance(entry, SecretKeyEntry) and entry.key is None and entry.sealed is not None


def unlock_keys(
    source_path: str,
    source: Keystore,
    password: Password | None,
    entry_passwords: list[Password],
    per_alias: dict[str, Password],
) -> None:
    """Opens the keys the store password did not (keytool -importkeystore tries the store
    password first): each of ``entry_passwords`` for every key still locked, then each
    alias's own password from ``per_alias`` for that alias alone. A per-alias password that
    does not open its key is a :class:`PasswordError` naming the alias."""
    _check_aliases(source_path, source, per_alias)
    attempts: list[tuple[str | None, Password]] = [(None, pw) for pw in entry_passwords]
    attempts += list(per_alias.items())
    if not any(_locked(entry) for entry in source) or not attempts:
        return
    fmt = get_format(source.storetype or "")
    data = read_file(source_path)
    for only, candidate in attempts:
        locked = [
            entry.alias
            for entry in source
            if _locked(entry) and (only is None or entry.folded_alias == only.lower())
        ]
        if not locked:
            continue
        try:
            opened = fmt.load(data, password, LoadOptions(entry_password=candidate))
        except PasswordError:
            continue
        for alias in locked:
            entry = opened.get(alias)
            if entry is not None and not _locked(entry):
                source.add(entry, replace=True)
    for alias in per_alias:
        if _locked(source[alias]):
            raise PasswordError(
                f"the key password given for entry '{alias}' does not open it",
                alias=alias,
                password="entry",
            )


def _check_aliases(source_path: str, source: Keystore, per_alias: dict[str, Password]) -> None:
    for alias in per_alias:
        if alias not in source:
            raise NotFoundError(
                f"no entry '{alias}' in {source_path} to give a key password for", alias=alias
            )


def _unsupported_remedy(entry: Entry, target: StoreFormat) -> Remedy:
    # "convert to pkcs12" only where another type would do: never to a pkcs12 target, never
    # for a key whose own password is what is missing.
    if _locked(entry):
        return Remedy.ENTRY_PASSWORD_OR_SKIP
    if target.name != "pkcs12":
        return Remedy.PKCS12_OR_SKIP
    return Remedy.SKIP_UNSUPPORTED


def _why(entry: Entry) -> str:
    if isinstance(entry, SecretKeyEntry) and entry.sealed and entry.sealed.format == "bks-opaque":
        return ", opaque key bytes that BouncyCastle cannot decode either"
    if _locked(entry):
        return ", protected by its own password"
    if isinstance(entry, SecretKeyEntry):
        return ""
    return ""


def convert_store(
    source: Keystore,
    source_path: str,
    out: str | os.PathLike[str],
    target: StoreFormat,
    password: Password | None,
    *,
    skip_unsupported: bool = False,
    replace: bool = False,
    profile: Profile = "default",
    targets: Sequence[Target] = (),
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> ConvertResult:
    """Copies ``source`` into a new ``target`` store at ``out``; with ``targets``, protected
    as every one of those runtimes reads (or refused before anything is written)."""
    out_path = os.fspath(out)
    if resolve_store_path(out_path) == resolve_store_path(source_path):
        raise UsageError(
            "names the source store; write the conversion to another file", parameter="out"
        )
    if os.path.exists(out_path) and not replace:
        raise ConflictError(f"{out_path} already exists", remedy=Remedy.REPLACE, store=out_path)
    converted, skipped = plan_conversion(source, target, skip_unsupported=skip_unsupported)
    holds_keys = converted.holds_keys()
    if password is None and target.name in ("jks", "jceks"):
        raise UsageError(
            f"a {target.name} store needs a password",
            remedy=Remedy.WRITE_STORE_PASSWORD,
            password="store",
        )
    if password is None and holds_keys and target.name == "pkcs12":
        raise UsageError(
            "a PKCS12 store with keys needs a password",
            remedy=Remedy.WRITE_STORE_PASSWORD,
            password="store",
        )
    from keystore_tool.compat import target_options

    options = target_options(
        targets, converted, target.name, password, DumpOptions(profile=profile)
    )
    data = target.dump(converted, password, options)
    write_new_file(out_path, data, holds_private_key=holds_keys, lock_timeout=lock_timeout)
    return ConvertResult(source_path, out_path, target.name, [e.alias for e in converted], skipped)
