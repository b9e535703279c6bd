"""``ks passwd``: a store under a new password (or none).

Unlike ``keytool -storepasswd``, JKS/JCEKS key entries follow the store password unless a
separate entry password is asked for: a JVM's KeyManagerFactory opens keys with the store
password, and a key left under the old one is the classic "Cannot recover key" outage.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from keystore_tool.errors import PasswordError, Remedy, UsageError
from keystore_tool.formats import StoreFormat
from keystore_tool.model import Keystore, PrivateKeyEntry, SecretKeyEntry
from keystore_tool.ops.update import Outcome, StoreChange, StoreTarget, load_with_any, update_store
from keystore_tool.password import Password
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT

if TYPE_CHECKING:
    from keystore_tool.compat import Target

T = TypeVar("T")

__all__ = ["PasswdResult", "change_password", "load_with_any", "rewrite_store"]


def rewrite_store(
    path: str,
    read_passwords: list[Password | None],
    write_password: Password | None,
    change: Callable[[Keystore, Password | None], tuple[T, bool]],
    *,
    create_as: StoreFormat | None = None,
    storetype: str | None = None,
    entry_password: Password | None = None,
    new_entry_password: Password | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    mode: int | None = None,
    owner: tuple[int, int] | None = None,
    targets: Sequence[Target] = (),
) -> tuple[T, Outcome]:
    """Deprecated: :func:`~keystore_tool.ops.update.update_store` with a
    :class:`~keystore_tool.ops.update.StoreTarget` naming ``current_passwords``. Kept only
    until ``apply`` calls that directly. ``create_as`` only says whether to create (a new
    file is always the format its name and ``storetype`` call for)."""
    target = StoreTarget(
        path,
        write_password,
        storetype=storetype,
        entry_password=new_entry_password,
        lock_timeout=lock_timeout,
        targets=tuple(targets),
        current_passwords=tuple(read_passwords),
        current_entry_password=entry_password,
        passwordless=write_password is None,
        mode=mode,
        owner=owner,
    )

    def adapted(store: StoreChange) -> tuple[T, bool]:
        return change(store.keystore, store.read_password)

    return update_store(target, adapted, create=create_as is not None)


@dataclass
class PasswdResult:
    keystore: str
    storetype: str
    changed: bool
    keys_rewrapped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "keystore": self.keystore,
            "storetype": self.storetype,
            "changed": self.changed,
            "keys_rewrapped": self.keys_rewrapped,
            "warnings": self.warnings,
        }


def change_password(
    path: str | os.PathLike[str],
    old: Password | None,
    new: Password | None,
    *,
    old_entry: Password | None = None,
    new_entry: Password | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    targets: Sequence[Target] = (),
) -> PasswdResult:
    """Rewrites the store under ``new`` (``None``: password-less, where the format allows it:
    a PKCS12 or PEM store without keys, or a PEM store whose keys are then unencrypted).

    JKS/JCEKS keys are opened with ``old_entry`` (else ``old``) and protected with
    ``new_entry`` (else ``new``). A store already under ``new`` is left alone.
    """
    location = os.fspath(path)
    result = PasswdResult(location, "unknown", False)
    target = StoreTarget(
        location,
        new,
        entry_password=new_entry,
        lock_timeout=lock_timeout,
        targets=tuple(targets),
        current_passwords=(old,),
        current_entry_password=old_entry,
        passwordless=new is None,
    )

    def change(store: StoreChange) -> tuple[None, bool]:
        keystore = store.keystore
        result.storetype = keystore.storetype or "unknown"
        java = result.storetype in ("jks", "jceks")
        _check_rewritable(keystore, old, new, java=java)
        keys = [e.alias for e in keystore if isinstance(e, PrivateKeyEntry)]
        old_key_password = (old_entry or old) if java else None
        new_key_password = (new_entry or new) if java else None
        same = not store.password_changes and (not keys or old_key_password == new_key_password)
        if not same or store.protection_outdated():
            result.keys_rewrapped = keys
            result.changed = True
            if java:
                result.warnings.extend(_kept_secret_keys(keystore))
        return None, result.changed

    update_store(target, change)
    return result


def _check_rewritable(
    keystore: Keystore, old: Password | None, new: Password | None, *, java: bool
) -> None:
    """Refuses what cannot be rewritten as asked: a JKS/JCEKS store needs its password both to
    be checked and to be written, and a key nobody could open cannot be re-protected."""
    kind = (keystore.storetype or "unknown").upper()
    if java and old is None:
        raise UsageError(
            f"a {kind} store's current password is needed to check it",
            remedy=Remedy.WRITE_STORE_PASSWORD,
            password="store",
        )
    if java and new is None:
        raise UsageError(
            f"a {kind} store must have a password",
            remedy=Remedy.NEW_STORE_PASSWORD,
            password="new store",
        )
    sealed = [e.alias for e in keystore if isinstance(e, PrivateKeyEntry) and e.private_key is None]
    if sealed:
        raise PasswordError(
            f"the key of entry '{sealed[0]}' does not open with the current password",
            remedy=Remedy.ENTRY_PASSWORD,
            alias=sealed[0],
            password="entry",
        )


def _kept_secret_keys(keystore: Keystore) -> list[str]:
    return [
        f"secret key '{entry.alias}' keeps its old password (ks rewrites JCEKS "
        "secret keys only as they were read)"
        for entry in keystore
        if isinstance(entry, SecretKeyEntry) and entry.sealed is not None
    ]
