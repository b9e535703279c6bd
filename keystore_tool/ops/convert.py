"""``ks convert``: every entry into a new store of another type (keytool -importkeystore)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from keystore_tool.errors import ConflictError, UnsupportedError, UsageError
from keystore_tool.formats import DumpOptions, Profile, StoreFormat
from keystore_tool.model import Keystore, PrivateKeyEntry, SecretKeyEntry
from keystore_tool.password import Password
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT, resolve_store_path, write_new_file


@dataclass
class ConvertResult:
    source: str
    out: str
    storetype: str
    copied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def plan_conversion(
    source: Keystore, target: StoreFormat, *, skip_unsupported: bool
) -> tuple[Keystore, list[str]]:
    """The target store's model: every entry the target format can hold; the others stop the
    conversion unless ``skip_unsupported``."""
    converted = Keystore(storetype=target.name)
    skipped: list[str] = []
    for entry in source.sorted_entries():
        if target.can_hold(entry):
            converted.add(entry)
            continue
        if not skip_unsupported:
            raise UnsupportedError(
                f"{target.name} cannot hold entry '{entry.alias}' ({entry.kind}"
                f"{_why(entry)}); convert to pkcs12, or pass --skip-unsupported to leave it out"
            )
        skipped.append(entry.alias)
    return converted, skipped


def _why(entry: object) -> str:
    if isinstance(entry, PrivateKeyEntry) and entry.private_key is None:
        return ", protected by its own password: give it with --entry-pass"
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
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> ConvertResult:
    out_path = os.fspath(out)
    if resolve_store_path(out_path) == resolve_store_path(source_path):
        raise UsageError("--out names the source store; write the conversion to another file")
    if os.path.exists(out_path) and not replace:
        raise ConflictError(f"{out_path} already exists; pass --replace to overwrite it")
    converted, skipped = plan_conversion(source, target, skip_unsupported=skip_unsupported)
    holds_keys = converted.holds_keys()
    if password is None and target.name in ("jks", "jceks"):
        raise UsageError(
            f"a {target.name} store needs a password: give --storepass, --storepass-env or --storepass-file"
        )
    if password is None and holds_keys and target.name == "pkcs12":
        raise UsageError(
            "a PKCS12 store with keys needs a password: give --storepass, --storepass-env or --storepass-file"
        )
    data = target.dump(converted, password, DumpOptions(profile=profile))
    write_new_file(out_path, data, holds_private_key=holds_keys, lock_timeout=lock_timeout)
    return ConvertResult(source_path, out_path, target.name, [e.alias for e in converted], skipped)
