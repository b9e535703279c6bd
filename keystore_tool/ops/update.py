"""The read-modify-write every store-changing command shares.

Under the store's exclusive lock: read the current bytes, parse them (or start an empty store
of the type a new file gets), let the command change the model, and write only when it says
something changed — or when the runtimes named as targets cannot read the file as it is. A
run that changes nothing leaves the file's bytes and mtime alone.

The rules of writing live here and nowhere else: which password the store is written with
(:func:`write_password`), the protection a rewrite keeps (:func:`kept_options`), and when
``targets`` force a rewrite (:func:`protection_outdated`, which ``bundle-p12`` asks too).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from keystore_tool.errors import NotFoundError, PasswordError, Remedy, UsageError
from keystore_tool.formats import (
    DumpOptions,
    LoadOptions,
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
    """Which store to change, how to open it, and how to write it.

    ``password`` is what the store is written with, and opened with unless
    ``current_passwords`` says otherwise. ``entry_password`` protects JKS/JCEKS keys (None:
    the store password).

    A password change (``ks passwd``, an ``apply`` spec's ``current_password``) names the
    passwords the store may be under now in ``current_passwords``, tried in order (only a
    wrong one moves on to the next); its keys are then opened with ``current_entry_password``
    (None: the password that opened the store) and written with ``entry_password``.

    ``passwordless``: with no ``password``, write the store without one even when it is new
    or was read with one (a truststore the OS tools make, ``passwd`` to none). Without it, no
    password writes only a store that was read password-less or a PEM file without keys.

    ``mode`` and ``owner`` are set with the write, or alone under the same lock when nothing
    else changed.
    """

    path: str
    password: Password | None
    storetype: str | None = None
    entry_password: Password | None = None
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    # The runtimes that must load the file written (the command line's targets); empty: keep what it was read
    # with, or what a current JDK writes for a new file.
    targets: tuple[Target, ...] = ()
    current_passwords: tuple[Password | None, ...] = ()
    current_entry_password: Password | None = None
    passwordless: bool = False
    mode: int | None = None
    owner: tuple[int, int] | None = None


@dataclass(frozen=True)
class StoreChange:
    """What a change is given: the model to change in place, and how the store was found.

    ``created``: the file did not exist (the model is empty, of ``format``).
    ``read_password``: the password that opened the store (for a new store, the one it will
    be written with); it differs from ``target.password`` when the password changes.
    """

    keystore: Keystore
    format: StoreFormat
    created: bool
    read_password: Password | None
    target: StoreTarget

    @property
    def password_changes(self) -> bool:
        """Whether the store is written under another password than it was opened with."""
        return self.read_password != self.target.password

    def protection_outdated(self) -> bool:
        """Whether the runtimes named as targets need the existing file's protection changed
        (so it is rewritten even when no entry changes); raises
        :class:`~keystore_tool.errors.TargetError` when no protection satisfies them."""
        if self.created:
            return False
        return protection_outdated(self.keystore, self.target.targets, self.target.password)


def protection_outdated(
    keystore: Keystore, targets: Sequence[Target], password: Password | None
) -> bool:
    """The ``targets`` rule: whether a store as read must be rewritten (written with
    ``password``) so that every named runtime loads it, even when no entry changes. No
    targets: never. Raises :class:`~keystore_tool.errors.TargetError` when no protection
    satisfies them."""
    if not targets:
        return False
    from keystore_tool.compat import protection_satisfies

    return not protection_satisfies(keystore, targets, password)


@dataclass(frozen=True)
class Outcome:
    """What an update did to the file: created it, rewrote it, or left it alone."""

    storetype: str
    created: bool
    written: bool


def update_store(
    target: StoreTarget,
    change: Callable[[StoreChange], tuple[T, bool]],
    *,
    create: bool = False,
) -> tuple[T, Outcome]:
    """Runs ``change`` on the store's model under its lock and writes the result.

    ``change`` gets a :class:`StoreChange` (the model, whether the store is new, the password
    that opened it), changes the model in place and returns its result and whether it changed
    anything (a password change is a change it must report). The file is written when it did,
    when the store is new, or when ``target.targets`` cannot read the file's protection; the
    password written with is :func:`write_password`'s. A missing store is created as the
    format :func:`~keystore_tool.formats.format_for_new_file` picks when ``create`` is true,
    else a :class:`~keystore_tool.errors.NotFoundError`.
    """
    with StoreUpdate(target.path, target.lock_timeout) as update:
        store = _open(target, update.current, create=create)
        result, changed = change(store)
        if not changed and not store.created:
            changed = store.protection_outdated()
        if changed or store.created:
            password = write_password(store.format, store.keystore, target)
            data = store.format.dump(
                store.keystore,
                password,
                dump_options(store.keystore, target, store.format, password),
            )
            update.replace(
                data,
                holds_private_key=store.keystore.holds_keys(),
                mode=target.mode,
                owner=target.owner,
                unencrypted_key=password is None and store.keystore.holds_keys(),
            )
        elif target.mode is not None or target.owner is not None:
            update.written = update.set_metadata(target.mode, target.owner)
        return result, Outcome(store.format.name, store.created, update.written)


def _open(target: StoreTarget, current: bytes | None, *, create: bool) -> StoreChange:
    if current is None:
        if not create:
            raise NotFoundError(f"keystore file not found: {target.path}", store=target.path)
        fmt = format_for_new_file(target.path, target.storetype)
        return StoreChange(Keystore(storetype=fmt.name), fmt, True, target.password, target)
    fmt = detect(current)
    check_storetype(fmt, target.storetype)
    if target.current_passwords:
        passwords, entry = list(target.current_passwords), target.current_entry_password
    else:
        passwords, entry = [target.password], target.entry_password
    keystore, opened_with = load_with_any(fmt, current, passwords, entry)
    return StoreChange(keystore, fmt, False, opened_with, target)


def load_with_any(
    fmt: StoreFormat,
    data: bytes,
    passwords: Sequence[Password | None],
    entry_password: Password | None,
) -> tuple[Keystore, Password | None]:
    """The store opened with the first password that fits, and that password. Only a wrong
    password moves on to the next; any other error stops."""
    last: PasswordError | None = None
    for password in passwords:
        try:
            keystore = fmt.load(data, password, LoadOptions(entry_password=entry_password))
        except PasswordError as exc:
            last = exc
            continue
        if fmt.name in ("jks", "jceks") and password is None and len(passwords) > 1:
            continue  # read, but unverified: a later password may be the right one
        return keystore, password
    raise last or PasswordError("no password given opens the store")


def write_password(fmt: StoreFormat, keystore: Keystore, target: StoreTarget) -> Password | None:
    """The password to write with: the one given; none where that is asked for
    (``target.passwordless``), or where the store was read without one and may stay so (a
    password-less PKCS12 truststore, a PEM file without keys)."""
    if target.password is not None or target.passwordless:
        return target.password
    info = keystore.read_info
    if (info is not None and info.passwordless) or (
        fmt.name == "pem" and not keystore.holds_keys()
    ):
        return None
    raise UsageError(
        f"writing {os.path.basename(target.path)} needs its password",
        remedy=Remedy.WRITE_STORE_PASSWORD,
        store=target.path,
        password="store",
    )


def dump_options(
    keystore: Keystore, target: StoreTarget, fmt: StoreFormat, password: Password | None
) -> DumpOptions:
    """What every named target reads; without targets, the encryption the store was read
    with: a store made for Java 8 must stay readable there after ks added a certificate. A
    store written without a password keeps no encryption."""
    from dataclasses import replace

    from keystore_tool.compat import target_options

    kept = kept_options(keystore, entry_password=target.entry_password)
    if password is None:
        kept = replace(kept, protection=None)
    return target_options(target.targets, keystore, fmt.name, password, kept)


def kept_options(keystore: Keystore, *, entry_password: Password | None = None) -> DumpOptions:
    """Options that rewrite ``keystore`` as it was read."""
    info = keystore.read_info
    return DumpOptions(
        profile=info.profile if info is not None else "default",
        entry_password=entry_password,
        protection=info.kept_protection() if info is not None else None,
    )
