"""The read-modify-write every store-changing command shares.

Under the store's exclusive lock: read the current bytes, parse them (or start an empty store
of the type a new file gets), let the command change the model, and write only when it says
something changed. A run that changes nothing leaves the file's bytes and mtime alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from keystore_tool.errors import NotFoundError, UsageError
from keystore_tool.formats import (
    DumpOptions,
    LoadOptions,
    Profile,
    StoreFormat,
    detect,
    format_for_new_file,
)
from keystore_tool.model import Keystore
from keystore_tool.password import Password
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT, StoreUpdate, check_storetype

if TYPE_CHECKING:
    from keystore_tool.compat import Target

T = TypeVar("T")


@dataclass(frozen=True)
class StoreTarget:
    """Which store to change and how to open it."""

    path: str
    password: Password | None
    storetype: str | None = None
    entry_password: Password | None = None
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    # The runtimes that must load the file written (--target); empty: keep what it was read
    # with, or what a current JDK writes for a new file.
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What an update did to the file: created it, rewrote it, or left it alone."""

    storetype: str
    created: bool
    written: bool


def update_store(
    target: StoreTarget,
    change: Callable[[Keystore], tuple[T, bool]],
    *,
    create: bool,
) -> tuple[T, Outcome]:
    """Runs ``change`` on the store's model under its lock; ``change`` returns its result and
    whether it changed anything. A missing store is created when ``create`` is true."""
    with StoreUpdate(target.path, target.lock_timeout) as update:
        if update.current is None:
            if not create:
                raise NotFoundError(f"keystore file not found: {target.path}")
            fmt = format_for_new_file(target.path, target.storetype)
            keystore = Keystore(storetype=fmt.name)
        else:
            fmt = detect(update.current)
            check_storetype(fmt, target.storetype)
            keystore = fmt.load(
                update.current, target.password, LoadOptions(entry_password=target.entry_password)
            )
        result, changed = change(keystore)
        created = update.current is None
        if not changed and not created and target.targets:
            # --target names runtimes that must load the file: one whose protection they
            # cannot read is rewritten even when no entry changed.
            from keystore_tool.compat import protection_satisfies

            changed = not protection_satisfies(keystore, target.targets, target.password)
        if changed or created:
            password = write_password(fmt, keystore, target)
            data = fmt.dump(keystore, password, dump_options(keystore, target, fmt, password))
            update.replace(
                data,
                holds_private_key=keystore.holds_keys(),
                unencrypted_key=password is None and keystore.holds_keys(),
            )
        return result, Outcome(fmt.name, created, update.written)


def write_password(fmt: StoreFormat, keystore: Keystore, target: StoreTarget) -> Password | None:
    """The password to write with: the one given; none only where the store was read without
    one and may stay so (a password-less PKCS12 truststore, a PEM file without keys)."""
    if target.password is not None:
        return target.password
    if keystore.properties.get("passwordless") or (fmt.name == "pem" and not keystore.holds_keys()):
        return None
    raise UsageError(
        f"writing {os.path.basename(target.path)} needs its password: give --storepass, "
        "--storepass-env or --storepass-file"
    )


def dump_options(
    keystore: Keystore, target: StoreTarget, fmt: StoreFormat, password: Password | None
) -> DumpOptions:
    """What every named target reads; without targets, the encryption the store was read
    with: a store made for Java 8 must stay readable there after ks added a certificate."""
    from keystore_tool.compat import target_options

    return target_options(
        target.targets,
        keystore,
        fmt.name,
        password,
        kept_options(keystore, entry_password=target.entry_password),
    )


def kept_options(keystore: Keystore, *, entry_password: Password | None = None) -> DumpOptions:
    """Options that rewrite ``keystore`` as it was read."""
    profile: Profile = "legacy" if keystore.properties.get("profile") == "legacy" else "default"
    info = keystore.read_info
    return DumpOptions(
        profile=profile,
        entry_password=entry_password,
        protection=info.kept_protection() if info is not None else None,
    )
