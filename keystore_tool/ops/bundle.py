"""``ks bundle-p12``: a client certificate and its key as a PKCS12 keystore a JVM can use."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from keystore_tool.entries import BundleInputs, build_entry
from keystore_tool.errors import ConflictError, Remedy, UsageError
from keystore_tool.formats import DumpOptions, Profile, get_format
from keystore_tool.model import Keystore, PrivateKeyEntry
from keystore_tool.ops.update import StoreTarget
from keystore_tool.password import Password

if TYPE_CHECKING:
    from keystore_tool.compat import Target

# BundleInputs (bundle_p12's input, from keystore_tool.entries) is part of this API.
__all__ = ["BundleInputs", "BundleResult", "bundle_p12"]


@dataclass
class BundleResult:
    out: str
    alias: str
    entry: PrivateKeyEntry
    warnings: list[str]
    changed: bool = True  # False: the file already held exactly this bundle

    def jvm_options(self, password: Password, show_password: bool) -> list[str]:
        shown = password.reveal() if show_password else "<password>"
        return [
            f"-Djavax.net.ssl.keyStore={self.out}",
            "-Djavax.net.ssl.keyStoreType=pkcs12",
            f"-Djavax.net.ssl.keyStorePassword={shown}",
        ]

    def as_json(self, password: Password, show_password: bool) -> dict[str, object]:
        """The JSON document: the file, its entry, and the JVM options to use it."""
        from keystore_tool.x509util import describe_entry

        return {
            "out": self.out,
            "alias": self.alias,
            "changed": self.changed,
            "entry": describe_entry(self.entry),
            "jvm_options": self.jvm_options(password, show_password),
        }


def bundle_p12(
    inputs: BundleInputs,
    out: StoreTarget,
    *,
    alias: str = "client",
    profile: Profile = "default",
    chain_name: str = "the chain",
    replace: bool = False,
) -> BundleResult:
    """Writes a PKCS12 keystore holding one key entry made of inputs to ``out.path`` under
    ``out.password``, whole and atomically. ``chain_name`` is how warnings name where chain
    certificates come from; ``out.targets``: the runtimes that must load it (the strongest
    protection they all read, or refused before writing when there is none).

    An existing ``out`` that holds only ``alias`` (a rotated certificate) is replaced; one that
    holds any other entry, or that ``password`` does not open, is a :class:`ConflictError`
    naming what it holds unless ``replace``; one that holds exactly this bundle is left as it
    is (``changed`` False).

    Unlike the other store changes this does not go through
    :func:`~keystore_tool.ops.update.update_store`: the new file does not derive from the old
    one (which, with ``replace``, need not even be a keystore), so it is replaced wholesale
    under the same lock; the targets rule is update's :func:`~keystore_tool.ops.update.protection_outdated`."""
    from keystore_tool.compat import target_options
    from keystore_tool.storage import StoreUpdate

    if out.password is None:
        raise UsageError(
            "a PKCS12 keystore with a key needs a password",
            password="store",
            remedy=Remedy.STORE_PASSWORD,
        )
    password, targets = out.password, out.targets
    entry, warnings = build_entry(inputs, alias, chain_name=chain_name)
    keystore = Keystore([entry], storetype="pkcs12")
    options = target_options(targets, keystore, "pkcs12", password, DumpOptions(profile=profile))
    absolute = str(Path(os.path.abspath(out.path)))
    with StoreUpdate(absolute, out.lock_timeout) as update:
        if update.current is not None:
            if _holds_this_bundle(update.current, password, entry, profile, targets):
                return BundleResult(absolute, alias, entry, warnings, changed=False)
            if not replace:
                _refuse_overwrite(absolute, update.current, password, alias)
        data = get_format("pkcs12").dump(keystore, password, options)
        update.replace(data, holds_private_key=True, wholesale=True)
    return BundleResult(absolute, alias, entry, warnings)


def _opened(data: bytes, password: Password) -> Keystore | None:
    from keystore_tool.errors import KsError
    from keystore_tool.storage import load_bytes

    try:
        return load_bytes(data, password)
    except KsError:
        return None


def _holds_this_bundle(
    data: bytes,
    password: Password,
    entry: PrivateKeyEntry,
    profile: Profile,
    targets: Sequence[Target] = (),
) -> bool:
    from keystore_tool.ops.update import protection_outdated

    existing = _opened(data, password)
    if existing is None or existing.storetype != "pkcs12" or len(existing) != 1:
        return False
    held = existing.get(entry.alias)
    if held is None or held.alias != entry.alias or not held.same_content(entry):
        return False
    if targets:
        return not protection_outdated(existing, targets, password)
    info = existing.read_info
    return (info.profile if info is not None else "default") == profile


def _refuse_overwrite(out: str, data: bytes, password: Password, alias: str) -> None:
    existing = _opened(data, password)
    if existing is None:
        raise ConflictError(
            f"{out} already exists and the given password does not open it as a keystore, so "
            "what it holds cannot be checked; nothing was written",
            remedy=Remedy.REPLACE_OR_OTHER_OUTPUT,
            store=out,
        )
    others = [e.alias for e in existing.sorted_entries() if e.folded_alias != alias.lower()]
    if others:
        shown = ", ".join(f"'{a}'" for a in others[:10])
        more = f" and {len(others) - 10:,} more" if len(others) > 10 else ""
        raise ConflictError(
            f"{out} already holds other entries ({shown}{more}); nothing was written",
            remedy=Remedy.REPLACE_OR_OTHER_OUTPUT,
            store=out,
        )
